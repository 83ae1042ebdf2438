"""Pages of the outreach teams (宣传小分队): the coverage page (targets visited / not yet, per team), a team's
targets and visits, its visit plan as a month calendar, the visit form with materials, the plan rule; and the
TCM decoction batches (中药汤剂).

Thin: scoped selectors first (a team or batch out of scope is a 404 like a missing one), then the role's
action (403), writes through services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.core import scoping
from fugong.core.querystring import clean_params
from fugong.enterprises import selectors as enterprise_selectors

from . import permissions as perms
from . import selectors, services
from .forms import BatchForm, DeliveryForm, PlanForm, RuleForm, VisitForm
from .models import OutreachRule
from .rules import rule_on

PAGE_SIZE = 50


def require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


# --- coverage and teams --------------------------------------------------------------------------------


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Per team: its targets by the jurisdiction rule, how many it has visited and how many not yet."""
    user: Any = request.user
    require(user, perms.VIEW_TEAMS)
    rows = selectors.team_coverage(user)
    totals = {
        k: sum(getattr(r, k) for r in rows)
        for k in ("targets", "visited", "not_yet", "visits", "materials", "attendees")
    }
    return render(request, "outreach/coverage.html", {"rows": rows, "totals": totals})


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    team = selectors.get_team_for_user(user, pk)
    require(user, perms.VIEW_TEAMS)
    params = clean_params(request.GET)
    status = params.get("status", "") if params.get("status", "") in ("visited", "not_yet") else ""
    q = params.get("q", "").strip()[:60]
    page = Paginator(selectors.target_rows(user, team, status, q), PAGE_SIZE).get_page(params.get("page"))
    planned = selectors.planned_dates(team, [e.pk for e in page.object_list])
    context = {
        "team": team,
        "members": team.members.order_by("full_name", "username"),
        "page": page,
        "targets": [(e, planned.get(e.pk)) for e in page.object_list],
        "status": status,
        "q": q,
        "visits": selectors.team_visits(user, team)[:20],
        "can_log": roles.can(user, perms.LOG_VISIT),
        "can_plan": roles.can(user, perms.PLAN),
    }
    return render(request, "outreach/team_detail.html", context)


# --- the plan calendar ---------------------------------------------------------------------------------


def _month(value: str, default: dt.date) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in value.split("-")[:2])
        if 2019 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return default.year, default.month


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the plan as a month grid. POST: (re)generate it from a start date (the rule's N days)."""
    user: Any = request.user
    team = selectors.get_team_for_user(user, pk)
    require(user, perms.VIEW_TEAMS)
    form = PlanForm(request.POST if request.method == "POST" else None, initial={"start": timezone.localdate()})
    if request.method == "POST":
        require(user, perms.PLAN)
        if form.is_valid():
            try:
                n = services.check_generate_plan(user, team, form.cleaned_data["start"])
            except services.OutreachValidationError as exc:
                form.add_service_errors(exc.errors)
            else:
                start = form.cleaned_data["start"]
                messages.success(request, _("已生成走访计划：%(n)d 家企业") % {"n": n})
                return redirect(f"{request.path}?month={start:%Y-%m}")
    span = selectors.plan_span(team)
    default = span["first"] or timezone.localdate()
    year, month = _month(clean_params(request.GET).get("month", ""), default)
    first = dt.date(year, month, 1)
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    context = {
        "team": team,
        "weeks": selectors.month_grid(user, team, year, month),
        "month": first,
        "prev_month": prev_month,
        "next_month": next_month,
        "span": span,
        "plan_days": rule_on(timezone.localdate()).plan_days,
        "form": form if roles.can(user, perms.PLAN) else None,
    }
    return render(request, "outreach/plan.html", context, status=400 if form.errors else 200)


# --- visits --------------------------------------------------------------------------------------------


@login_required
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    team = selectors.get_team_for_user(user, pk)
    require(user, perms.LOG_VISIT)
    targets = selectors.team_targets(user, team).order_by("town__sort", "town_id", "name").values_list("pk", "name")
    choices = [(str(pk), name) for pk, name in targets]
    params = request.POST if request.method == "POST" else clean_params(request.GET)
    form = VisitForm(
        request.POST if request.method == "POST" else None,
        enterprises=choices,
        initial={"enterprise": (params.get("enterprise") or "")[:20]},
    )
    if form.is_bound and form.is_valid():
        enterprise = enterprise_selectors.get_enterprise_for_user(user, form.cleaned_data["enterprise"])
        try:
            services.check_record_visit(user, team, enterprise, form.service_data())
        except services.OutreachValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已登记走访：%(e)s") % {"e": enterprise.name})
            return redirect("outreach:team_detail", pk=team.pk)
    context = {"form": form, "team": team}
    return render(request, "outreach/visit_form.html", context, status=400 if form.errors else 200)


# --- the plan rule -------------------------------------------------------------------------------------


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, perms.VIEW_TEAMS)
    can_manage = roles.can(user, perms.MANAGE_RULES)
    if request.method == "POST":
        require(user, perms.MANAGE_RULES)
    form = RuleForm(request.POST if request.method == "POST" else None) if can_manage else None
    if form is not None and form.is_bound and form.is_valid():
        try:
            services.check_add_rule(user, form.cleaned_data)
        except services.OutreachValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已新增规则版本"))
            return redirect("outreach:rules")
    context = {
        "versions": OutreachRule.objects.select_related("created_by").order_by("-effective_from"),
        "current": rule_on(timezone.localdate()),
        "form": form,
    }
    return render(request, "outreach/rules.html", context, status=400 if form is not None and form.errors else 200)


