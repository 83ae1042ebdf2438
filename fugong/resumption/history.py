"""What the records say about an enterprise on a given day: its status (from the status history), its latest
application's state and stage (from the application events), its headcount and capacity (from the daily
reports, else the workforce roster).

One implementation serves both the snapshots (every enterprise, many days) and the live figures (one scope,
one day), so the two can never count differently.

Rules:
- Status on day D: the `to_status` of the last StatusChange effective on or before D; before the first change,
  that change's `from_status`. An enterprise without any history (registry rows entered with a status before
  this app existed, or test data) falls back to its fields: 已复工/部分复工 from `resumed_on`, else as stored.
- Application on day D: the latest application created on or before D; its state is that of its last event
  on or before D (local date), its stage the furthest it had reached (1 submitted, 2 inspected, 3 passed,
  4 filed).
- Headcount on day D: the daily report's figures; without a report, registered staff is the registry's
  从业人员 and workers on duty are the roster's active workers who had arrived by D (入企批次 date, else 返岗日期,
  else the day they were archived) — so an enterprise with a roster still shows a figure on a day it missed.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from fugong.enterprises.models import Enterprise, ResumptionStatus

from .models import AppAction, ApplicationEvent, DailyReport, StatusChange

WORKING = frozenset({ResumptionStatus.RESUMED.value, ResumptionStatus.PARTIAL.value})
NOT_RESUMED = ResumptionStatus.NOT_RESUMED.value

# How far an action takes an application along the funnel.
STAGE_OF_ACTION = {
    AppAction.SUBMIT.value: 1,
    AppAction.INSPECT_FAIL.value: 2,
    AppAction.INSPECT_PASS.value: 3,
    AppAction.FILE.value: 4,
}
STAGES = ((1, "applied"), (2, "inspected"), (3, "passed"), (4, "filed"))


@dataclass(frozen=True, slots=True)
class DayRow:
    """One enterprise on one day (an EnterpriseDay before it is stored)."""

    day: dt.date
    enterprise_id: int
    town_id: str
    category: str
    industry_section: str
    status: str
    app_state: str
    app_stage: int
    registered: int | None
    on_duty: int | None
    on_duty_source: str
    capacity_rate: Decimal | None
    orders: int | None
    reported: bool


@dataclass(frozen=True, slots=True)
class _Change:
    effective_on: dt.date
    from_status: str
    to_status: str


def status_on(changes: Sequence[_Change], legacy_status: str, legacy_resumed_on: dt.date | None, day: dt.date) -> str:
    if changes:
        index = bisect.bisect_right([c.effective_on for c in changes], day)
        return changes[index - 1].to_status if index else changes[0].from_status
    if legacy_status in WORKING:
        return legacy_status if legacy_resumed_on is not None and legacy_resumed_on <= day else NOT_RESUMED
    return legacy_status or NOT_RESUMED


def _changes_by_enterprise(enterprise_ids: Any) -> dict[int, list[_Change]]:
    out: dict[int, list[_Change]] = defaultdict(list)
    rows = (
        StatusChange.objects.filter(enterprise_id__in=enterprise_ids)
        .order_by("enterprise_id", "effective_on", "id")
        .values_list("enterprise_id", "effective_on", "from_status", "to_status")
    )
    for enterprise_id, effective_on, from_status, to_status in rows.iterator(chunk_size=5000):
        out[enterprise_id].append(_Change(effective_on, from_status, to_status))
    return out


def statuses_on(enterprises: QuerySet[Enterprise], day: dt.date) -> Iterator[tuple[str, str]]:
    """(category, status on `day`) for every enterprise of the queryset: what the live figures count."""
    ids = enterprises.values("id")
    changes = _changes_by_enterprise(ids)
    for pk, category, status, resumed_on in enterprises.values_list("id", "category", "status", "resumed_on"):
        yield category, status_on(changes.get(pk, ()), status, resumed_on, day)


# --- applications -----------------------------------------------------------------------------------
@dataclass
class _AppTimeline:
    created: dt.date
    application_id: int
    events: list[tuple[dt.date, str, str]]  # (local date, action, to_state), in order

    def on(self, day: dt.date) -> tuple[str, int]:
        state, stage = "", 0
        for when, action, to_state in self.events:
            if when > day:
                break
            state = to_state
            stage = max(stage, STAGE_OF_ACTION.get(action, 0))
        return state, stage


def _applications_by_enterprise(enterprise_ids: Any) -> dict[int, list[_AppTimeline]]:
    tz = timezone.get_current_timezone()
    timelines: dict[int, _AppTimeline] = {}
    owner: dict[int, int] = {}
    rows = (
        ApplicationEvent.objects.filter(application__enterprise_id__in=enterprise_ids)
        .order_by("application_id", "at", "id")
        .values_list("application_id", "application__enterprise_id", "at", "action", "to_state")
    )
    for app_id, enterprise_id, at, action, to_state in rows.iterator(chunk_size=5000):
        when = at.astimezone(tz).date()
        timeline = timelines.get(app_id)
        if timeline is None:
            timeline = timelines[app_id] = _AppTimeline(when, app_id, [])
            owner[app_id] = enterprise_id
        timeline.events.append((when, action, to_state))
    out: dict[int, list[_AppTimeline]] = defaultdict(list)
    for app_id, timeline in timelines.items():
        out[owner[app_id]].append(timeline)
    for apps in out.values():
        apps.sort(key=lambda t: (t.created, t.application_id))
    return out


def _latest_application(apps: Sequence[_AppTimeline], day: dt.date) -> tuple[str, int]:
    for timeline in reversed(apps):
        if timeline.created <= day:
            return timeline.on(day)
    return "", 0


# --- headcount --------------------------------------------------------------------------------------
def _reports(enterprise_ids: Any, days: Sequence[dt.date]) -> dict[tuple[int, dt.date], tuple[Any, ...]]:
    rows = (
        DailyReport.objects.filter(enterprise_id__in=enterprise_ids, day__gte=min(days), day__lte=max(days))
        .values_list("enterprise_id", "day", "registered", "on_duty", "capacity_rate", "orders_on_hand")
        .iterator(chunk_size=5000)
    )
    return {(e, d): (reg, duty, rate, orders) for e, d, reg, duty, rate, orders in rows}


def _roster_arrivals(enterprise_ids: Any) -> dict[int, tuple[list[dt.date], list[int]]]:
    """enterprise → (arrival days ascending, cumulative active workers arrived by each)."""
    from fugong.workforce.models import Employee

    rows = (
        Employee.objects.filter(enterprise_id__in=enterprise_ids, active=True)
        .annotate(arrived=Coalesce("batch__arrival_date", "returned_on", TruncDate("created_at")))
        .values_list("enterprise_id", "arrived")
        .annotate(n=Count("id"))
        .order_by("enterprise_id", "arrived")
    )
    out: dict[int, tuple[list[dt.date], list[int]]] = {}
    for enterprise_id, arrived, n in rows.iterator(chunk_size=5000):
        days, totals = out.setdefault(enterprise_id, ([], []))
        days.append(arrived)
        totals.append((totals[-1] if totals else 0) + n)
    return out


def _arrived_by(arrivals: tuple[list[dt.date], list[int]] | None, day: dt.date) -> int | None:
    if arrivals is None:
        return None
    index = bisect.bisect_right(arrivals[0], day)
    return arrivals[1][index - 1] if index else 0


# --- the rows ---------------------------------------------------------------------------------------
def day_rows(enterprises: QuerySet[Enterprise], days: Iterable[dt.date]) -> Iterator[DayRow]:
    """Every enterprise of the queryset on every one of `days`, as the records say (see the module doc).

    Every query runs before this returns; the rows are then produced in Python, so the caller may stream
    them into a COPY on the same connection."""
    days = sorted(set(days))
    if not days:
        return iter(())
    ids = enterprises.values("id")
    changes = _changes_by_enterprise(ids)
    applications = _applications_by_enterprise(ids)
    reports = _reports(ids, days)
    rosters = _roster_arrivals(ids)
    columns = ("id", "town_id", "category", "industry_section", "status", "resumed_on", "employees")
    registry = list(enterprises.values_list(*columns))
    return _rows(registry, days, changes, applications, reports, rosters)


def _rows(
    registry: list[tuple[Any, ...]],
    days: list[dt.date],
    changes: dict[int, list[_Change]],
    applications: dict[int, list[_AppTimeline]],
    reports: dict[tuple[int, dt.date], tuple[Any, ...]],
    rosters: dict[int, tuple[list[dt.date], list[int]]],
) -> Iterator[DayRow]:
    for pk, town_id, category, section, status, resumed_on, employees in registry:
        history = changes.get(pk, ())
        apps = applications.get(pk, ())
        roster = rosters.get(pk)
        for day in days:
            report = reports.get((pk, day))
            app_state, app_stage = _latest_application(apps, day) if apps else ("", 0)
            if report is not None:
                registered, on_duty, rate, orders = report
                source = "report"
            else:
                registered, rate, orders = employees, None, None
                on_duty = _arrived_by(roster, day)
                source = "roster" if on_duty is not None else ""
            yield DayRow(
                day=day,
                enterprise_id=pk,
                town_id=town_id,
                category=category,
                industry_section=section,
                status=status_on(history, status, resumed_on, day),
                app_state=app_state,
                app_stage=app_stage,
                registered=registered,
                on_duty=on_duty,
                on_duty_source=source,
                capacity_rate=rate,
                orders=orders,
                reported=report is not None,
            )
