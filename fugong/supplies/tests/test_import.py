"""Daily consumption from a spreadsheet: the edge cases a district's clerks produce. A file with any bad row
writes nothing; importing the same file again changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fugong.core.excel import UnreadableFile
from fugong.core.models import AuditLog
from fugong.supplies.importers import import_consumption
from fugong.supplies.models import StockMovement

from .helpers import post, stock

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list], title: str | None = "高斯贝尔防疫物资消耗登记表") -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])  # a merged-looking title above the header, as district sheets have
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


HEADER = ["日期", "口罩（只）", "酒精（kg）", "备注"]


@pytest.fixture
def stocked(world, items):
    post(world.district_admin, world.x, items["mask"], "opening", 1000, dt.date(2020, 2, 20))
    post(world.district_admin, world.x, items["alcohol"], "opening", "10", dt.date(2020, 2, 20))
    return items


def run(world, source, name="消耗.xlsx", **kw):
    return import_consumption(world.enterprise_admin_x, world.x, source, name, **kw)


def test_a_good_sheet_posts_each_days_consumption_and_reports_unknown_columns(world, stocked):
    result = run(world, xlsx([HEADER, [dt.date(2020, 3, 1), 200, 1.5, "正常"], ["2020/3/2", "180", "", ""]]))
    assert result.ok and result.written
    assert (result.rows, result.created, result.corrected, result.unchanged) == (2, 3, 0, 0)
    assert result.ignored_headers == ["备注"]
    assert stock(world.x, stocked["mask"]) == 620
    assert stock(world.x, stocked["alcohol"]) == Decimal("8.5")
    assert set(StockMovement.objects.filter(kind="consumption").values_list("source", flat=True)) == {"import"}


def test_importing_the_same_file_again_changes_nothing_and_a_changed_figure_posts_the_difference(world, stocked):
    rows = [HEADER, [dt.date(2020, 3, 1), 200, 1.5, ""]]
    run(world, xlsx(rows))
    movements = StockMovement.objects.count()
    again = run(world, xlsx(rows))
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 2)
    assert StockMovement.objects.count() == movements
    changed = run(world, xlsx([HEADER, [dt.date(2020, 3, 1), 250, 1.5, ""]]))
    assert (changed.created, changed.corrected, changed.unchanged) == (0, 1, 1)
    assert stock(world.x, stocked["mask"]) == 750


def test_a_gbk_csv_with_bare_item_names_is_read(world, stocked):
    data = "日期,口罩,酒精\n2020-03-01,100,0.5\n".encode("gbk")
    result = run(world, io.BytesIO(data), "消耗.csv")
    assert result.ok and result.created == 2
    assert stock(world.x, stocked["mask"]) == 900


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ([dt.date(2020, 3, 1), 2.5, "", ""], "口罩（只）", "整数"),
        ([dt.date(2020, 3, 1), "很多", "", ""], "口罩（只）", "不是数字"),
        ([dt.date(2020, 3, 1), -5, "", ""], "口罩（只）", "负数"),
        ([dt.date(2020, 3, 1), "", "1.23456", ""], "酒精（kg）", "3位小数"),
        (["2020-02-30", 10, "", ""], "日期", "不是有效日期"),
        (["", 10, "", ""], "日期", "不能为空"),
        ([dt.date(2999, 1, 1), 10, "", ""], "日期", "晚于今天"),
    ],
)
def test_a_bad_cell_is_reported_by_row_and_column_and_nothing_is_written(world, stocked, row, column, fragment):
    good = [dt.date(2020, 2, 28), 100, 1, ""]
    audits = AuditLog.objects.count()
    result = run(world, xlsx([HEADER, good, row]))
    assert not result.ok and not result.written
    assert [(e.row, e.column) for e in result.errors] == [(4, column)]  # title on row 1, header on 2
    assert fragment in result.errors[0].message
    assert StockMovement.objects.filter(kind="consumption").count() == 0
    assert AuditLog.objects.count() == audits


def test_a_formula_typed_into_a_csv_is_text_not_a_number(world, stocked):
    data = "日期,口罩,酒精\n2020-03-01,=1+1,0.5\n".encode()
    result = run(world, io.BytesIO(data), "消耗.csv")
    assert [(e.row, e.column) for e in result.errors] == [(2, "口罩（只）")]
    assert StockMovement.objects.filter(kind="consumption").count() == 0


def test_a_day_listed_twice_is_an_error_naming_the_first_row(world, stocked):
    result = run(world, xlsx([HEADER, ["2020-03-01", 10, "", ""], ["2020年3月1日", 20, "", ""]], title=None))
    assert [(e.row, e.code) for e in result.errors] == [(3, "duplicate")]
    assert "第2行" in result.errors[0].message


def test_consuming_more_than_the_stock_is_reported_on_its_row_and_nothing_is_written(world, stocked):
    result = run(world, xlsx([HEADER, ["2020-02-28", 400, "", ""], ["2020-02-29", 700, 1, ""]]))
    assert [(e.row, e.column, e.code) for e in result.errors] == [(4, "口罩（只）", "insufficient_stock")]
    assert "当前库存" in result.errors[0].message
    assert StockMovement.objects.filter(kind="consumption").count() == 0


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(world, stocked):
    result = run(world, xlsx([HEADER, ["2020-03-01", 10, 1, ""]]), dry_run=True)
    assert result.ok and not result.written and result.created == 2
    assert StockMovement.objects.filter(kind="consumption").count() == 0


def test_a_file_without_any_figure_says_so(world, stocked):
    result = run(world, xlsx([HEADER, ["2020-03-01", "", "", "休息"]]))
    assert [e.code for e in result.errors] == ["empty"]


def test_a_sheet_without_the_date_column_names_the_missing_column(world, stocked):
    with pytest.raises(UnreadableFile) as exc:
        run(world, xlsx([["口罩", "酒精"], [10, 1]]))
    assert exc.value.code == "missing_columns" and "日期" in exc.value.message


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "x.xlsx", "empty"),
        (b"not a workbook at all", "x.xlsx", "not_spreadsheet"),
        (b"%PDF-1.4", "x.pdf", "file_type"),
    ],
)
def test_a_file_that_is_not_a_readable_sheet_is_refused_as_a_whole(world, stocked, content, name, code):
    with pytest.raises(UnreadableFile) as exc:
        run(world, io.BytesIO(content), name)
    assert exc.value.code == code


# --- through the page ---------------------------------------------------------------------------------


def upload(client, enterprise, content: bytes, name="消耗.xlsx", dry_run=False):
    data = {"file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(f"/supplies/enterprise/{enterprise.pk}/consumption/import/", data)


def test_the_import_page_shows_the_result_and_the_errors(client_for, world, stocked):
    client = client_for("enterprise_admin_x")
    ok = upload(client, world.x, xlsx([HEADER, ["2020-03-01", 10, 1, ""]]).getvalue())
    assert ok.status_code == 200 and "导入完成" in ok.content.decode()
    bad = upload(client, world.x, xlsx([HEADER, ["2020-03-02", "x", 1, ""]]).getvalue())
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "文件未写入" in body and "不是数字" in body
    unreadable = upload(client, world.x, b"garbage", "x.xlsx")
    assert unreadable.status_code == 400 and "不是有效的Excel文件" in unreadable.content.decode()


def test_another_enterprises_admin_can_not_import_into_x(client_for, world, stocked):
    response = upload(client_for("enterprise_admin_y"), world.x, xlsx([HEADER, ["2020-03-01", 10, 1, ""]]).getvalue())
    assert response.status_code == 404
    assert StockMovement.objects.filter(kind="consumption").count() == 0


def test_the_template_has_a_date_column_and_one_column_per_consumable(client_for, world, items):
    response = client_for("enterprise_admin_x").get("/supplies/consumption/template.xlsx")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = [c.value for c in wb.worksheets[0][1]]
    assert header == ["日期", "口罩（只）", "酒精（kg）", "洗手液（kg）", "消毒液（kg）", "一次性手套（副）"]
