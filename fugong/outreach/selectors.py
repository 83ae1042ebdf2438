"""Every read of the outreach teams, their targets, plans, visits, materials and the TCM batches.

Which teams a user sees: fugong.core.scoping.outreach_teams_for. A team's targets follow from the jurisdiction
rule (scoping.jurisdiction_q), further narrowed to the viewer's own enterprise scope. Visits, deliveries and
plan entries belong to an enterprise and are scoped through it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from fugong.core import scoping
from fugong.enterprises.models import Enterprise

from .models import MaterialHandout, OutreachTeam, OutreachVisit, PlanEntry, TcmBatch, TcmDelivery

# --- teams and their targets --------------------------------------------------------------------------


def teams_for(user: Any) -> QuerySet[OutreachTeam]:
    return scoping.outreach_teams_for(user)


def get_team_for_user(user: Any, pk: Any) -> OutreachTeam:
    return scoping.get_in_scope(teams_for(user).select_related("town"), pk=pk)


def team_targets(user: Any, team: OutreachTeam) -> QuerySet[Enterprise]:
    """The team's targets by the jurisdiction rule, as far as the viewer may see them."""
    return scoping.enterprises_for(user).filter(scoping.jurisdiction_q(team.level, team.town_id))


def visits_for(user: Any) -> QuerySet[OutreachVisit]:
    return scoping.scope_filter(user, OutreachVisit.objects.all(), "enterprise")


@dataclass
class TeamCoverage:
    team: OutreachTeam
    targets: int = 0
    visited: int = 0
    visits: int = 0
    materials: int = 0
    attendees: int = 0
    members: int = 0

    @property
    def not_yet(self) -> int:
        return self.targets - self.visited

    @property
    def rate(self) -> float:
        return self.visited / self.targets if self.targets else 0.0


def team_coverage(user: Any, day: dt.date | None = None) -> list[TeamCoverage]:
    """Per team in scope: targets, targets visited by the team, visits, materials and attendees up to `day`.
    Five grouped queries whatever the number of teams or enterprises."""
    day = day or timezone.localdate()
    teams = list(teams_for(user).select_related("town").annotate(members_n=Count("members")).order_by("level", "name"))
    from fugong.enterprises.classification import Category

    # Targets by the jurisdiction rule, counted from one grouping of the enterprises in scope.
    asi = Category.ABOVE_SCALE_INDUSTRIAL
    by_town = (
        scoping.enterprises_for(user)
        .values("town_id")
        .annotate(asi=Count("id", filter=Q(category=asi)), other=Count("id", filter=~Q(category=asi)))
        .order_by()
    )
    asi_total = 0
    others: dict[str, int] = {}
    for row in by_town:
        asi_total += row["asi"]
        others[row["town_id"]] = row["other"]
    seen = visits_for(user).filter(visited_on__lte=day, team__in=[t.pk for t in teams])
    # A visit counts for its team only when the enterprise is one of the team's targets (jurisdiction rule).
    visited = dict(
        seen.filter(_own_target_q())
        .values("team_id")
        .annotate(n=Count("enterprise", distinct=True))
        .values_list("team_id", "n")
        .order_by()
    )
    visits = {
        r["team_id"]: r
        for r in seen.values("team_id").annotate(n=Count("id"), people=Coalesce(Sum("attendees"), 0)).order_by()
    }
    materials = dict(
        MaterialHandout.objects.filter(visit__in=seen)
        .values("visit__team_id")
        .annotate(n=Sum("count"))
        .values_list("visit__team_id", "n")
        .order_by()
    )
    out = []
    for team in teams:
        targets = asi_total if team.level == OutreachTeam.Level.DISTRICT else others.get(team.town_id or "", 0)
        v: Mapping[str, Any] = visits.get(team.pk, {})
        out.append(
            TeamCoverage(
                team,
                targets=targets,
                visited=visited.get(team.pk, 0),
                visits=v.get("n", 0),
                attendees=v.get("people", 0),
                materials=materials.get(team.pk, 0) or 0,
                members=team.members_n,
            )
        )
    return out


def _own_target_q(prefix: str = "") -> Q:
    """Visits whose enterprise is within the visiting team's jurisdiction."""
    from fugong.enterprises.classification import Category

    asi = Q(**{f"{prefix}enterprise__category": Category.ABOVE_SCALE_INDUSTRIAL})
    district = Q(**{f"{prefix}team__level": OutreachTeam.Level.DISTRICT}) & asi
    town = (
        Q(**{f"{prefix}team__level": OutreachTeam.Level.TOWN})
        & Q(**{f"{prefix}enterprise__town_id": F(f"{prefix}team__town_id")})
        & ~asi
    )
    return district | town


