"""Screening pages for staff and enterprises: the overview, an enterprise's screening page (statuses, alerts,
QR poster, gate-reading upload), alerts, "who passed through X?", and the re-screening jobs. Rule data pages
(risk areas, rule versions) are in views_rules.py; the phone page in views_checkin.py.

Thin: reads through selectors (scoped: an enterprise or alert out of scope is a 404), writes through services
and importers, and each page asks roles.can() for its action (403 otherwise).
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fugong.accounts import roles
from fugong.accounts.roles import Role
from fugong.core import audit, excel, scoping
from fugong.enterprises import selectors as enterprise_selectors
from fugong.enterprises.models import Enterprise

from . import exports, importers, permissions, rules, selectors, services
from .forms import GateUploadForm, RescreenForm, ResolveAlertForm, TraceForm
from .models import Alert

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 100


def _require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


def _enterprise(request: HttpRequest, enterprise_id: int, action: str) -> Enterprise:
    """In scope first (else 404, like a missing one), then the role's action (else 403)."""
    enterprise = enterprise_selectors.get_enterprise_for_user(request.user, enterprise_id)
    _require(request.user, action)
    return enterprise


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _xlsx(write: Any, filename: str) -> FileResponse:
    spool = tempfile.TemporaryFile()  # FileResponse closes it
    write(spool)
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d_%H%M")


