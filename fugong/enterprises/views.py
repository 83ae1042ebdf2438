"""Pages of the enterprise registry (企业台账) and key projects (重点项目).

Thin by design: reads go through selectors (scoped; out of scope is a 404 like a missing record), writes go
through services (validated, audited), and each page asks `roles.can()` for its action (403 otherwise).
The Excel import/export pages live in views_excel.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts import roles
from fugong.core import scoping
from fugong.core.models import AuditLog

from . import selectors, services
from .classification import Category, SizeClass
from .forms import EnterpriseForm, ProjectForm, towns_for
from .models import Enterprise, KeyProject, Ownership, ResumptionStatus, SizeThreshold

PAGE_SIZE = 50
ENTERPRISE_SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "town": ("town__sort", "town_id", "name", "id"),
    "-town": ("-town__sort", "-town_id", "name", "id"),
}
DEFAULT_ENTERPRISE_SORT = ("town__sort", "town_id", "name", "id")
FILTER_KEYS = (
    "q",
    "town",
    "category",
    "size_class",
    "status",
    "ownership",
    "key_guarantee",
    "in_park",
    "state_premises",
)


def _query(request: HttpRequest) -> dict[str, str]:
    """The query string as a plain dict without NUL characters, which PostgreSQL refuses in a text filter
    (a 500 instead of an empty result)."""
    # items() gives each key's last value; the isinstance check drops the stubs' "empty list" case, which a
    # parsed query string never produces.
    return {k: v.replace("\x00", "") for k, v in request.GET.items() if isinstance(v, str)}


def _require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


def _add_service_errors(form: Any, errors: Mapping[str, str]) -> None:
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


# --- enterprises ----------------------------------------------------------------------------------
@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(user, roles.VIEW_ENTERPRISES)
    filters = selectors.EnterpriseFilters.from_query(_query(request))
    sort = request.GET.get("sort", "")
    qs = selectors.enterprises_for_user(user, filters).order_by(*ENTERPRISE_SORTS.get(sort, DEFAULT_ENTERPRISE_SORT))

    # One grouped query gives both the summary row and the total, so the paginator need not count again.
    by_category = dict(qs.order_by().values_list("category").annotate(n=Count("id")))
    summary = [(value, label, by_category[value]) for value, label in Category.choices if by_category.get(value)]
    paginator = Paginator(qs, PAGE_SIZE)
    paginator.count = sum(by_category.values())
    page = paginator.get_page(request.GET.get("page"))

    context = {
        "page": page,
        "enterprises": page.object_list,
        "total": paginator.count,
        "summary": summary,
        "filters": filters,
        "sort": sort if sort in ENTERPRISE_SORTS else "",
        "filtered": any(request.GET.get(k) for k in FILTER_KEYS),
        "towns": towns_for(user),
        "categories": Category.choices,
        "size_classes": SizeClass.choices,
        "statuses": ResumptionStatus.choices,
        "ownerships": [("non_public", _("非公")), *Ownership.choices],
        "flag_filters": [
            ("key_guarantee", _("重点保障"), filters.key_guarantee),
            ("in_park", _("在园区"), filters.in_park),
            ("state_premises", _("承租国有经营用房"), filters.state_premises),
        ],
        "can_create": roles.can(user, roles.CREATE_ENTERPRISE),
        "can_import": roles.can(user, roles.IMPORT_ENTERPRISES),
        "can_export": roles.can(user, roles.EXPORT_ENTERPRISES),
    }
    return render(request, "enterprises/enterprise_list.html", context)


def _detail_context(user: Any, enterprise: Enterprise, **extra: Any) -> dict[str, Any]:
    projects = selectors.projects_for_user(user).filter(owner=enterprise).order_by("code")
    return {
        "e": enterprise,
        "thresholds": list(SizeThreshold.objects.filter(sector=enterprise.size_sector)),
        "projects": list(projects),
        "can_view_projects": roles.can(user, roles.VIEW_PROJECTS),
        "can_edit": bool(services.editable_fields_for(user)),
        "can_reveal": roles.can(user, roles.REVEAL_PERSONAL_DATA),
        **extra,
    }


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.get_enterprise_for_user(request.user, pk)
    _require(request.user, roles.VIEW_ENTERPRISES)
    return render(request, "enterprises/enterprise_detail.html", _detail_context(request.user, enterprise))


@login_required
@require_POST
def enterprise_reveal_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact phone in clear after a stated reason; the service logs the reveal (AccessLog)."""
    enterprise = selectors.get_enterprise_for_user(request.user, pk)
    _require(request.user, roles.REVEAL_PERSONAL_DATA)
    extra: dict[str, Any] = {"reason": request.POST.get("reason", "")[:300]}
    try:
        extra["revealed_phone"] = services.do_reveal_contact_phone(request.user, enterprise, extra["reason"])
    except services.EnterpriseValidationError as exc:
        extra["reveal_error"] = exc.errors.get("reason") or next(iter(exc.errors.values()))
    context = _detail_context(request.user, enterprise, **extra)
    if request.headers.get("HX-Request"):
        response = render(request, "enterprises/_contact_phone.html", context)
    else:  # without JavaScript the form posts here and gets the whole page back
        response = render(request, "enterprises/enterprise_detail.html", context)
    # A revealed number must not linger in a shared browser's or proxy's cache.
    response["Cache-Control"] = "no-store"
    return response


