"""Re-screening against the database: the runner stores statuses and reasons and writes only what changed; a
risk change re-screens exactly the employees whose stays touch the region inside the window and alerts their
enterprises; rule versions by effective date; alerts for fevers, changes to 异常, quarantines ending and
missing readings; re-evaluation when an input is saved; the `rescreen` command."""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from fugong.core.models import AuditLog
from fugong.core.runtime import collector_paused
from fugong.screening import rules, runner, services
from fugong.screening.models import Alert, RescreenJob, RiskArea, ScreeningRuleSet
from fugong.workforce import services as workforce
from fugong.workforce.models import Employee, HealthReading

from .helpers import AS_OF, D, hire, nat, rate, reading, rule_data, stay

WUCHANG = "420106"
FUTIAN = "440304"


def status(emp: Employee) -> tuple[str, dt.date | None]:
    emp.refresh_from_db()
    return emp.clearance, emp.clearance_until


def test_the_runner_stores_status_reason_and_end_date(world):
    emp = hire(world.x, 1)
    stay(emp, WUCHANG, D(2020, 2, 10), D(2020, 2, 18), "湖北省武汉市武昌区")
    rate(WUCHANG, "high", D(2020, 1, 23), "武昌区", rescreen=False)
    result = runner.rescreen(AS_OF)
    emp.refresh_from_db()
    assert (emp.clearance, emp.clearance_until) == ("quarantine", D(2020, 3, 3))
    assert emp.clearance_reason == "2020-02-18 自武昌区（高风险）返回，隔离观察至 2020-03-03"
    assert emp.clearance_evaluated_at is not None
    assert result.as_dict()["quarantine"] == 1 and result.changed == 1


def test_a_second_run_writes_nothing_and_audits_once_per_district_run(world):
    emps = [hire(world.x, i, resident=False, returned_on=D(2020, 2, 10)) for i in range(1, 4)]
    nat(emps[0], D(2020, 2, 11))
    first = runner.rescreen(AS_OF)
    versions = {e.pk: Employee.objects.get(pk=e.pk).version for e in emps}
    second = runner.rescreen(AS_OF)
    assert (first.changed, second.changed) == (3, 0)
    assert {e.pk: Employee.objects.get(pk=e.pk).version for e in emps} == versions
    assert second.as_dict() == {"cleared": 1, "test_required": 2, "quarantine": 0, "abnormal": 0}
    assert AuditLog.objects.filter(action="screening.rescreen").count() == 2


def test_an_employee_off_the_roster_is_not_evaluated_even_when_named(world):
    emp = hire(world.x, 1, resident=False, returned_on=D(2020, 2, 10))
    Employee.objects.filter(pk=emp.pk).update(active=False)
    result = runner.rescreen(AS_OF, [emp.pk])
    assert (result.evaluated, result.changed) == (0, 0) and status(emp) == ("pending", None)


def test_a_yellow_code_within_its_days_quarantines_although_a_later_reading_is_green(world):
    days = rules.rules_on(AS_OF).yellow_code_days
    emp = hire(world.x, 1)
    reading(emp, AS_OF - dt.timedelta(days=2), code="yellow")
    reading(emp, AS_OF, code="green")
    runner.rescreen(AS_OF)
    assert status(emp) == ("quarantine", AS_OF - dt.timedelta(days=2) + dt.timedelta(days=days))


def test_a_fever_turns_the_employee_abnormal_with_one_alert(world):
    emp = hire(world.x, 1)
    reading(emp, D(2020, 3, 1), "37.3", symptoms="")
    runner.rescreen(AS_OF)
    runner.rescreen(AS_OF)
    assert status(emp) == ("abnormal", None)
    alerts = list(Alert.objects.filter(employee=emp))
    assert [a.kind for a in alerts] == ["fever"]
    assert alerts[0].enterprise_id == world.x.pk and "排查员工1" not in alerts[0].message
    assert "排*" in alerts[0].message


