"""Procurement matchmaking (牵线搭桥) and doorstep delivery (送货上门).

An enterprise (or its liaison, town or the district for it) files a demand request; the district picks open
requests and orders them from one supplier — one order aggregates the items, one delivery per enterprise
carries that enterprise's share; the enterprise confirms receipt of what actually arrived, and only then do the
goods enter its ledger (a DELIVERY movement per item, linked to the delivery line).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.core import audit
from fugong.core.identifiers import IdentifierError, normalise_phone
from fugong.enterprises.models import Enterprise

from .. import wording
from ..models import (
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    DemandLine,
    DemandRequest,
    MovementKind,
    OrderLine,
    OrderStatus,
    ProcurementOrder,
    RequestStatus,
    Supplier,
    SupplyItem,
)
from .common import SupplyValidationError, check_past_date, fmt_qty, parse_quantity, required_reason
from .ledger import Posting, do_post_movements

MAX_REQUESTS_PER_ORDER = 500


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- suppliers --------------------------------------------------------------------------------------------


@transaction.atomic
def do_create_supplier(actor: Any, data: Mapping[str, Any]) -> Supplier:
    supplier = Supplier.objects.create(**data)
    after = audit.snapshot(supplier, ("name", "contact_name", "contact_phone", "address", "note"))
    audit.record(actor, "supplies.supplier_create", supplier, changes=audit.diff({}, after, {"contact_phone": "phone"}))
    return supplier


def check_create_supplier(actor: Any, data: Mapping[str, Any]) -> Supplier:
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if len(name) < 2:
        errors["name"] = _("请填写供应商名称")
    elif Supplier.objects.filter(name=name).exists():
        errors["name"] = _("已有同名供应商")
    phone = str(data.get("contact_phone") or "").strip()
    if phone:
        try:
            phone = normalise_phone(phone, allow_landline=True)
        except IdentifierError as exc:
            errors["contact_phone"] = exc.message
    if errors:
        raise SupplyValidationError(errors)
    clean = {
        "name": name[:120],
        "contact_name": str(data.get("contact_name") or "").strip()[:40],
        "contact_phone": phone,
        "address": str(data.get("address") or "").strip()[:200],
        "note": str(data.get("note") or "").strip()[:200],
    }
    return do_create_supplier(actor, clean)


# --- demand requests ------------------------------------------------------------------------------------


@transaction.atomic
def do_create_request(
    actor: Any,
    enterprise: Enterprise,
    lines: Sequence[tuple[SupplyItem, Decimal]],
    needed_by: dt.date | None = None,
    note: str = "",
) -> DemandRequest:
    request = DemandRequest.objects.create(
        enterprise=enterprise, needed_by=needed_by, note=note, created_by=_actor(actor)
    )
    DemandLine.objects.bulk_create([DemandLine(request=request, item=item, quantity=q) for item, q in lines])
    audit.record(
        actor,
        "supplies.request_create",
        request,
        changes={"enterprise": [None, enterprise.name], "lines": [None, {i.name: fmt_qty(q) for i, q in lines}]},
    )
    return request


def check_create_request(
    actor: Any, enterprise: Enterprise, quantities: Mapping[str, Any], needed_by: Any = None, note: str = ""
) -> DemandRequest:
    """`quantities`: field `q_<item id>` → quantity (blank or 0 = not needed)."""
    errors: dict[str, str] = {}
    catalogue = {str(i.pk): i for i in SupplyItem.objects.filter(active=True)}
    lines = []
    for field, raw in quantities.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        item = catalogue.get(field.removeprefix("q_"))
        if item is None:
            errors[field] = _("不是可申报的物资")
            continue
        try:
            quantity = parse_quantity(item, raw)
        except ValueError as exc:
            errors[field] = str(exc)
            continue
        if quantity > 0:
            lines.append((item, quantity))
    if needed_by is not None and not isinstance(needed_by, dt.date):
        errors["needed_by"] = _("日期格式应为 YYYY-MM-DD")
    if not lines and not errors:
        errors["__all__"] = _("请至少填写一项需求数量")
    if errors:
        raise SupplyValidationError(errors)
    return do_create_request(actor, enterprise, lines, needed_by, str(note or "").strip()[:200])


@transaction.atomic
def do_cancel_request(actor: Any, demand: DemandRequest, reason: str) -> DemandRequest:
    """Withdraw a request nobody has ordered yet (a typing mistake, a need met otherwise)."""
    demand.status = RequestStatus.CANCELLED
    demand.cancelled_at = timezone.now()
    demand.cancel_reason = reason
    demand.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit.record(
        actor,
        "supplies.request_cancel",
        demand,
        changes={"status": [RequestStatus.SUBMITTED.value, RequestStatus.CANCELLED.value]},
        note=reason,
    )
    return demand


def check_cancel_request(actor: Any, demand: DemandRequest, reason: Any) -> DemandRequest:
    """Only while it waits for procurement: once ordered, the goods are on their way to the enterprise."""
    reason = required_reason(reason, _("请填写撤销原因"))
    with transaction.atomic():
        # Locked, as check_create_order locks what it orders: of a withdrawal and an order at the same moment,
        # the second finds the request taken.
        locked = DemandRequest.objects.select_for_update().get(pk=demand.pk)
        if locked.status != RequestStatus.SUBMITTED:
            raise SupplyValidationError({"__all__": _("该需求已下单或已撤销，不能再撤销")})
        return do_cancel_request(actor, locked, reason)


# --- district orders --------------------------------------------------------------------------------------


@transaction.atomic
def do_create_order(
    actor: Any, supplier: Supplier, requests: Sequence[DemandRequest], placed_on: dt.date, note: str = ""
) -> ProcurementOrder:
    """One order to `supplier` for these (locked, open) requests: lines per item, a delivery per enterprise."""
    order = ProcurementOrder.objects.create(supplier=supplier, placed_on=placed_on, note=note, created_by=_actor(actor))
    order.number = f"CG{placed_on:%Y%m%d}-{order.pk:05d}"
    order.save(update_fields=["number"])
    totals: dict[int, Decimal] = defaultdict(Decimal)
    per_enterprise: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    request_lines = DemandLine.objects.filter(request__in=requests).select_related("request")
    for line in request_lines:
        totals[line.item_id] += line.quantity
        per_enterprise[line.request.enterprise_id][line.item_id] += line.quantity
    OrderLine.objects.bulk_create([OrderLine(order=order, item_id=i, quantity=q) for i, q in sorted(totals.items())])
    deliveries = Delivery.objects.bulk_create([Delivery(order=order, enterprise_id=e) for e in sorted(per_enterprise)])
    DeliveryLine.objects.bulk_create(
        [
            DeliveryLine(delivery=d, item_id=i, quantity=q)
            for d in deliveries
            for i, q in sorted(per_enterprise[d.enterprise_id].items())
        ]
    )
    DemandRequest.objects.filter(pk__in=[r.pk for r in requests]).update(status=RequestStatus.ORDERED, order=order)
    audit.record(
        actor,
        "supplies.order_create",
        order,
        changes={
            "supplier": [None, supplier.name],
            "requests": [None, sorted(r.pk for r in requests)],
            "lines": [None, {str(i): fmt_qty(q) for i, q in sorted(totals.items())}],
        },
    )
    return order


def check_create_order(
    actor: Any, supplier: Any, request_ids: Sequence[Any], placed_on: Any = None, note: str = ""
) -> ProcurementOrder:
    errors: dict[str, str] = {}
    if not isinstance(supplier, Supplier) or not supplier.active:
        errors["supplier"] = _("请选择供应商")
    ids = sorted({int(r) for r in request_ids if str(r).isdigit() and int(r) < 2**63})
    if not ids:
        errors["requests"] = _("请至少勾选一条待采购的需求")
    elif len(ids) > MAX_REQUESTS_PER_ORDER:
        errors["requests"] = _("一次最多合并%(n)d条需求") % {"n": MAX_REQUESTS_PER_ORDER}
    try:
        placed_on = check_past_date(placed_on or timezone.localdate(), field="placed_on")
    except SupplyValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise SupplyValidationError(errors)
    with transaction.atomic():
        # Locked: two officers ordering the same request at once — the second finds it already ordered.
        requests = list(DemandRequest.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        taken = [r for r in requests if r.status != RequestStatus.SUBMITTED]
        if len(requests) != len(ids) or taken:
            raise SupplyValidationError({"requests": _("所选需求中有的已下单或已撤销，请刷新后重新勾选")})
        return do_create_order(actor, supplier, requests, placed_on, str(note or "").strip()[:200])


@transaction.atomic
def do_cancel_order(actor: Any, order: ProcurementOrder, reason: str) -> ProcurementOrder:
    """Call off an order nothing of which has been signed for (the supplier cannot deliver): its deliveries are
    cancelled and its requests go back to the open ones, to be ordered again."""
    request_ids = sorted(order.requests.values_list("pk", flat=True))
    order.deliveries.update(status=DeliveryStatus.CANCELLED)
    DemandRequest.objects.filter(pk__in=request_ids).update(status=RequestStatus.SUBMITTED, order=None)
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = timezone.now()
    order.cancel_reason = reason
    order.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit.record(
        actor,
        "supplies.order_cancel",
        order,
        changes={
            "status": [OrderStatus.PLACED.value, OrderStatus.CANCELLED.value],
            "requests": [request_ids, None],
        },
        note=reason,
    )
    return order


def check_cancel_order(actor: Any, order: ProcurementOrder, reason: Any) -> ProcurementOrder:
    """Only an order still on its way with no delivery signed for: signed goods are in an enterprise's ledger."""
    reason = required_reason(reason, _("请填写取消原因"))
    with transaction.atomic():
        # The order and its deliveries locked, as check_confirm_delivery locks the delivery it signs: of a
        # cancellation and a receipt at the same moment, the second sees the first.
        locked = ProcurementOrder.objects.select_for_update().get(pk=order.pk)
        statuses = set(Delivery.objects.select_for_update().filter(order=locked).values_list("status", flat=True))
        if locked.status != OrderStatus.PLACED or statuses - {DeliveryStatus.PENDING}:
            raise SupplyValidationError({"__all__": _("该订单已有企业签收或已取消，不能取消")})
        return do_cancel_order(actor, locked, reason)


