"""Pages about one enterprise's resumption (its applications, status history, marks and daily reports) and
the checklist versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles

from . import permissions, selectors, services
from .forms import ChecklistForm, DailyReportForm, MarkStatusForm

EXTRA_CHECKLIST_ROWS = 3


def _require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


@login_required
def enterprise_status(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = selectors.get_enterprise_for_user(request.user, enterprise_id)
    _require(request.user, permissions.VIEW)
    user = request.user
    can_mark = roles.can(user, permissions.MARK_STATUS)
    context = {
        "e": enterprise,
        "apps": selectors.applications_of(enterprise),
        "history": selectors.status_history(enterprise),
        "reports": selectors.recent_reports(enterprise),
        "can_apply": roles.can(user, permissions.APPLY),
        "can_report": roles.can(user, permissions.REPORT) and enterprise.status in ("resumed", "partial"),
        "mark_form": MarkStatusForm(initial={"on": timezone.localdate()}) if can_mark else None,
        "today": timezone.localdate(),
    }
    return render(request, "resumption/enterprise_status.html", context)


@login_required
def mark_status(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = selectors.get_enterprise_for_user(request.user, enterprise_id)
    _require(request.user, permissions.MARK_STATUS)
    form = MarkStatusForm(request.POST if request.method == "POST" else None, initial={"on": timezone.localdate()})
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.check_mark_status(request.user, enterprise, data["to_status"], data["on"], data["reason"])
        except services.ResumptionError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(
                request,
                _("已将%(name)s标记为“%(s)s”") % {"name": enterprise.name, "s": enterprise.get_status_display()},
            )
            return redirect("resumption:enterprise", enterprise_id=enterprise.pk)
    context = {"e": enterprise, "form": form}
    return render(request, "resumption/mark_status.html", context, status=400 if form.errors else 200)


def _report_initial(enterprise: Any, day: dt.date) -> dict[str, Any]:
    existing = selectors.report_on(enterprise, day)
    source = existing or selectors.last_report(enterprise)
    initial: dict[str, Any] = {"day": day, "registered": enterprise.employees}
    if source is not None:
        initial.update(registered=source.registered, normal_output=source.normal_output, output_unit=source.output_unit)
    if existing is not None:
        initial.update(
            on_duty=existing.on_duty,
            daily_output=existing.daily_output,
            orders_on_hand=existing.orders_on_hand,
            note=existing.note,
            capacity_percent=(existing.capacity_rate * 100)
            if existing.capacity_rate is not None and existing.daily_output is None
            else None,
        )
    return initial


@login_required
def daily_report(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = selectors.get_enterprise_for_user(request.user, enterprise_id)
    _require(request.user, permissions.REPORT)
    try:
        day = dt.date.fromisoformat((request.GET.get("date") or "")[:10])
    except ValueError:
        day = timezone.localdate()
    form = DailyReportForm(request.POST if request.method == "POST" else None, initial=_report_initial(enterprise, day))
    if form.is_bound and form.is_valid():
        data = services.ReportData(**form.cleaned_data)
        try:
            _report, created = services.check_report(request.user, enterprise, data)
        except services.ResumptionError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(
                request,
                _("已报送%(d)s的生产情况") % {"d": data.day}
                if created
                else _("已更新%(d)s的生产情况") % {"d": data.day},
            )
            return redirect("resumption:enterprise", enterprise_id=enterprise.pk)
    context = {"e": enterprise, "form": form}
    return render(request, "resumption/daily_report.html", context, status=400 if form.errors else 200)


# --- the checklist ----------------------------------------------------------------------------------
@login_required
def checklist(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.VIEW)
    current = services.current_checklist()
    context = {
        "current": current,
        "items": list(current.items.all()),
        "versions": selectors.checklists(),
        "can_manage": roles.can(request.user, permissions.MANAGE_CHECKLIST),
    }
    return render(request, "resumption/checklist.html", context)


@login_required
def checklist_version(request: HttpRequest, version: int) -> HttpResponse:
    _require(request.user, permissions.VIEW)
    found = selectors.checklist_with_items(version)
    context = {
        "current": found,
        "items": list(found.items.all()),
        "versions": selectors.checklists(),
        "can_manage": False,
    }
    return render(request, "resumption/checklist.html", context)


@login_required
def checklist_new(request: HttpRequest) -> HttpResponse:
    """A new version: the current items prefilled, edited, published with a date and a source (文号)."""
    _require(request.user, permissions.MANAGE_CHECKLIST)
    current = services.current_checklist()
    items = list(current.items.all())
    initial: dict[str, Any] = {"effective_from": timezone.localdate(), "source": current.source}
    for i, item in enumerate(items, 1):
        initial.update(
            {
                f"title_{i}": item.title,
                f"description_{i}": item.description,
                f"mandatory_{i}": item.mandatory,
                f"evidence_{i}": item.evidence,
            }
        )
    rows = len(items) + EXTRA_CHECKLIST_ROWS
    form = ChecklistForm(request.POST if request.method == "POST" else None, initial=initial, rows=rows)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        new_items = [
            services.ItemData(
                data.get(f"title_{i}") or "",
                data.get(f"description_{i}") or "",
                bool(data.get(f"mandatory_{i}")),
                data.get(f"evidence_{i}") or "note",
            )
            for i in range(1, rows + 1)
        ]
        try:
            published = services.check_publish_checklist(
                request.user, new_items, data["effective_from"], data["source"], data["note"]
            )
        except services.ResumptionError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(
                request,
                _("已发布检查表第%(v)d版，自%(d)s起生效") % {"v": published.version, "d": published.effective_from},
            )
            return redirect("resumption:checklist")
    context = {"form": form, "current": current}
    return render(request, "resumption/checklist_form.html", context, status=400 if form.errors else 200)
