"""Reading the audit and access logs (操作日志 / 个人信息访问日志).

Both logs are district-wide records read by the roles that may audit (roles.VIEW_AUDIT); nobody else gets a
row. Values in them were masked when they were written (fugong.core.audit), so reading adds no reveal.
Filters come from the query string; a malformed value is reported back and ignored, never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import roles

from .models import AccessLog, AuditLog

PAGE_SIZE = 100
# An export is one request; past this many rows the file says it was cut short and asks for narrower filters.
EXPORT_ROW_LIMIT = 100_000


def _text(params: Mapping[str, Any], name: str, limit: int) -> str:
    return str(params.get(name) or "").strip()[:limit]


def _date(params: Mapping[str, Any], name: str, label: str, errors: list[str]) -> dt.date | None:
    raw = _text(params, name, 20)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(label)s“%(value)s”不是有效日期，应为 YYYY-MM-DD，已忽略") % {"label": label, "value": raw})
        return None


def _day_start(day: dt.date) -> dt.datetime:
    # Days are the district's local days; comparing on the indexed timestamp keeps the filter cheap.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class _DateRange:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    errors: list[str] = field(default_factory=list)

    def _read_dates(self, params: Mapping[str, Any]) -> None:
        self.date_from = _date(params, "date_from", _("开始日期"), self.errors)
        self.date_to = _date(params, "date_to", _("结束日期"), self.errors)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            self.errors.append(_("开始日期晚于结束日期，已忽略日期条件"))
            self.date_from = self.date_to = None

    def _apply_dates(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        if self.date_from:
            qs = qs.filter(at__gte=_day_start(self.date_from))
        if self.date_to:
            qs = qs.filter(at__lt=_day_start(self.date_to + dt.timedelta(days=1)))
        return qs

    def _date_parts(self) -> list[str]:
        parts = []
        if self.date_from:
            parts.append(_("自 %(d)s") % {"d": self.date_from.isoformat()})
        if self.date_to:
            parts.append(_("至 %(d)s") % {"d": self.date_to.isoformat()})
        return parts


@dataclass
class AuditFilters(_DateRange):
    actor: str = ""
    action: str = ""  # a prefix: "enterprise." finds every enterprise action
    object_type: str = ""
    object_id: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> AuditFilters:
        f = cls(
            actor=_text(params, "actor", 150),
            action=_text(params, "action", 60),
            object_type=_text(params, "object_type", 60),
            object_id=_text(params, "object_id", 64),
        )
        f._read_dates(params)
        return f

    def apply(self, qs: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        if self.actor:
            qs = qs.filter(actor_label__icontains=self.actor)
        if self.action:
            qs = qs.filter(action__startswith=self.action)
        if self.object_type:
            qs = qs.filter(object_type=self.object_type)
        if self.object_id:
            qs = qs.filter(object_id=self.object_id)
        return self._apply_dates(qs)

    def describe(self) -> str:
        parts = [
            f"{label}={value}"
            for label, value in (
                (_("操作人"), self.actor),
                (_("操作"), self.action),
                (_("对象类型"), self.object_type),
                (_("对象编号"), self.object_id),
            )
            if value
        ]
        return "；".join(parts + self._date_parts()) or _("全部")


@dataclass
class AccessFilters(_DateRange):
    actor: str = ""
    kind: str = ""
    subject_type: str = ""
    subject_id: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> AccessFilters:
        f = cls(
            actor=_text(params, "actor", 150),
            kind=_text(params, "kind", 10),
            subject_type=_text(params, "subject_type", 60),
            subject_id=_text(params, "subject_id", 64),
        )
        if f.kind and f.kind not in AccessLog.Kind.values:
            f.errors.append(_("类型“%(k)s”无效，已忽略") % {"k": f.kind})
            f.kind = ""
        f._read_dates(params)
        return f

    def apply(self, qs: QuerySet[AccessLog]) -> QuerySet[AccessLog]:
        if self.actor:
            qs = qs.filter(actor_label__icontains=self.actor)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.subject_type:
            qs = qs.filter(subject_type=self.subject_type)
        if self.subject_id:
            qs = qs.filter(subject_id=self.subject_id)
        return self._apply_dates(qs)

    def describe(self) -> str:
        kind = AccessLog.Kind(self.kind).label if self.kind else ""
        parts = [
            f"{label}={value}"
            for label, value in (
                (_("访问人"), self.actor),
                (_("类型"), kind),
                (_("数据主体类型"), self.subject_type),
                (_("数据主体编号"), self.subject_id),
            )
            if value
        ]
        return "；".join(parts + self._date_parts()) or _("全部")


def audit_log_for_user(user: Any, filters: AuditFilters | None = None) -> QuerySet[AuditLog]:
    """Audit rows the user may read, newest first: all of them for an auditing role, none otherwise."""
    if not roles.can(user, roles.VIEW_AUDIT):
        return AuditLog.objects.none()
    return (filters or AuditFilters()).apply(AuditLog.objects.order_by("-at", "-id"))


def access_log_for_user(user: Any, filters: AccessFilters | None = None) -> QuerySet[AccessLog]:
    if not roles.can(user, roles.VIEW_AUDIT):
        return AccessLog.objects.none()
    return (filters or AccessFilters()).apply(AccessLog.objects.order_by("-at", "-id"))


# --- presenting a row's changes -------------------------------------------------------------------------
def field_label(object_type: str, name: str) -> str:
    """The verbose name of `name` on the model `object_type` ("enterprises.enterprise"), else the name itself,
    in the active language.

    Reads Django's model registry only, so labelling a page of rows costs no queries.
    """
    return _field_label(object_type, name, translation.get_language() or "")


@lru_cache(maxsize=512)
def _field_label(object_type: str, name: str, language: str) -> str:
    # The language is part of the key: cached without it, the first page's language stuck for everyone.
    app_label, _dot, model_name = object_type.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
        return str(model._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if isinstance(value, (list, tuple)):
        return "、".join(_shown(v) for v in value) or "—"
    return str(value)


@dataclass(frozen=True)
class ChangeLine:
    field: str
    label: str
    before: str
    after: str


def change_lines(object_type: str, changes: Any) -> list[ChangeLine]:
    """{field: [before, after]} as display lines; anything else a writer stored is shown as it is."""
    if not isinstance(changes, Mapping):
        return [ChangeLine("", "", "", _shown(changes))] if changes else []
    lines = []
    for name, pair in changes.items():
        label = field_label(object_type, str(name))
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            lines.append(ChangeLine(str(name), label, _shown(pair[0]), _shown(pair[1])))
        else:
            lines.append(ChangeLine(str(name), label, "", _shown(pair)))
    return lines


def changes_text(object_type: str, changes: Any) -> str:
    return "；".join(
        f"{line.label}: {line.before} → {line.after}" if line.before else f"{line.label}: {line.after}"
        for line in change_lines(object_type, changes)
    )


# --- export rows ---------------------------------------------------------------------------------------
def _local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


AUDIT_COLUMNS = (
    gettext_lazy("编号"),
    gettext_lazy("时间"),
    gettext_lazy("操作人"),
    gettext_lazy("操作"),
    gettext_lazy("对象类型"),
    gettext_lazy("对象编号"),
    gettext_lazy("对象"),
    gettext_lazy("变更内容"),
    gettext_lazy("说明"),
    gettext_lazy("IP地址"),
    gettext_lazy("渠道"),
)

ACCESS_COLUMNS = (
    gettext_lazy("编号"),
    gettext_lazy("时间"),
    gettext_lazy("访问人"),
    gettext_lazy("类型"),
    gettext_lazy("数据主体类型"),
    gettext_lazy("数据主体编号"),
    gettext_lazy("数据主体"),
    gettext_lazy("字段"),
    gettext_lazy("用途/理由"),
    gettext_lazy("记录数"),
    gettext_lazy("IP地址"),
)


def audit_export_rows(qs: QuerySet[AuditLog]) -> Iterator[list[Any]]:
    for row in qs[:EXPORT_ROW_LIMIT].iterator(chunk_size=2000):
        yield [
            row.pk,
            _local(row.at),
            row.actor_label,
            row.action,
            row.object_type,
            row.object_id,
            row.object_repr,
            changes_text(row.object_type, row.changes),
            row.note,
            row.ip,
            row.via,
        ]


def access_export_rows(qs: QuerySet[AccessLog]) -> Iterator[list[Any]]:
    for row in qs[:EXPORT_ROW_LIMIT].iterator(chunk_size=2000):
        fields: Iterable[Any] = row.fields if isinstance(row.fields, list) else [row.fields]
        yield [
            row.pk,
            _local(row.at),
            row.actor_label,
            row.get_kind_display(),
            row.subject_type,
            row.subject_id,
            row.subject_repr,
            "、".join(str(f) for f in fields),
            row.purpose,
            row.record_count,
            row.ip,
        ]
