"""Pages of the application workflow: list, fill in, the application page with its history, submit, withdraw,
inspect, report rectification, reject, file, and evidence downloads.

Thin: every object comes through a scoped selector (out of scope = 404), every action asks roles.can() (403),
every write goes through services, whose messages are shown on the form (400) or as a notice.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts import roles
from fugong.core import scoping
from fugong.enterprises.classification import Category
from fugong.regions.selectors import towns

from . import hooks, permissions, selectors, services, uploads
from .forms import ApplicationForm, EnterpriseChoiceForm, FilingForm, InspectionForm, RectificationForm
from .models import AppAction, Application, AppState, EvidencePurpose, Transition

PAGE_SIZE = 50
ACTION_PERMISSIONS: dict[str, str] = {
    AppAction.SUBMIT: permissions.APPLY,
    AppAction.WITHDRAW: permissions.APPLY,
    AppAction.REPORT_RECTIFIED: permissions.APPLY,
    AppAction.INSPECT_PASS: permissions.INSPECT,
    AppAction.REJECT: permissions.INSPECT,
    AppAction.FILE: permissions.FILE,
}


def _require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


def _app(request: HttpRequest, pk: int, action: str) -> Application:
    """In scope first (404), then the role's action (403)."""
    app = selectors.get_application_for_user(request.user, pk)
    _require(request.user, action)
    return app


def available_actions(user: Any, app: Application) -> set[str]:
    """What this user may do with the application now: the role allows it, the state table has the step,
    and (for approvals) it is not their own application."""
    rules = Transition.objects.filter(from_state=app.state)
    out = set()
    own = {app.created_by_id, app.submitted_by_id}
    for rule in rules:
        needed = ACTION_PERMISSIONS.get(
            rule.action if rule.action != AppAction.INSPECT_FAIL else AppAction.INSPECT_PASS
        )
        if needed is None or not roles.can(user, needed):
            continue
        mine = own | ({app.passed_by_id} if rule.action == AppAction.FILE else set())
        if rule.approval and user.pk in mine:
            continue
        out.add("inspect" if rule.action in (AppAction.INSPECT_PASS, AppAction.INSPECT_FAIL) else rule.action)
    return out


def _uploads(request: HttpRequest, items: Any, purpose: str, plans: bool = False) -> uploads.Uploads:
    files: list[tuple[str, str, int | None, Any]] = []
    if plans:
        for field, kind in (
            ("prevention_plan", EvidencePurpose.PREVENTION_PLAN),
            ("emergency_plan", EvidencePurpose.EMERGENCY_PLAN),
        ):
            files.extend((field, kind, None, f) for f in request.FILES.getlist(field))
    for item_id in items:
        files.extend((f"files_{item_id}", purpose, item_id, f) for f in request.FILES.getlist(f"files_{item_id}"))
    return uploads.check(files)


# --- list and fill in --------------------------------------------------------------------------------
@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.VIEW)
    filters = selectors.ApplicationFilters.from_query(request.GET)
    qs = selectors.applications_for_user(request.user, filters).order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "apps": page.object_list,
        "filters": filters,
        "states": [("open", _("办理中")), *AppState.choices],
        "towns": towns() if scoping.aggregate_area(request.user) == scoping.DISTRICT_AREA else [],
        "categories": Category.choices,
        "can_apply": roles.can(request.user, permissions.APPLY),
        "query": {
            k: v
            for k, v in {
                "state": filters.state,
                "town": filters.town,
                "category": filters.category,
                "q": filters.q,
                "overdue": "1" if filters.overdue else "",
            }.items()
            if v
        },
    }
    return render(request, "resumption/application_list.html", context)


