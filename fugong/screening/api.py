"""/api/v1/risk-areas, /api/v1/screening/trace and /api/v1/alerts. Reads through selectors (scoped), writes
through services; role first where there is no object (403), scope first where there is (404)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from fugong.core import audit
from fugong.core.api_support import ERRORS, Page, field_errors, paginate, require

from . import permissions, rules, selectors, services
from .schemas import AlertOut, AlertQuery, RiskAreaIn, RiskAreaOut, RiskAreaQuery, RiskChangeOut, TraceOut, TraceQuery

router = Router(tags=["排查与健康监测"])


@router.get("/risk-areas", response={200: Page[RiskAreaOut], **ERRORS}, summary="风险地区（现行或含历史）")
def list_risk_areas(request: HttpRequest, filters: Query[RiskAreaQuery]) -> Any:
    require(request.user, permissions.VIEW)
    qs = selectors.risk_areas(selectors.RiskFilters(q=filters.q, level=filters.level, current=not filters.history))
    return paginate(qs, filters.page, filters.page_size)


@router.post("/risk-areas", response={201: RiskChangeOut, **ERRORS}, summary="登记风险等级（自动重新排查）")
def create_risk_area(request: HttpRequest, payload: RiskAreaIn) -> Any:
    require(request.user, permissions.MANAGE_RULES)
    try:
        change = services.check_set_risk_levels(request.user, [payload.model_dump()])
    except services.ScreeningValidationError as exc:
        raise field_errors({k.split(".", 1)[-1]: m for k, (_c, m) in exc.errors.items()}) from None
    return Status(
        201,
        {
            "created": change.created,
            "unchanged": change.unchanged,
            "rescreened": change.job.total if change.job else 0,
            "alerts": change.alerts,
            "job_id": change.job.pk if change.job else None,
        },
    )


@router.get("/screening/trace", response={200: Page[TraceOut], **ERRORS}, summary="途经人员（脱敏）")
def trace(request: HttpRequest, filters: Query[TraceQuery], response: HttpResponse) -> Any:
    require(request.user, permissions.TRACE)
    as_of = filters.as_of or timezone.localdate()
    since, until = selectors.trace_window(as_of, filters.days or rules.rules_on(as_of).observation_days)
    grouped = selectors.trace(request.user, filters.code, since, until)
    page = paginate(grouped, filters.page, filters.page_size)
    rows = selectors.trace_rows(page["items"], as_of)
    audit.log_access(
        request.user,
        "view",
        subject_type="screening.trace",
        subject_repr=filters.code,
        fields=["trajectory", "clearance"],
        purpose="api",
        record_count=len(rows),
    )
    response["Cache-Control"] = "no-store"
    return {
        "count": page["count"],
        "items": [
            {
                "employee_id": r.employee.pk,
                "name_masked": r.employee.name_masked,
                "enterprise_id": r.employee.enterprise_id,
                "enterprise": r.employee.enterprise.name,
                "town": r.employee.enterprise.town.name,
                "liaisons": r.liaisons,
                "date_from": r.date_from,
                "date_to": r.date_to,
                "clearance": r.employee.clearance,
                "clearance_label": str(r.employee.get_clearance_display()),
                "clearance_until": r.employee.clearance_until,
            }
            for r in rows
        ],
    }


@router.get("/alerts", response={200: Page[AlertOut], **ERRORS}, summary="预警（范围内）")
def list_alerts(request: HttpRequest, filters: Query[AlertQuery]) -> Any:
    require(request.user, permissions.VIEW_ALERTS)
    qs = selectors.alerts_for_user(
        request.user, selectors.AlertFilters(state=filters.state, kind=filters.kind, enterprise=filters.enterprise)
    )
    return paginate(qs, filters.page, filters.page_size)
