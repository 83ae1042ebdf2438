"""Daily snapshots: the dashboard's figures pre-aggregated, so no page aggregates raw rows at request time.

For each snapshot day: one EnterpriseDay row per enterprise (history.day_rows) and DailyAggregate rows — per
area (the district, each town) and breakdown (all / category / town / industry) — summed from them.

Freshness. A day's snapshot is used only while it is *fresh*: not marked stale and computed from the registry
as it is now (same number of enterprises, same highest id). Every write of this app that changes a day's
figures marks that day and later ones stale in its own transaction and, once committed, asks for a refresh
(`request_refresh`: one queued SnapshotRun at a time, run by the task worker); an edit of an enterprise's
classification marks every day stale (apps.py connects the signal). Until the refresh lands, figures are
counted live from the records (stats.py) and the dashboard says that an update is under way.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, CharField, Count, IntegerField, Max, Q, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from fugong.enterprises.models import Enterprise

from . import bulk, history
from .models import AREA_DISTRICT, AppState, DailyAggregate, EnterpriseDay, SnapshotDay, SnapshotRun

logger = logging.getLogger(__name__)

DIMENSIONS = ("all", "category", "town", "industry")
_GROUP_FIELD = {"all": None, "category": "category", "town": "town_id", "industry": "industry_section"}
# Per-town areas need no "town" breakdown: it would be the town itself.
TOWN_DIMENSIONS = ("all", "category", "industry")
WORKING = ("resumed", "partial")


# --- freshness ----------------------------------------------------------------------------------------
def registry_fingerprint() -> str:
    """Enough to notice enterprises added or removed since a snapshot (the import bypasses model signals)."""
    row = Enterprise.objects.aggregate(n=Count("id"), top=Max("id"))
    return f"{row['n']}:{row['top'] or 0}"


def _fingerprint_sql() -> Any:
    """The fingerprint as an SQL expression, so reading a snapshot day and checking it is one query."""
    count = Enterprise.objects.order_by().annotate(g=Value(1)).values("g").annotate(n=Count("id")).values("n")
    top = Enterprise.objects.order_by().annotate(g=Value(1)).values("g").annotate(m=Max("id")).values("m")
    return Concat(
        Cast(Coalesce(Subquery(count), 0), CharField()),
        Value(":"),
        Cast(Coalesce(Subquery(top), 0), CharField()),
        output_field=CharField(),
    )


def snapshot_with_freshness(day: dt.date) -> SnapshotDay | None:
    """The day's snapshot (fresh or not) with `is_fresh` set, in one query."""
    snap = SnapshotDay.objects.filter(day=day).annotate(current=_fingerprint_sql()).first()
    if snap is not None:
        snap.is_fresh = not snap.stale and snap.registry == snap.current  # type: ignore[attr-defined]
    return snap


def fresh_day(day: dt.date, fingerprint: str | None = None) -> SnapshotDay | None:
    """The day's snapshot if it can be trusted now (not stale, same registry), else None. One query."""
    snap: Any
    if fingerprint is None:
        snap = SnapshotDay.objects.filter(day=day).annotate(current=_fingerprint_sql()).first()
        current = snap.current if snap is not None else ""
    else:
        snap, current = SnapshotDay.objects.filter(day=day).first(), fingerprint
    if snap is None or snap.stale or snap.registry != current:
        return None
    return snap


def mark_stale(since: dt.date | None = None, until: dt.date | None = None) -> int:
    """Called inside a write's transaction: the days from `since` to `until` (open ends: every day) need
    recomputing."""
    qs = SnapshotDay.objects.all()
    if since is not None:
        qs = qs.filter(day__gte=since)
    if until is not None:
        qs = qs.filter(day__lte=until)
    return qs.update(stale=True)