# --- doorstep delivery, confirmed on receipt ---------------------------------------------------------


@transaction.atomic
def do_confirm_delivery(
    actor: Any, delivery: Delivery, received: Mapping[int, Decimal], delivered_on: dt.date, note: str = ""
) -> Delivery:
    """Record what arrived and post it to the ledger; closes the order once every delivery is signed for."""
    lines = list(delivery.lines.select_related("item"))
    postings = []
    for line in lines:
        line.received = received.get(line.pk, line.quantity)
        if line.received > 0:
            postings.append(
                Posting(
                    line.item,
                    MovementKind.DELIVERY,
                    line.received,
                    delivered_on,
                    wording.DISTRICT_DELIVERY % {"order": delivery.order.number},
                    key=f"r_{line.pk}",
                    delivery_line_id=line.pk,
                )
            )
    DeliveryLine.objects.bulk_update(lines, ["received"])
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_on = delivered_on
    delivery.confirmed_by = _actor(actor)
    delivery.confirmed_at = timezone.now()
    delivery.note = note
    delivery.save()
    do_post_movements(actor, delivery.enterprise, postings, source="delivery")
    DemandRequest.objects.filter(order=delivery.order, enterprise=delivery.enterprise).update(
        status=RequestStatus.DELIVERED
    )
    if not delivery.order.deliveries.filter(status=DeliveryStatus.PENDING).exists():
        ProcurementOrder.objects.filter(pk=delivery.order_id).update(status=OrderStatus.COMPLETED)
    audit.record(
        actor,
        "supplies.delivery_confirm",
        delivery,
        changes={
            "status": [DeliveryStatus.PENDING, DeliveryStatus.DELIVERED],
            "received": [None, {ln.item.name: fmt_qty(ln.received or Decimal(0)) for ln in lines}],
            "delivered_on": [None, delivered_on.isoformat()],
        },
    )
    return delivery


