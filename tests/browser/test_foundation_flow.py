"""The foundation's walk in a real browser: log in, filter the registry, open a record, upload a file with
one bad row and see that row's error."""

from __future__ import annotations

import openpyxl
import pytest

from fugong.core.identifiers import make_uscc
from fugong.core.testing import TEST_PASSWORD, build_world

from .conftest import login

pytestmark = pytest.mark.browser


def _roster_file(path, good_uscc: str, bad_uscc: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["苏仙区企业台账（测试）"])  # a title row above the header, as district sheets have
    ws.append(
        ["统一社会信用代码", "企业名称", "所在镇（街道）", "行业门类", "经济类型", "从业人员", "年营业收入（万元）"]
    )
    ws.append([good_uscc, "郴州市浏览器测试新材料有限公司", "栖凤渡镇", "C", "民营", 80, 1500])
    ws.append([bad_uscc, "郴州市校验位错误有限公司", "栖凤渡镇", "C", "民营", 10, 100])
    wb.save(path)


def test_a_town_officer_filters_opens_a_record_and_sees_the_bad_row_of_an_upload(live, page, tmp_path):
    world = build_world()
    base = live.url
    login(page, base, "town_a_officer", TEST_PASSWORD)

    # The home page names the town, and the registry shows only the town's enterprises.
    assert "栖凤渡镇" in page.inner_text("main")
    page.goto(f"{base}/enterprises/")
    table = page.locator("[data-testid=enterprise-table]")
    assert world.x.name in table.inner_text()
    assert world.y.name not in table.inner_text()

    # Filter by category and search by a USCC prefix.
    page.select_option("#f-category", "above_scale_industrial")
    page.fill("#f-q", world.x.uscc[:10])
    page.locator("[data-testid=filters] button[type=submit]").click()
    page.wait_for_url("**category=above_scale_industrial**")
    assert world.x.name in table.inner_text()

    # Open the detail page: the phone is masked.
    page.get_by_role("link", name=world.x.name).first.click()
    page.wait_for_url(f"**/enterprises/{world.x.pk}/")
    main = page.inner_text("main")
    assert world.x.uscc in main
    assert "138****1234" in main and "13800001234" not in main

    # Upload a sheet with one good and one bad row (wrong check character at position 18).
    good = make_uscc("431003", "77000001")
    valid_bad = make_uscc("431003", "77000002")
    bad = valid_bad[:17] + ("0" if valid_bad[17] != "0" else "1")
    path = tmp_path / "台账.xlsx"
    _roster_file(path, good, bad)
    page.goto(f"{base}/enterprises/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("[data-testid=import-submit]")
    page.wait_for_selector("[data-testid=errors-table]")
    errors = page.inner_text("[data-testid=errors-table]")
    assert "4" in errors  # the bad row as the spreadsheet numbers it (title, header, good, bad)
    assert "第18位" in errors
    assert page.inner_text("[data-testid=count-created]").strip() == "1"
    assert page.inner_text("[data-testid=count-rejected]").strip() == "1"

    # The good row is now in the registry; the bad one is not.
    page.goto(f"{base}/enterprises/?q=浏览器测试")
    assert "郴州市浏览器测试新材料有限公司" in page.inner_text("[data-testid=enterprise-table]")
    page.goto(f"{base}/enterprises/?q=校验位错误")
    assert "郴州市校验位错误有限公司" not in page.inner_text("main")
