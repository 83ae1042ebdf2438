"""Presentation helpers of the resumption pages: state badges and percentages. No rule is decided here."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STATE_BADGES = {
    "draft": "text-bg-light border",
    "submitted": "text-bg-info",
    "rectifying": "text-bg-warning",
    "reinspect": "text-bg-primary",
    "passed": "text-bg-success",
    "filed": "text-bg-success",
    "rejected": "text-bg-danger",
    "withdrawn": "text-bg-secondary",
}
RESULT_BADGES = {"pass": "text-bg-success", "fail": "text-bg-danger", "na": "text-bg-secondary"}


@register.filter
def state_badge(state: str) -> str:
    return STATE_BADGES.get(state, "text-bg-light")


@register.filter
def result_badge(result: str) -> str:
    return RESULT_BADGES.get(result, "text-bg-light")


@register.filter
def pct(value: Any) -> str:
    """A percentage the dashboard already multiplied by 100 (66.7 → "66.7%"); None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.1f}".removesuffix(".0") + "%"


@register.filter
def rate_pct(value: Any) -> str:
    """A stored fraction (Decimal 0.6667 → "66.7%"); None → "—"."""
    if value is None or value == "":
        return "—"
    return pct(float(value) * 100)


@register.filter
def num(value: Any) -> str:
    """18436 → "18,436" (a fast intcomma for the dashboard's hundreds of numbers); None → "—"."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
