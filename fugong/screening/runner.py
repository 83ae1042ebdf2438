"""The bulk re-screening runner: facts in chunks, the engine per employee, changed statuses written through
workforce's do_set_clearance, alerts for a fever or a change to 异常.

Only what changes is written: a daily re-run over an unchanged district writes nothing. Writes are grouped by
(status, reason, until), one UPDATE … WHERE id IN (…) per group, so a million employees cost as many
statements as there are distinct reasons (a few thousand at most), not a million.

What a million employees cost (bench/rescreen.py): loading the facts is plain loops over query rows with the
cyclic garbage collector paused; evaluating is the engine once per distinct set of facts (engine.evaluator);
writing is PostgreSQL's — each changed row a new row version plus an entry in every index of the employee
table, unless no indexed column changes (a HOT update).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fugong.core import audit
from fugong.core.masking import mask_name
from fugong.core.runtime import collector_paused
from fugong.enterprises.models import Enterprise
from fugong.workforce import services as workforce
from fugong.workforce.models import Employee, HealthReading

from . import engine, facts, rules, services, wording
from .models import Alert

SPAN = 20_000  # employee ids per chunk of a district-wide run
WRITE_CHUNK = 5_000  # ids per UPDATE
Progress = Callable[[int, int], None]


@dataclass
class RunResult:
    evaluated: int = 0
    changed: int = 0
    alerts: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, int]:
        return {
            s: self.counts.get(s, 0) for s in (engine.CLEARED, engine.TEST_REQUIRED, engine.QUARANTINE, engine.ABNORMAL)
        }


def _spans() -> Iterator[tuple[int, int]]:
    bounds = Employee.objects.filter(active=True).aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return
    for start in range(bounds["lo"], bounds["hi"] + 1, SPAN):
        yield start, start + SPAN


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), facts.LOOKUP_CHUNK):
        yield ordered[start : start + facts.LOOKUP_CHUNK]


def total_for(ids: Sequence[int] | None) -> int:
    return len(set(ids)) if ids is not None else Employee.objects.filter(active=True).count()


def rescreen(
    as_of: dt.date,
    ids: Sequence[int] | None = None,
    *,
    actor: object = None,
    progress: Progress | None = None,
    note: str = "",
    workers: int = 1,
) -> RunResult:
    """Re-evaluate the given employees (None: every active employee) as of `as_of`.

    `workers` > 1 splits a district-wide run on PostgreSQL over that many processes (the `rescreen` command:
    loading facts and evaluating is Python work that one core cannot do for a million employees in a minute);
    inside a transaction, on SQLite or for a given set of employees the run stays in this process."""
    with translation.override("zh-hans"):  # reasons are stored data: always in the source language
        at = timezone.now()
        if ids is None and workers > 1 and _may_fork():
            result = _rescreen_forked(as_of, at, workers)
            if progress is not None:
                progress(result.evaluated, result.evaluated)
        else:
            result = _rescreen_here(as_of, ids, at, progress)
        if ids is None and result.changed * 10 > result.evaluated:
            _refresh_statistics()
        if ids is not None and not (result.changed or result.alerts):
            return result  # a targeted run that changed nothing wrote nothing: no audit row either
        audit.record(
            actor,
            "screening.rescreen",
            object_type="workforce.employee",
            object_repr=str(Employee._meta.verbose_name),
            changes={
                "as_of": as_of.isoformat(),
                "evaluated": result.evaluated,
                "changed": result.changed,
                "alerts": result.alerts,
                **result.as_dict(),
            },
            note=note[:300],
        )
    return result


def _rescreen_here(
    as_of: dt.date,
    ids: Sequence[int] | None,
    at: dt.datetime,
    progress: Progress | None,
    spans: Sequence[tuple[int, int]] | None = None,
) -> RunResult:
    current = rules.rules_on(as_of, fresh=True)
    risk = rules.risk_table(fresh=True)
    risky = rules.risky_hashes(current, risk)
    result = RunResult()
    total = total_for(ids) if progress is not None else 0
    loads: Iterator[facts.Loaded]
    if ids is None:
        loads = (facts.load(as_of=as_of, rules=current, risky=risky, span=s) for s in (spans or _spans()))
    else:
        loads = (facts.load(as_of=as_of, rules=current, risky=risky, ids=part) for part in _chunks(ids))
    verdict_of = engine.evaluator(current, risk, as_of, engine.texts())
    with collector_paused(ids is None or len(ids) > facts.LOOKUP_CHUNK):
        for loaded in loads:
            verdicts = {pk: verdict_of(f) for pk, f in loaded.facts.items()}
            store(loaded, verdicts, at, as_of, result)
            if progress is not None:
                progress(result.evaluated, total)
    return result


def _refresh_statistics() -> None:
    """After a run that rewrote a large share of the statuses, the planner's picture of `clearance` is the one
    from before it (e.g. everyone 待评估) until autovacuum samples the table again, a minute or more later; the
    day's alert queries right after the run, and the dashboards' counts, would be planned for it (measured:
    an index probe per cleared employee, 4 s, instead of one hash anti-join, 0.7 s). ANALYZE samples 30,000
    rows: a fraction of a second."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Employee._meta.db_table)}")


