"""Every read of screening, scoped through fugong.core.scoping: employees, stays and alerts belong to an
enterprise (path "enterprise" / "employee__enterprise"); rule versions and risk areas are district-wide rule
data that every role with screening.view may read."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Max, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from fugong.core import scoping
from fugong.core.querystring import clean_params
from fugong.liaison.models import LiaisonAssignment
from fugong.workforce.models import ClearanceStatus, Employee, Stay
from fugong.workforce.services import region_hash

from .models import Alert, CheckinPoint, Declaration, RescreenJob, RiskArea, RiskLevel, ScreeningRuleSet

STATUSES = (
    ClearanceStatus.CLEARED,
    ClearanceStatus.TEST_REQUIRED,
    ClearanceStatus.QUARANTINE,
    ClearanceStatus.ABNORMAL,
    ClearanceStatus.PENDING,
)
# Employee columns a list needs: never the sealed ones (no decryption for a masked list).
LIST_FIELDS = ("id", "name", "enterprise_id", "clearance", "clearance_until", "resident", "batch_id")


# --- rule data ---------------------------------------------------------------------------------------------


def rule_versions() -> QuerySet[ScreeningRuleSet]:
    return ScreeningRuleSet.objects.select_related("created_by").order_by("-effective_from", "-version")


def rule_in_force(day: dt.date) -> ScreeningRuleSet | None:
    qs = ScreeningRuleSet.objects.filter(effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)
    )
    return qs.order_by("-effective_from", "-version").first()


@dataclass
class RiskFilters:
    q: str = ""
    level: str = ""
    current: bool = True  # only the rating in force today (else the whole history)

    @classmethod
    def from_query(cls, raw: Any) -> RiskFilters:
        params = clean_params(raw)
        level = (params.get("level") or "").strip()
        return cls(
            q=(params.get("q") or "").strip()[:60],
            level=level if level in RiskLevel.values else "",
            current=(params.get("history") or "") not in {"1", "true", "yes"},
        )


def risk_areas(filters: RiskFilters | None = None, day: dt.date | None = None) -> QuerySet[RiskArea]:
    filters = filters or RiskFilters()
    day = day or timezone.localdate()
    qs = RiskArea.objects.select_related("created_by")
    if filters.current:
        qs = qs.filter(effective_from__lte=day).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.q:
        qs = qs.filter(Q(region_code__startswith=filters.q) | Q(region_name__contains=filters.q))
    return qs.order_by("region_code", "-effective_from", "-id")


# --- status counts -----------------------------------------------------------------------------------------


def status_counts(user: Any, enterprise_id: int | None = None) -> dict[str, int]:
    qs = scoping.scope_filter(user, Employee.objects.filter(active=True), "enterprise")
    if enterprise_id is not None:
        qs = qs.filter(enterprise_id=enterprise_id)
    rows = qs.values("clearance").annotate(n=Count("id")).order_by()
    counts: dict[str, int] = {str(s): 0 for s in STATUSES}
    counts.update({r["clearance"]: r["n"] for r in rows})
    return counts


def enterprises_by_status(user: Any, q: str = "") -> QuerySet[Any]:
    """Enterprises in scope with archived employees, counted per status, with their open alerts (one query)."""
    qs = scoping.enterprises_for(user).filter(workers__active=True)
    if q:
        qs = qs.filter(name__contains=q)
    active = Q(workers__active=True)
    alerts = (
        Alert.objects.filter(enterprise=OuterRef("pk"), resolved_at__isnull=True)
        .values("enterprise")
        .annotate(c=Count("id"))
        .values("c")
    )
    return (
        qs.select_related("town")
        .annotate(
            employees_n=Count("workers", filter=active),
            **{f"{s}_n": Count("workers", filter=active & Q(workers__clearance=s)) for s in STATUSES},
            open_alerts_n=Coalesce(Subquery(alerts), 0),
        )
        .order_by("-abnormal_n", "-quarantine_n", "-test_required_n", "town__sort", "name", "id")
    )


# --- "who passed through X?" -----------------------------------------------------------------------------


@dataclass
class TraceRow:
    employee: Employee
    date_from: dt.date
    date_to: dt.date
    liaisons: list[str] = field(default_factory=list)


def trace_window(as_of: dt.date, days: int) -> tuple[dt.date, dt.date]:
    return as_of - dt.timedelta(days=days), as_of


def trace(user: Any, code: str, since: dt.date, until: dt.date) -> QuerySet[Any]:
    """Per employee in scope with a stay in the county `code` that ended on or after `since` and began by
    `until`: {employee_id, date_from, date_to}. An indexed query on (region_hash, date_to); nothing decrypted."""
    stays = Stay.objects.filter(
        region_hash=region_hash(code), date_to__gte=since, date_from__lte=until, employee__active=True
    )
    stays = scoping.scope_filter(user, stays, "employee__enterprise")
    return (
        stays.values("employee_id")
        .annotate(date_from=Min("date_from"), date_to=Max("date_to"))
        .order_by("-date_to", "employee_id")
    )


def trace_rows(rows: list[dict[str, Any]], day: dt.date, *, with_ids: bool = False) -> list[TraceRow]:
    """The employees, their enterprises and current liaisons for one page of `trace` (two queries)."""
    ids = [r["employee_id"] for r in rows]
    fields = LIST_FIELDS + (("id_number",) if with_ids else ())
    employees = (
        Employee.objects.filter(id__in=ids)
        .select_related("enterprise", "enterprise__town")
        .only(*fields, "enterprise__name", "enterprise__town__name", "enterprise__uscc")
    )
    by_id = {e.pk: e for e in employees}
    liaisons = liaisons_of({e.enterprise_id for e in by_id.values()}, day)
    out = []
    for r in rows:
        emp = by_id.get(r["employee_id"])
        if emp is not None:
            out.append(TraceRow(emp, r["date_from"], r["date_to"], liaisons.get(emp.enterprise_id, [])))
    return out


def liaisons_of(enterprise_ids: set[int], day: dt.date) -> dict[int, list[str]]:
    active = Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))
    rows = (
        LiaisonAssignment.objects.filter(active, enterprise_id__in=enterprise_ids)
        .values_list("enterprise_id", "cadre__name")
        .order_by("cadre__name")
    )
    out: dict[int, list[str]] = defaultdict(list)
    for enterprise_id, name in rows:
        out[enterprise_id].append(name)
    return out


# --- alerts ------------------------------------------------------------------------------------------------


@dataclass
class AlertFilters:
    state: str = "open"  # open | resolved | all
    kind: str = ""
    enterprise: int | None = None

    @classmethod
    def from_query(cls, raw: Any) -> AlertFilters:
        params = clean_params(raw)
        state = params.get("state") or "open"
        kind = params.get("kind") or ""
        enterprise = params.get("enterprise") or ""
        return cls(
            state=state if state in {"open", "resolved", "all"} else "open",
            kind=kind if kind in Alert.Kind.values else "",
            enterprise=int(enterprise) if enterprise.isdigit() and len(enterprise) < 12 else None,
        )


def alerts_for_user(user: Any, filters: AlertFilters | None = None) -> QuerySet[Alert]:
    filters = filters or AlertFilters()
    qs = scoping.scope_filter(user, Alert.objects.all(), "enterprise")
    if filters.state == "open":
        qs = qs.filter(resolved_at__isnull=True)
    elif filters.state == "resolved":
        qs = qs.filter(resolved_at__isnull=False)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    return qs.select_related("enterprise", "resolved_by").order_by("resolved_at", "-day", "-id")


def get_alert_for_user(user: Any, pk: Any) -> Alert:
    return scoping.get_in_scope(alerts_for_user(user, AlertFilters(state="all")), pk=pk)


def open_alert_count(user: Any) -> int:
    return scoping.scope_filter(user, Alert.objects.filter(resolved_at__isnull=True), "enterprise").count()


# --- an enterprise's screening page ----------------------------------------------------------------------


def checkin_point(enterprise_id: int) -> CheckinPoint | None:
    return CheckinPoint.objects.filter(enterprise_id=enterprise_id).first()


def declarations_on(enterprise_id: int, day: dt.date) -> int:
    return Declaration.objects.filter(enterprise_id=enterprise_id, declared_on=day).count()


def recent_declarations(enterprise_id: int, limit: int = 20) -> QuerySet[Declaration]:
    return (
        Declaration.objects.filter(enterprise_id=enterprise_id)
        .select_related("employee")
        .only(
            "id",
            "declared_on",
            "declared_at",
            "status_after",
            "new_travel",
            "statement_version",
            "employee__id",
            "employee__name",
        )
        .order_by("-declared_at", "-id")[:limit]
    )


SEVERITY_ORDER = Case(
    When(clearance=ClearanceStatus.ABNORMAL, then=Value(0)),
    When(clearance=ClearanceStatus.QUARANTINE, then=Value(1)),
    When(clearance=ClearanceStatus.TEST_REQUIRED, then=Value(2)),
    default=Value(3),
)


def attention(user: Any, enterprise_id: int, limit: int = 200) -> QuerySet[Employee]:
    """Employees of the enterprise who may not work today (not cleared), most severe first."""
    qs = scoping.scope_filter(user, Employee.objects.filter(active=True, enterprise_id=enterprise_id), "enterprise")
    qs = qs.exclude(clearance=ClearanceStatus.CLEARED).only(*LIST_FIELDS, "clearance_reason")
    return qs.annotate(severity=SEVERITY_ORDER).order_by("severity", "clearance_until", "id")[:limit]


# --- jobs --------------------------------------------------------------------------------------------------


def jobs_for(user: Any) -> QuerySet[RescreenJob]:
    from fugong.accounts.roles import Role

    if getattr(user, "role", None) != Role.DISTRICT_ADMIN:
        return RescreenJob.objects.none()
    return RescreenJob.objects.select_related("created_by", "risk_area")
