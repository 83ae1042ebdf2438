"""The application workflow (复工申请): fill in → submit → on-site inspection (pass, or fail with rectification
deadlines → rectification reported → re-inspection) → district filing (备案), with withdraw and reject.

Which step is possible from which state is data (Transition); who may take it is the role table
(permissions.py); nobody approves an application they created or submitted, and the district officer who
files one must not be the inspector who passed it. Every step writes an ApplicationEvent (the history) and an
audit row; filing sets the enterprise 已复工/部分复工 from its actual date through status.do_change_status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core import audit
from fugong.core import wording as core_wording
from fugong.enterprises.models import Enterprise

from .. import permissions, uploads, wording
from ..models import (
    OPEN_STATES,
    AppAction,
    Application,
    AppState,
    Checklist,
    ChecklistItem,
    EvidenceKind,
    EvidencePurpose,
    ResumedAs,
    SelfCheck,
    SelfCheckAnswer,
)
from .checklists import current_checklist
from .common import ResumptionError, check_day, clean_text, require, require_in_scope, today
from .status import do_change_status
from .workflow import AUDITED, _event, _lock, _move, _not_own, _rule, _store_files, _sync, _with_files

MAX_BATCHES = 20


class ConcurrentEditError(Exception):
    """The draft changed since the editor loaded it."""


@dataclass
class DraftData:
    """What the applicant types: the plan and the self-check (item id → (answer, note))."""

    planned_date: dt.date | None
    batch_workers: list[int]
    note: str = ""
    answers: dict[int, tuple[str, str]] = field(default_factory=dict)


def parse_batches(raw: Any) -> list[int]:
    """ "470, 238" or "470，238" → [470, 238]; a clear message for anything else."""
    if isinstance(raw, list | tuple):
        parts = [str(p) for p in raw]
    else:
        text = str(raw or "").replace("，", ",").replace("、", ",").replace(" ", ",")
        parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise ResumptionError({"batch_workers": _("请填写各批次预计返岗人数，如：470,238")})
    if len(parts) > MAX_BATCHES:
        raise ResumptionError({"batch_workers": _("最多%(n)d个批次") % {"n": MAX_BATCHES}})
    out = []
    for i, part in enumerate(parts, 1):
        try:
            value = int(str(part).strip())
        except ValueError:
            raise ResumptionError(
                {"batch_workers": _("第%(i)d批的人数“%(v)s”不是整数") % {"i": i, "v": str(part)[:10]}}
            ) from None
        if not 1 <= value <= 100_000:
            raise ResumptionError({"batch_workers": _("第%(i)d批的人数应在1到100000之间") % {"i": i}})
        out.append(value)
    return out


def _clean_draft(app_items: list[ChecklistItem], data: DraftData) -> DraftData:
    if data.planned_date is None:
        raise ResumptionError({"planned_date": _("请填写计划复工日期")})
    check_day(data.planned_date, "planned_date", _("计划复工日期"), not_after_today=False)
    batches = parse_batches(data.batch_workers)
    note = clean_text(data.note, "note", _("申请说明"))
    known = {item.pk for item in app_items}
    answers = {}
    for item_id, (answer, item_note) in data.answers.items():
        if item_id not in known:
            raise ResumptionError({"__all__": _("自查项与检查表不符，请刷新页面后重试")})
        if answer and answer not in SelfCheckAnswer.values:
            raise ResumptionError({f"answer_{item_id}": _("请选择自查结果")})
        answers[item_id] = (answer, clean_text(item_note, f"note_{item_id}", _("说明"), max_length=1000))
    return DraftData(data.planned_date, batches, note, answers)


# --- fill in ---------------------------------------------------------------------------------------
def check_create_application(
    actor: Any, enterprise: Enterprise, data: DraftData, files: uploads.Uploads
) -> Application:
    require(actor, permissions.APPLY)
    require_in_scope(actor, enterprise)
    checklist = current_checklist()
    items = list(checklist.items.all())
    cleaned = _clean_draft(items, data)
    _check_item_files(items, files)
    existing = Application.objects.filter(enterprise=enterprise, state__in=OPEN_STATES).first()
    if existing is not None:
        raise ResumptionError(
            {
                "__all__": _("该企业已有未办结的复工申请（%(app)s，%(state)s）")
                % {"app": existing, "state": existing.get_state_display()}
            }
        )
    return do_create_application(actor, enterprise, checklist, items, cleaned, files)


def do_create_application(
    actor: Any,
    enterprise: Enterprise,
    checklist: Checklist,
    items: list[ChecklistItem],
    data: DraftData,
    files: uploads.Uploads,
) -> Application:
    planned = data.planned_date or today()  # check_create_application has required it

    def write(stored: list[str]) -> Application:
        now = timezone.now()
        app = Application(
            enterprise=enterprise,
            state=AppState.DRAFT,
            checklist=checklist,
            planned_date=planned,
            batch_workers=data.batch_workers,
            note=data.note,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
        )
        try:
            with transaction.atomic():
                app.save()
        except IntegrityError:  # a concurrent second application for the same enterprise
            raise ResumptionError({"__all__": _("该企业已有未办结的复工申请")}) from None
        SelfCheck.objects.bulk_create(
            [
                SelfCheck(
                    application=app,
                    item=item,
                    answer=data.answers.get(item.pk, ("", ""))[0],
                    note=data.answers.get(item.pk, ("", ""))[1],
                )
                for item in items
            ]
        )
        _store_files(app, files, actor, stored)
        _event(app, AppAction.CREATE, "", actor, at=now)
        audit.record(actor, "resumption.application.create", app, changes=audit.diff({}, audit.snapshot(app, AUDITED)))
        return app

    return _with_files(write)


def check_update_draft(
    actor: Any, app: Application, data: DraftData, files: uploads.Uploads, expected_version: int | None
) -> Application:
    require(actor, permissions.APPLY)
    require_in_scope(actor, app.enterprise)
    if app.state != AppState.DRAFT:
        raise ResumptionError({"__all__": _("申请已提交，不能再修改；如需修改请先撤回后重新申请")})
    items = list(app.checklist.items.all())
    cleaned = _clean_draft(items, data)
    _check_item_files(items, files)
    return do_update_draft(actor, app, cleaned, files, expected_version)


def do_update_draft(
    actor: Any, app: Application, data: DraftData, files: uploads.Uploads, expected_version: int | None
) -> Application:
    def write(stored: list[str]) -> Application:
        locked = Application.objects.select_for_update().get(pk=app.pk)
        if locked.state != AppState.DRAFT:
            raise ResumptionError({"__all__": _("申请已提交，不能再修改")})
        if expected_version is not None and locked.version != expected_version:
            raise ConcurrentEditError
        before = audit.snapshot(locked, AUDITED)
        locked.planned_date = data.planned_date or locked.planned_date
        locked.batch_workers, locked.note = data.batch_workers, data.note
        for check in SelfCheck.objects.filter(application=locked):
            if check.item_id in data.answers:
                answer, note = data.answers[check.item_id]
                if (check.answer, check.note) != (answer, note):
                    check.answer, check.note = answer, note
                    check.save(update_fields=["answer", "note"])
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db()
        _store_files(locked, files, actor, stored)
        changes = audit.diff(before, audit.snapshot(locked, AUDITED))
        audit.record(
            actor,
            "resumption.application.update",
            locked,
            changes=changes,
            note=wording.SELF_CHECK_UPDATED if files.items else "",  # stored in Chinese
        )
        return locked

    return _with_files(write)


def _check_item_files(items: list[ChecklistItem], files: uploads.Uploads) -> None:
    """A photo item takes photos only."""
    photo_items = {i.pk for i in items if i.evidence == EvidenceKind.PHOTO}
    for upload in files.items:
        if upload.item_id in photo_items and upload.kind != "image":
            raise ResumptionError(
                {f"files_{upload.item_id}": _("该项须上传现场照片（JPG/PNG）：%(n)s") % {"n": upload.name}}
            )


# --- submit, withdraw ---------------------------------------------------------------------------------
def missing_for_submission(app: Application) -> list[str]:
    """What still keeps a draft from being submitted, in words (empty: ready)."""
    problems = []
    purposes = set(app.files.values_list("purpose", flat=True))
    if EvidencePurpose.PREVENTION_PLAN not in purposes:
        problems.append(_("请上传疫情防控方案"))
    if EvidencePurpose.EMERGENCY_PLAN not in purposes:
        problems.append(_("请上传应急处置预案"))
    if not app.batch_workers:
        problems.append(_("请填写各批次预计返岗人数"))
    files_by_item: dict[int, list[str]] = {}
    for item_id, kind in app.files.filter(purpose=EvidencePurpose.SELF_CHECK).values_list("item_id", "kind"):
        files_by_item.setdefault(item_id, []).append(kind)
    for check in app.self_checks.select_related("item"):
        item = check.item
        label = f"{item.order}. {item.title}"
        if not check.answer:
            problems.append(_("“%(item)s”未填写自查结果") % {"item": label})
        elif item.mandatory and check.answer != SelfCheckAnswer.DONE:
            problems.append(_("“%(item)s”是必备项，须已落实") % {"item": label})
        elif check.answer == SelfCheckAnswer.DONE:
            kinds = files_by_item.get(item.pk, [])
            if item.evidence == EvidenceKind.PHOTO and "image" not in kinds:
                problems.append(_("“%(item)s”须上传现场照片") % {"item": label})
            elif item.evidence == EvidenceKind.DOCUMENT and not kinds:
                problems.append(_("“%(item)s”须上传文件材料") % {"item": label})
            elif item.evidence == EvidenceKind.NOTE and len(check.note.strip()) < 2:
                problems.append(_("“%(item)s”须填写文字说明") % {"item": label})
    return problems


def check_submit(actor: Any, app: Application) -> Application:
    require(actor, permissions.APPLY)
    require_in_scope(actor, app.enterprise)
    _rule(app, AppAction.SUBMIT)
    problems = missing_for_submission(app)
    if problems:
        raise ResumptionError({"__all__": core_wording.joined(problems)})
    return do_submit(actor, app)


@transaction.atomic
def do_submit(actor: Any, app: Application, at: Any = None) -> Application:
    locked, rule = _lock(app, AppAction.SUBMIT)
    now = at or timezone.now()
    _move(actor, locked, rule, at=now, submitted_by=actor if getattr(actor, "pk", None) else None, submitted_at=now)
    _sync(app, locked)
    return app


def check_withdraw(actor: Any, app: Application, reason: str) -> Application:
    require(actor, permissions.APPLY)
    require_in_scope(actor, app.enterprise)
    _rule(app, AppAction.WITHDRAW)
    reason = clean_text(reason, "reason", _("撤回原因"), max_length=500)
    return do_withdraw(actor, app, reason)


@transaction.atomic
def do_withdraw(actor: Any, app: Application, reason: str) -> Application:
    locked, rule = _lock(app, AppAction.WITHDRAW)
    _move(actor, locked, rule, note=reason, decision_reason=reason)
    _sync(app, locked)
    return app


def check_reject(actor: Any, app: Application, reason: str) -> Application:
    require(actor, permissions.INSPECT)
    require_in_scope(actor, app.enterprise)
    _not_own(actor, app, _rule(app, AppAction.REJECT))
    reason = clean_text(reason, "reason", _("退回原因"), required=True, max_length=500)
    return do_reject(actor, app, reason)


@transaction.atomic
def do_reject(actor: Any, app: Application, reason: str) -> Application:
    locked, rule = _lock(app, AppAction.REJECT)
    _not_own(actor, locked, rule)
    _move(actor, locked, rule, note=reason, decision_reason=reason)
    _sync(app, locked)
    return app


# --- filing ----------------------------------------------------------------------------------------
def check_file(
    actor: Any, app: Application, actual_date: dt.date | None, resumed_as: str, note: str = ""
) -> Application:
    require(actor, permissions.FILE)
    require_in_scope(actor, app.enterprise)
    rule = _rule(app, AppAction.FILE)
    _not_own(actor, app, rule)
    latest = app.inspections.order_by("-number").first()
    if latest is None or not latest.passed:
        raise ResumptionError({"__all__": _("最近一次现场核查的必备项未全部合格，不能备案")})
    day = check_day(actual_date, "actual_date", _("实际复工日期"))
    if app.submitted_at and day < timezone.localdate(app.submitted_at):
        raise ResumptionError({"actual_date": _("实际复工日期不能早于申请提交日期")})
    if resumed_as not in ResumedAs.values:
        raise ResumptionError({"resumed_as": _("请选择复工情况（全面复工或部分复工）")})
    note = clean_text(note, "note", _("备案说明"), max_length=500)
    from .status import check_status_date

    check_status_date(app.enterprise, day, "actual_date")
    return do_file(actor, app, day, resumed_as, note)


@transaction.atomic
def do_file(
    actor: Any, app: Application, actual_date: dt.date, resumed_as: str, note: str = "", at: Any = None
) -> Application:
    locked, rule = _lock(app, AppAction.FILE)
    _not_own(actor, locked, rule)
    now = at or timezone.now()
    text = note or wording.FILED % {"d": actual_date.isoformat()}  # generated: stored in Chinese
    _move(
        actor,
        locked,
        rule,
        note=text,
        at=now,
        filed_by=actor if getattr(actor, "pk", None) else None,
        filed_at=now,
        actual_date=actual_date,
        resumed_as=resumed_as,
    )
    reason = wording.FILED_STATUS % {"app": wording.APPLICATION % {"n": locked.pk}}
    do_change_status(actor, locked.enterprise, resumed_as, actual_date, reason, application=locked, at=now)
    _sync(app, locked)
    return app
