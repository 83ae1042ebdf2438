"""Pages of the supplies ledger: the list of enterprises with their days of supply, the district overview
(shortfalls ranked by town, what was delivered), one enterprise's ledger, its movements, the movement form,
the daily consumption grid and its Excel import. Procurement pages are in views_procurement.py, the rules
pages in views_rules.py.

Thin: reads through selectors (an enterprise out of scope is a 404 like a missing one), writes through
services; each page asks roles.can() for its action (403 otherwise).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.accounts.roles import Role
from fugong.core import excel
from fugong.core.querystring import clean_params
from fugong.enterprises.forms import towns_for
from fugong.enterprises.models import Enterprise

from . import importers, selectors, services
from . import permissions as p
from .forms import DayForm, ImportForm, MovementForm
from .models import DeliveryStatus, MovementKind
from .selectors_procurement import deliveries_for_user

PAGE_SIZE = 50
MOVEMENTS_PAGE_SIZE = 100
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


def enterprise_for(request: HttpRequest, enterprise_id: int, action: str) -> Enterprise:
    """The enterprise if in scope (else 404, like a missing one), then the role's action (else 403)."""
    enterprise = selectors.get_enterprise_for_user(request.user, enterprise_id)
    require(request.user, action)
    return enterprise


def day_from(params: Any, key: str = "date") -> tuple[dt.date, str]:
    """The day a page is about: `?date=YYYY-MM-DD`, today when absent; a bad value falls back with a message."""
    raw = (clean_params(params).get(key) or "").strip()[:10]
    today = timezone.localdate()
    if not raw:
        return today, ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return today, _("日期“%(v)s”无效，已显示今天") % {"v": raw}
    if day > today:
        return today, _("不能查看未来日期，已显示今天")
    return day, ""


# --- lists ---------------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, p.VIEW_SUPPLIES)
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return redirect("supplies:enterprise", enterprise_id=user.enterprise_id)
    params = clean_params(request.GET)
    day, day_error = day_from(request.GET)
    town = (params.get("town") or "").strip()[:12]
    q = (params.get("q") or "").strip()[:100]
    only_resumed = params.get("resumed") == "1"
    only_alerts = params.get("alerts") == "1"
    rows = selectors.supply_rows(user, day, town=town, q=q, only_resumed=only_resumed, only_alerts=only_alerts)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": page.object_list,
        "day": day,
        "day_error": day_error,
        "town": town,
        "q": q,
        "only_resumed": only_resumed,
        "only_alerts": only_alerts,
        "towns": towns_for(user),
        "threshold": selectors.threshold_on(day),
        "filtered": bool(town or q or only_resumed or only_alerts),
        "querystring": _querystring(request, exclude=("page",)),
    }
    return render(request, "supplies/home.html", context)


def _querystring(request: HttpRequest, exclude: tuple[str, ...] = ()) -> str:
    params = request.GET.copy()
    for key in exclude:
        params.pop(key, None)
    return params.urlencode()


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, p.VIEW_OVERVIEW)
    day, day_error = day_from(request.GET)
    resumed = selectors.resumed_rows(user, day)
    towns, total = selectors.shortfalls_by_town(user, day, resumed)
    alerts = selectors.resumed_below_threshold(user, day, resumed)
    alerts.sort(key=lambda r: (r.supply.days if r.supply.days is not None else -1, r.enterprise.name))
    delivered = selectors.delivered_totals(user, day)
    chart = {
        "towns": [t.name for t in towns],
        "below": [t.below for t in towns],
        "ok": [t.resumed - t.below for t in towns],
    }
    context = {
        "day": day,
        "day_error": day_error,
        "towns": towns,
        "total": total,
        "alerts": alerts[:100],
        "alerts_count": len(alerts),
        "delivered": delivered,
        "threshold": selectors.threshold_on(day),
        "chart_json": json.dumps(chart, ensure_ascii=False),
        "can_view_ledgers": roles.can(user, p.VIEW_SUPPLIES),
    }
    return render(request, "supplies/overview.html", context)


# --- one enterprise -------------------------------------------------------------------------------------


