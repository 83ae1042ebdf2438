"""The workforce pages against the persona world: scope (404), role actions (403), masking (no full ID number or
phone in any page), the logged archive card and reveal, the entry forms through services with masked audit rows,
the batch summary, the district totals and query budgets."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from fugong.core import crypto
from fugong.core.masking import mask_name
from fugong.core.models import AccessLog, AuditLog
from fugong.core.testing import EnterpriseFactory, assert_max_queries
from fugong.workforce import services
from fugong.workforce.models import Employee, HealthReading, HealthTest, Quarantine, Stay
from fugong.workforce.tests.test_services import synthetic_id

HOME = reverse("workforce:roster_home")
TOTALS = reverse("workforce:district_totals")


def phone(seq: int) -> str:
    return f"1390000{seq:04d}"


def staff(enterprise, seqs, **fields) -> list[Employee]:
    """Employees created the way the importer does (services.do_upsert_employees), synthetic IDs only."""
    recs = [
        services.clean_employee({"name": f"测试员工{i}", "id_number": synthetic_id(i), "phone": phone(i), **fields})
        for i in seqs
    ]
    services.do_upsert_employees(None, enterprise, recs)
    return list(Employee.objects.filter(enterprise=enterprise, id_hash__in=[r.id_hash for r in recs]).order_by("id"))


@pytest.fixture
def emp(world) -> Employee:
    return staff(
        world.x, [1], batch_number=1, workshop="一车间", shift="早班", dining_zone="A区", dormitory_room="3-201"
    )[0]


def roster_url(enterprise) -> str:
    return reverse("workforce:roster", args=[enterprise.pk])


def card_url(employee) -> str:
    return reverse("workforce:employee", args=[employee.pk])


def listed_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-employee="(\d+)"', response.content.decode())}


# --- roster home -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_admin", 200),
        ("town_a_officer", 200),
        ("liaison_of_x", 200),
        ("enterprise_admin_x", 302),
        ("leader_of_x", 403),
        ("hrss_officer", 403),
        ("district_team_member", 403),
        ("bank_officer", 403),
        ("auditor", 403),
        ("no_role_user", 403),
    ],
)
def test_the_roster_home_opens_for_roles_that_view_employees(client_for, persona, expected):
    assert client_for(persona).get(HOME).status_code == expected


def test_an_enterprise_admin_is_sent_straight_to_their_own_roster(client_for, world):
    response = client_for("enterprise_admin_x").get(HOME)
    assert response["Location"] == roster_url(world.x)


def test_the_roster_home_lists_the_scope_with_employee_counts(client_for, world):
    staff(world.x, range(1, 4), resident=False)
    staff(world.y, range(4, 6))
    body = client_for("town_a_officer").get(HOME).content.decode()
    assert world.x.name in body and world.y.name not in body
    assert re.search(rf'data-enterprise="{world.x.pk}">.*?data-testid="employees">3<', body, re.S)
    admin = client_for("district_admin")
    assert world.y.name in admin.get(HOME).content.decode()
    searched = admin.get(HOME, {"q": "餐饮"}).content.decode()
    assert world.y.name in searched and world.x.name not in searched


def test_the_roster_home_runs_a_constant_number_of_queries(client_for, world):
    client = client_for("district_admin")
    with assert_max_queries(12) as small:
        client.get(HOME)
    for i in range(15):
        e = EnterpriseFactory(town=world.town_a)
        staff(e, [100 + i])
    with assert_max_queries(12) as large:
        assert client.get(HOME).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the roster ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_admin", 200),
        ("town_a_officer", 200),
        ("liaison_of_x", 200),
        ("enterprise_admin_x", 200),
        ("enterprise_admin_y", 404),
        ("auditor", 404),
        ("no_role_user", 404),
        ("leader_of_x", 403),
        ("bank_officer", 403),
        ("hrss_officer", 403),
    ],
)
def test_the_roster_of_x_is_404_outside_the_scope_and_403_for_roles_without_the_action(
    client_for, world, persona, expected
):
    assert client_for(persona).get(roster_url(world.x)).status_code == expected


def test_a_town_officer_sees_only_their_towns_rosters(client_for, world):
    client = client_for("town_a_officer")
    assert client.get(roster_url(world.x)).status_code == 200
    assert client.get(roster_url(world.y)).status_code == 404


def test_the_roster_shows_masked_columns_and_never_a_full_id_number_or_phone(client_for, world, emp):
    body = client_for("district_admin").get(roster_url(world.x)).content.decode()
    assert emp.id_number_masked in body and emp.phone_masked in body and "测*" in body
    assert synthetic_id(1) not in body
    assert phone(1) not in body
    assert "测试员工1" not in body
    for shown in ("第1批", "一车间", "早班", "A区", "3-201", "待评估"):
        assert shown in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"batch": "2"}, {3, 4}),
        ({"resident": "1"}, {1, 3}),
        ({"resident": "0"}, {2, 4}),
        ({"workshop": "二车间"}, {2, 4}),
        ({"shift": "夜班"}, {4}),
        ({"clearance": "cleared"}, {3}),
        ({"q": "甲"}, {1}),
    ],
)
def test_the_roster_filters_by_batch_resident_workshop_shift_clearance_and_name(client_for, world, query, expected):
    people = {
        1: staff(world.x, [1], batch_number=1, resident=True, workshop="一车间", shift="早班", name="甲一")[0],
        2: staff(world.x, [2], batch_number=1, resident=False, workshop="二车间", shift="早班")[0],
        3: staff(world.x, [3], batch_number=2, resident=True, workshop="一车间", shift="早班")[0],
        4: staff(world.x, [4], batch_number=2, resident=False, workshop="二车间", shift="夜班")[0],
    }
    services.do_set_clearance([people[3].pk], "cleared", "核酸阴性", None, dt.datetime(2020, 3, 1, tzinfo=dt.UTC))
    response = client_for("enterprise_admin_x").get(roster_url(world.x), query)
    assert listed_ids(response) == {people[n].pk for n in expected}


def test_the_roster_finds_an_employee_by_exact_id_number_only(client_for, world):
    _first, second = staff(world.x, [1, 2])
    client = client_for("district_admin")
    assert listed_ids(client.get(roster_url(world.x), {"q": synthetic_id(2)})) == {second.pk}
    assert listed_ids(client.get(roster_url(world.x), {"q": synthetic_id(2)[:10]})) == set()


def test_the_roster_pages_by_100_with_a_constant_number_of_queries(client_for, world):
    staff(world.x, range(1, 31), batch_number=1)
    client = client_for("town_a_officer")
    with assert_max_queries(14) as small:
        assert client.get(roster_url(world.x)).status_code == 200
    staff(world.x, range(31, 131), batch_number=2, workshop="二车间")
    with assert_max_queries(14) as large:
        response = client.get(roster_url(world.x))
    assert len(listed_ids(response)) == 100
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(listed_ids(client.get(roster_url(world.x), {"page": 2}))) == 30


# --- batch summary -------------------------------------------------------------------------------------
def test_the_batch_summary_counts_each_batch_and_a_totals_row(client_for, world):
    batch1 = staff(world.x, range(1, 6), batch_number=1, resident=False)
    staff(world.x, range(6, 8), batch_number=1, resident=True)
    staff(world.x, range(8, 11), batch_number=2, resident=False)
    for e in batch1[:3]:
        HealthTest.objects.create(employee=e, kind="nat", sample_date=dt.date(2020, 2, 10), result="negative")
    services.do_set_clearance([batch1[0].pk], "cleared", "", None, dt.datetime(2020, 3, 1, tzinfo=dt.UTC))
    response = client_for("liaison_of_x").get(reverse("workforce:batch_summary", args=[world.x.pk]))
    body = response.content.decode()

    def cells(batch: str) -> list[str]:
        row = re.search(rf'data-batch="{batch}">(.*?)</tr>', body, re.S).group(1)
        return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'data-col="\w+">(.*?)</td>', row, re.S)]

    assert cells("1") == ["7", "5", "3", "1"]
    assert cells("2") == ["3", "3", "0", "0"]
    assert cells("total") == ["10", "8", "3", "1"]


def test_the_batch_summary_of_another_enterprise_is_404(client_for, world):
    url = reverse("workforce:batch_summary", args=[world.x.pk])
    assert client_for("enterprise_admin_y").get(url).status_code == 404


# --- the archive card ----------------------------------------------------------------------------------
def test_the_archive_card_shows_the_whole_archive_masked(client_for, world, emp):
    Stay.objects.create(
        employee=emp,
        region_code="420106",
        region_name="武昌区",
        region_hash="h",
        date_from=dt.date(2020, 2, 1),
        date_to=dt.date(2020, 2, 3),
    )
    HealthTest.objects.create(
        employee=emp, kind="igm", sample_date=dt.date(2020, 2, 12), result="negative", institution="区人民医院"
    )
    Quarantine.objects.create(
        employee=emp, kind="home", place="家中", start=dt.date(2020, 2, 4), end=dt.date(2020, 2, 17)
    )
    for day in range(1, 17):
        HealthReading.objects.create(
            employee=emp, taken_on=dt.date(2020, 2, day), temperature="36.5", health_code="green"
        )
    response = client_for("enterprise_admin_x").get(card_url(emp))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert emp.id_number_masked in body and emp.phone_masked in body
    assert synthetic_id(1) not in body and phone(1) not in body and "测试员工1" not in body
    assert "1990-01-01" not in body  # a full birth date would rebuild the masked ID number
    for shown in (
        "男",
        "1990年",
        "武昌区",
        "IgM抗体",
        'data-result="negative"><span class="badge text-bg-success">阴性<',
        "区人民医院",
        "居家隔离",
        "绿码",
        "第1批",
        "3-201",
        "window.print()",
    ):
        assert shown in body
    readings = re.search(r'data-testid="readings">(.*?)</table>', body, re.S).group(1)
    assert readings.count("<tr") == 15  # header + the last 14 readings
    assert "2020-02-16" in readings and "2020-02-02" not in readings


def test_every_opening_of_an_archive_card_is_logged(client_for, world, emp):
    client = client_for("town_a_officer")
    client.get(card_url(emp))
    client.get(card_url(emp))
    logs = AccessLog.objects.filter(kind="view", subject_type="workforce.employee", subject_id=str(emp.pk))
    assert logs.count() == 2
    assert {log.actor_label for log in logs} == {"town_a_officer"}
    assert logs.first().subject_repr == mask_name("测试员工1")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("enterprise_admin_y", 404),
        ("auditor", 404),
        ("town_b_team_member", 404),
        ("bank_officer", 403),
        ("leader_of_x", 403),
        ("liaison_of_x", 200),
    ],
)
def test_the_archive_card_is_404_outside_the_scope_and_403_without_the_action(
    client_for, world, emp, persona, expected
):
    assert client_for(persona).get(card_url(emp)).status_code == expected
    assert AccessLog.objects.filter(kind="view").count() == (1 if expected == 200 else 0)


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("district_admin", True), ("town_a_officer", True), ("enterprise_admin_x", True), ("liaison_of_x", False)],
)
def test_the_reveal_button_appears_exactly_for_roles_that_may_reveal(client_for, world, emp, persona, shown):
    body = client_for(persona).get(card_url(emp)).content.decode()
    assert ('data-testid="reveal-button"' in body) is shown


def reveal(client, employee, fields, reason, htmx=True):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("workforce:reveal", args=[employee.pk]), {"fields": fields, "reason": reason}, **extra)


def test_revealing_with_a_reason_shows_the_clear_values_and_logs_them(client_for, world, emp):
    response = reveal(client_for("enterprise_admin_x"), emp, ["id_number", "phone"], "核对社保信息")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert f'data-revealed="id_number">{synthetic_id(1)}<' in body
    assert f'data-revealed="phone">{phone(1)}<' in body
    assert "1990-01-01" in body and "<html" not in body  # a fragment for htmx
    log = AccessLog.objects.get(kind="reveal")
    assert (log.subject_id, log.fields, log.purpose) == (str(emp.pk), ["id_number", "phone"], "核对社保信息")


def test_revealing_without_a_reason_shows_an_error_and_logs_nothing(client_for, world, emp):
    body = reveal(client_for("district_admin"), emp, ["id_number"], "  ").content.decode()
    assert 'data-testid="reveal-error"' in body and synthetic_id(1) not in body
    assert not AccessLog.objects.filter(kind="reveal").exists()


def test_revealing_is_403_for_a_role_that_may_not_and_404_outside_the_scope(client_for, world, emp):
    assert reveal(client_for("liaison_of_x"), emp, ["id_number"], "核查").status_code == 403
    assert reveal(client_for("enterprise_admin_y"), emp, ["id_number"], "核查").status_code == 404
    assert client_for("district_admin").get(reverse("workforce:reveal", args=[emp.pk])).status_code == 405
    assert not AccessLog.objects.filter(kind="reveal").exists()


def test_revealing_without_javascript_returns_the_whole_card_and_logs_the_view(client_for, world, emp):
    response = reveal(client_for("district_admin"), emp, ["name"], "电话通知返岗", htmx=False)
    body = response.content.decode()
    assert "<html" in body and 'data-revealed="name">测试员工1<' in body
    assert AccessLog.objects.filter(kind="reveal").count() == 1
    assert AccessLog.objects.filter(kind="view").count() == 1


# --- the employee form -------------------------------------------------------------------------------------
def employee_post(**overrides):
    data = {
        "name": "王小明",
        "id_number": synthetic_id(21),
        "phone": "139 0000 0021",
        "batch_number": "2",
        "workshop": "总装车间",
        "resident": "on",
        "returned_on": "2020-02-08",
        "transport": "train",
    }
    data.update(overrides)
    return data


def test_creating_an_employee_goes_through_the_service_and_is_audited_masked(client_for, world):
    response = client_for("enterprise_admin_x").post(
        reverse("workforce:employee_create", args=[world.x.pk]), employee_post()
    )
    emp = Employee.objects.get(enterprise=world.x)
    assert response.status_code == 302 and response["Location"] == card_url(emp)
    assert (emp.gender, emp.birth_date, emp.phone, emp.batch.number) == ("M", dt.date(1990, 1, 1), "13900000021", 2)
    log = AuditLog.objects.get(action="employee.create", object_id=str(emp.pk))
    text = json.dumps(log.changes, ensure_ascii=False)
    assert log.actor_label == "enterprise_admin_x" and "workshop" in log.changes
    assert synthetic_id(21) not in text and "13900000021" not in text and "王小明" not in text


def test_a_wrong_id_number_is_refused_with_a_message_naming_the_position(client_for, world):
    bad = synthetic_id(21)[:17] + ("0" if synthetic_id(21)[17] != "0" else "1")
    response = client_for("town_a_officer").post(
        reverse("workforce:employee_create", args=[world.x.pk]), employee_post(id_number=bad)
    )
    assert response.status_code == 400
    assert "第18位校验码错误" in response.content.decode()
    assert not Employee.objects.exists() and not AuditLog.objects.filter(action="employee.create").exists()


def test_the_same_id_number_twice_in_one_enterprise_is_refused(client_for, world, emp):
    response = client_for("district_admin").post(
        reverse("workforce:employee_create", args=[world.x.pk]), employee_post(id_number=synthetic_id(1))
    )
    assert response.status_code == 400 and "已在本企业建档" in response.content.decode()
    assert Employee.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("enterprise_admin_y", 404), ("leader_of_x", 403), ("bank_officer", 403), ("liaison_of_x", 200)],
)
def test_the_create_form_is_404_outside_the_scope_and_403_without_the_edit_action(client_for, world, persona, expected):
    assert client_for(persona).get(reverse("workforce:employee_create", args=[world.x.pk])).status_code == expected


def edit_post(emp, **overrides):
    data = {
        "name": emp.name,
        "id_number": "",
        "phone": "",
        "batch_number": "1",
        "workshop": emp.workshop,
        "shift": emp.shift,
        "dining_zone": emp.dining_zone,
        "dormitory_room": emp.dormitory_room,
        "version": emp.version,
    }
    data.update(overrides)
    return data


def test_the_edit_form_never_carries_the_full_id_number_or_phone(client_for, world, emp):
    body = client_for("enterprise_admin_x").get(reverse("workforce:employee_edit", args=[emp.pk])).content.decode()
    assert emp.id_number_masked in body and synthetic_id(1) not in body and phone(1) not in body
    assert AccessLog.objects.filter(kind="view", subject_id=str(emp.pk)).count() == 1  # it shows the commute route


def test_editing_keeps_blank_identifiers_and_moves_the_version_on(client_for, world, emp):
    url = reverse("workforce:employee_edit", args=[emp.pk])
    response = client_for("liaison_of_x").post(url, edit_post(emp, workshop="二车间", commute_route="步行上班"))
    assert response.status_code == 302
    emp.refresh_from_db()
    assert (emp.workshop, emp.id_number, emp.phone, emp.version) == ("二车间", synthetic_id(1), phone(1), 2)
    assert emp.commute_route == "步行上班"
    log = AuditLog.objects.get(action="employee.update")
    assert log.changes["workshop"] == ["一车间", "二车间"] and log.changes["commute_route"] == ["", "***"]
    assert "步行" not in json.dumps(log.changes, ensure_ascii=False)


def test_a_stale_version_is_refused_and_changes_nothing(client_for, world, emp):
    url = reverse("workforce:employee_edit", args=[emp.pk])
    stale = edit_post(emp, workshop="二车间")
    services.check_update_employee(world.district_admin, emp, {"name": emp.name, "shift": "夜班"}, emp.version)
    response = client_for("enterprise_admin_x").post(url, stale)
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
    emp.refresh_from_db()
    assert (emp.workshop, emp.shift) == ("一车间", "夜班")


def test_changing_the_id_number_to_one_already_filed_is_refused(client_for, world, emp):
    staff(world.x, [2])
    url = reverse("workforce:employee_edit", args=[emp.pk])
    response = client_for("district_admin").post(url, edit_post(emp, id_number=synthetic_id(2)))
    assert response.status_code == 400 and "已在本企业建档" in response.content.decode()
    emp.refresh_from_db()
    assert emp.id_number == synthetic_id(1) and emp.version == 1


def test_editing_an_employee_of_another_enterprise_is_404(client_for, world, emp):
    url = reverse("workforce:employee_edit", args=[emp.pk])
    assert client_for("enterprise_admin_y").post(url, edit_post(emp, workshop="X")).status_code == 404
    assert client_for("leader_of_x").get(url).status_code == 403


# --- entries: trajectory, tests, quarantine, readings ------------------------------------------------------
def entry(client, name, employee, data):
    return client.post(reverse(f"workforce:{name}", args=[employee.pk]), data)


def audit_text(action: str) -> str:
    return json.dumps([log.changes for log in AuditLog.objects.filter(action=action)], ensure_ascii=False)


def test_a_stay_is_added_with_its_county_region_hash_and_a_masked_audit_row(client_for, world, emp):
    data = {
        "kind": "transit",
        "region_code": "420106001",
        "region_name": "武昌区",
        "date_from": "2020-02-01",
        "date_to": "2020-02-02",
        "note": "转车",
    }
    response = entry(client_for("liaison_of_x"), "stay_add", emp, data)
    assert response.status_code == 302 and response["Location"].endswith("#trajectory")
    stay = Stay.objects.get(employee=emp)
    assert stay.region_hash == crypto.keyed_hash("420106", services.REGION_PURPOSE) == services.region_hash("420106")
    assert (stay.kind, stay.region_code, stay.note) == ("transit", "420106001", "转车")
    changes = AuditLog.objects.get(action="employee.stay_add", object_id=str(emp.pk)).changes
    assert changes["region_code"] == ["", "***"] and changes["date_from"] == ["", "***"]
    assert "420106" not in audit_text("employee.stay_add") and "武昌" not in audit_text("employee.stay_add")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"region_code": "4201", "date_from": "2020-02-01", "date_to": "2020-02-02"}, "region_code"),
        ({"region_code": "420106", "date_from": "2020-02-05", "date_to": "2020-02-02"}, "date_to"),
        ({"region_code": "420106", "date_from": "2999-01-01", "date_to": "2999-01-02"}, "date_from"),
    ],
)
def test_a_bad_stay_is_refused_on_its_field_and_writes_nothing(client_for, world, emp, data, field):
    response = entry(client_for("district_admin"), "stay_add", emp, {"kind": "stay", **data})
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not Stay.objects.exists() and not AuditLog.objects.filter(action="employee.stay_add").exists()


def test_a_test_result_is_added_with_who_recorded_it_and_no_result_in_the_audit(client_for, world, emp):
    data = {"kind": "nat", "sample_date": "2020-02-10", "result": "positive", "institution": "区疾控中心"}
    assert entry(client_for("enterprise_admin_x"), "test_add", emp, data).status_code == 302
    test = HealthTest.objects.get(employee=emp)
    assert (test.kind, test.result, test.recorded_by) == ("nat", "positive", world.enterprise_admin_x)
    text = audit_text("employee.test_add")
    assert "***" in text and "positive" not in text and "疾控" not in text and "2020-02-10" not in text


def test_a_sample_date_in_the_future_is_refused(client_for, world, emp):
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = entry(
        client_for("district_admin"), "test_add", emp, {"kind": "nat", "sample_date": future, "result": "negative"}
    )
    assert response.status_code == 400 and "采样日期不能晚于今天" in response.content.decode()
    assert not HealthTest.objects.exists()


def test_a_quarantine_ending_before_it_starts_is_refused_and_a_good_one_is_saved(client_for, world, emp):
    client = client_for("town_a_officer")
    bad = {"kind": "central", "place": "区集中隔离点", "start": "2020-02-10", "end": "2020-02-01"}
    assert entry(client, "quarantine_add", emp, bad).status_code == 400
    assert not Quarantine.objects.exists()
    assert entry(client, "quarantine_add", emp, {**bad, "end": ""}).status_code == 302
    q = Quarantine.objects.get()
    assert (q.kind, q.place, q.end) == ("central", "区集中隔离点", None)
    assert "隔离点" not in audit_text("employee.quarantine_add")


@pytest.mark.parametrize(("temperature", "fever"), [("37.3", True), ("37.2", False), ("38", True), ("36.4", False)])
def test_a_reading_is_feverish_from_the_threshold_up(client_for, world, emp, temperature, fever):
    data = {"taken_on": "2020-02-20", "temperature": temperature, "health_code": "green"}
    assert entry(client_for("enterprise_admin_x"), "reading_add", emp, data).status_code == 302
    reading = HealthReading.objects.get()
    assert reading.fever is fever and services.FEVER_THRESHOLD_C == Decimal("37.3")
    assert temperature not in audit_text("employee.reading_add")


@pytest.mark.parametrize("temperature", ["abc", "45", "3O.5", "NaN"])
def test_an_implausible_temperature_is_refused(client_for, world, emp, temperature):
    response = entry(
        client_for("district_admin"), "reading_add", emp, {"taken_on": "2020-02-20", "temperature": temperature}
    )
    assert response.status_code == 400 and 'data-field="temperature"' in response.content.decode()
    assert not HealthReading.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("enterprise_admin_y", 404), ("leader_of_x", 403), ("auditor", 404), ("liaison_of_x", 200)],
)
@pytest.mark.parametrize("name", ["stay_add", "test_add", "quarantine_add", "reading_add"])
def test_entry_forms_are_404_outside_the_scope_and_403_without_the_edit_action(
    client_for, world, emp, persona, expected, name
):
    assert client_for(persona).get(reverse(f"workforce:{name}", args=[emp.pk])).status_code == expected


# --- district totals -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_admin", 200),
        ("town_a_officer", 200),
        ("hrss_officer", 200),
        ("leader_of_x", 200),
        ("enterprise_admin_x", 403),
        ("bank_officer", 403),
        ("auditor", 403),
        ("no_role_user", 403),
    ],
)
def test_district_totals_open_for_roles_that_view_district_figures(client_for, persona, expected):
    assert client_for(persona).get(TOTALS).status_code == expected


def totals_cells(body: str, town: str) -> list[str]:
    row = re.search(rf'data-town="{town}">(.*?)</tr>', body, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'data-col="\w+">(.*?)</td>', row, re.S)]


def test_district_totals_count_per_town_within_the_scope(client_for, world):
    xs = staff(world.x, range(1, 5), resident=False)
    ys = staff(world.y, range(5, 7), resident=True)
    for e in xs[:3]:
        HealthTest.objects.create(employee=e, kind="nat", sample_date=dt.date(2020, 2, 10), result="negative")
    HealthTest.objects.create(employee=xs[0], kind="igm", sample_date=dt.date(2020, 2, 10), result="negative")
    HealthTest.objects.create(employee=ys[0], kind="nat", sample_date=dt.date(2020, 2, 10), result="negative")
    services.do_set_clearance([ys[0].pk, xs[3].pk], "cleared", "", None, dt.datetime(2020, 3, 1, tzinfo=dt.UTC))
    body = client_for("district_admin").get(TOTALS).content.decode()
    assert totals_cells(body, world.town_a.code) == ["4", "4", "3", "1", "1"]
    assert totals_cells(body, world.town_b.code) == ["2", "0", "1", "0", "1"]
    assert totals_cells(body, "total") == ["6", "4", "4", "1", "2"]
    assert f"{HOME}?town={world.town_a.code}" in body
    town = client_for("town_a_officer").get(TOTALS).content.decode()
    assert totals_cells(town, "total") == ["4", "4", "3", "1", "1"]
    assert f'data-town="{world.town_b.code}"' not in town


def test_district_totals_run_a_constant_number_of_queries(client_for, world):
    client = client_for("district_admin")
    staff(world.x, [1])
    with assert_max_queries(10) as small:
        client.get(TOTALS)
    for i in range(6):
        e = EnterpriseFactory(town=world.town_b if i % 2 else world.town_a)
        for person in staff(e, range(10 * i + 20, 10 * i + 25)):
            HealthTest.objects.create(employee=person, kind="nat", sample_date=dt.date(2020, 2, 10), result="negative")
    with assert_max_queries(10) as large:
        assert client.get(TOTALS).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
