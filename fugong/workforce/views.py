"""Pages of the workforce archive (一人一档): rosters, the batch summary, the archive card (员工档案卡), its entry
forms, the roster export and the district totals. The roster import pages live in views_import.py.

Thin by design: reads go through selectors (scoped: an enterprise or employee out of scope is a 404 like a
missing one), writes through services (validated, audited), and each page asks `roles.can()` for its action
(403 otherwise). Personal data is shown masked; clear values only through the logged reveal.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fugong.accounts import roles
from fugong.accounts.models import User
from fugong.accounts.roles import Role
from fugong.enterprises import selectors as enterprise_selectors
from fugong.enterprises.forms import towns_for
from fugong.enterprises.models import Enterprise

from . import exports, selectors, services
from .forms import (
    EmployeeForm,
    ExportPurposeForm,
    HealthTestForm,
    QuarantineForm,
    ReadingForm,
    StayForm,
    _BootstrapForm,
)
from .models import ClearanceStatus, Employee

ROSTER_PAGE_SIZE = 100
HOME_PAGE_SIZE = 50
ROSTER_FILTER_KEYS = ("batch", "resident", "workshop", "shift", "clearance", "q")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REVEAL_CHOICES = (
    ("name", gettext_lazy("姓名")),
    ("id_number", gettext_lazy("身份证号码")),
    ("phone", gettext_lazy("手机号码")),
)


def _me(request: HttpRequest) -> User:
    # Only called behind login_required, where request.user is a real account.
    return cast(User, request.user)


def _require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


def _enterprise(request: HttpRequest, enterprise_id: int, action: str) -> Enterprise:
    """The enterprise if in scope (else 404, like a missing one), then the role's action (else 403)."""
    enterprise = enterprise_selectors.get_enterprise_for_user(request.user, enterprise_id)
    _require(request.user, action)
    return enterprise


def _employee(request: HttpRequest, pk: int, action: str) -> Employee:
    employee = selectors.get_employee_for_user(request.user, pk)
    _require(request.user, action)
    return employee


def _add_service_errors(form: forms.Form, errors: Mapping[str, tuple[str, str]]) -> None:
    for field, (_code, message) in errors.items():
        form.add_error(field if field in form.fields else None, message)


def _no_store(response: HttpResponse) -> HttpResponse:
    # Pages with health data or clear identifiers must not linger in a shared browser's or proxy's cache.
    response["Cache-Control"] = "no-store"
    return response


