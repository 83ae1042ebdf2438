"""On-site inspection (现场核查) and rectification (整改): per item pass / fail / not applicable on the checklist
version in force that day; a failed item carries a deadline; the enterprise reports it rectified; the town
re-inspects. The inspection passes when every mandatory item passes (a failed optional item keeps its deadline
but does not block filing). Inspectors never inspect an application they entered themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core import audit

from .. import permissions, uploads, wording
from ..models import AppAction, Application, Checklist, ChecklistItem, Inspection, InspectionResult, ItemResult
from .checklists import current_checklist
from .common import ResumptionError, check_day, clean_text, require, require_in_scope, today
from .workflow import _lock, _move, _not_own, _rule, _store_files, _sync, _with_files

MAX_RECTIFY_DAYS = 60


@dataclass
class InspectionData:
    inspected_on: dt.date | None
    results: dict[int, tuple[str, str, dt.date | None]]  # item id → (result, note, rectify_by)
    notes: str = ""


def check_inspect(actor: Any, app: Application, data: InspectionData, files: uploads.Uploads) -> Inspection:
    require(actor, permissions.INSPECT)
    require_in_scope(actor, app.enterprise)
    rule = _rule(app, AppAction.INSPECT_PASS)
    _not_own(actor, app, rule)
    day = check_day(data.inspected_on, "inspected_on", _("核查日期"))
    if app.submitted_at and day < timezone.localdate(app.submitted_at):
        raise ResumptionError({"inspected_on": _("核查日期不能早于申请提交日期")})
    checklist = current_checklist(day)
    items = list(checklist.items.all())
    errors: dict[str, str] = {}
    cleaned: dict[int, tuple[str, str, dt.date | None]] = {}
    for item in items:
        result, note, rectify_by = data.results.get(item.pk, ("", "", None))
        note = (note or "").strip()[:1000]
        if result not in ItemResult.values:
            errors[f"result_{item.pk}"] = _("请为“%(item)s”选择核查结果") % {"item": item.title}
        elif result == ItemResult.NA and item.mandatory:
            errors[f"result_{item.pk}"] = _("“%(item)s”是必备项，不能标为不适用") % {"item": item.title}
        elif result == ItemResult.FAIL:
            if rectify_by is None:
                errors[f"rectify_by_{item.pk}"] = _("不合格项“%(item)s”须填写整改期限") % {"item": item.title}
            elif not day < rectify_by <= day + dt.timedelta(days=MAX_RECTIFY_DAYS):
                errors[f"rectify_by_{item.pk}"] = _("整改期限应在核查日期之后%(n)d天内") % {"n": MAX_RECTIFY_DAYS}
            elif len(note) < 2:
                errors[f"note_{item.pk}"] = _("请说明“%(item)s”不合格的情况") % {"item": item.title}
        cleaned[item.pk] = (result, note, rectify_by if result == ItemResult.FAIL else None)
    if set(data.results) - {i.pk for i in items}:
        errors["__all__"] = _("核查项与检查表不符，请刷新页面后重试")
    for upload in files.items:
        if upload.kind != "image":
            errors[f"files_{upload.item_id}"] = _("核查照片须为 JPG/PNG：%(n)s") % {"n": upload.name}
    if errors:
        raise ResumptionError(errors)
    notes = clean_text(data.notes, "notes", _("核查意见"))
    return do_inspect(actor, app, checklist, items, InspectionData(day, cleaned, notes), files)


def do_inspect(
    actor: Any,
    app: Application,
    checklist: Checklist,
    items: list[ChecklistItem],
    data: InspectionData,
    files: uploads.Uploads,
    at: Any = None,
) -> Inspection:
    passed = all(data.results[i.pk][0] == ItemResult.PASS for i in items if i.mandatory)
    action = AppAction.INSPECT_PASS if passed else AppAction.INSPECT_FAIL

    def write(stored: list[str]) -> Inspection:
        locked, rule = _lock(app, action)
        _not_own(actor, locked, rule)
        now = at or timezone.now()
        inspection = Inspection.objects.create(
            application=locked,
            checklist=checklist,
            number=locked.inspections.count() + 1,
            inspected_on=data.inspected_on or today(),
            inspector=actor if getattr(actor, "pk", None) else None,
            inspector_label=audit._actor_label(actor),
            passed=passed,
            notes=data.notes,
            created_at=now,
        )
        InspectionResult.objects.bulk_create(
            [
                InspectionResult(
                    inspection=inspection,
                    item=item,
                    result=data.results[item.pk][0],
                    note=data.results[item.pk][1],
                    rectify_by=data.results[item.pk][2],
                )
                for item in items
            ]
        )
        _store_files(locked, files, actor, stored, inspection=inspection)
        failed = [i for i in items if data.results[i.pk][0] == ItemResult.FAIL]
        summary = wording.inspection_summary(inspection.number, [(i.title, data.results[i.pk][2]) for i in failed])
        extra = {"passed_by": actor if getattr(actor, "pk", None) else None, "passed_at": now} if passed else {}
        _move(actor, locked, rule, note=summary, at=now, **extra)
        _sync(app, locked)
        return inspection

    return _with_files(write)


def check_report_rectified(
    actor: Any, app: Application, notes: Mapping[int, str], files: uploads.Uploads
) -> Application:
    require(actor, permissions.APPLY)
    require_in_scope(actor, app.enterprise)
    _rule(app, AppAction.REPORT_RECTIFIED)
    failed = open_rectifications(app)
    if not failed:
        raise ResumptionError({"__all__": _("没有待整改的检查项")})
    cleaned = {}
    for result in failed:
        text = clean_text(notes.get(result.item_id, ""), f"note_{result.item_id}", _("整改情况"), max_length=1000)
        if len(text) < 2 and not files.for_item(result.item_id):
            raise ResumptionError(
                {f"note_{result.item_id}": _("请说明“%(item)s”的整改情况或上传整改照片") % {"item": result.item.title}}
            )
        cleaned[result.item_id] = text
    return do_report_rectified(actor, app, cleaned, files)


def do_report_rectified(
    actor: Any, app: Application, notes: Mapping[int, str], files: uploads.Uploads, at: Any = None
) -> Application:
    def write(stored: list[str]) -> Application:
        locked, rule = _lock(app, AppAction.REPORT_RECTIFIED)
        _store_files(locked, files, actor, stored)
        titles = dict(ChecklistItem.objects.filter(pk__in=list(notes)).values_list("pk", "title"))
        summary = "；".join(f"{titles.get(k, k)}：{v}" for k, v in notes.items() if v) or wording.RECTIFIED
        _move(actor, locked, rule, note=summary, at=at)
        _sync(app, locked)
        return app

    return _with_files(write)


def open_rectifications(app: Application) -> list[InspectionResult]:
    """The failed items of the latest inspection (what the enterprise must rectify before re-inspection)."""
    latest = app.inspections.order_by("-number").first()
    if latest is None:
        return []
    return list(latest.results.filter(result=ItemResult.FAIL).select_related("item"))