def test_37_2_is_not_a_fever_and_raises_no_alert(world):
    emp = hire(world.x, 1)
    reading(emp, D(2020, 3, 1), "37.2")
    runner.rescreen(AS_OF)
    assert status(emp) == ("cleared", None)
    assert not Alert.objects.exists()


def test_turning_abnormal_for_a_positive_test_raises_an_abnormal_alert(world):
    emp = hire(world.x, 1)
    runner.rescreen(AS_OF)
    nat(emp, D(2020, 3, 1), "positive")
    runner.rescreen(AS_OF)
    alert = Alert.objects.get(employee=emp)
    assert alert.kind == "abnormal" and "阳性" in alert.message


def test_a_bulk_run_pauses_the_cyclic_collector_and_always_restores_it():
    assert gc.isenabled()
    with collector_paused(True):
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused(True):
        raise RuntimeError
    assert gc.isenabled()
    with collector_paused(False):  # a run of a few employees (a request) leaves it alone
        assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused(True):
            pass
        assert not gc.isenabled()  # off before: still off after
    finally:
        gc.enable()


# --- risk changes -----------------------------------------------------------------------------------------


def test_a_risk_change_rescreens_exactly_the_employees_whose_stays_touch_it_inside_the_window(world):
    inside = hire(world.x, 1)  # left Wuchang 10 days before the rating: touched
    edge = hire(world.x, 2)  # left 14 days before: the last day of the window, touched
    outside = hire(world.y, 3)  # left 15 days before: untouched
    elsewhere = hire(world.y, 4)  # another county
    stay(inside, WUCHANG, D(2020, 2, 1), D(2020, 2, 21))
    stay(edge, WUCHANG, D(2020, 2, 1), D(2020, 2, 17))
    stay(outside, WUCHANG, D(2020, 2, 1), D(2020, 2, 16))
    stay(elsewhere, FUTIAN, D(2020, 2, 1), D(2020, 2, 25))
    left = hire(world.x, 5)  # was there too, but has left the enterprise: off the roster, untouched
    stay(left, WUCHANG, D(2020, 2, 1), D(2020, 2, 21))
    Employee.objects.filter(pk=left.pk).update(active=False)
    job = rate(WUCHANG, "high", AS_OF, "武昌区").job
    assert job is not None and job.status == RescreenJob.Status.DONE
    assert sorted(job.employee_ids) == sorted([inside.pk, edge.pk])
    assert status(left) == ("pending", None)
    assert status(inside) == ("quarantine", D(2020, 3, 6))
    assert status(edge) == ("quarantine", D(2020, 3, 2))
    # Untouched employees were not evaluated at all.
    assert status(outside) == ("pending", None) and status(elsewhere) == ("pending", None)


def test_a_risk_change_alerts_each_affected_enterprise_once(world):
    for i, enterprise in ((1, world.x), (2, world.x), (3, world.y)):
        stay(hire(enterprise, i), WUCHANG, D(2020, 2, 20), D(2020, 2, 25))
    change = rate(WUCHANG, "high", AS_OF, "武昌区")
    alerts = {a.enterprise_id: a for a in Alert.objects.filter(kind="risk_area")}
    assert change.alerts == 2 and set(alerts) == {world.x.pk, world.y.pk}
    assert alerts[world.x.pk].count == 2 and "武昌区" in alerts[world.x.pk].message


def test_lifting_a_region_rescreens_the_people_it_had_quarantined(world):
    emp = hire(world.x, 1)
    stay(emp, FUTIAN, D(2020, 2, 20), D(2020, 2, 28))
    rate(FUTIAN, "medium", D(2020, 2, 1))
    assert status(emp)[0] == "quarantine"
    rate(FUTIAN, "low", D(2020, 2, 25))  # exposure under 中 ended on 02-24: quarantine to 03-09
    assert status(emp) == ("quarantine", D(2020, 3, 9))


