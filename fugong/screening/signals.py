"""Re-evaluation when an input changes: a stay, test, quarantine or reading saved, or an archive
edited (resident flag, return date) through workforce's services re-screens that employee once the
transaction commits — without workforce having to know that screening exists.

Bulk paths (roster imports, the demo, gate uploads) bypass model signals; they re-screen explicitly or are
picked up by the daily `rescreen`. Screening's own writes mute these receivers (`muted()`), having evaluated
already.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

logger = logging.getLogger(__name__)
_muted: ContextVar[bool] = ContextVar("fugong_screening_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _rescreen_after_commit(employee_id: int | None) -> None:
    """Queue the employee and ask for a run after the commit. Every save registers a callback, but the first
    one to run takes the whole queue, so several entries saved together cost one run. (A rolled-back save
    leaves its id queued: it is re-screened with the next commit, which is harmless.)"""
    if employee_id is None or _muted.get():
        return
    conn = transaction.get_connection()
    pending: set[int] = conn.__dict__.setdefault("_fugong_screening_pending", set())
    pending.add(employee_id)

    def run() -> None:
        from . import runner

        ids = sorted(pending)
        pending.clear()
        if not ids:
            return
        try:
            with muted():
                runner.rescreen(timezone.localdate(), ids, note="input changed")
        except Exception:  # the input is saved; the daily rescreen will catch up
            logger.exception("re-screening employees %s failed", ids)

    transaction.on_commit(run)


def _on_entry(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    _rescreen_after_commit(getattr(instance, "employee_id", None))


def _on_employee(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    _rescreen_after_commit(instance.pk)


def connect() -> None:
    from fugong.workforce.models import Employee, HealthReading, HealthTest, Quarantine, Stay

    # Saves only: a post_delete receiver would cost Django its fast (un-fetched) cascade deletes, and entries
    # are deleted only with their employee.
    for model in (Stay, HealthTest, Quarantine, HealthReading):
        post_save.connect(_on_entry, sender=model, dispatch_uid=f"screening-rescreen-{model.__name__}")
    post_save.connect(_on_employee, sender=Employee, dispatch_uid="screening-rescreen-employee")
