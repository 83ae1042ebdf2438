"""The dashboard, its full-screen 大屏 view, the records behind each number, and the snapshot refresh.

Pages read only the snapshots (dashboard.build): no page aggregates raw records at request time. When the
shown day is being recomputed, a banner polls the refresh (htmx) and offers a reload once it is done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts import roles
from fugong.core import scoping
from fugong.enterprises.classification import Category, IndustrySection
from fugong.enterprises.models import ResumptionStatus
from fugong.regions.selectors import towns

from . import dashboard, permissions, selectors, snapshots
from .models import AppState, SnapshotRun

RECORDS_PAGE_SIZE = 100


def _require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


def _requested_day(request: HttpRequest) -> dt.date | None:
    raw = (request.GET.get("date") or "").strip()[:10]
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


BODIES = {"page": "resumption/_dashboard_body.html", "screen": "resumption/_big_screen_body.html"}
BODY_SECONDS = 3600


def _render(request: HttpRequest, kind: str, template: str) -> HttpResponse:
    user = request.user
    _require(user, permissions.DASHBOARD)
    requested = _requested_day(request)
    days = dashboard.pick_day(requested, timezone.localdate())
    context: dict[str, Any] = {
        "day": days.shown,
        "days": days.available[:120],
        "requested": requested,
        "missing_day": requested is not None and requested != days.shown,
        "can_refresh": roles.can(user, permissions.REFRESH),
        "state": dashboard.snapshot_state(days),
    }
    if days.shown is not None:
        context["body"] = _body(user, kind, days, context)
    return render(request, template, context)


def _body(user: Any, kind: str, days: dashboard.Days, context: dict[str, Any]) -> str:
    """The figures, tables and charts. For a district or town viewer they depend only on the area, the day and
    the snapshot's version, so the rendered body is cached under those (a refresh makes a new version)."""
    area = scoping.aggregate_area(user)
    key = None
    if area is not None and days.snapshot is not None and days.shown is not None:
        version = days.snapshot.computed_at.timestamp()
        key = f"resumption.dashboard:{kind}:{area}:{days.shown.isoformat()}:{version}:{get_language()}"
        cached = cache.get(key)
        if cached is not None:
            return mark_safe(cached)  # noqa: S308 — our own template's output  # nosec
    assert days.shown is not None
    data = dashboard.build(user, days.shown, days.available)
    context.update(data)  # on a miss the parts are in the context too (tests read them)
    html = render_to_string(BODIES[kind], {**data, "day": days.shown})
    if key is not None:
        cache.set(key, html, BODY_SECONDS)
    return mark_safe(html)  # noqa: S308 — our own template's output  # nosec


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    return _render(request, "page", "resumption/dashboard.html")


@login_required
def big_screen(request: HttpRequest) -> HttpResponse:
    return _render(request, "screen", "resumption/big_screen.html")


@login_required
def snapshot_status(request: HttpRequest) -> HttpResponse:
    """The banner's polled fragment: queued / running with progress / done (offer a reload)."""
    _require(request.user, permissions.DASHBOARD)
    days = dashboard.pick_day(_requested_day(request), timezone.localdate())
    state = dashboard.snapshot_state(days)
    return render(request, "resumption/_snapshot_status.html", {"state": state, "day": days.shown})


@login_required
@require_POST
def snapshot_refresh(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.REFRESH)
    snapshots.request_refresh(trigger="manual", user=request.user)
    messages.info(request, _("已开始重新汇总统计快照，完成后页面数字自动更新"))
    back = request.POST.get("next") or ""
    return redirect(back if back.startswith("/resumption/") else "resumption:dashboard")


@login_required
def records(request: HttpRequest) -> HttpResponse:
    """The enterprise-day rows behind a dashboard number: which enterprises, their status and figures."""
    _require(request.user, permissions.DASHBOARD)
    filters = selectors.DayFilters.from_query(request.GET)
    if filters.day is None:
        filters.day = dashboard.pick_day(None, timezone.localdate()).shown
    qs = selectors.enterprise_days_for_user(request.user, filters) if filters.day else None
    page = Paginator(qs, RECORDS_PAGE_SIZE).get_page(request.GET.get("page")) if qs is not None else None
    context = {
        "filters": filters,
        "page": page,
        "rows": page.object_list if page else [],
        "towns": towns() if scoping.aggregate_area(request.user) == scoping.DISTRICT_AREA else [],
        "categories": Category.choices,
        "industries": IndustrySection.choices,
        "statuses": [("working", _("已复工（含部分复工）")), *ResumptionStatus.choices],
        "stages": [
            ("applied", _("已申请")),
            ("inspected", _("已现场核查")),
            ("passed", _("核查通过")),
            ("filed", _("已备案")),
        ],
        "app_states": [
            ("rectifying", _("整改中/待复查")),
            (AppState.REJECTED, _("已退回")),
            (AppState.WITHDRAWN, _("已撤回")),
        ],
        "query": filters.query(),
        "runs": SnapshotRun.Status,
    }
    return render(request, "resumption/records.html", context)