def check_confirm_delivery(
    actor: Any, delivery: Delivery, received: Mapping[str, Any], delivered_on: Any, note: str = ""
) -> Delivery:
    """`received`: field `r_<line id>` → quantity that arrived (≤ what was sent; blank = all of it)."""
    errors: dict[str, str] = {}
    try:
        delivered_on = check_past_date(delivered_on, field="delivered_on")
    except SupplyValidationError as exc:
        errors.update(exc.errors)
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().select_related("order", "enterprise").get(pk=delivery.pk)
        if locked.status == DeliveryStatus.CANCELLED:
            raise SupplyValidationError({"__all__": _("该送货单已随订单取消，不能签收")})
        if locked.status != DeliveryStatus.PENDING:
            raise SupplyValidationError({"__all__": _("该送货单已签收，不能重复签收")})
        amounts: dict[int, Decimal] = {}
        for line in locked.lines.select_related("item"):
            field = f"r_{line.pk}"
            raw = received.get(field)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                amounts[line.pk] = line.quantity
                continue
            try:
                amounts[line.pk] = parse_quantity(line.item, raw)
            except ValueError as exc:
                errors[field] = str(exc)
                continue
            if amounts[line.pk] > line.quantity:
                errors[field] = _("实收数量不能多于应送数量（%(q)s%(unit)s）") % {
                    "q": fmt_qty(line.quantity),
                    "unit": line.item.unit,
                }
        if isinstance(delivered_on, dt.date) and "delivered_on" not in errors and delivered_on < locked.order.placed_on:
            errors["delivered_on"] = _("签收日期不能早于下单日期（%(d)s）") % {"d": locked.order.placed_on.isoformat()}
        if errors:
            raise SupplyValidationError(errors)
        return do_confirm_delivery(actor, locked, amounts, delivered_on, str(note or "").strip()[:200])
