"""Pages of pairing (包联全覆盖), liaison cadres and their postings, the assignment proposal and the liaison
rules. Visits, help teams and the liaison's phone page are in views_visits.py.

Thin: reads through selectors (out of scope → 404 like missing), writes through services (validated,
audited); each page asks roles.can() for its action (403 otherwise). Phones are shown masked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts import roles
from fugong.core import scoping
from fugong.core.querystring import clean_params
from fugong.enterprises.forms import towns_for

from . import permissions as perms
from . import proposal as proposals
from . import selectors, services
from .forms import AssignForm, CadreForm, EndForm, PairForm, RevealForm, RuleForm, leaders
from .models import LiaisonRule
from .rules import rule_on

PAGE_SIZE = 50


def require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


def _params(request: HttpRequest) -> dict[str, str]:
    return clean_params(request.GET)


# --- 包联全覆盖 ------------------------------------------------------------------------------------------


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Every 规上工业 enterprise and key project in scope, those without a district leader first."""
    user: Any = request.user
    require(user, perms.VIEW_PAIRING)
    rows = selectors.pairing_coverage(user)
    gaps_only = _params(request).get("gaps") == "1"
    gaps = [r for r in rows if not r.covered]
    context = {
        "rows": gaps if gaps_only else rows,
        "gaps_n": len(gaps),
        "total": len(rows),
        "gaps_only": gaps_only,
        "can_pair": roles.can(user, perms.MANAGE_PAIRING),
        "leaders": list(leaders()) if roles.can(user, perms.MANAGE_PAIRING) else [],
        "today": timezone.localdate(),
    }
    return render(request, "liaison/coverage.html", context)


@login_required
@require_POST
def pair(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PairForm(request.POST)
    target_key = (request.POST.get("target") or "")[:20]
    target = selectors.get_target_for_user(user, target_key)  # out of scope: 404 before anything else
    require(user, perms.MANAGE_PAIRING)
    if form.is_valid():
        try:
            services.check_pair_leader(user, form.cleaned_data["leader"], target, form.cleaned_data["start"])
        except services.LiaisonValidationError as exc:
            for message in exc.errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("已为%(t)s指定包联领导") % {"t": target})
    else:
        messages.error(request, _("请选择包联领导并填写开始日期"))
    return redirect("liaison:coverage")


# --- cadres and postings -------------------------------------------------------------------------------


@login_required
def cadre_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, perms.VIEW_CADRES)
    params = _params(request)
    q, town = params.get("q", "").strip()[:40], params.get("town", "").strip()[:12]
    page = Paginator(selectors.cadre_list(user, q=q, town=town), PAGE_SIZE).get_page(params.get("page"))
    context = {
        "page": page,
        "cadres": page.object_list,
        "q": q,
        "town": town,
        "towns": towns_for(user),
        "cap": rule_on(timezone.localdate()).max_load,
        "can_manage": roles.can(user, perms.MANAGE_CADRES),
    }
    return render(request, "liaison/cadre_list.html", context)


