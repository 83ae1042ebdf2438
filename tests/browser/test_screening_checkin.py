"""Self-declaration in a real browser on a phone-sized screen: open the QR code's page, declare a fever, see
only one's own status; then the enterprise admin sees the declaration, the reading on the archive card and
the alert."""

from __future__ import annotations

import pytest

from fugong.core.testing import TEST_PASSWORD, build_world
from fugong.screening import services
from fugong.screening.tests.helpers import hire, synthetic_id

from .conftest import login

pytestmark = pytest.mark.browser


def test_a_worker_declares_on_a_phone_and_the_enterprise_admin_sees_the_reading_and_the_alert(live, phone_page, page):
    world = build_world()
    emp = hire(world.x, 5)
    point = services.do_ensure_checkin_point(None, world.x)
    base = live.url

    # The QR code's target on a phone: no login, the purpose statement, the form.
    phone_page.goto(f"{base}/screening/d/{point.token}/")
    assert "个人信息收集告知书" in phone_page.inner_text("main")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    phone_page.fill("#d-name", "排查员工5")
    phone_page.fill("#d-id", synthetic_id(5))
    phone_page.fill("#d-temp", "37.6")
    phone_page.check("#c-green")
    phone_page.check("#d-consent")
    phone_page.click("[data-testid=declare-submit]")
    result = phone_page.locator("[data-testid=declare-result]")
    result.wait_for()
    assert result.get_attribute("data-status") == "abnormal"
    assert phone_page.inner_text("[data-testid=status]") == "异常"
    assert "发热门诊" in phone_page.inner_text("[data-testid=next-steps]")
    shown = phone_page.content()
    assert "排查员工5" not in shown and synthetic_id(5) not in shown

    # The enterprise admin sees the declaration and the alert on the enterprise's screening page…
    login(page, base, "enterprise_admin_x", TEST_PASSWORD)
    page.goto(f"{base}/screening/enterprise/{world.x.pk}/")
    declarations = page.locator("[data-testid=declarations]")
    assert "排****" in declarations.inner_text() and "异常" in declarations.inner_text()
    alert = page.locator("[data-kind=fever]")
    assert "体温异常" in alert.inner_text()
    # …and the reading on the archive card, marked feverish.
    page.goto(f"{base}/workforce/{emp.pk}/")
    readings = page.locator("[data-testid=readings]")
    assert "37.6" in readings.inner_text() and "体温异常" in readings.inner_text()
    assert page.locator("[data-testid=clearance] [data-clearance=abnormal]").count() == 1
    # The alert is followed up and leaves the open list.
    page.goto(f"{base}/screening/alerts/")
    page.fill("[data-kind=fever] input[name=resolution]", "已送发热门诊，待复查")
    page.click("[data-kind=fever] button[type=submit]")
    page.wait_for_url("**/screening/alerts/**")
    assert page.locator("[data-kind=fever]").count() == 0