def _may_fork() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _rescreen_forked(as_of: dt.date, at: dt.datetime, workers: int) -> RunResult:
    """Every active employee, the id spans dealt round-robin to `workers` forked processes, each on its own
    database connection; their counts are added up here."""
    import multiprocessing

    from django.db import connections

    spans = list(_spans())
    groups = [spans[i::workers] for i in range(workers) if spans[i::workers]]
    connections.close_all()  # a child must never share the parent's socket
    with multiprocessing.get_context("fork").Pool(len(groups)) as pool:
        parts = pool.starmap(_child, [(as_of, at, group) for group in groups])
    total = RunResult()
    for evaluated, changed, alerts, counts in parts:
        total.evaluated += evaluated
        total.changed += changed
        total.alerts += alerts
        total.counts.update(counts)
    return total


def _child(as_of: dt.date, at: dt.datetime, spans: list[tuple[int, int]]) -> tuple[int, int, int, dict[str, int]]:
    from django.db import connections

    try:
        with translation.override("zh-hans"):
            result = _rescreen_here(as_of, None, at, None, spans)
    finally:
        connections.close_all()
    return result.evaluated, result.changed, result.alerts, dict(result.counts)


def store(
    loaded: facts.Loaded, verdicts: dict[int, engine.Verdict], at: dt.datetime, as_of: dt.date, result: RunResult
) -> None:
    """Write the verdicts that differ from what is stored, and raise their alerts."""
    groups: dict[tuple[str, str, dt.date | None], list[int]] = defaultdict(list)
    alerts: list[Alert] = []
    current = loaded.current
    for pk, verdict in verdicts.items():
        now = current[pk]
        # Current is (enterprise_id, name, clearance, reason, until): compared by position, a million times.
        if now[2] == verdict.status and now[3] == verdict.reason_text and now[4] == verdict.until:
            continue
        groups[(verdict.status, verdict.reason_text, verdict.until)].append(pk)
        alert = alert_for(pk, now, verdict, as_of)
        if alert is not None:
            alerts.append(alert)
    result.evaluated += len(verdicts)
    result.counts.update(v.status for v in verdicts.values())
    if not groups and not alerts:
        return
    with transaction.atomic():
        for (status, reason, until), pks in groups.items():
            for start in range(0, len(pks), WRITE_CHUNK):
                result.changed += workforce.do_set_clearance(
                    pks[start : start + WRITE_CHUNK], status, reason, until, at
                )
        result.alerts += services.do_raise_alerts(alerts)


