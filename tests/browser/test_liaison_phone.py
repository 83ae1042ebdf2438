"""A liaison on a phone-sized screen logs a visit from their page, and the district's visit coverage page
shows the enterprise as visited."""

from __future__ import annotations

import time

import pytest

from fugong.core.testing import TEST_PASSWORD, build_world
from fugong.liaison.models import Visit

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_liaison_logs_a_visit_on_a_phone_and_the_district_coverage_page_updates(live, page, phone_page):
    world = build_world()
    base = live.url

    # The district admin's coverage page: nothing visited yet.
    login(page, base, "district_admin", TEST_PASSWORD)
    page.goto(f"{base}/liaison/visits/coverage/")
    assert page.inner_text("[data-testid=cov-visited]").strip() == "0"
    row = page.locator(f"tr[data-target='e:{world.x.pk}'] [data-col=status]")
    assert "未走访" in row.inner_text()

    # The liaison, on a phone: both targets are due today.
    login(phone_page, base, "liaison_of_x", TEST_PASSWORD)
    phone_page.goto(f"{base}/liaison/my/")
    assert phone_page.inner_text("[data-testid=due-count]").strip() == "2"
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling

    started = time.monotonic()
    phone_page.locator(f"[data-testid=due-today] li[data-target='e:{world.x.pk}'] [data-testid=log-visit]").click()
    phone_page.wait_for_selector("[data-testid=visit-form]")
    # Everything is pre-filled (the enterprise, today, one person-time, the usual purpose): one tap saves.
    assert phone_page.input_value("#id_target") == f"e:{world.x.pk}"
    phone_page.fill("#id_findings", "体温检测、消杀记录齐全")
    phone_page.click("[data-testid=visit-submit]")
    phone_page.wait_for_url(f"{base}/liaison/my/")
    assert time.monotonic() - started < 60
    assert "已登记" in phone_page.inner_text("main")
    assert phone_page.inner_text("[data-testid=due-count]").strip() == "1"
    assert Visit.objects.filter(enterprise=world.x, recorded_by=world.liaison_of_x).count() == 1

    # The district's page now counts it.
    page.reload()
    assert page.inner_text("[data-testid=cov-visited]").strip() == "1"
    assert "已走访" in page.locator(f"tr[data-target='e:{world.x.pk}'] [data-col=status]").inner_text()