@login_required
def enterprise_create(request: HttpRequest) -> HttpResponse:
    _require(request.user, roles.CREATE_ENTERPRISE)
    form = EnterpriseForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            enterprise = services.check_create_enterprise(request.user, form.service_data())
        except services.EnterpriseValidationError as exc:
            _add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("已登记企业“%(name)s”") % {"name": enterprise.name})
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "e": None})


@login_required
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.get_enterprise_for_user(request.user, pk)
    _require(request.user, roles.EDIT_ENTERPRISE)
    form = EnterpriseForm(request.POST if request.method == "POST" else None, user=request.user, instance=enterprise)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            changed = services.check_update_enterprise(
                request.user, enterprise, form.service_data(), form.cleaned_data["version"]
            )
        except services.ConcurrentEditError:
            form.add_error(None, _("该企业信息已被他人修改，请刷新后重试"))
            status = 409
        except services.EnterpriseValidationError as exc:
            _add_service_errors(form, exc.errors)
        else:
            if changed:
                messages.success(request, _("已保存修改"))
            else:
                messages.info(request, _("未作修改"))
            return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "e": enterprise}, status=status)


@login_required
def enterprise_history(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.get_enterprise_for_user(request.user, pk)
    _require(request.user, roles.VIEW_ENTERPRISES)
    logs = AuditLog.objects.filter(object_type=Enterprise._meta.label_lower, object_id=str(enterprise.pk)).order_by(
        "-at", "-id"
    )
    page = Paginator(logs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enterprises/enterprise_history.html", {"e": enterprise, "page": page})


# --- key projects ---------------------------------------------------------------------------------
def _filter_projects(qs: QuerySet[KeyProject], params: Any) -> QuerySet[KeyProject]:
    q = (params.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    for key in ("town", "stage", "status"):
        value = (params.get(key) or "").strip()[:20]
        if value:
            qs = qs.filter(**{f"{key}_id" if key == "town" else key: value})
    return qs


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    _require(request.user, roles.VIEW_PROJECTS)
    qs = _filter_projects(selectors.projects_for_user(request.user), _query(request)).order_by("town__sort", "code")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "projects": page.object_list,
        "params": request.GET,
        "towns": towns_for(request.user),
        "stages": KeyProject.Stage.choices,
        "statuses": ResumptionStatus.choices,
        "can_edit": roles.can(request.user, roles.EDIT_PROJECT),
    }
    return render(request, "enterprises/project_list.html", context)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.get_project_for_user(request.user, pk)
    _require(request.user, roles.VIEW_PROJECTS)
    # Link the owner only when the viewer may open it: a liaison of the project may not see its owner.
    owner_visible = (
        project.owner_id is not None
        and roles.can(request.user, roles.VIEW_ENTERPRISES)
        and scoping.enterprises_for(request.user).filter(pk=project.owner_id).exists()
    )
    logs = AuditLog.objects.filter(object_type=KeyProject._meta.label_lower, object_id=str(project.pk)).order_by(
        "-at", "-id"
    )[:20]
    context = {
        "p": project,
        "owner_visible": owner_visible,
        "logs": logs,
        "can_edit": roles.can(request.user, roles.EDIT_PROJECT),
    }
    return render(request, "enterprises/project_detail.html", context)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    _require(request.user, roles.EDIT_PROJECT)
    form = ProjectForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            project = services.check_create_project(request.user, form.service_data())
        except services.EnterpriseValidationError as exc:
            _add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("已登记项目“%(name)s”") % {"name": project.name})
            return redirect("enterprises:project_detail", pk=project.pk)
    return render(request, "enterprises/project_form.html", {"form": form, "p": None})


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.get_project_for_user(request.user, pk)
    _require(request.user, roles.EDIT_PROJECT)
    form = ProjectForm(request.POST if request.method == "POST" else None, user=request.user, instance=project)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            changed = services.check_update_project(
                request.user, project, form.service_data(), form.cleaned_data["version"]
            )
        except services.ConcurrentEditError:
            form.add_error(None, _("该项目信息已被他人修改，请刷新后重试"))
            status = 409
        except services.EnterpriseValidationError as exc:
            _add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("已保存修改") if changed else _("未作修改"))
            return redirect("enterprises:project_detail", pk=project.pk)
    return render(request, "enterprises/project_form.html", {"form": form, "p": project}, status=status)
