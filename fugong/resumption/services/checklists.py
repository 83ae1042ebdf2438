"""The checklist as data: the version in force on a day, and publishing a new version.

Versions are never edited: the district admin publishes the next one (copying the current items and changing
what they want), effective from a date not before the current version's. An application keeps the version its
self-check used and every inspection the version in force on its day, so no past record ever changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from fugong.core import audit

from .. import permissions
from ..models import Checklist, ChecklistItem, EvidenceKind
from .common import ResumptionError, check_day, clean_text, require, today

MAX_ITEMS = 30


def current_checklist(on: dt.date | None = None) -> Checklist:
    """The version in force on `on` (default today): the highest version effective by then; before the
    first version's date, the first version."""
    on = on or today()
    checklist = Checklist.objects.filter(effective_from__lte=on).order_by("-version").first()
    if checklist is None:
        checklist = Checklist.objects.order_by("version").first()
    if checklist is None:  # the rules migration always loads version 1; a wiped table is a setup fault
        raise ResumptionError({"__all__": _("尚未配置复工检查表，请联系区复工办")})
    return checklist


@dataclass
class ItemData:
    title: str
    description: str = ""
    mandatory: bool = True
    evidence: str = EvidenceKind.NOTE


def check_publish_checklist(
    actor: Any, items: Sequence[ItemData], effective_from: dt.date | None, source: str, note: str = ""
) -> Checklist:
    require(actor, permissions.MANAGE_CHECKLIST)
    day = check_day(effective_from, "effective_from", _("生效日期"), not_after_today=False)
    if day < today():
        raise ResumptionError({"effective_from": _("新版本不能追溯生效：生效日期不能早于今天")})
    latest = Checklist.objects.order_by("-version").first()
    if latest is not None and day < latest.effective_from:
        raise ResumptionError({"effective_from": _("生效日期不能早于现行版本（%(d)s）") % {"d": latest.effective_from}})
    source = clean_text(source, "source", _("依据（文号）"), required=True, max_length=200)
    note = clean_text(note, "note", _("修订说明"), max_length=300)
    cleaned: list[ItemData] = []
    seen: set[str] = set()
    for i, item in enumerate(items, 1):
        title = clean_text(item.title, f"title_{i}", _("检查项名称"), max_length=60)
        if not title:
            continue  # an empty row of the form: left out
        if title in seen:
            raise ResumptionError({f"title_{i}": _("检查项“%(t)s”重复") % {"t": title}})
        if item.evidence not in EvidenceKind.values:
            raise ResumptionError({f"evidence_{i}": _("请选择佐证要求")})
        seen.add(title)
        description = clean_text(item.description, f"description_{i}", _("要求"), max_length=500)
        cleaned.append(ItemData(title, description, bool(item.mandatory), item.evidence))
    if not cleaned:
        raise ResumptionError({"__all__": _("检查表至少要有一个检查项")})
    if len(cleaned) > MAX_ITEMS:
        raise ResumptionError({"__all__": _("检查项最多%(n)d个") % {"n": MAX_ITEMS}})
    return do_publish_checklist(actor, cleaned, day, source, note)


@transaction.atomic
def do_publish_checklist(
    actor: Any, items: Sequence[ItemData], effective_from: dt.date, source: str, note: str
) -> Checklist:
    version = (Checklist.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
    checklist = Checklist.objects.create(
        version=version,
        effective_from=effective_from,
        source=source,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                checklist=checklist,
                order=i,
                title=it.title,
                description=it.description,
                mandatory=it.mandatory,
                evidence=it.evidence,
            )
            for i, it in enumerate(items, 1)
        ]
    )
    audit.record(
        actor,
        "resumption.checklist.publish",
        checklist,
        changes={"items": [None, [f"{'★' if it.mandatory else ''}{it.title}（{it.evidence}）" for it in items]]},
        note=note,
    )
    return checklist
