"""Procurement matchmaking (牵线搭桥) and doorstep delivery (送货上门): requests → one order per supplier
aggregating them → a delivery per enterprise → signed for on receipt, which posts the stock."""

from __future__ import annotations

import datetime as dt

import pytest

from fugong.core.models import AuditLog
from fugong.supplies import selectors, services
from fugong.supplies.models import (
    Delivery,
    DeliveryStatus,
    OrderStatus,
    RequestStatus,
    StockMovement,
)
from fugong.supplies.selectors_procurement import deliveries_for_user, orders_for_user, requests_for_user

from .helpers import DAY, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(world, items):
    return services.check_create_supplier(
        world.district_admin,
        {"name": "郴州市测试医疗器械有限公司", "contact_name": "王经理", "contact_phone": "13800138000"},
    )


def request_for(user, enterprise, items, **quantities):
    fields = {f"q_{items[code].pk}": str(q) for code, q in quantities.items()}
    return services.check_create_request(user, enterprise, fields, DAY + dt.timedelta(days=3), "复工急需")


def test_an_order_aggregates_requests_per_item_and_plans_a_delivery_per_enterprise(world, items, supplier):
    rx1 = request_for(world.enterprise_admin_x, world.x, items, mask=1000, alcohol="5")
    rx2 = request_for(world.liaison_of_x, world.x, items, mask=500)
    ry = request_for(world.enterprise_admin_y, world.y, items, mask=300, thermometer=2)
    order = services.check_create_order(world.district_admin, supplier, [rx1.pk, rx2.pk, ry.pk], DAY, "第一批")
    assert order.number.startswith("CG20200302-")
    assert {ln.item.code: ln.quantity for ln in order.lines.all()} == {"mask": 1800, "alcohol": 5, "thermometer": 2}
    per_enterprise = {
        d.enterprise_id: {ln.item.code: ln.quantity for ln in d.lines.all()} for d in order.deliveries.all()
    }
    assert per_enterprise == {world.x.pk: {"mask": 1500, "alcohol": 5}, world.y.pk: {"mask": 300, "thermometer": 2}}
    assert set(order.requests.values_list("status", flat=True)) == {RequestStatus.ORDERED}
    # Ordered is not delivered: the stock has not moved.
    assert not StockMovement.objects.exists()


def test_confirming_receipt_posts_what_arrived_and_closes_the_order_when_all_are_signed(world, items, supplier):
    rx = request_for(world.enterprise_admin_x, world.x, items, mask=1000, alcohol="5")
    ry = request_for(world.enterprise_admin_y, world.y, items, mask=300)
    order = services.check_create_order(world.district_admin, supplier, [rx.pk, ry.pk], DAY)
    dx = order.deliveries.get(enterprise=world.x)
    short = {f"r_{ln.pk}": "900" for ln in dx.lines.filter(item__code="mask")}  # 100 masks short; alcohol all
    services.check_confirm_delivery(world.enterprise_admin_x, dx, short, DAY, "少到100只")
    assert stock(world.x, items["mask"]) == 900 and stock(world.x, items["alcohol"]) == 5
    movement = StockMovement.objects.get(enterprise=world.x, item=items["mask"])
    assert movement.kind == "delivery" and movement.delivery_line.delivery == dx and order.number in movement.reason
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    rx.refresh_from_db()
    assert rx.status == RequestStatus.DELIVERED
    services.check_confirm_delivery(world.town_a_officer, order.deliveries.get(enterprise=world.y), {}, DAY)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert AuditLog.objects.filter(action="supplies.delivery_confirm").count() == 2


def test_a_confirmed_delivery_raises_stock_and_days_of_supply(world, items, supplier):
    before = selectors.supply_status(world.y, DAY)
    assert next(s for s in before.items if s.item.code == "mask").days == 0
    order = services.check_create_order(
        world.district_admin, supplier, [request_for(world.enterprise_admin_y, world.y, items, mask=600).pk], DAY
    )
    services.check_confirm_delivery(world.enterprise_admin_y, order.deliveries.get(), {}, DAY)
    after = selectors.supply_status(world.y, DAY)
    assert next(s for s in after.items if s.item.code == "mask").days == 10  # 30 people × 2 a day


def test_a_delivery_is_signed_for_once_and_never_for_more_than_was_sent(world, items, supplier):
    order = services.check_create_order(
        world.district_admin, supplier, [request_for(world.enterprise_admin_x, world.x, items, mask=100).pk], DAY
    )
    delivery = order.deliveries.get()
    line = delivery.lines.get()
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_confirm_delivery(world.enterprise_admin_x, delivery, {f"r_{line.pk}": "101"}, DAY)
    assert "不能多于应送数量" in exc.value.errors[f"r_{line.pk}"]
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_confirm_delivery(world.enterprise_admin_x, delivery, {}, DAY - dt.timedelta(days=1))
    assert "不能早于下单日期" in exc.value.errors["delivered_on"]
    assert not StockMovement.objects.exists()
    services.check_confirm_delivery(world.enterprise_admin_x, delivery, {}, DAY)
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_confirm_delivery(world.enterprise_admin_x, delivery, {}, DAY)
    assert "不能重复签收" in exc.value.errors["__all__"]
    assert stock(world.x, items["mask"]) == 100


