"""Presentation helpers of the registry pages: badges, the size-class explanation and audit change rows.

They only describe what services computed; no rule is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.enterprises.classification import SizeClass
from fugong.enterprises.models import ResumptionStatus

register = template.Library()

STATUS_BADGES: dict[str, str] = {
    ResumptionStatus.RESUMED: "text-bg-success",
    ResumptionStatus.PARTIAL: "text-bg-warning",
    ResumptionStatus.NOT_RESUMED: "text-bg-secondary",
    ResumptionStatus.SUSPENDED: "text-bg-danger",
}

ACTION_LABELS = {
    "enterprise.create": gettext_lazy("新建"),
    "enterprise.update": gettext_lazy("修改"),
    "enterprise.import": gettext_lazy("导入"),
    "enterprise.status": gettext_lazy("复工状态变更"),
    "project.create": gettext_lazy("新建"),
    "project.update": gettext_lazy("修改"),
}


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-light")


@register.filter
def amount(value: Any) -> str:
    """30000.00 → 30000, 1999.50 → 1999.5: figures read as typed, not as stored."""
    return "" if value is None else _num(value)


@register.filter
def wan(yuan: Any) -> str:
    """An amount in 元 shown in 万元 with up to two decimals (how investment is read out in reports)."""
    if yuan is None or yuan == "":
        return ""
    amount = (Decimal(str(yuan)) / 10000).quantize(Decimal("0.01"))
    return _num(amount)


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


# --- size class explanation -----------------------------------------------------------------------
_ORDER = (SizeClass.LARGE, SizeClass.MEDIUM, SizeClass.SMALL)
# (symbol, threshold attribute, how the figure is named)
_DIMENSIONS = (
    ("X", "min_employees", gettext_lazy("从业人员 %(v)s 人")),
    ("Y", "min_revenue_wan", gettext_lazy("营业收入 %(v)s 万元")),
    ("Z", "min_assets_wan", gettext_lazy("资产总额 %(v)s 万元")),
)


def _num(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")
    return str(value)


def explain_size(
    thresholds: Iterable[Any],
    size_class: str,
    sector_label: str,
    figures: Mapping[str, Any],
) -> str:
    """ "从业人员 X 人、营业收入 Y 万元 → 中型（工业：300≤X<1000 且 Y≥2000）".

    `thresholds` are SizeThreshold rows (or Threshold tuples) of the enterprise's sector; `figures` maps
    X/Y/Z to employees, revenue and assets. For 大/中/小 it names the lower bounds met and, where a figure
    stops short of the tier above, that upper bound; for 微 it names the 小型 bounds not met.
    """
    rows = {t.size_class: t for t in thresholds}
    used = [d for d in _DIMENSIONS if any(getattr(t, d[1]) is not None for t in rows.values())]
    parts = []
    for symbol, _attr, template_text in used:
        value = figures.get(symbol)
        parts.append(str(template_text) % {"v": _num(value) if value is not None else _("未填写")})
    label = str(SizeClass(size_class).label) if size_class in SizeClass.values else size_class
    conditions: list[str] = []
    if size_class in rows:
        row = rows[size_class]
        index = _ORDER.index(size_class) if size_class in _ORDER else 0
        upper = rows.get(_ORDER[index - 1]) if index > 0 else None
        for symbol, attr, _label in used:
            low = getattr(row, attr)
            if low is None:
                continue
            high = getattr(upper, attr) if upper is not None else None
            value = figures.get(symbol)
            if high is not None and value is not None and value < high:
                conditions.append(f"{_num(low)}≤{symbol}<{_num(high)}")
            else:
                conditions.append(f"{symbol}≥{_num(low)}")
        joiner = _(" 且 ")
    else:
        small = rows.get(SizeClass.SMALL)
        for symbol, attr, _label in used:
            low = getattr(small, attr) if small is not None else None
            value = figures.get(symbol)
            if low is None:
                continue
            if value is None:
                conditions.append(_("%(s)s未填写") % {"s": symbol})
            elif value < low:
                conditions.append(f"{symbol}<{_num(low)}")
        joiner = _(" 或 ")
    figures_text = "、".join(parts)
    if not conditions:
        return f"{figures_text} → {label}" if figures_text else label
    return f"{figures_text} → {label}（{sector_label}：{joiner.join(conditions)}）"


@register.simple_tag
def size_explanation(enterprise: Any, thresholds: Iterable[Any]) -> str:
    return explain_size(
        thresholds,
        enterprise.size_class,
        enterprise.get_size_sector_display(),
        {"X": enterprise.employees, "Y": enterprise.annual_revenue_wan, "Z": enterprise.total_assets_wan},
    )


# --- audit change rows ----------------------------------------------------------------------------
def _display(field: Any, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def change_rows(model: Any, changes: Mapping[str, Any]) -> list[dict[str, str]]:
    """[{label, before, after}] with verbose field names and choice labels; unknown fields keep their key."""
    rows = []
    for name, pair in (changes or {}).items():
        try:
            field = model._meta.get_field(name) if model is not None else None
        except FieldDoesNotExist:
            field = None
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        rows.append(
            {
                "label": str(field.verbose_name) if field is not None else name,
                "before": _display(field, before),
                "after": _display(field, after),
            }
        )
    return rows


@register.simple_tag
def audit_change_rows(object_type: str, changes: Mapping[str, Any]) -> list[dict[str, str]]:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        model = None
    return change_rows(model, changes)
