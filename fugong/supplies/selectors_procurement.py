"""Reads of procurement matchmaking, scoped through fugong.core.scoping: requests and deliveries belong to an
enterprise (path "enterprise"); an order spans several, and is in a user's scope when it delivers to at least
one enterprise they can see (the pages then ask for the district's procurement action)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum

from fugong.core import scoping

from .models import (
    Delivery,
    DeliveryLine,
    DemandLine,
    DemandRequest,
    OrderLine,
    ProcurementOrder,
    RequestStatus,
    Supplier,
    SupplyItem,
    as_quantity,
)


def requests_for_user(user: Any) -> QuerySet[DemandRequest]:
    lines = Prefetch("lines", queryset=DemandLine.objects.select_related("item"))
    qs = scoping.scope_filter(user, DemandRequest.objects.all(), "enterprise")
    return qs.select_related("enterprise", "enterprise__town", "order", "created_by").prefetch_related(lines)


def get_request_for_user(user: Any, pk: Any) -> DemandRequest:
    return scoping.get_in_scope(requests_for_user(user), pk=pk)


def open_requests(user: Any) -> QuerySet[DemandRequest]:
    return requests_for_user(user).filter(status=RequestStatus.SUBMITTED).order_by("created_at", "id")


def open_demand_by_item(user: Any) -> list[tuple[SupplyItem, Decimal]]:
    """What the open requests in scope add up to, per item (what the district still has to order)."""
    rows = (
        scoping.scope_filter(user, DemandLine.objects.all(), "request__enterprise")
        .filter(request__status=RequestStatus.SUBMITTED)
        .values("item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    totals = {r["item_id"]: as_quantity(r["total"]) for r in rows}
    return [(i, totals[i.pk]) for i in SupplyItem.objects.filter(pk__in=totals).order_by("sort", "id")]


def deliveries_for_user(user: Any) -> QuerySet[Delivery]:
    return scoping.scope_filter(user, Delivery.objects.all(), "enterprise")


def deliveries_listed(user: Any, status: str = "") -> QuerySet[Delivery]:
    lines = Prefetch("lines", queryset=DeliveryLine.objects.select_related("item"))
    qs = deliveries_for_user(user).select_related("order", "order__supplier", "enterprise", "enterprise__town")
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related(lines).order_by("status", "-order__placed_on", "-id")


def get_delivery_for_user(user: Any, pk: Any) -> Delivery:
    lines = Prefetch("lines", queryset=DeliveryLine.objects.select_related("item"))
    qs = deliveries_for_user(user).select_related("order", "order__supplier", "enterprise", "confirmed_by")
    return scoping.get_in_scope(qs.prefetch_related(lines), pk=pk)


def orders_for_user(user: Any) -> QuerySet[ProcurementOrder]:
    visible = deliveries_for_user(user).values("order_id")
    return ProcurementOrder.objects.filter(pk__in=visible).select_related("supplier", "created_by")


def orders_listed(user: Any) -> QuerySet[ProcurementOrder]:
    lines = Prefetch("lines", queryset=OrderLine.objects.select_related("item"))
    return orders_for_user(user).prefetch_related(lines).order_by("-placed_on", "-id")


def get_order_for_user(user: Any, pk: Any) -> ProcurementOrder:
    return scoping.get_in_scope(orders_for_user(user), pk=pk)


def order_deliveries(order: ProcurementOrder) -> list[Delivery]:
    lines = Prefetch("lines", queryset=DeliveryLine.objects.select_related("item"))
    return list(
        order.deliveries.select_related("enterprise", "enterprise__town", "confirmed_by")
        .prefetch_related(lines)
        .order_by("enterprise__town__sort", "enterprise__name")
    )


def order_received(order: ProcurementOrder) -> dict[int, Decimal]:
    """item id → quantity signed for so far across the order's deliveries."""
    out: dict[int, Decimal] = defaultdict(Decimal)
    rows = DeliveryLine.objects.filter(delivery__order=order, received__isnull=False).values("item_id")
    for r in rows.annotate(total=Sum("received")).order_by():
        out[r["item_id"]] = as_quantity(r["total"])
    return out


def suppliers() -> QuerySet[Supplier]:
    return Supplier.objects.order_by("-active", "name")