# --- rosters ---------------------------------------------------------------------------------------
@login_required
def roster_home(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _require(user, roles.VIEW_EMPLOYEES)
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return redirect("workforce:roster", enterprise_id=user.enterprise_id)
    q = (request.GET.get("q") or "").strip()[:100]
    town = (request.GET.get("town") or "").strip()[:12]
    qs = selectors.enterprises_with_counts(user, q=q, town=town)
    page = Paginator(qs, HOME_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "enterprises": page.object_list,
        "q": q,
        "town": town,
        "towns": towns_for(user),
        "filtered": bool(q or town),
    }
    return render(request, "workforce/roster_home.html", context)


@login_required
def roster(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    user = request.user
    enterprise = _enterprise(request, enterprise_id, roles.VIEW_EMPLOYEES)
    filters = selectors.RosterFilters.from_query(request.GET)
    # The commute route is sealed and not shown here: don't decrypt it for a hundred rows.
    qs = selectors.roster_for_user(user, enterprise.pk, filters).defer("commute_route").order_by("batch__number", "id")
    page = Paginator(qs, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "e": enterprise,
        "page": page,
        "employees": page.object_list,
        "filters": filters,
        "options": selectors.roster_options(user, enterprise.pk),
        "clearances": ClearanceStatus.choices,
        "filtered": any(request.GET.get(k) for k in ROSTER_FILTER_KEYS),
        "can_edit": roles.can(user, roles.EDIT_EMPLOYEES),
        "can_import": roles.can(user, roles.IMPORT_EMPLOYEES),
        "can_export": roles.can(user, roles.EXPORT_EMPLOYEES),
        "can_reveal": roles.can(user, roles.REVEAL_PERSONAL_DATA),
    }
    return _no_store(render(request, "workforce/roster.html", context))


@login_required
def batch_summary(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = _enterprise(request, enterprise_id, roles.VIEW_EMPLOYEES)
    rows = selectors.batch_summary(request.user, enterprise.pk)
    context = {"e": enterprise, "rows": rows, "totals": selectors.batch_totals(rows)}
    return render(request, "workforce/batch_summary.html", context)


@login_required
def district_totals(request: HttpRequest) -> HttpResponse:
    _require(request.user, roles.VIEW_DISTRICT_FIGURES)
    rows, totals = selectors.district_totals(request.user)
    context = {"rows": rows, "totals": totals, "can_view_rosters": roles.can(request.user, roles.VIEW_EMPLOYEES)}
    return render(request, "workforce/district_totals.html", context)


# --- the archive card ----------------------------------------------------------------------------------
def _card_context(user: Any, employee: Employee, **extra: Any) -> dict[str, Any]:
    return {
        "archive": selectors.archive_of(employee),
        "e": employee,
        "can_edit": roles.can(user, roles.EDIT_EMPLOYEES),
        "can_reveal": roles.can(user, roles.REVEAL_PERSONAL_DATA),
        "reveal_choices": REVEAL_CHOICES,
        "today": timezone.localdate(),
        **extra,
    }


@login_required
def archive_card(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee(request, pk, roles.VIEW_EMPLOYEES)
    services.log_archive_view(request.user, employee)
    return _no_store(render(request, "workforce/archive_card.html", _card_context(request.user, employee)))


@login_required
@require_POST
def employee_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Clear identity values after a stated reason; the service checks the permission and logs the reveal."""
    employee = _employee(request, pk, roles.VIEW_EMPLOYEES)
    _require(request.user, roles.REVEAL_PERSONAL_DATA)
    chosen = [f for f in request.POST.getlist("fields") if f in services.REVEALABLE]
    extra: dict[str, Any] = {"reason": request.POST.get("reason", "")[:300], "chosen": chosen}
    try:
        extra["revealed"] = services.do_reveal_employee(request.user, employee, chosen, extra["reason"])
    except services.EmployeeValidationError as exc:
        extra["reveal_error"] = next(iter(exc.errors.values()))[1]
    if request.headers.get("HX-Request"):
        return _no_store(render(request, "workforce/_identity.html", _card_context(request.user, employee, **extra)))
    # Without JavaScript the form posts here and gets the whole card back: that is a view of the card too.
    services.log_archive_view(request.user, employee)
    return _no_store(render(request, "workforce/archive_card.html", _card_context(request.user, employee, **extra)))


# --- forms -------------------------------------------------------------------------------------------
@login_required
def employee_create(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = _enterprise(request, enterprise_id, roles.EDIT_EMPLOYEES)
    form = EmployeeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            employee = services.check_create_employee(request.user, enterprise, form.service_data())
        except services.EmployeeValidationError as exc:
            _add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("已建立员工档案“%(name)s”") % {"name": employee.name_masked})
            return redirect("workforce:employee", pk=employee.pk)
    context = {"form": form, "enterprise": enterprise, "employee": None}
    return render(request, "workforce/employee_form.html", context, status=400 if form.errors else 200)


@login_required
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _employee(request, pk, roles.EDIT_EMPLOYEES)
    if request.method != "POST":
        # The form shows the sealed commute route in clear: opening it is a view of the archive, logged as such.
        services.log_archive_view(request.user, employee)
    form = EmployeeForm(request.POST if request.method == "POST" else None, instance=employee)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            changed = services.check_update_employee(
                request.user, employee, form.service_data(), form.cleaned_data["version"]
            )
        except services.ConcurrentEditError:
            form.add_error(None, _("该员工档案已被他人修改，请刷新后重试"))
            status = 409
        except services.EmployeeValidationError as exc:
            _add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("已保存修改") if changed else _("未作修改"))
            return redirect("workforce:employee", pk=employee.pk)
    if form.errors and status == 200:
        status = 400
    context = {"form": form, "enterprise": employee.enterprise, "employee": employee}
    return _no_store(render(request, "workforce/employee_form.html", context, status=status))


ENTRY_KINDS: dict[str, tuple[type[_BootstrapForm], Callable[..., Any], Any, str]] = {
    # name: (form, service, page title, anchor on the card)
    "stay": (StayForm, services.check_add_stay, gettext_lazy("登记行程轨迹"), "trajectory"),
    "test": (HealthTestForm, services.check_add_test, gettext_lazy("登记检测结果"), "tests"),
    "quarantine": (QuarantineForm, services.check_add_quarantine, gettext_lazy("登记隔离记录"), "quarantine"),
    "reading": (ReadingForm, services.check_add_reading, gettext_lazy("登记健康监测"), "readings"),
}


def _entry(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    employee = _employee(request, pk, roles.EDIT_EMPLOYEES)
    form_class, service, title, anchor = ENTRY_KINDS[kind]
    initial = {"taken_on": timezone.localdate()} if kind == "reading" else None
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            service(request.user, employee, form.service_data())
        except services.EmployeeValidationError as exc:
            _add_service_errors(form, exc.errors)
        else:
            messages.success(request, _("已保存：%(what)s") % {"what": title})
            return redirect(reverse("workforce:employee", args=[employee.pk]) + f"#{anchor}")
    context = {"form": form, "employee": employee, "title": title, "anchor": anchor}
    return render(request, "workforce/entry_form.html", context, status=400 if form.errors else 200)


@login_required
def stay_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry(request, pk, "stay")


@login_required
def test_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry(request, pk, "test")


@login_required
def quarantine_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry(request, pk, "quarantine")


@login_required
def reading_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry(request, pk, "reading")


# --- export ------------------------------------------------------------------------------------------
def _xlsx_response(write: Callable[[Any], Any], filename: str) -> FileResponse:
    """Write the workbook to a temporary file (xlsxwriter needs a seekable target) and stream it back."""
    spool = tempfile.TemporaryFile()  # FileResponse closes it
    write(spool)
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def roster_export(request: HttpRequest, enterprise_id: int) -> HttpResponse | FileResponse:
    """GET: the filtered roster, masked. `?full=1` shows the purpose form to roles that may reveal; its POST
    (filters carried along) exports the full ID numbers and phones."""
    enterprise = _enterprise(request, enterprise_id, roles.EXPORT_EMPLOYEES)
    params = request.POST if request.method == "POST" else request.GET
    filters = selectors.RosterFilters.from_query(params)
    purpose = ""
    if request.method == "POST" or request.GET.get("full"):
        _require(request.user, roles.REVEAL_PERSONAL_DATA)
        form = ExportPurposeForm(request.POST if request.method == "POST" else None)
        if not form.is_bound or not form.is_valid():
            hidden = [(k, params.get(k)) for k in ROSTER_FILTER_KEYS if params.get(k)]
            context = {"e": enterprise, "form": form, "hidden": hidden}
            return render(request, "workforce/export.html", context, status=400 if form.errors else 200)
        purpose = form.cleaned_data["purpose"]
    export = exports.RosterExport(request.user, enterprise, filters, purpose)
    meta = export.start()
    stamp = timezone.localtime().strftime("%Y%m%d_%H%M")
    name = _("员工花名册_%(stamp)s") % {"stamp": stamp}
    return _xlsx_response(lambda out: export.write_xlsx(out, meta), f"{name}.xlsx")
