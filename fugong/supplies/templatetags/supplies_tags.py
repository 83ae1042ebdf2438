"""Template filters of the supplies pages: quantities without trailing zeros, levels in words."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from ..calculation import Level
from ..services.common import fmt_qty

register = template.Library()

LEVEL_LABELS = {
    Level.OK: _("充足"),
    Level.LOW: _("不足"),
    Level.CRITICAL: _("紧缺"),
    Level.UNKNOWN: _("无数据"),
}


@register.filter
def qty(value: Any) -> str:
    """120.000 → "120", 12.500 → "12.5", with thousands separators for big counts."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = fmt_qty(number)
    whole, _sep, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-') or 0):,}"
    return f"{sign}{whole}" + (f".{frac}" if frac else "")


@register.filter
def level_label(level: Any) -> str:
    try:
        return str(LEVEL_LABELS[Level(level)])
    except (ValueError, KeyError):
        return ""


@register.filter
def days_text(days: Any) -> str:
    if days is None:
        return str(_("无数据"))
    return str(_("%(n)d天") % {"n": days})
