"""Prevention supplies in a real browser: an enterprise asks for masks, the district orders them from a
supplier, the enterprise signs for the doorstep delivery — and its stock and days of supply go up."""

from __future__ import annotations

import re

import pytest

from fugong.core.testing import TEST_PASSWORD, build_world
from fugong.supplies import defaults, services
from fugong.supplies.models import SupplyItem

from .conftest import login

pytestmark = pytest.mark.browser


def switch_user(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, base, username, TEST_PASSWORD)


def mask_days(page) -> str:
    return page.locator('[data-testid=item-table] tr[data-item="mask"] [data-col="days"] .badge').inner_text()


def test_demand_request_district_order_delivery_confirmed_then_stock_and_days_go_up(live, page):
    world = build_world()
    defaults.load()  # the catalogue of migration 0002 (a live-server test starts from a flushed database)
    mask = SupplyItem.objects.get(code="mask")
    # X has 700 people on duty: 1,400 masks a day. 1,400 in stock is one day.
    services.check_record_movement(
        world.district_admin, world.x, {"kind": "opening", "item": mask, "quantity": "1400", "on_date": _today()}
    )
    supplier = services.check_create_supplier(world.district_admin, {"name": "郴州市浏览器测试医疗器械有限公司"})
    base = live.url

    # The enterprise sees one day of masks and asks the district for 7,000 more.
    login(page, base, "enterprise_admin_x", TEST_PASSWORD)
    page.goto(f"{base}/supplies/")
    page.wait_for_url(f"**/supplies/enterprise/{world.x.pk}/")
    assert mask_days(page) == "1天"
    assert "低于 7 天标准" in page.inner_text("[data-testid=supply-summary]")
    page.click("[data-testid=request-link]")
    page.fill(f"#id_q_{mask.pk}", "7000")
    page.fill("#id_note", "复工第一周用量")
    page.click("[data-testid=request-form] button[type=submit]")
    page.wait_for_url("**/supplies/requests/")
    assert "待采购" in page.inner_text("[data-testid=request-table]")

    # The district ticks the request and orders it from the supplier.
    switch_user(page, base, "district_admin")
    page.goto(f"{base}/supplies/orders/")
    row = page.locator("[data-testid=open-requests] tr", has_text=world.x.name)
    row.locator("input[type=checkbox]").check()
    page.select_option("#id_supplier", str(supplier.pk))
    page.click("[data-testid=order-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/supplies/orders/\d+/$"))
    assert "待签收" in page.inner_text("[data-testid=order-deliveries]")

    # Doorstep delivery: the enterprise signs for what arrived; the stock and the days go up.
    switch_user(page, base, "enterprise_admin_x")
    page.goto(f"{base}/supplies/deliveries/")
    page.locator("[data-testid=delivery-table] tr", has_text=world.x.name).get_by_role("link", name="签收").click()
    page.click("[data-testid=confirm-button]")
    page.wait_for_url(f"**/supplies/enterprise/{world.x.pk}/")
    assert "已签收" in page.inner_text("main")
    stock_cell = page.locator('[data-testid=item-table] tr[data-item="mask"] [data-col="stock"]').inner_text()
    assert stock_cell == "8,400"
    assert mask_days(page) == "6天"
    assert "区级配送" in page.inner_text("[data-testid=movement-table]")


def _today():
    from django.utils import timezone

    return timezone.localdate()
