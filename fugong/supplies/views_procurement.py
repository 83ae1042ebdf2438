"""Pages of procurement matchmaking (牵线搭桥) and doorstep delivery (送货上门): demand requests, the district's
orders aggregating them per supplier, deliveries signed for on receipt, and the supplier list.

Reads through selectors_procurement (scoped; out of scope is 404), writes through services; roles.can()
decides the action (403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.accounts.roles import Role

from . import permissions as p
from . import selectors, services
from . import selectors_procurement as procurement
from .forms import CancelOrderForm, CancelRequestForm, ConfirmForm, OrderForm, RequestForm, SupplierForm
from .models import DeliveryStatus, OrderStatus, RequestStatus
from .views import enterprise_for, require

PAGE_SIZE = 50


@login_required
def requests(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, p.REQUEST_SUPPLIES)
    status = (request.GET.get("status") or "")[:12]
    qs = procurement.requests_for_user(user).order_by("-created_at", "-id")
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    own = user.enterprise_id if user.role == Role.ENTERPRISE else None
    context = {
        "page": page,
        "requests": page.object_list,
        "status": status,
        "statuses": RequestStatus.choices,
        "own_enterprise_id": own,
        "can_procure": roles.can(user, p.PROCURE),
    }
    return render(request, "supplies/requests.html", context)


@login_required
def request_new(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    e = enterprise_for(request, enterprise_id, p.REQUEST_SUPPLIES)
    form = RequestForm(request.POST if request.method == "POST" else None)
    errors: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        quantities = {k: v for k, v in request.POST.items() if k.startswith("q_")}
        try:
            created = services.check_create_request(
                request.user, e, quantities, form.cleaned_data["needed_by"], form.cleaned_data["note"]
            )
        except services.SupplyValidationError as exc:
            errors = exc.errors
            form.add_service_errors({k: v for k, v in errors.items() if not k.startswith("q_")})
        else:
            messages.success(request, _("已提交需求申报 #%(id)d，等待区复工办统一采购") % {"id": created.pk})
            return redirect("supplies:requests")
    supply = selectors.supply_status(e)
    by_item = {s.item.pk: s for s in supply.items}
    rows = [
        {
            "item": item,
            "field": f"q_{item.pk}",
            "status": by_item.get(item.pk),
            "value": request.POST.get(f"q_{item.pk}", "") if request.method == "POST" else "",
            "error": errors.get(f"q_{item.pk}", ""),
        }
        for item in selectors.items()
    ]
    status = 400 if (form.errors or errors) else 200
    return render(request, "supplies/request_form.html", {"e": e, "form": form, "rows": rows}, status=status)


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    """GET: the open requests (tick them) and the orders so far; POST: one order to one supplier."""
    user = request.user
    require(user, p.PROCURE)
    form = OrderForm(request.POST if request.method == "POST" else None, initial={"placed_on": timezone.localdate()})
    chosen = [r for r in request.POST.getlist("requests")][:1000] if request.method == "POST" else []
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                order = services.check_create_order(
                    user,
                    form.cleaned_data["supplier"],
                    chosen,
                    form.cleaned_data["placed_on"],
                    form.cleaned_data["note"],
                )
            except services.SupplyValidationError as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(
                    request,
                    _("已向%(supplier)s下单 %(number)s，共%(n)d家企业待送货上门")
                    % {"supplier": order.supplier.name, "number": order.number, "n": order.deliveries.count()},
                )
                return redirect("supplies:order", pk=order.pk)
        status = 400
    page = Paginator(procurement.orders_listed(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "open_requests": list(procurement.open_requests(user)[:500]),
        "demand": procurement.open_demand_by_item(user),
        "chosen": set(chosen),
        "page": page,
        "orders": page.object_list,
    }
    return render(request, "supplies/orders.html", context, status=status)


@login_required
def order(request: HttpRequest, pk: int) -> HttpResponse:
    found = procurement.get_order_for_user(request.user, pk)
    require(request.user, p.PROCURE)
    received = procurement.order_received(found)
    lines = [{"line": ln, "received": received.get(ln.item_id, 0)} for ln in found.lines.select_related("item")]
    context = {
        "order": found,
        "lines": lines,
        "deliveries": procurement.order_deliveries(found),
        "requests": list(found.requests.select_related("enterprise").prefetch_related("lines__item")),
        "can_cancel": found.status == OrderStatus.PLACED
        and not found.deliveries.exclude(status=DeliveryStatus.PENDING).exists(),
    }
    return render(request, "supplies/order.html", context)


@login_required
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Call off an order nothing of which was signed for; its requests return to the open ones."""
    found = procurement.get_order_for_user(request.user, pk)
    require(request.user, p.PROCURE)
    form = CancelOrderForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.check_cancel_order(request.user, found, form.cleaned_data["reason"])
        except services.SupplyValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已取消订单 %(number)s，其中的需求已退回待采购") % {"number": found.number})
            return redirect("supplies:order", pk=found.pk)
    context = {"order": found, "form": form, "open": found.status == OrderStatus.PLACED}
    return render(request, "supplies/order_cancel.html", context, status=400 if form.errors else 200)


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, p.CONFIRM_DELIVERY)
    status = (request.GET.get("status") or "")[:12]
    qs = procurement.deliveries_listed(user, status if status in DeliveryStatus.values else "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "deliveries": page.object_list, "status": status, "statuses": DeliveryStatus.choices}
    return render(request, "supplies/deliveries.html", context)


@login_required
def delivery(request: HttpRequest, pk: int) -> HttpResponse:
    """A delivery's goods; while pending, the receipt form (what arrived, when). Signing posts the stock."""
    found = procurement.get_delivery_for_user(request.user, pk)
    require(request.user, p.CONFIRM_DELIVERY)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None, initial={"delivered_on": timezone.localdate()}
    )
    errors: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        received = {k: v for k, v in request.POST.items() if k.startswith("r_")}
        try:
            services.check_confirm_delivery(
                request.user, found, received, form.cleaned_data["delivered_on"], form.cleaned_data["note"]
            )
        except services.SupplyValidationError as exc:
            errors = exc.errors
            form.add_service_errors({k: v for k, v in errors.items() if not k.startswith("r_")})
        else:
            messages.success(request, _("已签收，物资已记入%(name)s的台账") % {"name": found.enterprise.name})
            return redirect("supplies:enterprise", enterprise_id=found.enterprise_id)
    lines = [
        {
            "line": ln,
            "field": f"r_{ln.pk}",
            "value": request.POST.get(f"r_{ln.pk}", "") if request.method == "POST" else services.fmt_qty(ln.quantity),
            "error": errors.get(f"r_{ln.pk}", ""),
        }
        for ln in found.lines.all()
    ]
    status = 400 if (form.errors or errors) else 200
    context = {"d": found, "form": form, "lines": lines, "pending": found.status == DeliveryStatus.PENDING}
    return render(request, "supplies/delivery.html", context, status=status)


@login_required
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a request that is still waiting for procurement, with the reason (kept on the request)."""
    found = procurement.get_request_for_user(request.user, pk)
    require(request.user, p.REQUEST_SUPPLIES)
    form = CancelRequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.check_cancel_request(request.user, found, form.cleaned_data["reason"])
        except services.SupplyValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已撤销需求申报 #%(id)d") % {"id": found.pk})
            return redirect("supplies:requests")
    context = {"r": found, "form": form, "open": found.status == RequestStatus.SUBMITTED}
    return render(request, "supplies/request_cancel.html", context, status=400 if form.errors else 200)


@login_required
def suppliers(request: HttpRequest) -> HttpResponse:
    require(request.user, p.PROCURE)
    form = SupplierForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                supplier = services.check_create_supplier(request.user, form.cleaned_data)
            except services.SupplyValidationError as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, _("已添加供应商“%(name)s”") % {"name": supplier.name})
                return redirect("supplies:suppliers")
        status = 400
    return render(
        request, "supplies/suppliers.html", {"form": form, "suppliers": procurement.suppliers()}, status=status
    )
