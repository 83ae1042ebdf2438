"""The QR check-in against the reference: on PostgreSQL it reads an employee's facts and writes the declaration
with statements of its own (checkin_pg) — these tests hold it to what `rescreen` concludes from the same
archive (facts.load and the engine) and to the rows the services write. On SQLite the check-in takes the
portable path through those services, and the same assertions hold.

Each scenario puts a fact on the archive the way the roster and the gate readings do, declares an ordinary
morning (36.5 °C, green code, no symptoms, no travel) and checks the status shown and stored — and that a
re-screen of that employee straight afterwards finds nothing to change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fugong.core.masking import mask_name
from fugong.core.models import AuditLog
from fugong.screening import runner, services
from fugong.screening.models import Declaration
from fugong.workforce import bulk
from fugong.workforce.models import Employee

from .helpers import form, hire, reading, rule_data, url

DAY = dt.timedelta(days=1)


def today() -> dt.date:
    return timezone.localdate()


def declare(point: Any, seq: int = 7, **over: str) -> str:
    """An ordinary morning's declaration from a phone that opened the form first; the page's HTML."""
    phone = Client()
    phone.get(url(point))
    return phone.post(url(point), form(seq, **over)).content.decode()


def screened(emp: Employee) -> Employee:
    """The employee as the nightly re-screen leaves them (the steady state a morning starts from)."""
    runner.rescreen(today(), [emp.pk])
    return Employee.objects.get(pk=emp.pk)


def igm_positive(emp: Employee) -> None:
    bulk.do_bulk_add_tests(None, [bulk.TestRow(emp.pk, "igm", today() - 3 * DAY, "positive")])


def open_quarantine(emp: Employee) -> None:
    bulk.do_bulk_add_quarantines(None, [bulk.QuarantineRow(emp.pk, "home", "家中", today() - 3 * DAY, None)])


def red_code_days_ago(days: int) -> Callable[[Employee], None]:
    def put(emp: Employee) -> None:
        reading(emp, today() - days * DAY, code="red")

    return put


def red_code_kept_longer_than_the_observation_window(emp: Employee) -> None:
    # A rule version that keeps red codes for 21 days against 14 of observation: the declaration must read
    # readings as far back as the longest of the rule's windows.
    services.do_create_rule_version(
        None, rule_data(effective_from=today() - 30 * DAY, red_code_days=21, observation_days=14)
    )
    reading(emp, today() - 18 * DAY, code="red")


@pytest.mark.parametrize(
    ("put", "status", "until"),
    [
        (igm_positive, "abnormal", None),
        (open_quarantine, "quarantine", 11),  # started 3 days ago, no end: 14 days of observation
        (red_code_days_ago(3), "quarantine", 11),
        (red_code_kept_longer_than_the_observation_window, "quarantine", 3),
    ],
    ids=["igm-positive", "open-quarantine", "red-code", "red-code-longer-window"],
)
def test_the_declaration_reaches_what_a_rescreen_of_the_archive_reaches(world, point, put, status, until):
    emp = hire(world.x, 7)
    put(emp)
    body = declare(point)
    assert f'data-status="{status}"' in body
    stored = Employee.objects.get(pk=emp.pk)
    expected_until = today() + until * DAY if until is not None else None
    assert (stored.clearance, stored.clearance_until) == (status, expected_until)
    assert Declaration.objects.get().status_after == status
    again = runner.rescreen(today(), [emp.pk])
    assert (again.evaluated, again.changed) == (1, 0)  # the same status, reasons and end date as stored


def test_an_employee_no_longer_on_the_roster_is_unknown_and_nothing_is_stored(world, point):
    emp = hire(world.x, 7)
    Employee.objects.filter(pk=emp.pk).update(active=False)
    body = declare(point)
    assert 'data-testid="declare-unknown"' in body
    assert 'data-ack="1"' not in body
    assert not Declaration.objects.exists() and not emp.readings.exists()


def test_an_unchanged_status_is_not_rewritten(world, point):
    emp = screened(hire(world.x, 7))
    assert emp.clearance == "cleared"
    assert 'data-status="cleared"' in declare(point)
    after = Employee.objects.get(pk=emp.pk)
    assert (after.version, after.clearance_evaluated_at) == (emp.version, emp.clearance_evaluated_at)


def test_a_later_end_of_the_same_status_is_stored(world, point):
    """Quarantine before and after, to a later date: the stored end date follows (not only a new status)."""
    from .helpers import rate, stay

    rate("420106", "high", today() - 60 * DAY, "武昌区", as_of=today())
    emp = hire(world.x, 7)
    stay(emp, "420106", today() - 8 * DAY, today() - 5 * DAY)
    emp = screened(emp)
    assert (emp.clearance, emp.clearance_until) == ("quarantine", today() + 9 * DAY)
    body = declare(
        point,
        travel="1",
        travel_code="420106",
        travel_from=str(today() - 3 * DAY),
        travel_to=str(today() - DAY),
    )
    assert 'data-status="quarantine"' in body
    after = Employee.objects.get(pk=emp.pk)
    assert (after.clearance, after.clearance_until) == ("quarantine", today() + 13 * DAY)
    assert runner.rescreen(today(), [emp.pk]).changed == 0


@pytest.mark.parametrize("travel", [False, True])
def test_the_audit_log_gets_the_rows_the_services_write_with_the_name_masked(world, point, travel):
    emp = screened(hire(world.x, 7))
    before = AuditLog.objects.count()
    extra = {}
    if travel:
        extra = {"travel": "1", "travel_code": "440106", "travel_from": str(today() - 2 * DAY),
                 "travel_to": str(today() - DAY)}  # fmt: skip
    assert 'data-ack="1"' in declare(point, **extra)
    rows = list(AuditLog.objects.order_by("id")[before:].values_list("action", "object_id", "object_repr"))
    actions = ["employee.reading_add", "employee.stay_add"] if travel else ["employee.reading_add"]
    assert sorted(r[0] for r in rows) == sorted(actions)
    assert {(r[1], r[2]) for r in rows} == {(str(emp.pk), mask_name(emp.name))}
    assert all(emp.name not in r[2] for r in rows)


@pytest.mark.parametrize("untimed_first", [True, False], ids=["untimed-entered-first", "untimed-entered-last"])
@pytest.mark.parametrize("fever_on", ["timed", "untimed"])
def test_an_untimed_reading_is_the_earlier_of_its_day_on_every_database(world, fever_on, untimed_first):
    """A gate reading uploaded from Excel has a day but no time; a self-declaration or a reading typed at the
    gate has both. Within one day the untimed reading counts as the earlier one — on every database (the
    re-screen on PostgreSQL once took it as the later one: a descending sort puts NULLs first)."""
    from decimal import Decimal

    emp = hire(world.x, 7)
    morning = timezone.make_aware(dt.datetime.combine(today(), dt.time(7, 40)))
    timed, untimed = ("37.8", "36.4") if fever_on == "timed" else ("36.4", "37.8")
    rows = [
        bulk.ReadingRow(emp.pk, today(), Decimal(untimed), health_code="green"),
        bulk.ReadingRow(emp.pk, today(), Decimal(timed), taken_at=morning, health_code="green"),
    ]
    bulk.do_bulk_add_readings(None, rows if untimed_first else rows[::-1])  # whichever row id is higher
    assert screened(emp).clearance == ("abnormal" if fever_on == "timed" else "cleared")