def test_a_request_is_ordered_once(world, items, supplier):
    request = request_for(world.enterprise_admin_x, world.x, items, mask=100)
    services.check_create_order(world.district_admin, supplier, [request.pk], DAY)
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_create_order(world.district_admin, supplier, [request.pk], DAY)
    assert "已下单" in exc.value.errors["requests"]


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({}, "__all__"),
        ({"q_mask": "0"}, "__all__"),
        ({"q_mask": "1.5"}, "q_mask"),
        ({"q_999999": "3"}, "q_999999"),
        ({"q_mask": "1e309"}, "q_mask"),  # too wide to check for decimals: was a 500 on the request page
    ],
)
def test_a_request_needs_at_least_one_sensible_quantity(world, items, fields, key):
    real = {k.replace("q_mask", f"q_{items['mask'].pk}"): v for k, v in fields.items()}
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_create_request(world.enterprise_admin_x, world.x, real)
    assert key.replace("q_mask", f"q_{items['mask'].pk}") in exc.value.errors


def test_an_order_needs_a_supplier_and_open_requests(world, items, supplier):
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_create_order(world.district_admin, None, ["abc", "-1"], DAY)
    assert set(exc.value.errors) == {"supplier", "requests"}


def test_a_supplier_phone_is_validated_and_stored_encrypted_and_audited_masked(world, supplier):
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_create_supplier(world.district_admin, {"name": "某公司", "contact_phone": "12345"})
    assert "contact_phone" in exc.value.errors
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM supplies_supplier WHERE id = %s", [supplier.pk])
        assert "13800138000" not in cursor.fetchone()[0]
    row = AuditLog.objects.get(action="supplies.supplier_create")
    assert row.changes["contact_phone"] == ["", "138****8000"]


def test_requests_and_deliveries_are_scoped_to_the_enterprise(world, items, supplier):
    rx = request_for(world.enterprise_admin_x, world.x, items, mask=100)
    ry = request_for(world.enterprise_admin_y, world.y, items, mask=100)
    order = services.check_create_order(world.district_admin, supplier, [rx.pk, ry.pk], DAY)
    assert list(requests_for_user(world.enterprise_admin_y)) == [ry]
    assert set(deliveries_for_user(world.town_a_officer)) == {order.deliveries.get(enterprise=world.x)}
    assert list(orders_for_user(world.enterprise_admin_y)) == [order]  # in scope; the pages then ask for PROCURE
    assert not requests_for_user(world.bank_officer).filter(pk=ry.pk).exists()
    assert not deliveries_for_user(world.auditor).exists()


def test_delivered_figures_follow_the_signed_receipts(world, items, supplier):
    from fugong.core import figures, scoping

    order = services.check_create_order(
        world.district_admin,
        supplier,
        [request_for(world.enterprise_admin_x, world.x, items, mask=1000, disinfectant="2.5", hand_sanitizer="1").pk],
        DAY,
    )
    keys = ["masks_delivered", "sanitizer_delivered_kg"]
    assert figures.compute(scoping.DISTRICT_WIDE, DAY, keys) == {"masks_delivered": 0, "sanitizer_delivered_kg": 0}
    services.check_confirm_delivery(world.enterprise_admin_x, order.deliveries.get(), {}, DAY)
    assert figures.compute(scoping.DISTRICT_WIDE, DAY, keys) == {"masks_delivered": 1000, "sanitizer_delivered_kg": 3.5}
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_request_is_withdrawn_with_its_reason_and_is_then_not_ordered(world, items, supplier):
    request = request_for(world.enterprise_admin_x, world.x, items, mask=100)
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_cancel_request(world.enterprise_admin_x, request, "   ")
    assert set(exc.value.errors) == {"reason"}
    services.check_cancel_request(world.enterprise_admin_x, request, "已自行采购 <script>")
    request.refresh_from_db()
    assert (request.status, request.cancel_reason) == (RequestStatus.CANCELLED, "已自行采购 <script>")
    assert request.cancelled_at is not None
    entry = AuditLog.objects.get(action="supplies.request_cancel")
    assert (entry.object_id, entry.note, entry.actor_id) == (
        str(request.pk),
        "已自行采购 <script>",
        world.enterprise_admin_x.pk,
    )
    # Withdrawn: no longer open demand, and neither an order nor a second withdrawal takes it.
    assert request.pk not in [r.pk for r in services_open(world.district_admin)]
    with pytest.raises(services.SupplyValidationError):
        services.check_create_order(world.district_admin, supplier, [request.pk], DAY)
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_cancel_request(world.enterprise_admin_x, request, "再撤一次")
    assert "已撤销" in exc.value.errors["__all__"]
    assert AuditLog.objects.filter(action="supplies.request_cancel").count() == 1