@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _require(user, permissions.APPLY)
    enterprise_id = request.GET.get("enterprise") or request.POST.get("enterprise")
    if not enterprise_id and user.enterprise_id:
        enterprise_id = str(user.enterprise_id)
    if not enterprise_id:
        chooser = EnterpriseChoiceForm(request.GET or None, enterprises=selectors.enterprises_for_apply(user))
        return render(request, "resumption/application_choose.html", {"form": chooser})
    enterprise = selectors.get_enterprise_for_user(user, enterprise_id)
    checklist = services.current_checklist()
    items = list(checklist.items.all())
    form = ApplicationForm(request.POST if request.method == "POST" else None, items=items)
    if form.is_bound and form.is_valid():
        try:
            files = _uploads(request, [i.pk for i in items], EvidencePurpose.SELF_CHECK, plans=True)
            data = services.DraftData(
                form.cleaned_data["planned_date"],
                form.cleaned_data["batch_workers"],
                form.cleaned_data["note"],
                form.answers(),
            )
            app = services.check_create_application(user, enterprise, data, files)
        except services.ResumptionError as exc:
            form.add_service_errors(exc.errors)
        else:
            return _after_save(request, app)
    context = {"form": form, "enterprise": enterprise, "checklist": checklist, "app": None}
    return render(request, "resumption/application_form.html", context, status=400 if form.errors else 200)


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, permissions.APPLY)
    if app.state != AppState.DRAFT:
        messages.error(request, _("申请已提交，不能再修改"))
        return redirect("resumption:application", pk=app.pk)
    items = list(app.checklist.items.all())
    initial: dict[str, Any] = {
        "planned_date": app.planned_date,
        "batch_workers": ",".join(str(n) for n in app.batch_workers),
        "note": app.note,
        "version": app.version,
    }
    for check in app.self_checks.all():
        initial[f"answer_{check.item_id}"] = check.answer
        initial[f"note_{check.item_id}"] = check.note
    form = ApplicationForm(request.POST if request.method == "POST" else None, initial=initial, items=items)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            files = _uploads(request, [i.pk for i in items], EvidencePurpose.SELF_CHECK, plans=True)
            data = services.DraftData(
                form.cleaned_data["planned_date"],
                form.cleaned_data["batch_workers"],
                form.cleaned_data["note"],
                form.answers(),
            )
            app = services.check_update_draft(request.user, app, data, files, form.cleaned_data.get("version"))
        except services.ConcurrentEditError:
            form.add_error(None, _("该申请已被他人修改，请刷新后重试"))
            status = 409
        except services.ResumptionError as exc:
            form.add_service_errors(exc.errors)
        else:
            return _after_save(request, app)
    detail = selectors.application_detail(app)
    context = {"form": form, "enterprise": app.enterprise, "checklist": app.checklist, "app": app, **detail}
    return render(
        request,
        "resumption/application_form.html",
        context,
        status=status if status != 200 else (400 if form.errors else 200),
    )


def _after_save(request: HttpRequest, app: Application) -> HttpResponse:
    """ "保存草稿" stays a draft; "保存并提交" submits it when complete (else it says what is missing)."""
    if request.POST.get("submit") == "1":
        try:
            services.check_submit(request.user, app)
        except services.ResumptionError as exc:
            messages.warning(request, _("已保存草稿，但还不能提交：%(why)s") % {"why": exc.message})
            return redirect("resumption:application_edit", pk=app.pk)
        messages.success(request, _("申请已提交，等待镇（街道）现场核查"))
    else:
        messages.success(request, _("已保存草稿"))
    return redirect("resumption:application", pk=app.pk)


# --- the application page ----------------------------------------------------------------------------
@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, permissions.VIEW)
    actions = available_actions(request.user, app)
    context = {
        "app": app,
        "e": app.enterprise,
        "actions": actions,
        "missing": services.missing_for_submission(app) if app.state == AppState.DRAFT else [],
        "can_edit": app.state == AppState.DRAFT and roles.can(request.user, permissions.APPLY),
        "open_items": services.open_rectifications(app)
        if app.state in (AppState.RECTIFYING, AppState.REINSPECT)
        else [],
        **selectors.application_detail(app),
    }
    return render(request, "resumption/application_detail.html", context)


