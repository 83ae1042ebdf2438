"""Every read of resumption records, scoped to the user through fugong.core.scoping (out of scope = 404)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from fugong.core import scoping
from fugong.core.querystring import clean_params
from fugong.enterprises.models import Enterprise

from .models import (
    Application,
    AppState,
    Checklist,
    DailyReport,
    EnterpriseDay,
    Evidence,
    EvidencePurpose,
    Inspection,
    InspectionResult,
    ItemResult,
    StatusChange,
)
from .services.common import today

STAGE_FILTERS = {"applied": 1, "inspected": 2, "passed": 3, "filed": 4}


# --- applications ---------------------------------------------------------------------------------------
@dataclass
class ApplicationFilters:
    state: str = ""
    town: str = ""
    category: str = ""
    q: str = ""
    overdue: bool = False  # 整改逾期: a failed item whose deadline has passed

    @classmethod
    def from_query(cls, raw: Any) -> ApplicationFilters:
        params = clean_params(raw)
        state = (params.get("state") or "").strip()
        return cls(
            state=state if state in AppState.values or state == "open" else "",
            town=(params.get("town") or "").strip()[:12],
            category=(params.get("category") or "").strip()[:30],
            q=(params.get("q") or "").strip()[:100],
            overdue=(params.get("overdue") or "") == "1",
        )

    def apply(self, qs: QuerySet[Application]) -> QuerySet[Application]:
        if self.state == "open":
            qs = qs.filter(state__in=[AppState.SUBMITTED, AppState.RECTIFYING, AppState.REINSPECT, AppState.PASSED])
        elif self.state:
            qs = qs.filter(state=self.state)
        if self.town:
            qs = qs.filter(enterprise__town_id=self.town)
        if self.category:
            qs = qs.filter(enterprise__category=self.category)
        if self.q:
            qs = qs.filter(Q(enterprise__name__icontains=self.q) | Q(enterprise__uscc__startswith=self.q.upper()))
        if self.overdue:
            late = InspectionResult.objects.filter(
                inspection__application=OuterRef("pk"), result=ItemResult.FAIL, rectify_by__lt=today()
            )
            qs = qs.filter(state=AppState.RECTIFYING).filter(Exists(late))
        return qs

    @property
    def active(self) -> bool:
        return bool(self.state or self.town or self.category or self.q or self.overdue)


def applications_for_user(user: Any, filters: ApplicationFilters | None = None) -> QuerySet[Application]:
    qs = scoping.scope_filter(user, Application.objects.all(), "enterprise").select_related(
        "enterprise", "enterprise__town", "submitted_by"
    )
    return (filters or ApplicationFilters()).apply(qs)


def get_application_for_user(user: Any, pk: Any) -> Application:
    qs = scoping.scope_filter(user, Application.objects.all(), "enterprise").select_related(
        "enterprise", "enterprise__town", "checklist", "created_by", "submitted_by", "passed_by", "filed_by"
    )
    return scoping.get_in_scope(qs, pk=pk)


def get_evidence_for_user(user: Any, pk: Any) -> Evidence:
    qs = scoping.scope_filter(user, Evidence.objects.all(), "application__enterprise").select_related("application")
    return scoping.get_in_scope(qs, pk=pk)


def application_detail(app: Application) -> dict[str, Any]:
    """Everything the application page shows, in a fixed number of queries."""
    files = list(app.files.select_related("item").order_by("id"))
    by_item: dict[int | None, list[Evidence]] = defaultdict(list)
    inspection_files: dict[tuple[int, int | None], list[Evidence]] = defaultdict(list)
    plans = []
    for f in files:
        if f.purpose in (EvidencePurpose.PREVENTION_PLAN, EvidencePurpose.EMERGENCY_PLAN):
            plans.append(f)
        elif f.inspection_id:
            inspection_files[(f.inspection_id, f.item_id)].append(f)
        else:
            by_item[f.item_id].append(f)
    checks = list(app.self_checks.select_related("item").order_by("item__order"))
    inspections = list(
        app.inspections.select_related("checklist", "inspector")
        .prefetch_related(
            Prefetch("results", queryset=InspectionResult.objects.select_related("item").order_by("item__order"))
        )
        .order_by("number")
    )
    for inspection in inspections:
        rows = [(r, inspection_files.get((inspection.pk, r.item_id), [])) for r in inspection.results.all()]
        inspection.rows = rows  # type: ignore[attr-defined]
    return {
        "plans": plans,
        "self_checks": [
            (c, [f for f in by_item.get(c.item_id, []) if f.purpose == EvidencePurpose.SELF_CHECK]) for c in checks
        ],
        "rectification_files": [f for f in files if f.purpose == EvidencePurpose.RECTIFICATION],
        "inspections": inspections,
        "events": list(app.events.select_related("actor").order_by("at", "id")),
    }


# --- enterprises: status history and daily reports --------------------------------------------------------
def get_enterprise_for_user(user: Any, pk: Any) -> Enterprise:
    return scoping.get_in_scope(scoping.enterprises_for(user).select_related("town"), pk=pk)


def enterprises_for_apply(user: Any) -> QuerySet[Enterprise]:
    """Enterprises the user may pick for a new application: in scope, without an open one."""
    open_apps = Application.objects.filter(
        enterprise=OuterRef("pk"),
        state__in=[AppState.DRAFT, AppState.SUBMITTED, AppState.RECTIFYING, AppState.REINSPECT, AppState.PASSED],
    )
    return scoping.enterprises_for(user).exclude(Exists(open_apps)).order_by("name")


def status_history(enterprise: Enterprise) -> QuerySet[StatusChange]:
    return (
        StatusChange.objects.filter(enterprise=enterprise)
        .select_related("application", "actor")
        .order_by("-effective_on", "-id")
    )


def recent_reports(enterprise: Enterprise, limit: int = 31) -> list[DailyReport]:
    return list(
        DailyReport.objects.filter(enterprise=enterprise).select_related("reported_by").order_by("-day")[:limit]
    )


def report_on(enterprise: Enterprise, day: dt.date) -> DailyReport | None:
    return DailyReport.objects.filter(enterprise=enterprise, day=day).first()


def last_report(enterprise: Enterprise) -> DailyReport | None:
    return DailyReport.objects.filter(enterprise=enterprise).order_by("-day").first()


def applications_of(enterprise: Enterprise) -> QuerySet[Application]:
    return Application.objects.filter(enterprise=enterprise).order_by("-created_at", "-id")


# --- the records behind the dashboard's numbers -------------------------------------------------------
@dataclass
class DayFilters:
    """Which EnterpriseDay rows a dashboard number stands for."""

    day: dt.date | None = None
    town: str = ""
    category: str = ""
    industry: str = ""
    status: str = ""  # a status, or "working" (已复工 + 部分复工)
    stage: str = ""  # applied | inspected | passed | filed
    app_state: str = ""  # rectifying | rejected | withdrawn
    reported: str = ""  # "missing": working that day without a report; "yes"
    q: str = ""

    @classmethod
    def from_query(cls, raw: Any) -> DayFilters:
        params = clean_params(raw)
        try:
            day = dt.date.fromisoformat((params.get("date") or "").strip()[:10]) if params.get("date") else None
        except ValueError:
            day = None
        return cls(
            day=day,
            town=(params.get("town") or "").strip()[:12],
            category=(params.get("category") or "").strip()[:30],
            industry=(params.get("industry") or "").strip()[:1],
            status=(params.get("status") or "").strip()[:12],
            stage=(params.get("stage") or "").strip()[:10],
            app_state=(params.get("app_state") or "").strip()[:12],
            reported=(params.get("reported") or "").strip()[:8],
            q=(params.get("q") or "").strip()[:100],
        )

    def apply(self, qs: QuerySet[EnterpriseDay]) -> QuerySet[EnterpriseDay]:
        if self.town:
            qs = qs.filter(town_id=self.town)
        if self.category:
            qs = qs.filter(category=self.category)
        if self.industry:
            qs = qs.filter(industry_section=self.industry)
        if self.status == "working":
            qs = qs.filter(status__in=["resumed", "partial"])
        elif self.status:
            qs = qs.filter(status=self.status)
        if self.stage in STAGE_FILTERS:
            qs = qs.filter(app_stage__gte=STAGE_FILTERS[self.stage])
        if self.app_state == "rectifying":
            qs = qs.filter(app_state__in=[AppState.RECTIFYING, AppState.REINSPECT])
        elif self.app_state in (AppState.REJECTED, AppState.WITHDRAWN):
            qs = qs.filter(app_state=self.app_state)
        if self.reported == "missing":
            qs = qs.filter(status__in=["resumed", "partial"], reported=False)
        elif self.reported == "yes":
            qs = qs.filter(reported=True)
        if self.q:
            qs = qs.filter(Q(enterprise__name__icontains=self.q) | Q(enterprise__uscc__startswith=self.q.upper()))
        return qs

    def query(self, **overrides: str) -> dict[str, str]:
        values = {
            "date": self.day.isoformat() if self.day else "",
            "town": self.town,
            "category": self.category,
            "industry": self.industry,
            "status": self.status,
            "stage": self.stage,
            "app_state": self.app_state,
            "reported": self.reported,
            "q": self.q,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v}


def enterprise_days_for_user(user: Any, filters: DayFilters) -> QuerySet[EnterpriseDay]:
    if filters.day is None:
        return EnterpriseDay.objects.none()
    qs = scoping.scope_filter(user, EnterpriseDay.objects.filter(day=filters.day), "enterprise")
    return (
        filters.apply(qs).select_related("enterprise", "enterprise__town").order_by("town_id", "enterprise__name", "id")
    )


def checklists() -> QuerySet[Checklist]:
    return Checklist.objects.all().order_by("-version")


def checklist_with_items(version: Any) -> Checklist:
    return scoping.get_in_scope(Checklist.objects.prefetch_related("items"), version=version)


def inspections_of(app: Application) -> QuerySet[Inspection]:
    return app.inspections.order_by("number")
