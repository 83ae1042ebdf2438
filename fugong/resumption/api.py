"""/api/v1/resumption/…: applications, the dashboard's figures and daily reports over HTTP. Reads through
selectors and the snapshot (scoped: out of scope is 404), writes through services; this module parses, calls
and maps errors to status codes (fugong.core.api_support)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from fugong.core import scoping
from fugong.core.api_support import ERRORS, Page, field_errors, paginate, require
from fugong.enterprises.classification import Category, IndustrySection
from fugong.regions.models import Region

from . import dashboard, permissions, selectors, services, stats
from .schemas import (
    ApplicationDetailOut,
    ApplicationOut,
    ApplicationQuery,
    DailyReportIn,
    DailyReportOut,
    DashboardOut,
    DashboardQuery,
    group,
)

router = Router(tags=["复工复产"])

ObjectId = Annotated[int, Path(ge=1, le=2**63 - 1, description="ID")]


@router.get("/resumption/applications", response={200: Page[ApplicationOut], **ERRORS}, summary="复工申请列表")
def list_applications(request: HttpRequest, filters: Query[ApplicationQuery]) -> Any:
    require(request.user, permissions.VIEW)
    qs = selectors.applications_for_user(request.user, filters.to_filters()).order_by("-created_at", "-id")
    return paginate(qs, filters.page, filters.page_size)


@router.get(
    "/resumption/applications/{id}",
    response={200: ApplicationDetailOut, **ERRORS},
    summary="复工申请详情（含办理记录）",
)
def get_application(request: HttpRequest, id: ObjectId) -> Any:
    app = selectors.get_application_for_user(request.user, id)
    require(request.user, permissions.VIEW)
    detail = selectors.application_detail(app)
    app.events_out = detail["events"]  # type: ignore[attr-defined]
    app.inspections_out = [  # type: ignore[attr-defined]
        {
            "number": i.number,
            "inspected_on": i.inspected_on,
            "inspector": i.inspector_label,
            "checklist_version": i.checklist.version,
            "passed": i.passed,
            "results": [
                {
                    "item": r.item.title,
                    "mandatory": r.item.mandatory,
                    "result": r.result,
                    "note": r.note,
                    "rectify_by": r.rectify_by,
                }
                for r, _files in i.rows
            ],
        }
        for i in detail["inspections"]
    ]
    return app


@router.get(
    "/resumption/dashboard",
    response={200: DashboardOut, **ERRORS},
    summary="复工看板数据（按调用者范围，来自统计快照）",
)
def get_dashboard(request: HttpRequest, params: Query[DashboardQuery]) -> Any:
    require(request.user, permissions.DASHBOARD)
    requested = None
    if params.date:
        try:
            requested = dt.date.fromisoformat(params.date)
        except ValueError:
            raise field_errors({"date": _("日期格式应为 YYYY-MM-DD")}) from None
    days = dashboard.pick_day(requested, timezone.localdate())
    day = days.shown
    if day is None or (requested is not None and requested != day):
        raise field_errors({"date": _("该日尚无统计快照")})
    data = stats.breakdowns(request.user, [day], ["all", "category", "town", "industry"]).get(day, {})
    total = data.get("all", {}).get("", stats.Figures())
    towns = dict(Region.objects.filter(code__in=list(data.get("town", {}))).values_list("code", "name"))
    categories, sections = dict(Category.choices), dict(IndustrySection.choices)
    state = dashboard.snapshot_state(days)
    return {
        "date": day,
        "scope": scoping.scope_label(request.user),
        "computed_at": state["snapshot"].computed_at,
        "fresh": state["fresh"],
        "total": group("", _("合计"), total),
        "by_category": [
            group(k, str(categories.get(k, k)), f)
            for k, f in sorted(
                data.get("category", {}).items(),
                key=lambda kv: list(categories).index(kv[0]) if kv[0] in categories else 99,
            )
        ],
        "by_town": [group(k, towns.get(k, k), f) for k, f in sorted(data.get("town", {}).items())],
        "by_industry": [group(k, str(sections.get(k, k)), f) for k, f in sorted(data.get("industry", {}).items())],
        "funnel": {
            k: int(total[k]) for k in ("applied", "inspected", "passed", "filed", "rectifying", "rejected", "withdrawn")
        },
        "reports_expected": int(total["expected_reports"]),
        "reports_missing": total.missing_reports,
    }


@router.post(
    "/resumption/enterprises/{id}/daily-reports",
    response={200: DailyReportOut, 201: DailyReportOut, **ERRORS},
    summary="报送企业当日生产情况（同一天再次报送为更正）",
)
def post_daily_report(request: HttpRequest, id: ObjectId, payload: DailyReportIn) -> Any:
    enterprise = selectors.get_enterprise_for_user(request.user, id)
    require(request.user, permissions.REPORT)
    try:
        report, created = services.check_report(request.user, enterprise, services.ReportData(**payload.dict()))
    except services.ResumptionError as exc:
        raise field_errors(exc.errors) from None
    body = {**{f: getattr(report, f) for f in DailyReportOut.model_fields if f != "created"}, "created": created}
    return Status(201 if created else 200, body)