def _cadre_context(request: HttpRequest, cadre: Any, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    can_manage = roles.can(user, perms.MANAGE_CADRES)
    context = {
        "cadre": cadre,
        "postings": selectors.cadre_postings(user, cadre),
        "visits": selectors.visits_for(user).filter(cadre=cadre).select_related("enterprise", "project")[:20],
        "today": timezone.localdate(),
        "can_manage": can_manage,
        "can_reveal": roles.can(user, roles.REVEAL_PERSONAL_DATA),
        "reveal_form": extra.pop("reveal_form", None) or RevealForm(),
        "assign_form": extra.pop("assign_form", None)
        or (AssignForm(targets=_target_choices(user)) if can_manage else None),
        "end_form": EndForm(initial={"end": timezone.localdate()}),
    }
    context.update(extra)
    return context


def _target_choices(user: Any) -> list[tuple[str, str]]:
    """Enterprises and projects a cadre may be posted to: the whole district for the district admin (the
    only role that posts), 规上 enterprises, key-guarantee enterprises and key projects first."""
    from fugong.enterprises.classification import Category

    enterprises = (
        scoping.enterprises_for(user)
        .select_related("town")
        .order_by("town__sort", "town_id", "name")
        .values_list("pk", "name", "town__name", "category", "is_key_guarantee")
    )
    projects = scoping.projects_for(user).order_by("town_id", "name").values_list("pk", "name", "town__name")
    first = [(f"p:{pk}", f"[{_('项目')}] {name}（{town}）") for pk, name, town in projects]
    rest: list[tuple[str, str]] = []
    for pk, name, town, category, key_guarantee in enterprises:
        item = (f"e:{pk}", f"{name}（{town}）")
        (first if category == Category.ABOVE_SCALE_INDUSTRIAL or key_guarantee else rest).append(item)
    return first + rest


@login_required
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = selectors.get_cadre_for_user(request.user, pk)
    require(request.user, perms.VIEW_CADRES)
    return render(request, "liaison/cadre_detail.html", _cadre_context(request, cadre))


@login_required
def cadre_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user: Any = request.user
    cadre = selectors.get_cadre_for_user(user, pk) if pk is not None else None
    require(user, perms.MANAGE_CADRES)
    form = CadreForm(request.POST if request.method == "POST" else None, instance=cadre)
    if form.is_bound and form.is_valid():
        try:
            saved = services.check_save_cadre(user, form.service_data(), cadre)
        except services.LiaisonValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已保存联络员“%(n)s”") % {"n": saved.name})
            return redirect("liaison:cadre_detail", pk=saved.pk)
    context = {"form": form, "cadre": cadre}
    return render(request, "liaison/cadre_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def cadre_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    cadre = selectors.get_cadre_for_user(user, pk)
    require(user, perms.VIEW_CADRES)
    require(user, roles.REVEAL_PERSONAL_DATA)
    form = RevealForm(request.POST)
    extra: dict[str, Any] = {"reveal_form": form}
    if form.is_valid():
        try:
            extra["revealed_phone"] = services.do_reveal_cadre_phone(user, cadre, form.cleaned_data["reason"])
        except services.LiaisonValidationError as exc:
            form.add_service_errors(exc.errors)
    response = render(request, "liaison/cadre_detail.html", _cadre_context(request, cadre, **extra))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    cadre = selectors.get_cadre_for_user(user, pk)
    require(user, perms.MANAGE_CADRES)
    form = AssignForm(request.POST, targets=_target_choices(user))
    if form.is_valid():
        target = selectors.get_target_for_user(user, form.cleaned_data["target"])
        try:
            services.check_assign(user, cadre, target, form.cleaned_data["start"])
        except services.LiaisonValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已派驻%(c)s到%(t)s") % {"c": cadre.name, "t": target})
            return redirect("liaison:cadre_detail", pk=cadre.pk)
    context = _cadre_context(request, cadre, assign_form=form)
    return render(request, "liaison/cadre_detail.html", context, status=400)


@login_required
@require_POST
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    posting = scoping.get_in_scope(selectors.assignments_for(user).select_related("cadre"), pk=pk)
    require(user, perms.MANAGE_CADRES)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.check_end_assignment(user, posting, form.cleaned_data["end"])
        except services.LiaisonValidationError as exc:
            for message in exc.errors.values():
                messages.error(request, message)
        else:
            messages.success(request, _("已结束该派驻"))
    else:
        messages.error(request, _("请填写结束日期"))
    return redirect("liaison:cadre_detail", pk=posting.cadre_id)


# --- the assignment proposal ---------------------------------------------------------------------------


def _proposal_scopes(params: Any) -> tuple[str, ...]:
    chosen = tuple(s for s in params.getlist("scope") if s in proposals.SCOPES)
    return chosen or proposals.DEFAULT_SCOPES


@login_required
def proposal(request: HttpRequest) -> HttpResponse:
    """GET: the proposal as a diff (add / keep / cannot cover). POST: post the ticked adds, each with the
    proposed cadre or the one the admin picked instead."""
    user: Any = request.user
    require(user, perms.MANAGE_CADRES)
    today = timezone.localdate()
    params = request.POST if request.method == "POST" else request.GET
    scopes = _proposal_scopes(params)
    errors: dict[str, str] = {}
    if request.method == "POST":
        rows, errors = _accepted_rows(request)
        if not errors:
            try:
                created = services.check_apply_proposal(user, rows, today)
            except services.LiaisonValidationError as exc:
                errors = exc.errors
            else:
                messages.success(request, _("已按方案派驻 %(n)d 个企业和项目") % {"n": len(created)})
                return redirect(f"{request.path}?{'&'.join(f'scope={s}' for s in scopes)}")
    plan = proposals.build_proposal(user, today, scopes)
    context = {
        "plan": plan,
        "scopes": [(key, label, key in plan.scopes) for key, label in proposals.SCOPES.items()],
        "errors": errors,
        "cadre_choices": [(c.pk, f"{c.name}（{c.home_town or _('未填镇街')}）") for c in plan.cadres],
    }
    return render(request, "liaison/proposal.html", context, status=400 if errors else 200)


def _accepted_rows(request: HttpRequest) -> tuple[list[tuple[Any, Any]], dict[str, str]]:
    """The ticked rows of the posted diff: target key → the chosen cadre, each fetched through the scoped
    selectors (a forged key is a clear error, not a 500)."""
    user: Any = request.user
    rows, errors = [], {}
    keys = [k[:20] for k in request.POST.getlist("accept")]
    for key in keys:
        cadre_id = (request.POST.get(f"cadre_{key}") or "")[:20]
        try:
            target = selectors.get_target_for_user(user, key)
            cadre = selectors.get_cadre_for_user(user, cadre_id)
        except Http404:  # a forged or stale key: report the row instead
            errors[key] = _("找不到该企业、项目或联络员")
            continue
        rows.append((target, cadre))
    if not keys:
        errors["rows"] = _("没有选中要派驻的企业和项目")
    return rows, errors


# --- the liaison rules ---------------------------------------------------------------------------------


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, perms.VIEW_CADRES)
    can_manage = roles.can(user, perms.MANAGE_CADRES)
    if request.method == "POST":
        require(user, perms.MANAGE_CADRES)
    form = RuleForm(request.POST if request.method == "POST" else None) if can_manage else None
    if form is not None and form.is_bound and form.is_valid():
        try:
            services.check_add_rule(user, form.cleaned_data)
        except services.LiaisonValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已新增规则版本"))
            return redirect("liaison:rules")
    context = {
        "versions": LiaisonRule.objects.select_related("created_by").order_by("-effective_from"),
        "current": rule_on(timezone.localdate()),
        "form": form,
    }
    return render(request, "liaison/rules.html", context, status=400 if form is not None and form.errors else 200)