def alert_for(pk: int, now: facts.Current, verdict: engine.Verdict, as_of: dt.date) -> Alert | None:
    """A feverish last reading, or a change to 异常 for another reason: one alert, keyed so it is raised once."""
    who = mask_name(now.name)
    fever_on = verdict.fever_on
    if fever_on is not None:
        return Alert(
            enterprise_id=now.enterprise_id,
            employee_id=pk,
            kind=Alert.Kind.FEVER,
            day=fever_on,
            message=_(wording.FEVER_ALERT) % {"who": who, "d": fever_on},
            key=f"fever:{pk}:{fever_on}",
        )
    if verdict.status == engine.ABNORMAL and now.clearance != engine.ABNORMAL:
        return Alert(
            enterprise_id=now.enterprise_id,
            employee_id=pk,
            kind=Alert.Kind.ABNORMAL,
            day=as_of,
            message=_(wording.ABNORMAL_ALERT) % {"who": who, "why": verdict.reasons[0]},
            key=f"abnormal:{pk}:{as_of}",
        )
    return None


# --- the daily scan: quarantines ending, readings missing ------------------------------------------------


def daily_alerts(day: dt.date) -> int:
    """Alerts that depend on the calendar rather than on a new record: a quarantine ending on `day` or the day
    after (arrange the release test), and — for enterprises that take daily readings — employees at work
    (cleared) without any reading on the day before, a whole day."""
    with translation.override("zh-hans"):
        alerts: list[Alert] = []
        ending = Employee.objects.filter(
            active=True,
            clearance=engine.QUARANTINE,
            clearance_until__gte=day,
            clearance_until__lte=day + dt.timedelta(days=1),
        ).values_list("id", "enterprise_id", "name", "clearance_until")
        for pk, enterprise_id, name, until in ending:
            assert until is not None  # filtered on a range of it
            alerts.append(
                Alert(
                    enterprise_id=enterprise_id,
                    employee_id=pk,
                    kind=Alert.Kind.QUARANTINE_ENDING,
                    day=until,
                    message=_(wording.QUARANTINE_ENDING_ALERT) % {"who": mask_name(name), "d": until},
                    key=f"qend:{pk}:{until}",
                )
            )
        alerts.extend(_missing_readings(day - dt.timedelta(days=1)))
        return services.do_raise_alerts(alerts)


def _missing_readings(day: dt.date) -> list[Alert]:
    """Per enterprise that takes daily readings (any in the three days up to `day`): how many cleared
    employees have no reading on `day`."""
    window = HealthReading.objects.filter(taken_on__gte=day - dt.timedelta(days=2), taken_on__lte=day)
    # An EXISTS per enterprise stops at its first reading: a look-up per enterprise, not a join of every
    # reading of three days (three million in a district) with its employee.
    monitoring = set(
        Enterprise.objects.filter(Exists(window.filter(employee__enterprise=OuterRef("pk")))).values_list(
            "pk", flat=True
        )
    )
    if not monitoring:
        return []
    # Whoever may not work (quarantine, abnormal, test required) is not expected at the gate. Counted in SQL
    # per enterprise, over the whole district in one anti-join (NOT EXISTS, never NOT IN: that is planned row
    # by row), and only then narrowed to the enterprises that take readings: the counts cross the wire, not
    # one row per missing employee, and the query carries no list of thousands of enterprise ids.
    read = HealthReading.objects.filter(employee=OuterRef("pk"), taken_on=day)
    missing = (
        Employee.objects.filter(active=True, clearance=engine.CLEARED)
        .filter(~Exists(read))
        .order_by()
        .values_list("enterprise_id")
        .annotate(n=Count("id"))
    )
    return [
        Alert(
            enterprise_id=enterprise_id,
            kind=Alert.Kind.MISSING_READING,
            day=day,
            count=n,
            message=_(wording.MISSING_READINGS_ALERT) % {"d": day, "n": n},
            key=f"missing:{enterprise_id}:{day}",
        )
        for enterprise_id, n in missing
        if enterprise_id in monitoring
    ]
