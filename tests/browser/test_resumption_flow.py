"""Resumption in a real browser, with three accounts: the enterprise applies (self-check, plans, photos), the
town inspects on site and fails one item, the enterprise reports it rectified, the town re-inspects and passes
it, the district files it — and the district's dashboard goes from 0% to 100% 规上工业复工率."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from fugong.core.testing import TEST_PASSWORD, build_world
from fugong.resumption import snapshots

from .conftest import login

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%browser test\n"


@pytest.fixture
def resumption_world(settings, tmp_path):
    # A flush after an earlier live-server test empties the rule tables; put the default rules back.
    import_module("fugong.resumption.migrations.0002_default_rules").load(apps, None)
    settings.MEDIA_ROOT = tmp_path / "media"
    # The filing's snapshot refresh runs at once instead of waiting for a task worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    world = build_world()
    snapshots.refresh([timezone.localdate()])
    return world


def as_user(browser, base: str, username: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, base, username, TEST_PASSWORD)
    return context, page


def asi_rate(page, base: str) -> str:
    page.goto(f"{base}/resumption/dashboard/")
    page.wait_for_selector("[data-chart=rate_series][data-ready='1']")
    return page.inner_text("[data-card=asi_rate] [data-value]").strip()


def test_an_application_walks_from_submission_through_rectification_to_filing_and_the_dashboard_follows(
    live, browser, resumption_world, tmp_path
):
    world, base = resumption_world, live.url
    today = timezone.localdate()
    photo, plan = tmp_path / "现场.png", tmp_path / "方案.pdf"
    photo.write_bytes(PNG)
    plan.write_bytes(PDF)

    district, district_page = as_user(browser, base, "district_admin")
    assert asi_rate(district_page, base) == "0%"

    # 1. The enterprise fills in the application: plan, batches, the ten-item self-check with evidence.
    enterprise, page = as_user(browser, base, "enterprise_admin_x")
    page.goto(f"{base}/resumption/applications/new/")
    page.fill("#id_planned_date", today.isoformat())
    page.fill("#id_batch_workers", "470,238")
    page.set_input_files("#f-prevention", str(plan))
    page.set_input_files("#f-emergency", str(plan))
    for row in page.locator("[data-testid=self-check] tbody tr").all():
        row.locator("select").select_option("done")
        row.locator("input[type=text]").fill("已按要求落实")
        accept = row.locator("input[type=file]").get_attribute("accept") or ""
        row.locator("input[type=file]").set_input_files(str(photo if accept.startswith(".jpg") else plan))
    page.click("[data-testid=save-submit]")
    page.wait_for_selector("[data-testid=app-state]")
    assert page.inner_text("[data-testid=app-state]") == "待现场核查"
    app_url = page.url

    # 2. The town inspects on site: item 6 (消杀通风) fails, with a deadline.
    town, town_page = as_user(browser, base, "town_a_officer")
    town_page.goto(app_url)
    town_page.click("[data-testid=inspect]")
    for row in town_page.locator("[data-testid=inspection-items] tbody tr").all():
        row.locator("input[value=pass]").check()
    failing = town_page.locator("[data-testid=inspection-items] tr[data-item='6']")
    failing.locator("input[value=fail]").check()
    failing.locator("input[type=text]").fill("消毒记录不全")
    failing.locator("input[type=date]").fill((today + dt.timedelta(days=3)).isoformat())
    town_page.click("[data-testid=inspection-submit]")
    town_page.wait_for_selector("[data-testid=rectifications]")
    assert town_page.inner_text("[data-testid=app-state]") == "整改中"
    assert "消毒记录不全" in town_page.inner_text("[data-testid=rectifications]")

    # 3. The enterprise reports the rectification with a photo.
    page.goto(app_url)
    page.click("[data-testid=rectified]")
    page.fill("textarea", "已补全消毒台账并张贴")
    page.set_input_files("[data-testid=rectification-form] input[type=file]", str(photo))
    page.click("[data-testid=rectified-submit]")
    page.wait_for_selector("[data-testid=app-state]")
    assert page.inner_text("[data-testid=app-state]") == "待复查"

    # 4. The town re-inspects: everything passes now.
    town_page.goto(app_url)
    town_page.click("[data-testid=inspect]")
    for row in town_page.locator("[data-testid=inspection-items] tbody tr").all():
        row.locator("input[value=pass]").check()
    town_page.click("[data-testid=inspection-submit]")
    town_page.wait_for_selector("[data-testid=app-state]")
    assert town_page.inner_text("[data-testid=app-state]") == "核查通过，待备案"
    assert not town_page.locator("[data-testid=file]").count()  # filing is the district's, not the town's

    # 5. The district files it; the enterprise is resumed and the dashboard says so.
    district_page.goto(app_url)
    district_page.click("[data-testid=file]")
    district_page.fill("#id_actual_date", today.isoformat())
    district_page.click("[data-testid=filing-submit]")
    district_page.wait_for_selector("[data-testid=actual-date]")
    assert district_page.inner_text("[data-testid=app-state]") == "已备案"
    history = district_page.inner_text("[data-testid=events]")
    for step in ("提交申请", "现场核查，限期整改", "报告整改完成", "现场核查通过", "备案"):
        assert step in history
    assert asi_rate(district_page, base) == "100%"
    # The number links to the record behind it.
    district_page.click("[data-card=asi_rate]")
    district_page.wait_for_selector("[data-testid=records-table]")
    assert world.x.name in district_page.inner_text("[data-testid=records-table]")

    # The big screen shows the same figure.
    district_page.goto(f"{base}/resumption/dashboard/screen/")
    assert district_page.inner_text("[data-card=asi_rate] [data-value]").strip() == "100%"
    for context in (district, enterprise, town):
        context.close()
