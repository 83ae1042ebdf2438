"""The demo's workforce archive: 高斯贝尔's 470 / 409 / 238, the district's 997 nucleic-acid and 959 IgM tests,
valid synthetic ID numbers sealed at rest, trajectories, quarantines and readings — loaded idempotently,
wiped by --reset, and seen by each demo account only within its scope.

Like test_load_demo.py, the demo is loaded once for the module inside a transaction rolled back at the end;
each test runs in a savepoint on top of it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections import Counter
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings

from fugong.accounts.models import User
from fugong.core import figures, scoping
from fugong.core.identifiers import normalise_phone, validate_id_number
from fugong.core.models import AuditLog
from fugong.demo.enterprises import FENGCHU, GOSPELL
from fugong.demo.people import ARTICLE_PEOPLE
from fugong.demo.regions import ORIGINS, QIFENGDU
from fugong.demo.workforce import INSTITUTIONS, SHIFTS, ZONES, build_workforce
from fugong.enterprises.models import Enterprise
from fugong.workforce import bulk, services
from fugong.workforce.models import (
    ArrivalBatch,
    ClearanceStatus,
    Employee,
    HealthReading,
    HealthTest,
    Quarantine,
    Stay,
)
from fugong.workforce.selectors import batch_summary, employees_for_user

AS_OF = dt.date(2020, 3, 2)
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WORKFORCE_MODELS = (ArrivalBatch, Employee, Stay, HealthTest, Quarantine, HealthReading)
HUBEI = {code for province, _city, counties in ORIGINS if province[0] == "420000" for code, _n in counties}
HUNAN = {code for province, _city, counties in ORIGINS if province[0] == "430000" for code, _n in counties}


def run_load_demo(*args: str) -> str:
    out = io.StringIO()
    with mock.patch.dict(os.environ, {"FUGONG_DEMO_PASSWORD": ""}):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        with transaction.atomic():
            output = run_load_demo()
            yield output
            transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    return demo_output


def workforce_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in WORKFORCE_MODELS}


def gospell() -> Enterprise:
    return Enterprise.objects.get(name=GOSPELL)


def user(username: str) -> User:
    return User.objects.get(username=username)


# --- 高斯贝尔: the article's batches -------------------------------------------------------------------


def test_gospell_batch_one_has_470_workers_61_resident_and_409_non_resident_each_with_a_nucleic_acid_test(demo):
    batch = ArrivalBatch.objects.get(enterprise=gospell(), number=1)
    assert batch.arrival_date == dt.date(2020, 2, 10)
    workers = Employee.objects.filter(batch=batch)
    assert workers.count() == 470
    assert workers.filter(resident=True).count() == 61
    non_resident = workers.filter(resident=False)
    assert non_resident.count() == 409
    tests = HealthTest.objects.filter(employee__batch=batch, kind=HealthTest.Kind.NUCLEIC_ACID).select_related(
        "employee"
    )
    assert sorted(t.employee_id for t in tests) == sorted(non_resident.values_list("id", flat=True))
    for test in tests:
        assert test.sample_date > test.employee.returned_on
        assert test.result == HealthTest.Result.NEGATIVE
        assert test.institution in INSTITUTIONS
    assert not HealthTest.objects.filter(employee__batch=batch, employee__resident=True).exists()


def test_the_batch_summary_shows_470_409_tested_and_238(demo):
    rows = {r["batch__number"]: r for r in batch_summary(scoping.DISTRICT_WIDE, gospell().pk)}
    assert (rows[1]["employees"], rows[1]["non_resident"], rows[1]["non_resident_tested"]) == (470, 409, 409)
    assert rows[2]["employees"] == 238
    assert rows[2]["batch__arrival_date"] == dt.date(2020, 2, 20)
    assert set(rows) == {1, 2}


def test_gospell_batch_two_has_238_full_archive_cards_with_staggered_shifts_and_at_most_six_per_room(demo):
    workers = list(Employee.objects.filter(enterprise=gospell(), batch__number=2))
    assert len(workers) == 238
    for w in workers:
        assert w.workshop and w.position
        assert w.shift in SHIFTS and w.dining_zone in ZONES
        assert w.training_attended_on == dt.date(2020, 2, 20)
        assert w.employment_start and w.phone
        if not w.resident:
            assert w.returned_from_code and w.returned_from_name and w.transport and w.transport_no
            assert w.returned_on < dt.date(2020, 2, 20)
            assert w.dormitory_room
    assert {w.shift for w in workers} == set(SHIFTS)
    assert {w.resident for w in workers} == {True, False}
    rooms = Counter(
        Employee.objects.filter(enterprise=gospell())
        .exclude(dormitory_room="")
        .values_list("dormitory_room", flat=True)
    )
    assert max(rooms.values()) <= 6
    # An introduction batch big enough for 引进职工补贴 (≥ 20).
    assert Employee.objects.filter(enterprise=gospell(), introduction_batch="2020年2月第二批引进").count() >= 20


def test_workers_came_back_from_hunan_counties_and_other_provinces(demo):
    origins = set(Employee.objects.filter(resident=False).values_list("returned_from_code", flat=True))
    assert origins & HUNAN
    assert {code[:2] for code in origins} >= {"43", "44", "33"}
    assert not Employee.objects.filter(resident=True).exclude(returned_from_code="").exists()


# --- the district's figures ----------------------------------------------------------------------------


def test_the_district_counts_997_nucleic_acid_and_959_igm_tests_on_2_march_2020(demo):
    figs = figures.compute(scoping.DISTRICT_WIDE, AS_OF)
    assert figs["nucleic_acid_tests"] == 997
    assert figs["igm_tests"] == 959
    assert figs["employees_total"] == Employee.objects.count()
    assert 2000 <= figs["employees_total"] <= 4000


def test_the_other_rosters_are_resumed_enterprises_across_towns_and_categories(demo):
    others = Enterprise.objects.filter(workers__isnull=False).exclude(name=GOSPELL).distinct()
    assert 20 <= others.count() <= 40
    assert set(others.values_list("status", flat=True)) <= {"resumed", "partial"}
    assert others.values("town").distinct().count() >= 6
    assert others.values("category").distinct().count() >= 5
    sizes = Counter(Employee.objects.filter(enterprise__in=others).values_list("enterprise_id", flat=True))
    assert min(sizes.values()) >= 30 and max(sizes.values()) <= 150
    assert HealthTest.objects.filter(kind="nat").exclude(employee__enterprise__name=GOSPELL).count() == 997 - 409


def test_every_test_is_sampled_after_the_return_and_before_2_march(demo):
    for test in HealthTest.objects.select_related("employee"):
        assert test.sample_date < AS_OF
        if test.employee.returned_on:
            assert test.sample_date > test.employee.returned_on


def test_the_output_states_the_workforce_figures(demo):
    assert "高斯贝尔第一批 470 人：常住 61 人，非常住 409 人，其中已做核酸检测 409 人" in demo
    assert "高斯贝尔第二批 238 人建立档案卡" in demo
    assert "核酸检测 997 人次，IgM抗体检测 959 人次" in demo
    assert f"员工档案 {Employee.objects.count()} 人" in demo


# --- personal data ------------------------------------------------------------------------------------


def test_every_id_number_is_valid_synthetic_and_unique_within_its_enterprise(demo):
    seen: dict[int, set[str]] = {}
    for emp in Employee.objects.all():
        parsed = validate_id_number(emp.id_number, today=AS_OF)
        assert parsed.number == emp.id_number
        assert 1965 <= parsed.birth_date.year <= 2001
        assert (emp.gender, emp.birth_date) == (parsed.gender, parsed.birth_date)
        assert emp.id_hash == services.id_hash(emp.id_number)
        assert normalise_phone(emp.phone) == emp.phone
        assert emp.name not in ARTICLE_PEOPLE
        numbers = seen.setdefault(emp.enterprise_id, set())
        assert emp.id_number not in numbers
        numbers.add(emp.id_number)


def test_the_raw_tables_hold_no_plaintext_id_number_phone_or_place(demo):
    ids = {e.id_number for e in Employee.objects.all()}
    phones = {e.phone for e in Employee.objects.all()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, commute_route FROM workforce_employee")
        sealed = cursor.fetchall()
        cursor.execute("SELECT * FROM workforce_employee")
        dump = " ".join(str(v) for row in cursor.fetchall() for v in row)
        cursor.execute("SELECT region_code, region_name FROM workforce_stay")
        places = cursor.fetchall()
        cursor.execute("SELECT changes, object_repr FROM core_auditlog")
        dump += " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert all(value.startswith("a1:") for row in sealed for value in row[:2])
    assert not set(re.findall(r"\d{17}[\dX]", dump)) & ids
    assert not set(re.findall(r"1[3-9]\d{9}", dump)) & phones
    assert all(code.startswith("a1:") and name.startswith("a1:") for code, name in places)


def test_clearance_is_computed_by_the_screening_engine(demo):
    # The workforce step leaves it to screening (demo step_40), which evaluates every worker as of 2020-03-02.
    assert ClearanceStatus.PENDING not in set(Employee.objects.values_list("clearance", flat=True))
    assert not Employee.objects.filter(clearance_evaluated_at__isnull=True).exists()


# --- trajectories, quarantines, readings ---------------------------------------------------------------


def test_every_non_resident_has_a_14_day_stay_at_their_origin_up_to_their_return(demo):
    stays: dict[int, list[Stay]] = {}
    for stay in Stay.objects.all():
        stays.setdefault(stay.employee_id, []).append(stay)
    for emp in Employee.objects.filter(resident=False):
        origin = [s for s in stays[emp.pk] if s.kind == Stay.Kind.STAY]
        assert len(origin) == 1
        stay = origin[0]
        assert (stay.region_code, stay.date_to) == (emp.returned_from_code, emp.returned_on)
        assert stay.date_to - stay.date_from == dt.timedelta(days=14)
        assert stay.region_hash == bulk.region_hash(emp.returned_from_code)
    assert not Stay.objects.filter(employee__resident=True).exists()
    transits = Stay.objects.filter(kind=Stay.Kind.TRANSIT)
    assert 0 < transits.count() < Employee.objects.filter(resident=False).count()
    assert Employee.objects.exclude(commute_route="").count() > 0


def test_a_few_returners_from_farther_away_sat_out_a_quarantine_ending_before_march(demo):
    rows = list(Quarantine.objects.select_related("employee"))
    assert 10 <= len(rows) <= 150
    for q in rows:
        assert q.end is not None and q.end < AS_OF
        assert q.start == q.employee.returned_on
        assert q.employee.returned_from_code not in HUNAN
        assert q.place
    central = {q.employee.returned_from_code for q in rows if q.kind == Quarantine.Kind.CENTRAL}
    assert central and central <= HUBEI
    assert any(q.kind == Quarantine.Kind.HOME for q in rows)


def test_readings_are_normal_and_green_except_exactly_two_fevers_as_a_last_reading(demo):
    gospell_workers = Employee.objects.filter(enterprise=gospell()).count()
    days = set(
        HealthReading.objects.filter(employee__enterprise=gospell()).values_list("taken_on", flat=True).distinct()
    )
    assert days == {dt.date(2020, 2, 28), dt.date(2020, 2, 29), dt.date(2020, 3, 1)}
    assert HealthReading.objects.filter(employee__enterprise=gospell()).count() == 3 * gospell_workers
    fevers = []
    for r in HealthReading.objects.all():
        temperature = Decimal(r.temperature)
        assert r.health_code == "green"
        assert r.fever == (temperature >= Decimal("37.3"))
        if r.fever:
            fevers.append(r)
        else:
            assert Decimal("36.0") <= temperature <= Decimal("37.1")
    assert len(fevers) == 2
    assert {f.employee.enterprise.name for f in fevers} == {GOSPELL, FENGCHU}
    for f in fevers:
        assert f.taken_on == max(HealthReading.objects.filter(employee=f.employee).values_list("taken_on", flat=True))
    assert HealthReading.objects.count() < 5000


# --- idempotency and reset -----------------------------------------------------------------------------


def test_a_second_load_creates_no_worker_test_stay_or_reading(demo):
    counts = workforce_counts()
    audit_rows = AuditLog.objects.count()

    output = run_load_demo()

    assert workforce_counts() == counts
    assert AuditLog.objects.count() == audit_rows
    assert "未作任何改动" in output


def test_reset_then_load_gives_the_same_counts_with_new_rows(demo):
    counts = workforce_counts()
    old_ids = set(Employee.objects.values_list("id", flat=True))

    run_load_demo("--reset")

    assert workforce_counts() == counts
    assert not old_ids & set(Employee.objects.values_list("id", flat=True))
    assert figures.compute(scoping.DISTRICT_WIDE, AS_OF, keys=["nucleic_acid_tests", "igm_tests"]) == {
        "nucleic_acid_tests": 997,
        "igm_tests": 959,
    }


def test_the_workforce_description_is_the_same_on_every_build():
    from fugong.demo.dataset import build_demo

    catalogue = build_demo().catalogue
    first, second = build_workforce(catalogue), build_workforce(catalogue)
    assert [e.row for r in first.rosters for e in r.employees] == [e.row for r in second.rosters for e in r.employees]
    assert first.tests("nat") == second.tests("nat") == 997


# --- scopes ---------------------------------------------------------------------------------------------


def test_demo_enterprise2_sees_only_fengchus_workers(demo):
    fengchu = Enterprise.objects.get(name=FENGCHU)
    seen = employees_for_user(user("demo-enterprise2"))
    assert seen.count() == Employee.objects.filter(enterprise=fengchu).count() > 0
    assert set(seen.values_list("enterprise_id", flat=True)) == {fengchu.pk}
    assert employees_for_user(user("demo-enterprise")).count() == 708


def test_demo_town_sees_only_the_workers_of_qifengdu(demo):
    seen = employees_for_user(user("demo-town"))
    in_town = Employee.objects.filter(enterprise__town_id=QIFENGDU)
    assert seen.count() == in_town.count()
    assert set(seen.values_list("enterprise__town_id", flat=True)) == {QIFENGDU}
    assert seen.values("enterprise").distinct().count() >= 4
    assert 708 < seen.count() < Employee.objects.count()
    figs = figures.compute(user("demo-town"), AS_OF, keys=["nucleic_acid_tests"])
    assert 409 <= figs["nucleic_acid_tests"] < 997


def test_the_auditor_sees_no_workers(demo):
    assert employees_for_user(user("demo-auditor")).count() == 0


# --- the bulk services ----------------------------------------------------------------------------------


def _worker(**lookup) -> Employee:
    """A demo worker with nothing of the kind about to be added (the demo's rows would be skipped)."""
    return Employee.objects.filter(**lookup).order_by("id").first()


def test_bulk_tests_skip_stored_and_repeated_rows_and_audit_counts_only_when_something_is_added(demo):
    emp = _worker(resident=True, tests__isnull=True)
    row = bulk.TestRow(emp.pk, HealthTest.Kind.NUCLEIC_ACID, dt.date(2020, 2, 12), institution="苏仙区人民医院")
    other = bulk.TestRow(emp.pk, HealthTest.Kind.IGM, dt.date(2020, 2, 12))
    logs = AuditLog.objects.filter(action="workforce.bulk_add_tests")
    before = logs.count()

    first = bulk.do_bulk_add_tests(user("demo-district"), [row, row, other], source="test")

    assert (first.created, first.skipped) == (2, 1)
    assert logs.count() == before + 1
    assert logs.latest("id").changes == {"created": 2, "skipped": 1, "employees": 1}
    again = bulk.do_bulk_add_tests(user("demo-district"), [row, other], source="test")
    assert (again.created, again.skipped) == (0, 2)
    assert HealthTest.objects.filter(employee=emp).count() == 2
    assert logs.count() == before + 1


def test_bulk_readings_derive_the_fever_flag_from_the_temperature(demo):
    emp = _worker(readings__isnull=True)
    rows = [
        bulk.ReadingRow(emp.pk, dt.date(2020, 3, 1), Decimal("37.3")),
        bulk.ReadingRow(emp.pk, dt.date(2020, 2, 29), Decimal("37.2")),
    ]
    bulk.do_bulk_add_readings(None, rows)
    flags = dict(HealthReading.objects.filter(employee=emp).values_list("taken_on", "fever"))
    assert flags == {dt.date(2020, 3, 1): True, dt.date(2020, 2, 29): False}
    assert HealthReading.objects.get(employee=emp, taken_on=dt.date(2020, 3, 1)).temperature == "37.3"


def test_bulk_stays_are_found_by_the_keyed_hash_of_their_county_never_by_a_readable_place(demo):
    emp = _worker(resident=True)
    row = bulk.StayRow(emp.pk, "440306", "广东省深圳市宝安区", dt.date(2020, 1, 20), dt.date(2020, 2, 3))
    bulk.do_bulk_add_stays(None, [row, row])
    stay = Stay.objects.get(employee=emp)
    assert stay.region_hash == bulk.region_hash("440306") == bulk.region_hash("440306001")
    with connection.cursor() as cursor:
        cursor.execute("SELECT region_code, region_name FROM workforce_stay WHERE id = %s", [stay.pk])
        code, name = cursor.fetchone()
    assert "440306" not in code and "深圳" not in name


def test_bulk_commute_routes_fill_only_empty_routes(demo):
    emp = _worker(resident=False, commute_route="")
    routed = Employee.objects.exclude(commute_route="").order_by("id").first()
    old_route = routed.commute_route

    counts = bulk.do_bulk_set_commute_routes(None, {emp.pk: "宿舍—单位 步行", routed.pk: "另一条路线"})

    assert (counts.created, counts.skipped) == (1, 1)
    emp.refresh_from_db()
    routed.refresh_from_db()
    assert (emp.commute_route, routed.commute_route) == ("宿舍—单位 步行", old_route)
