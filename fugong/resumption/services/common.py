"""What every resumption service shares: the error carrying messages for the user, the permission and scope
checks, and the snapshot bookkeeping a write must do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.core import scoping
from fugong.core import wording as core_wording
from fugong.enterprises.models import Enterprise

from .. import snapshots
from ..models import SnapshotDay

# No record of this app predates the epidemic year; earlier dates are typing mistakes.
EARLIEST = dt.date(2020, 1, 1)


class ResumptionError(Exception):
    """Bad input, or a step the application's state does not allow: a message per field, nothing written."""

    def __init__(self, errors: Mapping[str, str] | str) -> None:
        self.errors = {"__all__": str(errors)} if isinstance(errors, str) else {k: str(v) for k, v in errors.items()}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))

    @property
    def message(self) -> str:
        return core_wording.joined(self.errors.values())


class SelfApprovalDenied(PermissionDenied):
    """Nobody approves an application they created or submitted (nor files one they passed)."""


def require(actor: Any, action: str) -> None:
    if not roles.can(actor, action):
        raise PermissionDenied


def require_in_scope(actor: Any, enterprise: Enterprise) -> None:
    """Services check scope too (views and the API already fetched through a scoped selector): out of scope is
    the same 404 as missing."""
    if not scoping.enterprises_for(actor).filter(pk=enterprise.pk).exists():
        raise Http404


def today() -> dt.date:
    return timezone.localdate()


def check_day(value: Any, field: str, label: str, *, not_after_today: bool = True) -> dt.date:
    if not isinstance(value, dt.date):
        raise ResumptionError({field: _("请填写%(label)s") % {"label": label}})
    if value < EARLIEST:
        raise ResumptionError({field: _("%(label)s不能早于2020年1月1日") % {"label": label}})
    if not_after_today and value > today():
        raise ResumptionError({field: _("%(label)s不能晚于今天") % {"label": label}})
    return value


def clean_text(value: Any, field: str, label: str, *, required: bool = False, max_length: int = 2000) -> str:
    text = str(value or "").strip()
    if required and len(text) < 2:
        raise ResumptionError({field: _("请填写%(label)s") % {"label": label}})
    if len(text) > max_length:
        raise ResumptionError({field: _("%(label)s不能超过%(n)d个字") % {"label": label, "n": max_length}})
    return text


def figures_changed(since: dt.date, actor: Any = None, until: dt.date | None = None) -> None:
    """Inside a write's transaction: the snapshot days from `since` (to `until`) are stale; after commit, a
    refresh of those days — and of today, so each working day gets its snapshot — is queued."""
    snapshots.mark_stale(since, until)
    days_qs = SnapshotDay.objects.filter(day__gte=since)
    if until is not None:
        days_qs = days_qs.filter(day__lte=until)
    days = set(days_qs.values_list("day", flat=True))
    days.add(today())
    snapshots.request_refresh(days, trigger="change", user=actor)