@login_required
def enterprise(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    user = request.user
    e = enterprise_for(request, enterprise_id, p.VIEW_SUPPLIES)
    day, day_error = day_from(request.GET)
    supply = selectors.supply_status(e, day)
    context = {
        "e": e,
        "day": day,
        "day_error": day_error,
        "today": timezone.localdate(),
        "supply": supply,
        "profile": selectors.profile_of(e),
        "recent": list(selectors.movements_of(user, e.pk)[:10]),
        "pending": list(
            deliveries_for_user(user).filter(enterprise=e, status=DeliveryStatus.PENDING).select_related("order")
        ),
        "can_record": roles.can(user, p.RECORD_MOVEMENTS),
        "can_request": roles.can(user, p.REQUEST_SUPPLIES),
        "can_confirm": roles.can(user, p.CONFIRM_DELIVERY),
        "can_settings": roles.can(user, p.EDIT_SETTINGS),
    }
    return render(request, "supplies/enterprise.html", context)


@login_required
def movements(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    user = request.user
    e = enterprise_for(request, enterprise_id, p.VIEW_SUPPLIES)
    params = clean_params(request.GET)
    item, kind = (params.get("item") or "")[:10], (params.get("kind") or "")[:12]
    qs = selectors.movements_of(user, e.pk, item=item, kind=kind)
    page = Paginator(qs, MOVEMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "e": e,
        "page": page,
        "movements": page.object_list,
        "items": selectors.items(),
        "kinds": MovementKind.choices,
        "item": item,
        "kind": kind,
        "querystring": _querystring(request, exclude=("page",)),
    }
    return render(request, "supplies/movements.html", context)


@login_required
def movement_add(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    e = enterprise_for(request, enterprise_id, p.RECORD_MOVEMENTS)
    initial = {"on_date": timezone.localdate(), "kind": MovementKind.PURCHASE}
    form = MovementForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            movement = services.check_record_movement(request.user, e, form.cleaned_data)
        except services.SupplyValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(
                request,
                _("已登记：%(kind)s %(item)s %(qty)s%(unit)s")
                % {
                    "kind": movement.get_kind_display(),
                    "item": movement.item.name,
                    "qty": services.fmt_qty(abs(movement.quantity)),
                    "unit": movement.item.unit,
                },
            )
            return redirect("supplies:enterprise", enterprise_id=e.pk)
    status = 400 if form.errors else 200
    return render(request, "supplies/movement_form.html", {"e": e, "form": form}, status=status)


@login_required
def consumption(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The day's consumption of every consumable in one grid; what was entered before is shown and may be
    corrected (the difference is posted)."""
    e = enterprise_for(request, enterprise_id, p.RECORD_MOVEMENTS)
    source = request.POST if request.method == "POST" else request.GET
    day, day_error = day_from(source, "day")
    form = DayForm(request.POST if request.method == "POST" else None, initial={"day": day})
    errors: dict[str, str] = {}
    if request.method == "POST":
        if form.is_valid():
            quantities = {k: v for k, v in request.POST.items() if k.startswith("q_")}
            try:
                result = services.check_declare_consumption(request.user, e, form.cleaned_data["day"], quantities)
            except services.SupplyValidationError as exc:
                errors = exc.errors
                form.add_service_errors({k: v for k, v in errors.items() if not k.startswith("q_")})
            else:
                messages.success(
                    request,
                    _("已保存%(day)s的消耗：新录入%(c)d项，更正%(u)d项，未变%(n)d项")
                    % {
                        "day": form.cleaned_data["day"].isoformat(),
                        "c": result.created,
                        "u": result.corrected,
                        "n": result.unchanged,
                    },
                )
                return redirect("supplies:enterprise", enterprise_id=e.pk)
        else:
            errors = {"day": _("请填写有效日期")}
    entered = selectors.consumption_on(e.pk, day)
    balances = selectors.balances_of(e.pk)
    rows = [
        {
            "item": item,
            "field": f"q_{item.pk}",
            "stock": balances.get(item.pk, 0),
            "entered": entered.get(item.pk),
            "value": request.POST.get(f"q_{item.pk}", "")[:30]
            if request.method == "POST"
            else (services.fmt_qty(entered[item.pk]) if item.pk in entered else ""),
            "error": errors.get(f"q_{item.pk}", ""),
        }
        for item in selectors.consumable_items()
    ]
    context = {"e": e, "form": form, "rows": rows, "day": day, "day_error": day_error}
    return render(request, "supplies/consumption.html", context, status=400 if errors else 200)


@login_required
def consumption_import(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    e = enterprise_for(request, enterprise_id, p.RECORD_MOVEMENTS)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    unreadable = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = importers.import_consumption(
                    request.user, e, upload, upload.name or "file", dry_run=form.cleaned_data["dry_run"]
                )
            except excel.UnreadableFile as exc:
                unreadable = exc.message
            if unreadable or (result is not None and not result.ok):
                status = 400
        else:
            status = 400
    context = {"e": e, "form": form, "result": result, "unreadable": unreadable}
    return render(request, "supplies/consumption_import.html", context, status=status)


@login_required
def consumption_template(request: HttpRequest) -> FileResponse:
    require(request.user, p.RECORD_MOVEMENTS)
    items = importers.consumables()
    headers = [_("日期"), *[f"{i.name}（{i.unit}）" for i in items]]
    start = timezone.localdate() - dt.timedelta(days=6)
    spool = tempfile.TemporaryFile()  # FileResponse closes it
    excel.write_xlsx(
        spool,
        headers,
        importers.template_rows(items, start),
        sheet_title=_("每日消耗"),
        constant_memory=False,
        extra_sheets=(
            (
                _("填写说明"),
                [_("说明")],
                [
                    [_("每行一天；每种物资一列，填写当天实际消耗量（空白表示不修改）")],
                    [_("同一天再次导入时，以新数字为准，差额记入台账")],
                    [_("口罩、手套须为整数；酒精、洗手液、消毒液以千克计，最多3位小数")],
                ],
                [80],
            ),
        ),
    )
    spool.seek(0)
    name = _("物资消耗导入模板")
    return FileResponse(spool, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX_TYPE)