def test_an_ordered_request_cannot_be_withdrawn(world, items, supplier):
    request = request_for(world.enterprise_admin_x, world.x, items, mask=100)
    services.check_create_order(world.district_admin, supplier, [request.pk], DAY)
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_cancel_request(world.enterprise_admin_x, request, "不要了")
    assert "已下单" in exc.value.errors["__all__"]
    request.refresh_from_db()
    assert request.status == RequestStatus.ORDERED


def test_the_withdraw_page_asks_for_a_reason_and_lists_it(world, items, client_for):
    request = request_for(world.enterprise_admin_x, world.x, items, mask=100)
    client = client_for("enterprise_admin_x")
    url = f"/supplies/requests/{request.pk}/cancel/"
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="cancel-form"' in page.content.decode()
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "需求填错了"})
    assert response.status_code == 302
    listing = client.get("/supplies/requests/").content.decode()
    assert f'data-request="{request.pk}" data-status="cancelled"' in listing and "需求填错了" in listing
    # Done once: the page now shows the withdrawal, without the form.
    done = client.get(url).content.decode()
    assert 'data-testid="cancel-form"' not in done and "需求填错了" in done
    # Another enterprise's admin does not find it.
    assert client_for("enterprise_admin_y").get(url).status_code == 404


def services_open(user):
    from fugong.supplies.selectors_procurement import open_requests

    return list(open_requests(user))


def test_an_order_nothing_of_which_was_signed_for_is_called_off_and_its_requests_reopen(world, items, supplier):
    rx = request_for(world.enterprise_admin_x, world.x, items, mask=100)
    ry = request_for(world.enterprise_admin_y, world.y, items, mask=50)
    order = services.check_create_order(world.district_admin, supplier, [rx.pk, ry.pk], DAY)
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_cancel_order(world.district_admin, order, "")
    assert set(exc.value.errors) == {"reason"}
    services.check_cancel_order(world.district_admin, order, "供应商缺货")
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "供应商缺货")
    assert set(order.deliveries.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}
    assert {r.pk for r in services_open(world.district_admin)} == {rx.pk, ry.pk}
    entry = AuditLog.objects.get(action="supplies.order_cancel")
    assert (entry.note, entry.changes["requests"]) == ("供应商缺货", [sorted([rx.pk, ry.pk]), None])
    # Reopened requests are ordered again, from another supplier; a cancelled delivery cannot be signed for.
    other = services.check_create_supplier(world.district_admin, {"name": "另一家供应商"})
    again = services.check_create_order(world.district_admin, other, [rx.pk, ry.pk], DAY)
    assert set(again.requests.values_list("pk", flat=True)) == {rx.pk, ry.pk}
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_confirm_delivery(world.enterprise_admin_x, order.deliveries.get(enterprise=world.x), {}, DAY)
    assert "取消" in exc.value.errors["__all__"]
    assert not StockMovement.objects.exists()
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_cancel_order(world.district_admin, order, "再取消一次")
    assert "不能取消" in exc.value.errors["__all__"]


def test_an_order_with_a_signed_delivery_cannot_be_called_off(world, items, supplier):
    rx = request_for(world.enterprise_admin_x, world.x, items, mask=100)
    ry = request_for(world.enterprise_admin_y, world.y, items, mask=50)
    order = services.check_create_order(world.district_admin, supplier, [rx.pk, ry.pk], DAY)
    services.check_confirm_delivery(world.enterprise_admin_x, order.deliveries.get(enterprise=world.x), {}, DAY)
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_cancel_order(world.district_admin, order, "供应商缺货")
    assert "签收" in exc.value.errors["__all__"]
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert stock(world.x, items["mask"]) == 100


def test_the_call_off_page_asks_for_a_reason_and_shows_it_on_the_order(world, items, supplier, client_for):
    rx = request_for(world.enterprise_admin_x, world.x, items, mask=100)
    order = services.check_create_order(world.district_admin, supplier, [rx.pk], DAY)
    client = client_for("district_admin")
    assert 'data-testid="cancel-order"' in client.get(f"/supplies/orders/{order.pk}/").content.decode()
    url = f"/supplies/orders/{order.pk}/cancel/"
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "供应商缺货"}).status_code == 302
    page = client.get(f"/supplies/orders/{order.pk}/").content.decode()
    assert 'data-testid="order-cancelled"' in page and "供应商缺货" in page and 'data-testid="cancel-order"' not in page
    assert client_for("enterprise_admin_x").get(url).status_code == 403