def request_refresh(days: Iterable[dt.date] = (), trigger: str = "change", user: Any = None) -> None:
    """After the current transaction commits, make sure a refresh is queued (one at a time: a second request
    joins the queued run's days)."""
    wanted = sorted({d.isoformat() for d in days})

    def enqueue() -> None:
        with transaction.atomic():
            queued = SnapshotRun.objects.select_for_update().filter(status=SnapshotRun.Status.QUEUED).first()
            if queued is not None:
                if wanted:
                    queued.days = sorted(set(queued.days) | set(wanted)) if queued.days else queued.days
                    queued.save(update_fields=["days"])
                return
            run = SnapshotRun.objects.create(trigger=trigger, days=wanted, requested_by=_user(user))
        from .tasks import refresh_snapshots_task

        try:
            refresh_snapshots_task.enqueue(run.pk)
        except Exception:  # a missing worker table must not undo the write that asked for the refresh
            logger.exception("could not enqueue snapshot run %s", run.pk)

    transaction.on_commit(enqueue)


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def due_days(today: dt.date | None = None) -> list[dt.date]:
    """Days a refresh without explicit days covers: every stale or outdated snapshot day, and today."""
    today = today or timezone.localdate()
    fingerprint = registry_fingerprint()
    days = set(SnapshotDay.objects.filter(Q(stale=True) | ~Q(registry=fingerprint)).values_list("day", flat=True))
    if not SnapshotDay.objects.filter(day=today, stale=False, registry=fingerprint).exists():
        days.add(today)
    return sorted(days)


def all_days() -> list[dt.date]:
    return sorted(SnapshotDay.objects.values_list("day", flat=True))


