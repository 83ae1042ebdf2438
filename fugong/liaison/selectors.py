"""Every read of pairing, liaison cadres, help teams and visits, scoped through fugong.core.scoping.

Rows that point at one target (an enterprise or a key project) — assignments, pairings, visits — are narrowed
with `scoping.target_q`; help teams through their enterprise. Out of scope is a 404 like a missing row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from fugong.core import scoping
from fugong.enterprises.classification import Category
from fugong.enterprises.models import Enterprise, KeyProject

from .models import Cadre, HelpTeam, LeaderPairing, LiaisonAssignment, Visit
from .rules import rule_on


def active_q(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start__lte": day}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gte": day}))


def target_key(obj: Any) -> str:
    """ "e:12" for an enterprise, "p:3" for a key project: how forms and links name a target."""
    return f"{'p' if isinstance(obj, KeyProject) else 'e'}:{obj.pk}"


def get_target_for_user(user: Any, key: str) -> Enterprise | KeyProject:
    """The enterprise or project named by `key` ("e:12" / "p:3") if in scope; 404 otherwise."""
    kind, _sep, pk = (key or "").partition(":")
    if kind == "e":
        return scoping.get_in_scope(scoping.enterprises_for(user).select_related("town"), pk=pk)
    if kind == "p":
        return scoping.get_in_scope(scoping.projects_for(user).select_related("town"), pk=pk)
    return scoping.get_in_scope(Enterprise.objects.none(), pk=None)


# --- cadres and postings -----------------------------------------------------------------------------


def assignments_for(user: Any) -> QuerySet[LiaisonAssignment]:
    return LiaisonAssignment.objects.filter(scoping.target_q(user))


def cadres_for(user: Any, day: dt.date | None = None) -> QuerySet[Cadre]:
    """All cadres for the district-wide roles; otherwise those posted (on `day`) to a target in scope."""
    if scoping.sees_whole_district(user):
        return Cadre.objects.all()
    day = day or timezone.localdate()
    posted = assignments_for(user).filter(active_q(day), cadre=OuterRef("pk"))
    return Cadre.objects.filter(Exists(posted))


def cadre_list(user: Any, q: str = "", town: str = "", day: dt.date | None = None) -> QuerySet[Cadre]:
    day = day or timezone.localdate()
    qs = cadres_for(user, day).select_related("home_town", "user")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(unit__icontains=q))
    if town:
        qs = qs.filter(home_town_id=town)
    active = Q(assignments__start__lte=day) & (Q(assignments__end__isnull=True) | Q(assignments__end__gte=day))
    return qs.annotate(load=Count("assignments", filter=active)).order_by("home_town__sort", "name", "id")


def get_cadre_for_user(user: Any, pk: Any) -> Cadre:
    return scoping.get_in_scope(cadres_for(user).select_related("home_town", "user"), pk=pk)


def cadre_postings(user: Any, cadre: Cadre) -> list[LiaisonAssignment]:
    """A cadre's postings that the user may see, current ones first."""
    qs = assignments_for(user).filter(cadre=cadre).select_related("enterprise__town", "project__town")
    return list(qs.order_by(Coalesce("end", dt.date(9999, 12, 31)).desc(), "-start", "id"))


def cadre_of(user: Any) -> Cadre | None:
    return Cadre.objects.filter(user=user).first() if getattr(user, "pk", None) else None


# --- pairing coverage (包联全覆盖) ---------------------------------------------------------------------


@dataclass
class CoverageRow:
    target: Enterprise | KeyProject
    kind: str  # "enterprise" | "project"
    leaders: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return target_key(self.target)

    @property
    def covered(self) -> bool:
        return bool(self.leaders)


