"""Every read of the workforce archive, scoped through fugong.core.scoping (path: "enterprise")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from fugong.core import scoping
from fugong.core.identifiers import IdentifierError, validate_id_number
from fugong.core.querystring import clean_params
from fugong.regions.models import Region

from .models import ArrivalBatch, ClearanceStatus, Employee, HealthReading, HealthTest, Quarantine, Stay
from .records import id_hash


@dataclass
class RosterFilters:
    batch: str = ""
    resident: bool | None = None
    workshop: str = ""
    shift: str = ""
    clearance: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, raw: Any) -> RosterFilters:
        params = clean_params(raw)
        resident = (params.get("resident") or "").lower()
        return cls(
            batch=(params.get("batch") or "").strip()[:6],
            resident=True if resident in {"1", "true", "yes"} else False if resident in {"0", "false", "no"} else None,
            workshop=(params.get("workshop") or "").strip()[:60],
            shift=(params.get("shift") or "").strip()[:30],
            clearance=(params.get("clearance") or "").strip()[:16],
            q=(params.get("q") or "").strip()[:40],
        )

    def apply(self, qs: QuerySet[Employee]) -> QuerySet[Employee]:
        if self.batch.isdigit():
            qs = qs.filter(batch__number=int(self.batch))
        if self.resident is not None:
            qs = qs.filter(resident=self.resident)
        if self.workshop:
            qs = qs.filter(workshop=self.workshop)
        if self.shift:
            qs = qs.filter(shift=self.shift)
        if self.clearance:
            qs = qs.filter(clearance=self.clearance)
        if self.q:
            # Names are not sealed; ID numbers are searched by exact keyed hash only (never LIKE).
            try:
                qs = qs.filter(id_hash=id_hash(validate_id_number(self.q).number))
            except IdentifierError:
                qs = qs.filter(name__startswith=self.q)
        return qs


def employees_for_user(user: Any) -> QuerySet[Employee]:
    return scoping.scope_filter(user, Employee.objects.all(), "enterprise")


def roster_for_user(user: Any, enterprise_id: int, filters: RosterFilters | None = None) -> QuerySet[Employee]:
    qs = employees_for_user(user).filter(enterprise_id=enterprise_id).select_related("batch")
    return (filters or RosterFilters()).apply(qs)


def get_employee_for_user(user: Any, pk: Any) -> Employee:
    return scoping.get_in_scope(employees_for_user(user).select_related("enterprise", "batch"), pk=pk)


def batch_summary(user: Any, enterprise_id: int) -> list[Mapping[str, Any]]:
    """Per arrival batch: employees, non-resident, non-resident with a nucleic-acid test (the article's
    470 / 409 / 238 view). One query."""
    nat = HealthTest.objects.filter(employee=OuterRef("pk"), kind=HealthTest.Kind.NUCLEIC_ACID)
    rows = (
        employees_for_user(user)
        .filter(enterprise_id=enterprise_id)
        .annotate(tested=Exists(nat))
        .values("batch__number", "batch__arrival_date")
        .annotate(
            employees=Count("id"),
            non_resident=Count("id", filter=Q(resident=False)),
            non_resident_tested=Count("id", filter=Q(resident=False, tested=True)),
            cleared=Count("id", filter=Q(clearance="cleared")),
        )
        .order_by("batch__number")
    )
    return list(rows)


# --- the pages' reads ------------------------------------------------------------------------------------


def enterprises_with_counts(user: Any, q: str = "", town: str = "") -> QuerySet[Any]:
    """Enterprises in scope with their archive counts (active employees), in one grouped query."""
    active = Q(workers__active=True)
    qs = scoping.enterprises_for(user).select_related("town")
    if q:
        qs = qs.filter(name__icontains=q)
    if town:
        qs = qs.filter(town_id=town)
    return qs.annotate(
        employees_n=Count("workers", filter=active),
        non_resident_n=Count("workers", filter=active & Q(workers__resident=False)),
        cleared_n=Count("workers", filter=active & Q(workers__clearance=ClearanceStatus.CLEARED)),
    ).order_by("town__sort", "town_id", "name", "id")


def roster_options(user: Any, enterprise_id: int) -> dict[str, list[Any]]:
    """The roster's filter choices: the enterprise's batches, workshops and shifts (three small queries)."""
    batches = scoping.scope_filter(user, ArrivalBatch.objects.filter(enterprise_id=enterprise_id), "enterprise")
    staff = employees_for_user(user).filter(enterprise_id=enterprise_id)

    def distinct(name: str) -> list[str]:
        return list(staff.exclude(**{name: ""}).order_by(name).values_list(name, flat=True).distinct()[:200])

    return {"batches": list(batches.order_by("number")), "workshops": distinct("workshop"), "shifts": distinct("shift")}


@dataclass
class Archive:
    """Everything the archive card (员工档案卡) shows about one employee, read in a fixed number of queries."""

    employee: Employee
    stays: list[Stay]
    tests: list[HealthTest]
    quarantines: list[Quarantine]
    readings: list[HealthReading]
    regions: dict[str, str]  # region code → name, for the codes on the card that the region table knows


def archive_of(employee: Employee, readings: int = 14) -> Archive:
    """The card of an employee already fetched through get_employee_for_user (so already in scope)."""
    codes = {employee.household_region_code, employee.returned_from_code} - {""}
    regions = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    return Archive(
        employee=employee,
        stays=list(employee.stays.order_by("date_from", "id")),
        tests=list(employee.tests.select_related("recorded_by").order_by("sample_date", "id")),
        quarantines=list(employee.quarantines.order_by("start", "id")),
        readings=list(employee.readings.select_related("recorded_by").order_by("-taken_on", "-id")[:readings]),
        regions=regions,
    )


def batch_totals(rows: list[Mapping[str, Any]]) -> dict[str, int]:
    keys = ("employees", "non_resident", "non_resident_tested", "cleared")
    return {k: sum(r[k] for r in rows) for k in keys}


TOTAL_KEYS = ("employees", "non_resident", "nat_tests", "igm_tests", "cleared")


def district_totals(user: Any) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Per town in scope: active employees, non-resident, nucleic-acid and IgM tests recorded (人次, the same
    count as the figure keys), cleared. Two grouped queries whatever the number of towns or employees."""
    people = (
        employees_for_user(user)
        .filter(active=True)
        .values("enterprise__town_id", "enterprise__town__name", "enterprise__town__sort")
        .annotate(
            employees=Count("id"),
            non_resident=Count("id", filter=Q(resident=False)),
            cleared=Count("id", filter=Q(clearance=ClearanceStatus.CLEARED)),
        )
        .order_by()
    )
    tests = (
        scoping.scope_filter(user, HealthTest.objects.all(), "employee__enterprise")
        .filter(kind__in=[HealthTest.Kind.NUCLEIC_ACID, HealthTest.Kind.IGM])
        .values("employee__enterprise__town_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    towns: dict[str, dict[str, Any]] = {}
    for row in people:
        towns[row["enterprise__town_id"]] = {
            "code": row["enterprise__town_id"],
            "name": row["enterprise__town__name"],
            "sort": row["enterprise__town__sort"],
            "employees": row["employees"],
            "non_resident": row["non_resident"],
            "cleared": row["cleared"],
            "nat_tests": 0,
            "igm_tests": 0,
        }
    for count in tests:
        town = towns.get(count["employee__enterprise__town_id"])
        if town is not None:  # tests of inactive-only towns stay out of the table but not of the figures
            town["nat_tests" if count["kind"] == HealthTest.Kind.NUCLEIC_ACID else "igm_tests"] += count["n"]
    rows = sorted(towns.values(), key=lambda r: (r["sort"], r["code"]))
    return rows, {k: sum(r[k] for r in rows) for k in TOTAL_KEYS}
