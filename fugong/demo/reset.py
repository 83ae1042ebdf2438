"""`load_demo --reset`: wipe the business data before loading again.

What goes: enterprises and key projects with everything hanging off them (employees, applications,
pairings, assignments, matchmaking… — whatever other apps attach, through their own on_delete), liaison
cadres and outreach teams. What stays:
- the append-only audit and access logs (their triggers refuse deletes, and history must survive a reset);
- rule data loaded by migrations (SizeThreshold and the like), which nothing here reaches;
- reference data the demo shares with real use — regions, parks, departments, banks — which the loader then
  finds unchanged;
- accounts: they are never deleted (audit rows keep pointing at their actor, see accounts/services.py);
  an account that administered a wiped enterprise is detached from it, and the loader re-links the demo's.

A later issue whose business data does not hang off an enterprise adds its model to RESET_ROOTS.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model, ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from fugong.core.models import AppendOnlyModel

# Deleted in this order; each delete cascades to the rows that depend on it.
RESET_ROOTS = (
    "liaison.LiaisonAssignment",
    "liaison.LeaderPairing",
    "liaison.Cadre",
    "finance.BankMatchmaking",
    "outreach.OutreachTeam",
    # Workers PROTECT their enterprise; deleting them first takes their stays, tests, quarantines and
    # readings with them (CASCADE) without a failed enterprise delete first.
    "workforce.Employee",
    "enterprises.KeyProject",
    "enterprises.Enterprise",
)
# Never deleted, even when business rows point at them with PROTECT: blocking on one is a bug to report.
KEPT = ("enterprises.SizeThreshold", "regions.Region", "regions.IndustrialPark", "accounts.Department")
MAX_DEPTH = 8


class ResetBlockedError(Exception):
    pass


@dataclass(frozen=True)
class WipeResult:
    deleted: dict[str, int]  # model label → rows deleted
    detached_accounts: int  # accounts that administered a wiped enterprise


def _kept(model: type[Model]) -> bool:
    return issubclass(model, AppendOnlyModel) or model._meta.label in KEPT or model is get_user_model()


def _delete_all(model: type[Model], deleted: Counter[str], depth: int = 0) -> None:
    """Delete every row of `model`; rows of other models that PROTECT/RESTRICT it are business data
    too (an employee protects its enterprise), so they are deleted first."""
    for _attempt in range(MAX_DEPTH):
        try:
            _total, per_model = model._default_manager.all().delete()
        except (ProtectedError, RestrictedError) as exc:
            blocking = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
            blockers = {type(obj) for obj in blocking}
            for blocker in sorted(blockers, key=lambda m: m._meta.label):
                if _kept(blocker) or depth >= MAX_DEPTH:
                    raise ResetBlockedError(
                        _("无法清除%(model)s：%(blocker)s中的记录仍引用它们")
                        % {"model": model._meta.verbose_name, "blocker": blocker._meta.verbose_name}
                    ) from exc
                _delete_all(blocker, deleted, depth + 1)
            continue
        deleted.update({label: n for label, n in per_model.items() if n})
        return
    raise ResetBlockedError(_("无法清除%(model)s") % {"model": model._meta.verbose_name})


def wipe() -> WipeResult:
    """Delete the demo's business data. Runs inside the caller's transaction, so a failure leaves
    everything as it was."""
    detached = get_user_model().objects.filter(enterprise__isnull=False).update(enterprise=None)
    deleted: Counter[str] = Counter()
    from .steps import reset_models

    for label in (*reset_models(), *RESET_ROOTS):
        try:
            model = apps.get_model(label)
        except LookupError:  # an app this installation does not run
            continue
        _delete_all(model, deleted)
    return WipeResult(dict(sorted(deleted.items())), detached)