def pairing_coverage(user: Any, day: dt.date | None = None) -> list[CoverageRow]:
    """Every 规上工业 enterprise and key project in scope with its district leaders; those without a leader
    first. A query, not a snapshot: a new 规上 enterprise shows up here the moment it is saved. Four queries."""
    day = day or timezone.localdate()
    paired = LeaderPairing.objects.filter(active_q(day))
    enterprises = list(
        scoping.enterprises_for(user)
        .filter(category=Category.ABOVE_SCALE_INDUSTRIAL)
        .select_related("town")
        .order_by("town__sort", "town_id", "name", "id")
    )
    projects = list(scoping.projects_for(user).select_related("town").order_by("town__sort", "town_id", "name", "id"))
    names: dict[tuple[str, int], list[str]] = {}
    rows = paired.filter(
        Q(enterprise_id__in=[e.pk for e in enterprises]) | Q(project_id__in=[p.pk for p in projects])
    ).values_list("enterprise_id", "project_id", "leader__full_name", "leader__username")
    for enterprise_id, project_id, full_name, username in rows.order_by("leader__full_name", "leader_id"):
        key = ("enterprise", enterprise_id) if enterprise_id else ("project", project_id)
        names.setdefault(key, []).append(full_name or username)
    out = [CoverageRow(e, "enterprise", names.get(("enterprise", e.pk), [])) for e in enterprises]
    out += [CoverageRow(p, "project", names.get(("project", p.pk), [])) for p in projects]
    # Gaps first; the order within each half is the town's, then the name.
    return sorted(out, key=lambda r: r.covered)


# --- visits -----------------------------------------------------------------------------------------


def visits_for(user: Any) -> QuerySet[Visit]:
    return Visit.objects.filter(scoping.target_q(user))


def visit_list(user: Any, town: str = "", kind: str = "") -> QuerySet[Visit]:
    qs = visits_for(user).select_related("enterprise__town", "project__town", "cadre", "team")
    if town:
        qs = qs.filter(Q(enterprise__town_id=town) | Q(project__town_id=town))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-visited_on", "-id")


@dataclass
class TargetStatus:
    """A liaison target with its visit state, for the phone page and the visit coverage page."""

    target: Enterprise | KeyProject
    last_visit: dt.date | None
    liaisons: list[str] = field(default_factory=list)
    due: bool = False
    visited: bool = False

    @property
    def key(self) -> str:
        return target_key(self.target)

    @property
    def kind(self) -> str:
        return "project" if isinstance(self.target, KeyProject) else "enterprise"


def _last_visits(enterprise_ids: list[int], project_ids: list[int], day: dt.date) -> dict[tuple[str, int], dt.date]:
    rows = (
        Visit.objects.filter(Q(enterprise_id__in=enterprise_ids) | Q(project_id__in=project_ids), visited_on__lte=day)
        .values("enterprise_id", "project_id")
        .annotate(last=Max("visited_on"))
        .order_by()
    )
    return {("e", r["enterprise_id"]) if r["enterprise_id"] else ("p", r["project_id"]): r["last"] for r in rows}


def _statuses(postings: QuerySet[LiaisonAssignment], day: dt.date, window: int) -> list[TargetStatus]:
    """One status per distinct target of `postings` (several cadres may share one). Three queries."""
    by_target: dict[tuple[str, int], TargetStatus] = {}
    for a in postings.select_related("enterprise__town", "project__town", "cadre").order_by("id"):
        target: Enterprise | KeyProject
        if a.enterprise is not None:
            key, target = ("e", a.enterprise.pk), a.enterprise
        elif a.project is not None:
            key, target = ("p", a.project.pk), a.project
        else:  # ruled out by the one-target check constraint
            raise ValueError(f"liaison assignment {a.pk} names no target")
        status = by_target.get(key)
        if status is None:
            status = by_target[key] = TargetStatus(target, None)
        status.liaisons.append(a.cadre.name)
    last = _last_visits([k[1] for k in by_target if k[0] == "e"], [k[1] for k in by_target if k[0] == "p"], day)
    since = day - dt.timedelta(days=max(window, 1) - 1)
    for key, status in by_target.items():
        status.last_visit = last.get(key)
        status.visited = status.last_visit is not None and status.last_visit >= since
        status.due = not status.visited
    return sorted(
        by_target.values(),
        key=lambda s: (s.visited, s.last_visit or dt.date.min, s.target.town.sort, s.target.town_id, s.target.name),
    )


def my_targets(user: Any, day: dt.date | None = None, interval: int | None = None) -> list[TargetStatus]:
    """The liaison's own enterprises and projects on `day`, the ones due for a visit (none in the last
    `interval` days, the rule's by default) first."""
    day = day or timezone.localdate()
    postings = LiaisonAssignment.objects.filter(active_q(day), cadre__user=user)
    return _statuses(postings, day, interval or rule_on(day).visit_interval_days)


