"""What each role's home page shows. The view stays thin: `build(user, today)` returns the template context.

Every number is a count over records in the user's scope (fugong.core.scoping) and, where the enterprise list
can show exactly those records, links to it with the matching filters, so a figure can always be checked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts.roles import Role
from fugong.enterprises.classification import Category
from fugong.enterprises.models import ResumptionStatus

from . import figure_store, figures, scoping

# The registry keys shown as cards, in this order; a key not (yet) registered is simply left out.
CARD_KEYS = (
    "enterprises_total",
    "enterprises_resumed",
    "above_scale_industrial_total",
    "above_scale_industrial_resumed",
    "above_scale_industrial_resumption_rate",
    "screening_alerts_open",
)
# Cards whose number is exactly what the enterprise list shows with these filters.
CARD_FILTERS: dict[str, dict[str, str]] = {
    "enterprises_total": {},
    "above_scale_industrial_total": {"category": Category.ABOVE_SCALE_INDUSTRIAL},
}
# Cards that link to another capability's list (a URL name).
CARD_PAGES: dict[str, str] = {"screening_alerts_open": "screening:alerts"}
OVERVIEW_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.DISTRICT_LEADER, Role.DEPARTMENT, Role.TOWN, Role.LIAISON})
TARGET_ROLES = frozenset({Role.OUTREACH, Role.BANK})


def enterprise_list_url(**filters: str) -> str:
    base = reverse("enterprises:list")
    query = urlencode({k: v for k, v in filters.items() if v})
    return f"{base}?{query}" if query else base


def build(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    role = getattr(user, "role", "")
    if role in OVERVIEW_ROLES:
        return _overview(user, today)
    if role == Role.ENTERPRISE:
        return _enterprise(user)
    if role == Role.AUDITOR:
        return _auditor(today)
    if role in TARGET_ROLES:
        return _targets(user)
    return {"kind": "none", "title": _("首页")}


# --- overview: district admin, leader, department, town, liaison -------------------------------------


def _title(user: Any) -> str:
    role = user.role
    if role == Role.TOWN and user.town_id:
        scope = user.town.name
    elif role == Role.DISTRICT_LEADER:
        scope = _("包联企业")
    elif role == Role.LIAISON:
        scope = _("派驻企业")
    else:
        scope = scoping.scope_label(user)
    return _("%(scope)s 复工复产总览") % {"scope": scope}


def _cards(user: Any, today: dt.date) -> list[dict[str, Any]]:
    keys = [k for k in CARD_KEYS if k in figures.REGISTRY]
    values = figure_store.figures_for(user, today, keys).values
    cards = []
    for key in keys:
        fig = figures.REGISTRY[key]
        value = values[key]
        if key in CARD_FILTERS:
            url = enterprise_list_url(**CARD_FILTERS[key])
        else:
            url = reverse(CARD_PAGES[key]) if key in CARD_PAGES else ""
        cards.append({"key": key, "label": str(fig.label), "value": value, "unit": fig.unit, "url": url})
    return cards


def _status_columns() -> list[tuple[str, str]]:
    return [(s.value, str(s.label)) for s in ResumptionStatus]


def breakdown(user: Any, group: str) -> dict[str, Any]:
    """Enterprises in scope grouped by town (or category), counted per status — one aggregate query.

    Each count links to the enterprise list filtered by exactly that group and status.
    """
    statuses = _status_columns()
    counts = {s: Count("id", filter=Q(status=s)) for s, _label in statuses}
    in_scope = scoping.enterprises_for(user)
    if group == "town":
        key_field, names = "town_id", None
        rows_qs = in_scope.values(key_field, "town__name", "town__sort").order_by("town__sort", key_field)
    else:
        key_field, names = "category", dict(Category.choices)
        rows_qs = in_scope.values(key_field).order_by(key_field)
    rows, totals = [], {"total": 0, **{s: 0 for s, _label in statuses}}
    for r in rows_qs.annotate(total=Count("id"), **counts):
        key = r[key_field]
        label = r["town__name"] if names is None else str(names.get(key, key))
        cells = [{"value": r[s], "url": enterprise_list_url(**{group: key, "status": s})} for s, _label in statuses]
        rows.append({"label": label, "total": r["total"], "url": enterprise_list_url(**{group: key}), "cells": cells})
        totals["total"] += r["total"]
        for s, _label in statuses:
            totals[s] += r[s]
    total_cells = [{"value": totals[s], "url": enterprise_list_url(status=s)} for s, _label in statuses]
    return {
        "group": group,
        "group_label": _("镇（街道）") if group == "town" else _("企业类别"),
        "statuses": statuses,
        "rows": rows,
        "total": totals["total"],
        "total_url": enterprise_list_url(),
        "total_cells": total_cells,
    }


def _overview(user: Any, today: dt.date) -> dict[str, Any]:
    return {
        "kind": "overview",
        "title": _title(user),
        "today": today,
        "cards": _cards(user, today),
        "breakdown": breakdown(user, "category" if user.role == Role.TOWN else "town"),
    }


# --- the other roles --------------------------------------------------------------------------------


def _enterprise(user: Any) -> dict[str, Any]:
    enterprise = scoping.enterprises_for(user).select_related("town").first()
    return {
        "kind": "enterprise",
        "title": enterprise.name if enterprise else _("首页"),
        "enterprise": enterprise,
    }


def _auditor(today: dt.date) -> dict[str, Any]:
    from .models import AccessLog, AuditLog

    # A half-open range over the local day keeps the `at` index usable (no per-row date conversion).
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    day = Q(at__gte=start, at__lt=start + dt.timedelta(days=1))
    return {
        "kind": "auditor",
        "title": _("审计工作台"),
        "today": today,
        "audit_today": AuditLog.objects.filter(day).count(),
        "access_today": AccessLog.objects.filter(day).count(),
    }


def _targets(user: Any) -> dict[str, Any]:
    return {
        "kind": "targets",
        "title": scoping.scope_label(user) or _("首页"),
        "targets": scoping.enterprises_for(user).count(),
        "targets_url": enterprise_list_url(),
        "targets_label": _("对接企业") if user.role == Role.BANK else _("宣传对象企业"),
    }