def target_rows(user: Any, team: OutreachTeam, status: str = "", q: str = "") -> QuerySet[Enterprise]:
    """The team's targets annotated with the team's last visit and its count, not-yet-visited first."""
    visits = OutreachVisit.objects.filter(team=team, enterprise=OuterRef("pk"))
    qs = (
        team_targets(user, team)
        .select_related("town")
        .annotate(
            last_visit=Subquery(visits.order_by("-visited_on").values("visited_on")[:1]),
            visits_n=Subquery(
                visits.order_by().values("enterprise_id").annotate(n=Count("id")).values("n")[:1],
                output_field=IntegerField(),
            ),
            visited=Exists(visits),
        )
    )
    if status == "visited":
        qs = qs.filter(visited=True)
    elif status == "not_yet":
        qs = qs.filter(visited=False)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("visited", "town__sort", "town_id", "name", "id")


def planned_dates(team: OutreachTeam, enterprise_ids: list[int]) -> dict[int, dt.date]:
    rows = PlanEntry.objects.filter(team=team, enterprise_id__in=enterprise_ids).values_list(
        "enterprise_id", "planned_on"
    )
    out: dict[int, dt.date] = {}
    for enterprise_id, planned_on in rows.order_by("planned_on"):
        out[enterprise_id] = planned_on  # the latest plan wins
    return out


def team_visits(user: Any, team: OutreachTeam) -> QuerySet[OutreachVisit]:
    return (
        visits_for(user)
        .filter(team=team)
        .select_related("enterprise__town", "recorded_by")
        .prefetch_related("materials")
        .order_by("-visited_on", "-id")
    )


# --- the plan calendar --------------------------------------------------------------------------------


@dataclass
class Day:
    date: dt.date
    in_month: bool
    planned: list[Any] = field(default_factory=list)  # (enterprise, visited?)
    visited: int = 0


def month_grid(user: Any, team: OutreachTeam, year: int, month: int) -> list[list[Day]]:
    """A Monday-first month grid with each day's planned targets (✓ when the team has visited them) and the
    number of visits made that day. Three queries."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    entries = (
        scoping.scope_filter(user, PlanEntry.objects.filter(team=team), "enterprise")
        .filter(planned_on__range=(first, last))
        .select_related("enterprise")
        .order_by("planned_on", "enterprise__name")
    )
    visited_ids = set(
        OutreachVisit.objects.filter(team=team, enterprise_id__in=entries.values("enterprise_id")).values_list(
            "enterprise_id", flat=True
        )
    )
    per_day = dict(
        visits_for(user)
        .filter(team=team, visited_on__range=(first, last))
        .values("visited_on")
        .annotate(n=Count("id"))
        .values_list("visited_on", "n")
        .order_by()
    )
    days = {d: Day(d, d.month == month, visited=per_day.get(d, 0)) for week in weeks for d in week}
    for entry in entries:
        days[entry.planned_on].planned.append((entry.enterprise, entry.enterprise_id in visited_ids))
    return [[days[d] for d in week] for week in weeks]


def plan_span(team: OutreachTeam) -> dict[str, Any]:
    """First and last planned day and the number of entries of the team's plan."""
    return PlanEntry.objects.filter(team=team).aggregate(first=Min("planned_on"), last=Max("planned_on"), n=Count("id"))


# --- TCM decoction --------------------------------------------------------------------------------------


def deliveries_for(user: Any) -> QuerySet[TcmDelivery]:
    return scoping.scope_filter(user, TcmDelivery.objects.all(), "enterprise")


def batches_for(user: Any) -> QuerySet[TcmBatch]:
    """All batches for the district-wide roles; for others the batches that reached an enterprise in scope."""
    if scoping.sees_whole_district(user):
        return TcmBatch.objects.all()
    return TcmBatch.objects.filter(Exists(deliveries_for(user).filter(batch=OuterRef("pk"))))


def batch_list(user: Any) -> QuerySet[TcmBatch]:
    scoped = Q(deliveries__in=deliveries_for(user))
    return (
        batches_for(user)
        .annotate(
            enterprises_n=Count("deliveries", filter=scoped),
            workers_n=Coalesce(Sum("deliveries__workers", filter=scoped), 0),
            delivered_doses=Coalesce(Sum("deliveries__doses", filter=scoped), 0),
        )
        .order_by("number")
    )


def get_batch_for_user(user: Any, pk: Any) -> TcmBatch:
    return scoping.get_in_scope(batches_for(user), pk=pk)


def batch_deliveries(user: Any, batch: TcmBatch) -> QuerySet[TcmDelivery]:
    return (
        deliveries_for(user)
        .filter(batch=batch)
        .select_related("enterprise__town")
        .order_by("enterprise__town__sort", "enterprise__name")
    )


def tcm_totals(user: Any, day: dt.date) -> dict[str, int]:
    """Batches, enterprises and workers covered up to `day`. A worker covered by two batches is one worker:
    per enterprise the largest number of workers any batch covered is counted. One query (a district has a
    few hundred deliveries at most)."""
    rows = deliveries_for(user).filter(batch__supplied_on__lte=day).values_list("batch_id", "enterprise_id", "workers")
    batches: set[int] = set()
    workers: dict[int, int] = {}
    for batch_id, enterprise_id, n in rows:
        batches.add(batch_id)
        workers[enterprise_id] = max(n, workers.get(enterprise_id, 0))
    return {"batches": len(batches), "enterprises": len(workers), "workers": sum(workers.values())}