def visit_coverage(user: Any, day: dt.date | None = None, window: int | None = None) -> list[TargetStatus]:
    """Every target with a liaison (in scope) and whether it was visited in the last `window` days."""
    day = day or timezone.localdate()
    window = window or rule_on(day).visit_interval_days
    return _statuses(assignments_for(user).filter(active_q(day)), day, window)


# --- help teams (一企一队) -----------------------------------------------------------------------------


def teams_for(user: Any) -> QuerySet[HelpTeam]:
    return scoping.scope_filter(user, HelpTeam.objects.all(), "enterprise")


def team_list(user: Any, town: str = "", day: dt.date | None = None) -> QuerySet[HelpTeam]:
    day = day or timezone.localdate()
    qs = teams_for(user).select_related("enterprise__town", "leader", "department", "liaison")
    if town:
        qs = qs.filter(enterprise__town_id=town)
    dated = Q(visits__visited_on__lte=day)
    return qs.annotate(
        visits_n=Count("visits", filter=dated), person_times=Coalesce(Sum("visits__person_times", filter=dated), 0)
    ).order_by("enterprise__town__sort", "enterprise__town_id", "enterprise__name", "id")


def get_team_for_user(user: Any, pk: Any) -> HelpTeam:
    return scoping.get_in_scope(
        teams_for(user).select_related("enterprise__town", "leader", "department", "liaison"), pk=pk
    )


def help_by_town(user: Any, day: dt.date | None = None) -> tuple[list[Mapping[str, Any]], dict[str, int]]:
    """Help person-times (帮扶人次) and visits per town in scope, and the total: one grouped query."""
    day = day or timezone.localdate()
    town = Coalesce("enterprise__town_id", "project__town_id")
    rows = (
        visits_for(user)
        .filter(visited_on__lte=day)
        .annotate(town_code=town, town_name=Coalesce("enterprise__town__name", "project__town__name"))
        .annotate(town_sort=Coalesce("enterprise__town__sort", "project__town__sort"))
        .values("town_code", "town_name", "town_sort")
        .annotate(visits=Count("id"), person_times=Sum("person_times"), teams=Count("team", distinct=True))
        .order_by("town_sort", "town_code")
    )
    out: list[Mapping[str, Any]] = list(rows)
    totals: dict[str, int] = {k: sum(r[k] or 0 for r in out) for k in ("visits", "person_times", "teams")}
    return out, totals


def enterprises_without_team(user: Any) -> QuerySet[Enterprise]:
    """Enterprises in scope that have a liaison or a leader but no help team yet (candidates for 一企一队)."""
    today = timezone.localdate()
    posted = LiaisonAssignment.objects.filter(active_q(today), enterprise=OuterRef("pk"))
    paired = LeaderPairing.objects.filter(active_q(today), enterprise=OuterRef("pk"))
    return (
        scoping.enterprises_for(user)
        .filter(Exists(posted) | Exists(paired), help_team__isnull=True)
        .select_related("town")
        .order_by("town__sort", "town_id", "name")
    )


# --- who serves one enterprise (GET /api/v1/enterprises/{id}/liaison) ------------------------------------


@dataclass
class EnterpriseService:
    """Who serves one enterprise on `day`: its liaisons' postings, its district leaders' pairings and its help
    team (一企一队: at most one per enterprise, kept as a list so that "none" needs no special case)."""

    day: dt.date
    postings: list[LiaisonAssignment]
    pairings: list[LeaderPairing]
    teams: list[HelpTeam]


def enterprise_service(user: Any, enterprise: Enterprise, day: dt.date | None = None) -> EnterpriseService:
    """`enterprise` comes from a scoped selector; every row is narrowed by the user's scope again all the same,
    so this read cannot be the one that leaks if a caller forgets. Three queries."""
    day = day or timezone.localdate()
    postings = (
        assignments_for(user)
        .filter(active_q(day), enterprise=enterprise)
        .select_related("cadre")
        .order_by("start", "id")
    )
    pairings = (
        LeaderPairing.objects.filter(scoping.target_q(user), active_q(day), enterprise=enterprise)
        .select_related("leader")
        .order_by("start", "id")
    )
    teams = team_list(user, day=day).filter(enterprise=enterprise)
    return EnterpriseService(day, list(postings), list(pairings), list(teams))
