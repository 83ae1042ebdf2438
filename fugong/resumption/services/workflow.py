"""The transition engine shared by the application services: the state table lookup, the self-approval ban,
locking, the event + audit row + snapshot bookkeeping of every step, and uploads that are removed again when
their transaction fails."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core import audit

from .. import uploads
from ..models import OPEN_STATES, AppAction, Application, ApplicationEvent, Evidence, Transition
from .common import ResumptionError, SelfApprovalDenied, figures_changed, today

AUDITED = ("state", "planned_date", "batch_workers", "note", "actual_date", "resumed_as", "decision_reason")


def _event(app: Application, action: str, from_state: str, actor: Any, note: str = "", at: Any = None) -> None:
    ApplicationEvent.objects.create(
        application=app,
        action=action,
        from_state=from_state,
        to_state=app.state,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=audit._actor_label(actor),
        at=at or timezone.now(),
        note=note[:2000],
    )


def _store_files(
    app: Application, batch: uploads.Uploads, actor: Any, stored: list[str], inspection: Any = None
) -> None:
    for upload in batch.items:
        name = uploads.store(upload, app.pk)
        stored.append(name)
        Evidence.objects.create(
            application=app,
            purpose=upload.purpose,
            item_id=upload.item_id,
            inspection=inspection,
            file=name,
            original_name=upload.name,
            kind=upload.kind,
            size=upload.size,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )


def _with_files(write: Any, app_id_for_files: Any = None) -> Any:
    """Run `write(stored)`; files it stored are removed again if the transaction fails."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            return write(stored)
    except BaseException:
        uploads.discard(stored)
        raise


def _rule(app: Application, action: str) -> Transition:
    rule = Transition.objects.filter(action=action, from_state=app.state).first()
    if rule is None:
        raise ResumptionError(
            {
                "__all__": _("申请当前为“%(state)s”，不能%(action)s")
                % {"state": app.get_state_display(), "action": AppAction(action).label}
            }
        )
    return rule


def _not_own(actor: Any, app: Application, rule: Transition) -> None:
    if not rule.approval or not getattr(actor, "pk", None):
        return
    own = {app.created_by_id, app.submitted_by_id}
    if rule.action == AppAction.FILE:
        own.add(app.passed_by_id)
    if actor.pk in own:
        raise SelfApprovalDenied(_("不能审批本人填写、提交或核查通过的申请"))


def _lock(app: Application, action: str) -> tuple[Application, Transition]:
    """The application locked for the step, re-checked against the table inside the transaction."""
    locked = Application.objects.select_for_update().select_related("enterprise").get(pk=app.pk)
    return locked, _rule(locked, action)


def _move(actor: Any, app: Application, rule: Transition, note: str = "", at: Any = None, **fields: Any) -> None:
    before = audit.snapshot(app, AUDITED)
    from_state = app.state
    app.state = rule.to_state
    for key, value in fields.items():
        setattr(app, key, value)
    if app.state not in OPEN_STATES and app.closed_at is None:
        app.closed_at = at or timezone.now()
    app.version = F("version") + 1
    app.save()
    app.refresh_from_db()
    _event(app, rule.action, from_state, actor, note, at=at)
    audit.record(
        actor,
        f"resumption.application.{rule.action}",
        app,
        changes=audit.diff(before, audit.snapshot(app, AUDITED)),
        note=note[:300],
    )
    figures_changed(timezone.localdate(at) if at else today(), actor)


def _sync(target: Application, source: Application) -> None:
    target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
