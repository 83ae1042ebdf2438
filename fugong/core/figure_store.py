"""Serving the figure registry from snapshots (core.FigureSnapshot), so the overview API, the home page and the
brief page read one row instead of counting raw rows for the district or a town.

- `figures_for(user, day)` — the figures of the user's scope. A district or town viewer gets its area's
  snapshot (computed on first use); any other scope (an enterprise, a liaison's few enterprises…) is small
  and counted live. A snapshot that is dirty (records changed since) or older than
  FUGONG_FIGURES_MAX_AGE seconds is recomputed on the spot when that is cheap (its last computation took at
  most FUGONG_FIGURES_INLINE_MS) or when the caller asks for exact figures (`exact=True`: daily_brief);
  otherwise it is served with its time and `stale=True` while the task worker recomputes it.
- `mark_changed()` — with the current transaction (SQLite) or once it commits (PostgreSQL), every clean
  snapshot becomes dirty. Model saves and
  deletes of the apps behind the figures call it through a signal (apps.py); bulk writes that bypass signals
  (imports, rescreen, the check-in fast path) call it themselves. The age limit bounds staleness should a
  path be missed.

Concurrency: a recomputation first clears `dirty` in its own committed statement and only then counts, so a
write committed after that point re-marks the row and nothing is lost; two recomputations of one row both
store correct figures as of their start.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import figures, scoping
from .models_figures import FigureSnapshot

logger = logging.getLogger(__name__)

# The apps whose records the figures count: a save or delete of any of their models marks snapshots dirty.
FIGURE_APPS = frozenset(
    {"enterprises", "workforce", "screening", "resumption", "liaison", "outreach", "supplies", "regions", "finance"}
)


@dataclass(frozen=True)
class FigureResult:
    values: dict[str, int | float]
    as_of: dt.datetime  # when the figures were counted
    stale: bool  # records have changed since (or the figures are old); an update is under way


def _max_age() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "FUGONG_FIGURES_MAX_AGE", 300))


def _inline_ms() -> int:
    return int(getattr(settings, "FUGONG_FIGURES_INLINE_MS", 200))


def figures_for(user: Any, day: dt.date, keys: Iterable[str] | None = None, *, exact: bool = False) -> FigureResult:
    area = scoping.aggregate_area(user)
    if area is None:
        return FigureResult(figures.compute(user, day, keys), timezone.now(), False)
    snap = FigureSnapshot.objects.filter(day=day, area=area).first()
    if snap is None or not set(figures.REGISTRY) <= set(snap.values):
        snap = recompute(day, area)
    elif snap.dirty or _aged(snap):
        if exact or snap.duration_ms <= _inline_ms():
            snap = recompute(day, area)
        else:
            request_refresh(snap)
            return _result(snap, keys, stale=True)
    return _result(snap, keys, stale=False)


def _aged(snap: FigureSnapshot) -> bool:
    return snap.computed_at is None or snap.computed_at < timezone.now() - _max_age()


def _result(snap: FigureSnapshot, keys: Iterable[str] | None, stale: bool) -> FigureResult:
    values = snap.values
    if keys is not None:
        wanted = set(keys)
        values = {k: v for k, v in values.items() if k in wanted}
    else:  # registry order, as compute() gives it
        values = {k: values[k] for k in _ordered_keys() if k in values}
    return FigureResult(values, snap.computed_at or timezone.now(), stale)


def _ordered_keys() -> list[str]:
    return [f.key for f in sorted(figures.REGISTRY.values(), key=lambda f: (f.order, f.key))]


def recompute(day: dt.date, area: str) -> FigureSnapshot:
    """Count the area's figures now and store them. Clearing `dirty` first (committed on its own when we are
    not inside a transaction) means a write that lands while we count marks the row again."""
    started = timezone.now()
    FigureSnapshot.objects.filter(day=day, area=area).update(dirty=False, refresh_queued=False)
    t0 = time.perf_counter()
    values = figures.compute(scoping.area_viewer(area), day)
    duration = int((time.perf_counter() - t0) * 1000)
    stored = {"values": values, "computed_at": started, "duration_ms": duration}
    updated = FigureSnapshot.objects.filter(day=day, area=area).update(**stored)
    if not updated:
        try:
            with transaction.atomic():
                FigureSnapshot.objects.create(day=day, area=area, dirty=False, **stored)
        except IntegrityError:  # another request stored it first: ours is as good
            FigureSnapshot.objects.filter(day=day, area=area).update(**stored)
    return FigureSnapshot.objects.get(day=day, area=area)


def refresh(snapshot_ids: Iterable[int] | None = None) -> int:
    """Recompute the given snapshots, or every dirty, queued or aged one. Returns how many were recomputed."""
    qs = FigureSnapshot.objects.order_by("-day", "area")
    if snapshot_ids is not None:
        qs = qs.filter(pk__in=list(snapshot_ids))
    done = 0
    for snap in list(qs):
        if snapshot_ids is None and not (snap.dirty or snap.refresh_queued or _aged(snap)):
            continue
        recompute(snap.day, snap.area)
        done += 1
    return done


def request_refresh(snap: FigureSnapshot) -> None:
    """Queue one recomputation of the row (a second request while it is queued adds nothing)."""
    if not FigureSnapshot.objects.filter(pk=snap.pk, refresh_queued=False).update(refresh_queued=True):
        return

    def enqueue() -> None:
        from .tasks import refresh_figures_task

        try:
            refresh_figures_task.enqueue([snap.pk])
        except Exception:  # a missing worker must not turn a read into an error; the age limit catches up
            logger.exception("could not enqueue figure snapshot %s", snap.pk)
            FigureSnapshot.objects.filter(pk=snap.pk).update(refresh_queued=False)

    transaction.on_commit(enqueue)


MARKS_ITSELF = "fugong_marks_figures_itself"


def marks_figures_itself(view: Any) -> Any:
    """For a busy write view that marks snapshots itself, only when what it wrote can change a figure (the
    check-in: a new status or an alert, in its own statement); the middleware then adds no statement."""
    setattr(view, MARKS_ITSELF, True)
    return view


def _mark() -> None:
    # Raw SQL: this runs after every write request (the busiest is a worker's check-in), where the ORM's
    # query building cost more than the statement, which usually matches no row.
    table = connection.ops.quote_name(FigureSnapshot._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET dirty = %s WHERE dirty = %s", [True, False])  # noqa: S608 (model table)


def mark_changed() -> None:
    """Records behind the figures changed: every clean snapshot becomes dirty with the change.

    SQLite has one writer at a time, so the mark is part of the writer's own transaction: it holds no lock the
    transaction does not already hold, commits or rolls back with it, and cannot fail once the change is
    committed. PostgreSQL marks after the commit (once per transaction), so a long import holds no row lock on
    the snapshots; that mark is robust — a failure is logged, never raised into a request whose change is
    already committed (the age limit then catches up)."""
    # Entries of run_on_commit are (savepoint ids, func, robust); index the func rather than unpack, since
    # django-stubs still declares the pre-4.2 two-item tuple. A savepoint rolled back drops its entries.
    registered = connection.run_on_commit if connection.in_atomic_block else []
    if connection.vendor == "sqlite" and connection.in_atomic_block:
        if not any(entry[1] is _marked_in_transaction for entry in registered):
            _mark()
            transaction.on_commit(_marked_in_transaction)  # once per transaction, dropped with a rollback
        return
    if any(entry[1] is _mark for entry in registered):
        return
    transaction.on_commit(_mark, robust=True)


def _marked_in_transaction() -> None:
    """A no-op after-commit entry: its presence says this SQLite transaction has already marked."""


# Background tasks that only recount (never change records) don't mark anything.
COUNTING_TASKS = frozenset({"fugong.core.tasks.refresh_figures_task", "fugong.resumption.tasks.refresh_snapshots_task"})


def on_task_finished(sender: Any, task_result: Any = None, **kwargs: Any) -> None:
    """django-tasks' task_finished receiver: imports and re-screens write in bulk, past the model signals."""
    path = getattr(getattr(task_result, "task", None), "module_path", "")
    if path not in COUNTING_TASKS:
        mark_changed()


def on_model_change(sender: Any, **kwargs: Any) -> None:
    """post_save / post_delete receiver (connected in apps.py)."""
    if kwargs.get("raw"):
        return
    if sender._meta.app_label in FIGURE_APPS:
        mark_changed()
