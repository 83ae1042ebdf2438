"""Rule data pages: risk areas (list with history, a new level by form or Excel) and screening rule versions
(list, a new version prefilled from the one in force). Reading needs screening.view; writing is the district
admin's (screening.manage_rules). Nothing is edited in place: every change is a new row."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.core import excel

from . import importers, permissions, selectors, services
from .forms import RiskAreaForm, RiskImportForm, RuleVersionForm
from .models import RiskLevel

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


def _add_errors(form: forms.Form, errors: Mapping[str, tuple[str, str]]) -> None:
    for key, (_code, message) in errors.items():
        field = key.split(".", 1)[-1]
        form.add_error(field if field in form.fields else None, message)


def _change_message(request: HttpRequest, change: services.RiskChange) -> None:
    if change.created:
        text = _("已登记%(n)d条风险等级") % {"n": len(change.created)}
        if change.job is not None:
            text += _("；重新排查%(n)d名相关员工") % {"n": change.job.total}
        if change.alerts:
            text += _("，已向%(n)d家企业发出预警") % {"n": change.alerts}
        messages.success(request, text)
    if change.unchanged:
        messages.info(request, _("%(n)d条与现行等级相同，未重复登记") % {"n": change.unchanged})


# --- risk areas --------------------------------------------------------------------------------------------


@login_required
def risk_areas(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.VIEW)
    filters = selectors.RiskFilters.from_query(request.GET)
    page = Paginator(selectors.risk_areas(filters), 100).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "areas": page.object_list,
        "filters": filters,
        "levels": RiskLevel.choices,
        "today": timezone.localdate(),
        "can_manage": roles.can(request.user, permissions.MANAGE_RULES),
    }
    return render(request, "screening/risk_areas.html", context)


@login_required
def risk_area_new(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.MANAGE_RULES)
    initial = {"effective_from": timezone.localdate(), "region_code": (request.GET.get("code") or "")[:6]}
    form = RiskAreaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.check_set_risk_levels(request.user, [form.cleaned_data])
        except services.ScreeningValidationError as exc:
            _add_errors(form, exc.errors)
        else:
            _change_message(request, change)
            if change.job is not None and not change.job.is_finished:
                return redirect("screening:job", pk=change.job.pk)
            return redirect("screening:risk_areas")
    return render(request, "screening/risk_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def risk_import(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.MANAGE_RULES)
    form = RiskImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            change, outcome = importers.import_risk_levels(
                request.user, upload, upload.name or "upload.xlsx", form.cleaned_data.get("source") or ""
            )
        except excel.UnreadableFile as exc:
            form.add_error("file", exc.message)
        else:
            if change is not None:
                _change_message(request, change)
                if change.job is not None and not change.job.is_finished:
                    return redirect("screening:job", pk=change.job.pk)
                return redirect("screening:risk_areas")
    status = 400 if form.errors or (outcome is not None and outcome.errors) else 200
    return render(request, "screening/risk_import.html", {"form": form, "outcome": outcome}, status=status)


@login_required
def risk_template(request: HttpRequest) -> HttpResponseBase:
    _require(request.user, permissions.MANAGE_RULES)
    spool = tempfile.TemporaryFile()  # FileResponse closes it
    importers.risk_template(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=_("风险地区导入模板.xlsx"), content_type=XLSX_TYPE)


# --- rule versions -----------------------------------------------------------------------------------------


@login_required
def rule_versions(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.VIEW)
    today = timezone.localdate()
    context = {
        "versions": selectors.rule_versions(),
        "in_force": selectors.rule_in_force(today),
        "today": today,
        "levels": dict(RiskLevel.choices),
        "can_manage": roles.can(request.user, permissions.MANAGE_RULES),
    }
    return render(request, "screening/rules.html", context)


@login_required
def rule_new(request: HttpRequest) -> HttpResponse:
    _require(request.user, permissions.MANAGE_RULES)
    today = timezone.localdate()
    current = selectors.rule_in_force(today) or selectors.rule_versions().first()
    initial: dict[str, Any] = {"effective_from": today}
    if current is not None:
        initial.update({k: getattr(current, k) for k in services.RULE_FIELDS if k not in ("effective_from", "note")})
    form = RuleVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.check_create_rule_version(request.user, form.cleaned_data)
        except services.ScreeningValidationError as exc:
            _add_errors(form, exc.errors)
        else:
            messages.success(
                request,
                _("已发布排查规则第%(v)d版（%(d)s起生效）；生效后将对全区员工重新排查")
                % {"v": row.version, "d": row.effective_from},
            )
            return redirect("screening:rules")
    context = {"form": form, "current": current}
    return render(request, "screening/rule_form.html", context, status=400 if form.errors else 200)