def test_risk_history_is_closed_not_rewritten(world):
    rate(WUCHANG, "medium", D(2020, 2, 1), "武昌区")
    rate(WUCHANG, "high", D(2020, 2, 10), "武昌区")
    rows = list(RiskArea.objects.filter(region_code=WUCHANG).order_by("effective_from"))
    assert [(r.level, r.effective_from, r.effective_to) for r in rows] == [
        ("medium", D(2020, 2, 1), D(2020, 2, 9)),
        ("high", D(2020, 2, 10), None),
    ]
    errors = services.history_errors([services.RiskRow(WUCHANG, "武昌区", "low", D(2020, 2, 10), "x")])
    assert errors and errors[0][0] == "history"


def test_repeating_the_level_in_force_is_a_no_op(world):
    rate(WUCHANG, "high", D(2020, 2, 1), "武昌区")
    again = rate(WUCHANG, "high", D(2020, 2, 5), "武昌区")
    assert again.unchanged == 1 and not again.created
    assert RiskArea.objects.filter(region_code=WUCHANG).count() == 1


def test_only_the_district_admin_sets_risk_levels(world):
    data = [{"region_code": WUCHANG, "region_name": "武昌区", "level": "高", "effective_from": AS_OF, "source": "文号"}]
    with pytest.raises(PermissionDenied):
        services.check_set_risk_levels(world.town_a_officer, data)
    change = services.check_set_risk_levels(world.district_admin, data)
    assert [(a.level, a.region_name) for a in change.created] == [("high", "武昌区")]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"region_code": "42010", "level": "高"}, "0.region_code"),
        ({"region_code": "420106", "level": "很高"}, "0.level"),
        ({"region_code": "420106", "level": "高", "source": ""}, "0.source"),
        ({"region_code": "420106", "level": "高", "effective_from": None}, "0.effective_from"),
    ],
)
def test_bad_risk_input_names_the_field_and_writes_nothing(world, item, field):
    data = {"region_name": "武昌区", "effective_from": AS_OF, "source": "文号", **item}
    with pytest.raises(services.ScreeningValidationError) as exc:
        services.check_set_risk_levels(world.district_admin, [data])
    assert field in exc.value.errors
    assert not RiskArea.objects.exists()


# --- rule versions ----------------------------------------------------------------------------------------


def test_a_new_rule_version_closes_the_previous_one_and_applies_from_its_date(world):
    row = services.check_create_rule_version(world.district_admin, rule_data())
    first = ScreeningRuleSet.objects.get(version=1)
    assert (row.version, first.effective_to) == (2, D(2020, 2, 29))
    assert rules.rules_on(D(2020, 2, 29)).fever_threshold == Decimal("37.3")
    assert rules.rules_on(D(2020, 3, 1)).fever_threshold == Decimal("37.2")


def test_the_threshold_in_force_on_the_reading_day_sets_the_fever_flag(world):
    services.check_create_rule_version(world.district_admin, rule_data())
    emp = hire(world.x, 1)
    reading(emp, D(2020, 2, 29), "37.2")
    reading(emp, D(2020, 3, 1), "37.2")
    flags = dict(HealthReading.objects.filter(employee=emp).values_list("taken_on", "fever"))
    assert flags == {D(2020, 2, 29): False, D(2020, 3, 1): True}
    entry = workforce.check_add_reading(world.district_admin, emp, {"taken_on": D(2020, 3, 1), "temperature": "37.2"})
    assert entry.fever is True


def test_a_rule_version_may_not_start_on_or_before_the_one_in_force(world):
    with pytest.raises(services.ScreeningValidationError) as exc:
        services.check_create_rule_version(world.district_admin, rule_data(effective_from=D(2020, 1, 1)))
    assert exc.value.errors["effective_from"][0] == "history"
    assert ScreeningRuleSet.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fever_threshold_c": "39.5"}, "fever_threshold_c"),
        ({"fever_threshold_c": "abc"}, "fever_threshold_c"),
        ({"observation_days": 0}, "observation_days"),
        ({"quarantine_levels": ["extreme"]}, "quarantine_levels"),
        ({"source": " "}, "source"),
    ],
)
def test_bad_rule_input_is_refused_with_its_field(world, change, field):
    with pytest.raises(services.ScreeningValidationError) as exc:
        services.check_create_rule_version(world.district_admin, rule_data(**change))
    assert field in exc.value.errors


