"""Pages of visits and help activities (走访帮扶), the visit coverage, the help teams (一企一队) and the
liaison's phone page. Same rules as views.py: scoped selectors first (404), then the role (403), writes
through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.accounts.roles import Role
from fugong.core.querystring import clean_params
from fugong.enterprises import selectors as enterprise_selectors
from fugong.enterprises.forms import towns_for

from . import due, selectors, services
from . import permissions as perms
from .forms import TeamForm, VisitForm
from .models import Cadre, VisitKind
from .rules import rule_on
from .views import require

PAGE_SIZE = 50


# --- the liaison's phone page --------------------------------------------------------------------------


@login_required
def my_page(request: HttpRequest) -> HttpResponse:
    """我的企业: the liaison's targets, what is due today, and one tap to log a visit."""
    user: Any = request.user
    require(user, perms.MY_PAGE)
    today = timezone.localdate()
    interval = rule_on(today).visit_interval_days
    targets = selectors.my_targets(user, today, interval)
    alerts = due.collect(user, today, targets)
    due_visits = [t for t in targets if t.due]
    context = {
        "cadre": selectors.cadre_of(user),
        "targets": targets,
        "due_visits": due_visits,
        "alerts": alerts,
        "due_count": len(due_visits) + len(alerts),
        "today": today,
        "interval": interval,
        "recent": selectors.visits_for(user)
        .filter(recorded_by=user)
        .select_related("enterprise", "project")
        .order_by("-visited_on", "-id")[:5],
    }
    return render(request, "liaison/my.html", context)


# --- visits --------------------------------------------------------------------------------------------


def _visit_targets(request: HttpRequest, key: str) -> list[tuple[str, str]]:
    """The targets the form offers: a liaison's own (their phone page's list); for anyone else the one
    target they came from (it must be in their scope)."""
    user: Any = request.user
    if user.role == Role.LIAISON:
        mine = selectors.my_targets(user)
        if mine:
            return [(t.key, str(t.target)) for t in mine]
    if not key:
        raise Http404
    target = selectors.get_target_for_user(user, key)
    return [(selectors.target_key(target), str(target))]


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    params = request.POST if request.method == "POST" else clean_params(request.GET)
    key = (params.get("target") or "")[:20]
    choices = _visit_targets(request, key)
    require(user, perms.LOG_VISIT)
    initial = {"target": key if key in dict(choices) else choices[0][0]}
    form = VisitForm(request.POST if request.method == "POST" else None, targets=choices, initial=initial)
    if form.is_bound and form.is_valid():
        target = selectors.get_target_for_user(user, form.cleaned_data["target"])
        try:
            services.check_log_visit(user, target, form.service_data())
        except services.LiaisonValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已登记：%(t)s") % {"t": target})
            nxt = params.get("next") or ""
            if nxt.startswith("/liaison/") and "//" not in nxt:
                return redirect(nxt)
            return redirect("liaison:my" if user.role == Role.LIAISON else "liaison:visit_list")
    context = {"form": form, "next": (params.get("next") or "")[:200]}
    return render(request, "liaison/visit_form.html", context, status=400 if form.errors else 200)


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, perms.VIEW_VISITS)
    params = clean_params(request.GET)
    town = params.get("town", "")[:12]
    kind = params.get("kind", "") if params.get("kind", "") in VisitKind.values else ""
    page = Paginator(selectors.visit_list(user, town=town, kind=kind), PAGE_SIZE).get_page(params.get("page"))
    rows, totals = selectors.help_by_town(user)
    context = {
        "page": page,
        "visits": page.object_list,
        "town": town,
        "kind": kind,
        "kinds": VisitKind.choices,
        "towns": towns_for(user) if user.role != Role.LIAISON else [],
        "by_town": rows,
        "totals": totals,
    }
    return render(request, "liaison/visit_list.html", context)