# --- computing ----------------------------------------------------------------------------------------
def refresh(days: Sequence[dt.date], progress: Any = None) -> dict[str, Any]:
    """Recompute the snapshots of `days` (enterprise-day rows and aggregates) in one transaction per call.

    A day marked stale by a write that committed while this ran stays stale (its `computed_at` predates the
    mark), so the next run picks it up."""
    days = sorted(set(days))
    if not days:
        return {"days": 0, "rows": 0, "seconds": 0.0}
    started = time.monotonic()
    began = timezone.now()
    with transaction.atomic():
        fingerprint = registry_fingerprint()
        count = Enterprise.objects.count()
        EnterpriseDay.objects.filter(day__in=days).delete()
        rows = _store_rows(history.day_rows(Enterprise.objects.all(), days))
        if progress:
            progress(len(days) // 2, len(days))
        DailyAggregate.objects.filter(day__in=days).delete()
        _aggregate(days)
        for day in days:
            SnapshotDay.objects.update_or_create(
                day=day,
                defaults={"computed_at": began, "stale": False, "registry": fingerprint, "enterprises": count},
            )
    seconds = time.monotonic() - started
    if progress:
        progress(len(days), len(days))
    return {"days": len(days), "rows": rows, "seconds": seconds}


ROW_FIELDS = (
    "day",
    "enterprise_id",
    "town_id",
    "category",
    "industry_section",
    "status",
    "app_state",
    "app_stage",
    "registered",
    "on_duty",
    "on_duty_source",
    "capacity_rate",
    "orders",
    "reported",
)


def _store_rows(rows: Iterable[history.DayRow]) -> int:
    return bulk.insert_rows(EnterpriseDay, ROW_FIELDS, (tuple(getattr(row, f) for f in ROW_FIELDS) for row in rows))


def _when(condition: Q, then: Any = 1) -> Any:
    return Coalesce(Sum(Case(When(condition, then=then), default=Value(0), output_field=IntegerField())), 0)


def aggregate_expressions() -> dict[str, Any]:
    """The DailyAggregate columns as aggregates over EnterpriseDay rows (also used for list-shaped scopes)."""
    working = Q(status__in=WORKING)
    counted = working & Q(on_duty__isnull=False)
    return {
        "enterprises": Count("id"),
        "resumed": _when(working),
        "resumed_full": _when(Q(status="resumed")),
        "partial": _when(Q(status="partial")),
        "suspended": _when(Q(status="suspended")),
        "registered": _when(counted & Q(registered__isnull=False), "registered"),
        "on_duty": _when(counted & Q(registered__isnull=False), "on_duty"),
        "capacity_sum": Coalesce(Sum("capacity_rate", filter=working), Value(Decimal("0"))),
        "capacity_n": Count("id", filter=working & Q(capacity_rate__isnull=False)),
        "orders": _when(working & Q(orders__isnull=False), "orders"),
        "expected_reports": _when(working),
        "reported": _when(working & Q(reported=True)),
        "applied": _when(Q(app_stage__gte=1)),
        "inspected": _when(Q(app_stage__gte=2)),
        "passed": _when(Q(app_stage__gte=3)),
        "filed": _when(Q(app_stage__gte=4)),
        "rectifying": _when(Q(app_state__in=[AppState.RECTIFYING, AppState.REINSPECT])),
        "rejected": _when(Q(app_state=AppState.REJECTED)),
        "withdrawn": _when(Q(app_state=AppState.WITHDRAWN)),
    }


def grouped_counts(qs: Any, group: Sequence[str]) -> list[dict[str, Any]]:
    """qs.values(*group) with every DailyAggregate column counted. The aggregates are annotated under other
    names first: several share a name with the EnterpriseDay field they sum ("on_duty", "orders"…)."""
    exprs = {f"agg_{name}": expr for name, expr in aggregate_expressions().items()}
    out = []
    for row in qs.values(*group).annotate(**exprs):
        out.append({(k[4:] if k.startswith("agg_") else k): v for k, v in row.items()})
    return out


def _aggregate(days: Sequence[dt.date]) -> None:
    names = tuple(aggregate_expressions())
    base = EnterpriseDay.objects.filter(day__in=days).order_by()
    rows: list[list[Any]] = []
    for per_town in (False, True):
        for dimension in TOWN_DIMENSIONS if per_town else DIMENSIONS:
            key_field = _GROUP_FIELD[dimension]
            group = list(
                dict.fromkeys(["day", *(["town_id"] if per_town else []), *([key_field] if key_field else [])])
            )
            for row in grouped_counts(base, group):
                area = row["town_id"] if per_town else AREA_DISTRICT
                key = str(row[key_field]) if key_field else ""
                rows.append([row["day"], area, dimension, key, *(row[name] for name in names)])
    bulk.insert_rows(DailyAggregate, ("day", "area", "dimension", "key", *names), rows)


# --- runs (the task worker and the command) -----------------------------------------------------------
def run(run_id: int) -> SnapshotRun:
    """Carry out one queued SnapshotRun; never raises (the outcome is on the run)."""
    claimed = SnapshotRun.objects.filter(pk=run_id, status=SnapshotRun.Status.QUEUED).update(
        status=SnapshotRun.Status.RUNNING, started_at=timezone.now()
    )
    snapshot_run = SnapshotRun.objects.get(pk=run_id)
    if not claimed:
        return snapshot_run
    try:
        days = sorted({dt.date.fromisoformat(d) for d in snapshot_run.days} | set(due_days()))
        SnapshotRun.objects.filter(pk=run_id).update(days_total=len(days))

        def progress(done: int, total: int) -> None:
            SnapshotRun.objects.filter(pk=run_id).update(days_done=done, days_total=total)

        result = refresh(days, progress)
    except Exception:
        logger.exception("snapshot run %s failed", run_id)
        SnapshotRun.objects.filter(pk=run_id).update(
            status=SnapshotRun.Status.FAILED, finished_at=timezone.now(), message="汇总失败：系统错误，请查看服务器日志"
        )
    else:
        SnapshotRun.objects.filter(pk=run_id).update(
            status=SnapshotRun.Status.DONE,
            finished_at=timezone.now(),
            seconds=round(result["seconds"], 3),
            days_done=result["days"],
            message=f"{result['days']} 天，{result['rows']} 条企业日记录",
        )
    snapshot_run.refresh_from_db()
    return snapshot_run


def pending_run() -> SnapshotRun | None:
    return (
        SnapshotRun.objects.filter(status__in=[SnapshotRun.Status.QUEUED, SnapshotRun.Status.RUNNING])
        .order_by("created_at", "id")
        .first()
    )