def test_only_the_district_admin_publishes_rules(world):
    with pytest.raises(PermissionDenied):
        services.check_create_rule_version(world.town_a_officer, rule_data())


def test_an_effective_date_change_changes_the_verdict(world):
    # A non-resident without a test: 待检测 under version 1; version 2 from 03-01 drops rule 3.
    emp = hire(world.x, 1, resident=False, returned_on=D(2020, 2, 20))
    services.check_create_rule_version(world.district_admin, rule_data(non_resident_test_required=False))
    runner.rescreen(D(2020, 2, 29))
    assert status(emp)[0] == "test_required"
    runner.rescreen(D(2020, 3, 1))
    assert status(emp)[0] == "cleared"


# --- calendar alerts, signals, the command ---------------------------------------------------------------


def test_quarantines_ending_today_or_tomorrow_are_alerted_once(world):
    ending, later = hire(world.x, 1), hire(world.x, 2)
    stay(ending, FUTIAN, D(2020, 2, 10), D(2020, 2, 17))  # quarantine to 03-03
    stay(later, FUTIAN, D(2020, 2, 10), D(2020, 2, 25))  # to 03-10
    rate(FUTIAN, "medium", D(2020, 2, 1), rescreen=False)
    runner.rescreen(AS_OF)
    assert runner.daily_alerts(AS_OF) == 1
    assert runner.daily_alerts(AS_OF) == 0
    assert Alert.objects.get(kind="quarantine_ending").employee_id == ending.pk


def test_missing_readings_are_counted_for_enterprises_that_take_them(world):
    read, missed, away = hire(world.x, 1), hire(world.x, 2), hire(world.x, 3, resident=False)
    quiet = hire(world.y, 4)  # Y takes no readings at all: no alert for it
    for emp in (read, missed):
        reading(emp, D(2020, 2, 29))
    reading(read, D(2020, 3, 1))
    runner.rescreen(AS_OF)  # `away` is 待检测 (non-resident, no test): not expected at the gate
    runner.daily_alerts(AS_OF)
    alert = Alert.objects.get(kind="missing_reading")
    assert (alert.enterprise_id, alert.count, alert.day) == (world.x.pk, 1, D(2020, 3, 1))
    assert quiet and away


def test_an_enterprise_takes_readings_when_it_has_any_in_the_three_days_up_to_the_day(world):
    inside, outside = hire(world.x, 1), hire(world.y, 2)
    reading(inside, D(2020, 2, 28))  # the first day of the window for 03-01
    reading(outside, D(2020, 2, 27))  # the day before it: Y is not taking readings
    runner.rescreen(AS_OF)
    runner.daily_alerts(AS_OF)
    alerts = list(Alert.objects.filter(kind="missing_reading").values_list("enterprise_id", "count", "day"))
    assert alerts == [(world.x.pk, 1, D(2020, 3, 1))]


def test_saving_an_entry_rescreens_that_employee_after_commit(world, django_capture_on_commit_callbacks):
    emp = hire(world.x, 1, resident=False, returned_on=D(2020, 2, 10))
    with django_capture_on_commit_callbacks(execute=True):
        workforce.check_add_test(
            world.district_admin, emp, {"kind": "nat", "sample_date": D(2020, 2, 11), "result": "negative"}
        )
    assert status(emp)[0] == "cleared"


def test_the_rescreen_command_prints_counts_per_status(world):
    hire(world.x, 1)
    hire(world.x, 2, resident=False, returned_on=D(2020, 2, 20))
    out = io.StringIO()
    call_command("rescreen", "--date", "2020-03-02", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["date"] == "2020-03-02" and payload["evaluated"] == 2
    assert payload["counts"] == {"cleared": 1, "test_required": 1, "quarantine": 0, "abnormal": 0}
    text = io.StringIO()
    call_command("rescreen", "--date", "2020-03-02", stdout=text)
    assert "可上岗\t1" in text.getvalue() and "待检测\t1" in text.getvalue()


def test_the_rescreen_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rescreen", "--date", "2020-02-30")