@login_required
def visit_coverage(request: HttpRequest) -> HttpResponse:
    """Every target with a liaison and whether it was visited in the last N days (the rule's visit interval,
    or ?days=)."""
    user: Any = request.user
    require(user, perms.VIEW_VISITS)
    params = clean_params(request.GET)
    today = timezone.localdate()
    default = rule_on(today).visit_interval_days
    days = int(params["days"]) if params.get("days", "").isdigit() and 1 <= int(params["days"]) <= 90 else default
    rows = selectors.visit_coverage(user, today, days)
    status = params.get("status", "")
    visited = sum(1 for r in rows if r.visited)
    shown = [r for r in rows if (status != "not_yet" or not r.visited) and (status != "visited" or r.visited)]
    page = Paginator(shown, PAGE_SIZE).get_page(params.get("page"))
    context = {
        "page": page,
        "rows": page.object_list,
        "total": len(rows),
        "visited": visited,
        "not_yet": len(rows) - visited,
        "days": days,
        "status": status,
        "today": today,
        "can_log": roles.can(user, perms.LOG_VISIT),
    }
    return render(request, "liaison/visit_coverage.html", context)


# --- help teams (一企一队) ------------------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, perms.VIEW_VISITS)
    params = clean_params(request.GET)
    town = params.get("town", "")[:12]
    page = Paginator(selectors.team_list(user, town=town), PAGE_SIZE).get_page(params.get("page"))
    rows, totals = selectors.help_by_town(user)
    can_manage = roles.can(user, perms.MANAGE_TEAMS)
    context = {
        "page": page,
        "teams": page.object_list,
        "town": town,
        "towns": towns_for(user),
        "by_town": rows,
        "totals": totals,
        "can_manage": can_manage,
        "without_team": selectors.enterprises_without_team(user)[:200] if can_manage else [],
    }
    return render(request, "liaison/team_list.html", context)


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    team = selectors.get_team_for_user(user, pk)
    require(user, perms.VIEW_VISITS)
    visits = selectors.visits_for(user).filter(team=team)
    totals = visits.aggregate(n=Count("id"), person_times=Coalesce(Sum("person_times"), 0))
    context = {
        "team": team,
        "visits": visits.select_related("cadre", "recorded_by").order_by("-visited_on", "-id")[:100],
        "totals": totals,
        "can_manage": roles.can(user, perms.MANAGE_TEAMS),
        "can_log": roles.can(user, perms.LOG_VISIT),
        "target_key": f"e:{team.enterprise_id}",
    }
    return render(request, "liaison/team_detail.html", context)


@login_required
def team_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user: Any = request.user
    params = request.POST if request.method == "POST" else clean_params(request.GET)
    if pk is not None:
        team = selectors.get_team_for_user(user, pk)
        enterprise = team.enterprise
    else:
        team = None
        enterprise = enterprise_selectors.get_enterprise_for_user(user, (params.get("enterprise") or "")[:20])
    require(user, perms.MANAGE_TEAMS)
    today = timezone.localdate()
    liaisons = Cadre.objects.filter(
        selectors.active_q(today, "assignments__"), assignments__enterprise=enterprise
    ).distinct()
    form = TeamForm(request.POST if request.method == "POST" else None, liaisons=liaisons, instance=team)
    if team is None and not form.is_bound:
        # Sensible defaults: the enterprise's paired leader and its first liaison.
        from .models import LeaderPairing

        pairing = LeaderPairing.objects.filter(selectors.active_q(today), enterprise=enterprise).first()
        form.initial.update(leader=pairing.leader_id if pairing else None, liaison=liaisons.first())
    if form.is_bound and form.is_valid():
        try:
            saved = services.check_save_team(user, enterprise, form.cleaned_data, team)
        except services.LiaisonValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已保存%(t)s") % {"t": saved})
            return redirect("liaison:team_detail", pk=saved.pk)
    context = {"form": form, "team": team, "enterprise": enterprise}
    return render(request, "liaison/team_form.html", context, status=400 if form.errors else 200)
