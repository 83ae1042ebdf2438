"""Writing the audit and access logs. Services call these inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from .context import current_request
from .masking import mask_id_number, mask_phone
from .models import AccessLog, AuditLog

# How a sensitive field appears in an audit row: masked, never in clear.
SENSITIVE_MASKS = {"phone": mask_phone, "id_number": mask_id_number}


def plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {f: plain(getattr(obj, f)) for f in fields}


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], sensitive: Mapping[str, str] | None = None
) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed; `sensitive` maps field → mask kind."""
    sensitive = sensitive or {}
    out: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b == a:
            continue
        if key in sensitive:
            mask = SENSITIVE_MASKS.get(sensitive[key], lambda v: "***" if v else "")
            b, a = mask(b or ""), mask(a or "")
        out[key] = [b, a]
    return out


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", str(actor))[:150]


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    note: str = "",
) -> AuditLog:
    info = current_request.get()
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=dict(changes or {}),
        note=note[:300],
        ip=info.ip,
        via=info.via,
    )


def id_runs(ids: Iterable[int]) -> list[list[int]]:
    """Ids as sorted [first, last] runs: [7, 1, 2, 3] → [[1, 3], [7, 7]]. Rows written together draw their ids
    from one sequence, so a chunk of thousands is usually a single run."""
    runs: list[list[int]] = []
    for pk in sorted(set(ids)):
        if runs and runs[-1][1] == pk - 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def record_bulk(
    actor: Any,
    action: str,
    *,
    object_type: str,
    ids: Iterable[int],
    object_repr: str = "",
    counts: Mapping[str, int] | None = None,
    note: str = "",
) -> AuditLog:
    """One audit row for many objects written by one operation (a chunk of a roster import): the counts and
    every id, as runs, so each object is still traceable to the row that wrote it — instead of one row per
    object, which on a million-row import costs more than the import's own writes."""
    changes = {**(counts or {}), "ids": id_runs(ids)}
    return record(actor, action, object_type=object_type, object_repr=object_repr, changes=changes, note=note)


def log_access(
    actor: Any,
    kind: str,
    *,
    subject_type: str,
    subject_id: str = "",
    subject_repr: str = "",
    fields: Iterable[str] = (),
    purpose: str = "",
    record_count: int = 1,
) -> AccessLog:
    info = current_request.get()
    return AccessLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        kind=kind,
        subject_type=subject_type,
        subject_id=str(subject_id),
        subject_repr=subject_repr[:200],
        fields=list(fields),
        purpose=purpose[:300],
        record_count=record_count,
        ip=info.ip,
    )
