"""The one place that decides what a user may see.

Every selector, page, API handler, export, report and admin queryset narrows its rows through this module.
Scope is expressed over enterprises and key projects; records of other apps reach it through the lookup path
to their enterprise (`scope_filter(user, Employee.objects.all(), "enterprise")`).

Rules per role (product.md):
- district admin, department officer: the whole district (departments read it; roles.py limits writes)
- district leader: the enterprises and projects paired to them (包联)
- town officer: enterprises and projects in their town (镇/街道)
- liaison cadre: the enterprises and projects assigned to them, on the given day
- outreach team member: their teams' targets by the jurisdiction rule
- enterprise admin: their own enterprise
- bank officer: enterprises matched with their bank (银企对接)
- auditor, anonymous, or a user without a role: nothing
Out of scope is indistinguishable from missing: `get_in_scope` raises Http404 for both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fugong.accounts.roles import Role

M = TypeVar("M", bound=Model)

NOTHING = Q(pk__in=[])
DISTRICT_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.DEPARTMENT})


def _today() -> dt.date:
    return timezone.localdate()


def _active(day: dt.date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


def _prefixed(prefix: str, **lookups: Any) -> Q:
    return Q(**{f"{prefix}{k}": v for k, v in lookups.items()})


def enterprise_q(user: Any, prefix: str = "", day: dt.date | None = None) -> Q:
    """A Q over Enterprise (reached through `prefix`, e.g. "enterprise__") selecting the user's scope."""
    from fugong.finance.models import BankMatchmaking
    from fugong.liaison.models import LeaderPairing, LiaisonAssignment

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    role = user.role
    day = day or _today()
    if role in DISTRICT_ROLES:
        return Q()
    if role == Role.TOWN:
        return _prefixed(prefix, town_id=user.town_id) if user.town_id else NOTHING
    if role == Role.ENTERPRISE:
        return _prefixed(prefix, id=user.enterprise_id) if user.enterprise_id else NOTHING
    if role == Role.DISTRICT_LEADER:
        ids = LeaderPairing.objects.filter(_active(day), leader=user, enterprise__isnull=False)
        return _prefixed(prefix, id__in=ids.values("enterprise_id"))
    if role == Role.LIAISON:
        assigned = LiaisonAssignment.objects.filter(_active(day), cadre__user=user, enterprise__isnull=False)
        return _prefixed(prefix, id__in=assigned.values("enterprise_id"))
    if role == Role.BANK:
        if not user.bank_id:
            return NOTHING
        matched = BankMatchmaking.objects.filter(bank_id=user.bank_id)
        return _prefixed(prefix, id__in=matched.values("enterprise_id"))
    if role == Role.OUTREACH:
        q = NOTHING
        for team in user.outreach_teams.all():
            q |= jurisdiction_q(team.level, team.town_id, prefix)
        return q
    return NOTHING


def jurisdiction_q(level: str, town_id: str | None, prefix: str = "") -> Q:
    """An outreach team's targets (the jurisdiction rule, never typed in): the district team tours the 规上工业
    enterprises, a town team the other enterprises of its town."""
    from fugong.enterprises.classification import Category

    if level == "district":
        return _prefixed(prefix, category=Category.ABOVE_SCALE_INDUSTRIAL)
    if not town_id:
        return NOTHING
    return _prefixed(prefix, town_id=town_id) & ~_prefixed(prefix, category=Category.ABOVE_SCALE_INDUSTRIAL)


def sees_whole_district(user: Any) -> bool:
    """The roles whose scope is the whole district (their enterprise_q narrows nothing)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in DISTRICT_ROLES)


def target_q(user: Any, prefix: str = "", day: dt.date | None = None) -> Q:
    """A Q over rows that point at one target — an enterprise (`<prefix>enterprise`) or a key project
    (`<prefix>project`) — selecting those whose target is in the user's scope."""
    if sees_whole_district(user):
        return Q()  # both halves are "everything" here; OR-ing empty Qs would drop them
    return enterprise_q(user, f"{prefix}enterprise__", day) | project_q(user, f"{prefix}project__", day)


def outreach_teams_for(user: Any) -> QuerySet[Any]:
    """The outreach teams a user sees: all for the district-wide roles, their own for a team member, their
    town's team for a town officer."""
    from fugong.outreach.models import OutreachTeam

    if sees_whole_district(user):
        return OutreachTeam.objects.all()
    role = getattr(user, "role", "")
    if getattr(user, "is_authenticated", False) and user.is_active:
        if role == Role.OUTREACH:
            return OutreachTeam.objects.filter(members=user)
        if role == Role.TOWN and user.town_id:
            return OutreachTeam.objects.filter(town_id=user.town_id)
    return OutreachTeam.objects.none()