def _step(request: HttpRequest, app: Application, run: Any, done: str) -> HttpResponse:
    try:
        run()
    except services.ResumptionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("resumption:application", pk=app.pk)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, permissions.APPLY)
    return _step(
        request, app, lambda: services.check_submit(request.user, app), _("申请已提交，等待镇（街道）现场核查")
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, permissions.APPLY)
    reason = request.POST.get("reason", "")
    return _step(request, app, lambda: services.check_withdraw(request.user, app, reason), _("申请已撤回"))


@login_required
@require_POST
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, permissions.INSPECT)
    reason = request.POST.get("reason", "")
    return _step(request, app, lambda: services.check_reject(request.user, app, reason), _("申请已退回"))


@login_required
def application_file(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, permissions.FILE)
    form = FilingForm(request.POST if request.method == "POST" else None, initial={"actual_date": timezone.localdate()})
    if form.is_bound and form.is_valid():
        try:
            services.check_file(
                request.user,
                app,
                form.cleaned_data["actual_date"],
                form.cleaned_data["resumed_as"],
                form.cleaned_data["note"],
            )
        except services.ResumptionError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(
                request,
                _("已备案：%(name)s 自 %(d)s 起复工")
                % {"name": app.enterprise.name, "d": form.cleaned_data["actual_date"]},
            )
            return redirect("resumption:application", pk=app.pk)
    context = {"app": app, "form": form}
    return render(request, "resumption/application_file.html", context, status=400 if form.errors else 200)


@login_required
def application_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, permissions.INSPECT)
    day = timezone.localdate()
    checklist = services.current_checklist(day)
    items = list(checklist.items.all())
    previous = {r.item_id: r for r in services.open_rectifications(app)}
    initial: dict[str, Any] = {"inspected_on": day}
    form = InspectionForm(request.POST if request.method == "POST" else None, initial=initial, items=items)
    if form.is_bound and form.is_valid():
        try:
            files = _uploads(request, [i.pk for i in items], EvidencePurpose.INSPECTION)
            data = services.InspectionData(
                form.cleaned_data["inspected_on"], form.results(), form.cleaned_data["notes"]
            )
            inspection = services.check_inspect(request.user, app, data, files)
        except services.ResumptionError as exc:
            form.add_service_errors(exc.errors)
        else:
            if inspection.passed:
                messages.success(
                    request, _("第%(n)d次现场核查：必备项全部合格，待区复工办备案") % {"n": inspection.number}
                )
            else:
                messages.warning(
                    request, _("第%(n)d次现场核查：有不合格项，已通知企业限期整改") % {"n": inspection.number}
                )
            return redirect("resumption:application", pk=app.pk)
    context = {
        "app": app,
        "form": form,
        "checklist": checklist,
        "previous": previous,
        # 物资到位: the supplies app's days of supply when it has the figure (hooks.supply_days), else None.
        "supply_days": hooks.supply_days(app.enterprise, day),
        "supply_items": hooks.supply_item_ids(items),
        **selectors.application_detail(app),
    }
    return render(request, "resumption/application_inspect.html", context, status=400 if form.errors else 200)


@login_required
def application_rectified(request: HttpRequest, pk: int) -> HttpResponse:
    app = _app(request, pk, permissions.APPLY)
    failed = services.open_rectifications(app)
    form = RectificationForm(request.POST if request.method == "POST" else None, failed=failed)
    if form.is_bound and form.is_valid():
        try:
            files = _uploads(request, [r.item_id for r in failed], EvidencePurpose.RECTIFICATION)
            services.check_report_rectified(request.user, app, form.notes(), files)
        except services.ResumptionError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已报告整改完成，等待镇（街道）复查"))
            return redirect("resumption:application", pk=app.pk)
    context = {"app": app, "form": form}
    return render(request, "resumption/application_rectified.html", context, status=400 if form.errors else 200)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = selectors.get_evidence_for_user(request.user, pk)
    _require(request.user, permissions.VIEW)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    inline = evidence.kind in ("image", "pdf")
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=evidence.original_name,
        content_type=uploads.content_type(evidence.kind, "." + str(evidence.file.name).rsplit(".", 1)[-1]),
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


def application_url(app: Application) -> str:
    return reverse("resumption:application", args=[app.pk])