# --- TCM decoction -------------------------------------------------------------------------------------


@login_required
def tcm_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, perms.VIEW_TCM)
    batches = list(selectors.batch_list(user))
    context = {
        "batches": batches,
        "totals": selectors.tcm_totals(user, timezone.localdate()),
        "doses": sum(b.doses for b in batches),
        "can_manage": roles.can(user, perms.MANAGE_TCM),
    }
    return render(request, "outreach/tcm_list.html", context)


@login_required
def tcm_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, perms.MANAGE_TCM)
    form = BatchForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            batch = services.check_create_batch(user, form.cleaned_data)
        except services.OutreachValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已登记%(b)s") % {"b": batch})
            return redirect("outreach:tcm_detail", pk=batch.pk)
    return render(request, "outreach/tcm_form.html", {"form": form}, status=400 if form.errors else 200)


def _enterprise_choices(user: Any) -> list[tuple[str, str]]:
    rows = (
        scoping.enterprises_for(user).order_by("town__sort", "town_id", "name").values_list("pk", "name", "town__name")
    )
    return [(str(pk), f"{name}（{town}）") for pk, name, town in rows]


@login_required
def tcm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch and the enterprises it reached; POST adds a delivery (district admin)."""
    user: Any = request.user
    batch = selectors.get_batch_for_user(user, pk)
    require(user, perms.VIEW_TCM)
    can_manage = roles.can(user, perms.MANAGE_TCM)
    if request.method == "POST":
        require(user, perms.MANAGE_TCM)
    form = (
        DeliveryForm(request.POST if request.method == "POST" else None, enterprises=_enterprise_choices(user))
        if can_manage
        else None
    )
    if form is not None and form.is_bound and form.is_valid():
        enterprise = enterprise_selectors.get_enterprise_for_user(user, form.cleaned_data["enterprise"])
        try:
            services.check_add_delivery(
                user, batch, enterprise, form.cleaned_data["workers"], form.cleaned_data["doses"]
            )
        except services.OutreachValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已登记：%(e)s") % {"e": enterprise.name})
            return redirect("outreach:tcm_detail", pk=batch.pk)
    deliveries = selectors.batch_deliveries(user, batch)
    context = {
        "batch": batch,
        "deliveries": deliveries,
        "sums": deliveries.aggregate(workers=Sum("workers"), doses=Sum("doses")),
        "form": form,
    }
    return render(request, "outreach/tcm_detail.html", context, status=400 if form is not None and form.errors else 200)