DISTRICT_AREA = "district"


def aggregate_area(user: Any) -> str | None:
    """The pre-aggregated area that is exactly the user's enterprise scope (as `enterprise_q` decides it):
    "district" for the whole-district roles, the town's code for a town officer, None when the scope is a
    list of enterprises (leader, liaison, outreach, bank, enterprise) that area totals cannot answer.
    Snapshot readers (fugong.resumption) use it to serve a district or town viewer from per-area rows."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.role in DISTRICT_ROLES:
        return DISTRICT_AREA
    if user.role == Role.TOWN and user.town_id:
        return str(user.town_id)
    return None


def project_q(user: Any, prefix: str = "", day: dt.date | None = None) -> Q:
    """A Q over KeyProject selecting the user's scope."""
    from fugong.liaison.models import LeaderPairing, LiaisonAssignment

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    role = user.role
    day = day or _today()
    if role in DISTRICT_ROLES:
        return Q()
    if role == Role.TOWN:
        return _prefixed(prefix, town_id=user.town_id) if user.town_id else NOTHING
    if role == Role.DISTRICT_LEADER:
        ids = LeaderPairing.objects.filter(_active(day), leader=user, project__isnull=False)
        return _prefixed(prefix, id__in=ids.values("project_id"))
    if role == Role.LIAISON:
        assigned = LiaisonAssignment.objects.filter(_active(day), cadre__user=user, project__isnull=False)
        return _prefixed(prefix, id__in=assigned.values("project_id"))
    if role == Role.ENTERPRISE:
        return _prefixed(prefix, owner_id=user.enterprise_id) if user.enterprise_id else NOTHING
    return NOTHING


def enterprises_for(user: Any, day: dt.date | None = None) -> QuerySet[Any]:
    from fugong.enterprises.models import Enterprise

    return Enterprise.objects.filter(enterprise_q(user, day=day))


def projects_for(user: Any, day: dt.date | None = None) -> QuerySet[Any]:
    from fugong.enterprises.models import KeyProject

    return KeyProject.objects.filter(project_q(user, day=day))


def scope_filter(user: Any, qs: QuerySet[M], path: str) -> QuerySet[M]:
    """Narrow any queryset whose rows belong to an enterprise through `path` ("" for Enterprise itself)."""
    prefix = f"{path}__" if path else ""
    return qs.filter(enterprise_q(user, prefix))


def get_in_scope(qs: QuerySet[M], **lookup: Any) -> M:
    """The one object, or 404 — for missing and out-of-scope alike (no existence leak)."""
    try:
        return qs.get(**lookup)
    # ObjectDoesNotExist rather than qs.model.DoesNotExist: the stubs only know the latter on concrete models,
    # and qs.get() raises no other DoesNotExist.
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def scope_label(user: Any) -> str:
    """How the shell describes the user's scope: 苏仙区 / 栖凤渡镇 / 高斯贝尔 / 3 家包联企业…"""
    from django.utils.translation import gettext as _

    role = getattr(user, "role", "")
    if role in (Role.DISTRICT_ADMIN, Role.DEPARTMENT, Role.AUDITOR):
        from fugong.regions.selectors import district

        d = district()
        return d.name if d else _("全区")
    if role == Role.TOWN and user.town_id:
        return user.town.name
    if role == Role.ENTERPRISE and user.enterprise_id:
        return user.enterprise.name
    if role == Role.BANK and user.bank_id:
        return user.bank.name
    if role == Role.OUTREACH:
        return "、".join(t.name for t in user.outreach_teams.all()) or _("未编入小分队")
    if role in (Role.DISTRICT_LEADER, Role.LIAISON):
        return _("包联/派驻的企业和项目")
    return ""


class DistrictWide:
    """The whole district as a viewer: for commands (daily_brief, snapshots) that speak for the district."""

    is_authenticated = True
    is_active = True
    role = Role.DISTRICT_ADMIN
    pk = None
    id = None
    username = "system"
    town_id: str | None = None
    enterprise_id: int | None = None
    bank_id: int | None = None


DISTRICT_WIDE = DistrictWide()


class TownWide(DistrictWide):
    """One town as a viewer: what its town officer sees (enterprise_q narrows to the town), for snapshots."""

    role = Role.TOWN

    def __init__(self, town_id: str) -> None:
        self.town_id = town_id


def area_viewer(area: str) -> DistrictWide:
    """The viewer whose scope is exactly `area` (see aggregate_area): DISTRICT_WIDE or a TownWide."""
    return DISTRICT_WIDE if area == DISTRICT_AREA else TownWide(area)