# --- overview ----------------------------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role == Role.ENTERPRISE and user.enterprise_id and roles.can(user, permissions.VIEW_ALERTS):
        return redirect("screening:enterprise", enterprise_id=user.enterprise_id)
    _require(user, permissions.VIEW)
    q = (request.GET.get("q") or "").strip()[:60]
    page = Paginator(selectors.enterprises_by_status(user, q), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    context = {
        "counts": selectors.status_counts(user),
        "page": page,
        "enterprises": page.object_list,
        "q": q,
        "open_alerts": selectors.open_alert_count(user) if roles.can(user, permissions.VIEW_ALERTS) else None,
        "rule": selectors.rule_in_force(today),
        "today": today,
        "can_manage": roles.can(user, permissions.MANAGE_RULES),
        "can_alerts": roles.can(user, permissions.VIEW_ALERTS),
    }
    return render(request, "screening/overview.html", context)


# --- one enterprise ----------------------------------------------------------------------------------------


@login_required
def enterprise(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    e = _enterprise(request, enterprise_id, permissions.VIEW_ALERTS)
    user = request.user
    today = timezone.localdate()
    can_checkin = roles.can(user, permissions.CHECKIN)
    context = {
        "e": e,
        "counts": selectors.status_counts(user, e.pk),
        "attention": selectors.attention(user, e.pk),
        "alerts": selectors.alerts_for_user(user, selectors.AlertFilters(enterprise=e.pk))[:50],
        "declared_today": selectors.declarations_on(e.pk, today),
        "declarations": selectors.recent_declarations(e.pk),
        "point": services.do_ensure_checkin_point(user, e) if can_checkin else None,
        "can_checkin": can_checkin,
        "can_resolve": roles.can(user, permissions.RESOLVE_ALERTS),
        "can_view_roster": roles.can(user, roles.VIEW_EMPLOYEES),
        "today": today,
    }
    return _no_store(render(request, "screening/enterprise.html", context))


def _checkin_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("screening:checkin", args=[token]))


@login_required
def poster(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    e = _enterprise(request, enterprise_id, permissions.CHECKIN)
    point = services.do_ensure_checkin_point(request.user, e)
    url = _checkin_url(request, point.token)
    context = {"e": e, "url": url, "qr_svg": exports.qr_svg(url), "statement_version": rules_statement_version()}
    return _no_store(render(request, "screening/poster.html", context))


def rules_statement_version() -> str:
    from .checkin import STATEMENT_VERSION

    return STATEMENT_VERSION


@login_required
def qr_png(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    e = _enterprise(request, enterprise_id, permissions.CHECKIN)
    point = services.do_ensure_checkin_point(request.user, e)
    response = HttpResponse(exports.qr_png(_checkin_url(request, point.token)), content_type="image/png")
    response["Content-Disposition"] = 'attachment; filename="checkin-qr.png"'
    return _no_store(response)


@login_required
@require_POST
def rotate(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    e = _enterprise(request, enterprise_id, permissions.CHECKIN)
    services.check_rotate_checkin_token(request.user, e)
    messages.success(request, _("已更换二维码：旧的二维码立即失效，请重新打印张贴"))
    return redirect("screening:poster", enterprise_id=e.pk)


@login_required
def gate_upload(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    e = _enterprise(request, enterprise_id, permissions.CHECKIN)
    form = GateUploadForm(request.POST or None, request.FILES or None)
    outcome = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = importers.import_gate_readings(
                request.user, e, upload, upload.name or "upload.xlsx", form.cleaned_data.get("taken_on")
            )
        except excel.UnreadableFile as exc:
            form.add_error("file", exc.message)
        else:
            if outcome.created:
                messages.success(request, _("已导入%(n)d条测温记录，相关员工已重新排查") % {"n": outcome.created})
    if form.errors or (outcome is not None and outcome.rejected):
        status = 400
    context = {"e": e, "form": form, "outcome": outcome}
    return render(request, "screening/gate_upload.html", context, status=status)


@login_required
def gate_template(request: HttpRequest) -> HttpResponseBase:
    _require(request.user, permissions.CHECKIN)
    day = timezone.localdate()
    return _xlsx(lambda out: importers.gate_template(out, day), _("门岗测温记录模板.xlsx"))


# --- alerts ------------------------------------------------------------------------------------------------


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.VIEW_ALERTS)
    filters = selectors.AlertFilters.from_query(request.GET)
    page = Paginator(selectors.alerts_for_user(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "alerts": page.object_list,
        "filters": filters,
        "kinds": Alert.Kind.choices,
        "can_resolve": roles.can(request.user, permissions.RESOLVE_ALERTS),
    }
    return render(request, "screening/alerts.html", context)


@login_required
@require_POST
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.get_alert_for_user(request.user, pk)
    _require(request.user, permissions.RESOLVE_ALERTS)
    form = ResolveAlertForm(request.POST)
    if form.is_valid():
        try:
            services.check_resolve_alert(request.user, alert, form.cleaned_data["resolution"])
        except services.ScreeningValidationError as exc:
            messages.error(request, next(iter(exc.errors.values()))[1])
        else:
            messages.success(request, _("已记录处理情况"))
    else:
        messages.error(request, _("请填写处理情况"))
    target = request.POST.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("screening:alerts")
    return redirect(target)


# --- who passed through X? -----------------------------------------------------------------------------


def _trace_query(request: HttpRequest) -> tuple[TraceForm, dict[str, Any] | None]:
    form = TraceForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return form, None
    today = timezone.localdate()
    as_of = form.cleaned_data.get("as_of") or today
    days = form.cleaned_data.get("days") or rules.rules_on(as_of).observation_days
    code = form.cleaned_data["code"]
    since, until = selectors.trace_window(as_of, days)
    area = selectors.risk_areas(selectors.RiskFilters(q=code), as_of).filter(region_code=code).first()
    return form, {"code": code, "as_of": as_of, "days": days, "since": since, "until": until, "area": area}


@login_required
def trace(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.TRACE)
    form, query = _trace_query(request)
    context: dict[str, Any] = {"form": form, "query": query}
    if query is not None:
        rows = selectors.trace(request.user, query["code"], query["since"], query["until"])
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            rows=selectors.trace_rows(list(page.object_list), query["as_of"]),
            region_name=_region_name(query),
        )
        audit.log_access(
            request.user,
            "view",
            subject_type="screening.trace",
            subject_repr=query["code"],
            fields=["trajectory", "clearance"],
            purpose=_("排查途经人员"),
            record_count=len(context["rows"]),
        )
    return _no_store(render(request, "screening/trace.html", context, status=400 if form.errors else 200))


def _region_name(query: dict[str, Any]) -> str:
    if query.get("area") is not None:
        return str(query["area"].region_name)
    from fugong.regions.models import Region

    return Region.objects.filter(code=query["code"]).values_list("name", flat=True).first() or ""


@login_required
def trace_export(request: HttpRequest) -> HttpResponseBase:
    _require(request.user, permissions.TRACE)
    _form, query = _trace_query(request)
    if query is None:
        messages.error(request, _("请先填写区划代码再导出"))
        return redirect("screening:trace")
    export = exports.TraceExport(request.user, query, _region_name(query))
    return _xlsx(export.write, _("途经人员_%(code)s_%(stamp)s.xlsx") % {"code": query["code"], "stamp": _stamp()})


# --- re-screening ------------------------------------------------------------------------------------------


@login_required
def rescreen(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.MANAGE_RULES)
    form = RescreenForm(request.POST or None, initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        job = services.check_start_rescreen(request.user, form.cleaned_data["as_of"])
        return redirect("screening:job", pk=job.pk)
    jobs = selectors.jobs_for(request.user)[:20]
    return render(request, "screening/rescreen.html", {"form": form, "jobs": jobs}, status=400 if form.errors else 200)


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    item = scoping.get_in_scope(selectors.jobs_for(request.user), pk=pk)
    template = "screening/_job_status.html" if request.headers.get("HX-Request") else "screening/job.html"
    return render(request, template, {"job": item})
