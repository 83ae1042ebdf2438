"""fugong.core.excel: reading what district staff really send, and writing files that are safe to open."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from fugong.core import excel
from fugong.core.excel import CellError, Column, TableSpec, UnreadableFile

SPEC = TableSpec(
    [
        Column("code", "统一社会信用代码", ("统一社会信用代码", "信用代码"), required=True),
        Column("name", "企业名称", ("企业名称", "单位名称", "名称"), required=True),
        Column("town", "所在镇（街道）", ("所在镇(街道)", "镇(街道)")),
        Column("since", "复工日期", ("复工日期",)),
        Column("staff", "从业人员", ("从业人员", "职工人数")),
    ]
)


def xlsx_with_title(path, header, rows):
    """A sheet like the ones towns send: a merged title on row 1, a note on row 2, the header on row 3."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "苏仙区企业复工台账"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A2"] = "填报单位：栖凤渡镇　　填报日期：2020年2月3日"
    for c, h in enumerate(header, start=1):
        sheet.cell(row=3, column=c, value=h)
    for r, values in enumerate(rows, start=4):
        for c, v in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=v)
    book.save(path)
    return path


def test_header_below_a_merged_title_is_found_and_rows_are_numbered_as_excel_shows_them(tmp_path):
    path = xlsx_with_title(
        tmp_path / "a.xlsx",
        ["统一社会信用代码", "企业名称", "从业人员"],
        [["91431003MA4L00010X", "甲公司", 120.0], ["", "", ""], ["91431003MA4L00020X", "乙公司", 8]],
    )
    table = excel.read_table(path, "a.xlsx", SPEC)
    assert table.header_row == 3
    rows = list(table)
    assert [r.number for r in rows] == [4, 6]  # the blank row 5 is skipped, numbering is not
    assert rows[0].values == {"code": "91431003MA4L00010X", "name": "甲公司", "staff": 120}
    assert isinstance(rows[0].values["staff"], int)


def test_header_synonyms_full_width_brackets_and_required_markers_are_recognised(tmp_path):
    path = tmp_path / "s.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["*信用代码", "单位名称", "镇（街道）", "职工人数"])
    book.active.append(["X", "丙公司", "栖凤渡镇", "15"])
    book.save(path)
    table = excel.read_table(path, "s.xlsx", SPEC)
    assert table.columns == {"code": 0, "name": 1, "town": 2, "staff": 3}
    assert next(iter(table)).values["town"] == "栖凤渡镇"


def test_unknown_extra_columns_are_ignored_and_reported(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("统一社会信用代码,企业名称,备注,负责人微信\nA,甲,随便,abc\n", encoding="utf-8")
    table = excel.read_table(path, "x.csv", SPEC)
    assert table.ignored_headers == ["备注", "负责人微信"]
    assert next(iter(table)).values == {"code": "A", "name": "甲"}


def test_missing_required_columns_are_refused_naming_them_and_the_headers_found(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("企业名称,所在镇(街道),从业人员\n甲,栖凤渡镇,3\n", encoding="utf-8")
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "m.csv", SPEC)
    assert exc.value.code == "missing_columns"
    assert "统一社会信用代码" in exc.value.message
    assert "企业名称、所在镇(街道)、从业人员" in exc.value.message


def test_a_file_without_a_recognisable_header_is_refused(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("姓名,年龄\n张三,30\n", encoding="utf-8")
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "n.csv", SPEC)
    assert exc.value.code == "no_header"
    assert "姓名" in exc.value.message


def test_duplicate_columns_in_the_header_are_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("统一社会信用代码,企业名称,名称\nA,甲,乙\n", encoding="utf-8")
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "d.csv", SPEC)
    assert exc.value.code == "duplicate_columns"
    assert "第B列和第C列" in exc.value.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(tmp_path, encoding):
    path = tmp_path / "c.csv"
    path.write_bytes("统一社会信用代码,企业名称\r\nA1,郴州市栖凤渡镇食品厂\r\n".encode(encoding))
    rows = list(excel.read_table(path, "c.csv", SPEC))
    assert rows[0].values["name"] == "郴州市栖凤渡镇食品厂"
    assert rows[0].number == 2


def test_tab_separated_text_named_csv_is_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("统一社会信用代码\t企业名称\nA1\t甲\n", encoding="utf-8")
    assert next(iter(excel.read_table(path, "t.csv", SPEC))).values == {"code": "A1", "name": "甲"}


def test_semicolons_inside_quoted_cells_do_not_change_the_delimiter(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('统一社会信用代码,企业名称\nA,"甲;乙;丙;丁"\n', encoding="utf-8")
    assert next(iter(excel.read_table(path, "q.csv", SPEC))).values == {"code": "A", "name": "甲;乙;丙;丁"}


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "e.xlsx"
    path.write_bytes(b"")
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "e.xlsx", SPEC)
    assert exc.value.code == "empty"


def test_a_workbook_without_rows_is_refused_as_empty(tmp_path):
    path = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "blank.xlsx", SPEC)
    assert exc.value.code == "empty"


def test_ten_megabytes_of_random_bytes_named_xlsx_is_not_a_spreadsheet(tmp_path):
    path = tmp_path / "random.xlsx"
    path.write_bytes(os.urandom(10 * 2**20))
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "random.xlsx", SPEC)
    assert exc.value.code == "not_spreadsheet"
    assert "random.xlsx" in exc.value.message


def test_a_corrupt_zip_named_xlsx_is_not_a_spreadsheet(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(5000))
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "broken.xlsx", SPEC)
    assert exc.value.code == "not_spreadsheet"


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(tmp_path, settings):
    settings.FUGONG_MAX_UPLOAD_BYTES = 1000
    path = tmp_path / "big.csv"
    path.write_text("统一社会信用代码,企业名称\n" + "A,甲\n" * 500, encoding="utf-8")
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "big.csv", SPEC)
    assert exc.value.code == "too_large"


def test_too_many_rows_are_refused_for_workbooks_and_csv(tmp_path, settings):
    settings.FUGONG_MAX_IMPORT_ROWS = 3
    path = tmp_path / "many.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["统一社会信用代码", "企业名称"])
    for i in range(5):
        book.active.append([f"A{i}", "甲"])
    book.save(path)
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "many.xlsx", SPEC)
    assert exc.value.code == "too_many_rows"
    csv_path = tmp_path / "many.csv"
    csv_path.write_text("统一社会信用代码,企业名称\n" + "A,甲\n" * 5, encoding="utf-8")
    with pytest.raises(UnreadableFile) as exc:
        list(excel.read_table(csv_path, "many.csv", SPEC))
    assert exc.value.code == "too_many_rows"


def test_an_unsupported_file_type_is_refused(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4 hello")
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "a.pdf", SPEC)
    assert exc.value.code == "file_type"


def test_a_file_object_is_read_like_a_path():
    data = "统一社会信用代码,企业名称\nA,甲\n".encode("gbk")
    rows = list(excel.read_table(io.BytesIO(data), "upload.csv", SPEC))
    assert rows[0].values == {"code": "A", "name": "甲"}


def test_the_first_sheet_with_a_header_is_the_data_sheet(tmp_path):
    path = tmp_path / "two.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["请按下表填写"])
    data = book.create_sheet("数据")
    data.append(["统一社会信用代码", "企业名称"])
    data.append(["A", "甲"])
    book.save(path)
    table = excel.read_table(path, "two.xlsx", SPEC)
    assert table.sheet_name == "数据"
    assert [r.values["name"] for r in table] == ["甲"]


def test_cells_are_normalised_full_width_to_half_width_and_stripped():
    assert excel.clean_cell("\u3000９１４３ＡＢ\u3000") == "9143AB"
    assert excel.clean_cell(" 郴州市\u200b甲公司 ") == "郴州市甲公司"
    assert excel.clean_cell(120.0) == 120
    assert excel.clean_cell(12.5) == 12.5
    assert excel.clean_cell(None) == ""
    assert excel.clean_cell(dt.datetime(2020, 2, 3)) == dt.date(2020, 2, 3)
    # The apostrophe an export puts before formula-like text is not part of the value.
    assert excel.clean_cell("'=1+1") == "=1+1"
    assert excel.clean_cell("'quoted") == "'quoted"


@pytest.mark.parametrize(
    "value",
    [dt.date(2020, 2, 3), dt.datetime(2020, 2, 3, 8, 30), 43864, 43864.0, "43864", "2020-02-03", "2020/2/3",
     "2020.2.3", "2020年2月3日", "2020年02月03号", "20200203", 20200203, "2020-02-03 00:00:00"],
)  # fmt: skip
def test_dates_arrive_as_cells_serials_and_three_ways_of_typing(value):
    assert excel.to_date(value) == dt.date(2020, 2, 3)


@pytest.mark.parametrize("value", ["2020-02-30", "2月3日", "明天", 12.5, -3])
def test_impossible_dates_are_cell_errors(value):
    with pytest.raises(CellError) as exc:
        excel.to_date(value)
    assert exc.value.code == "date"


def test_numbers_are_parsed_strictly_with_clear_codes():
    assert excel.to_int("1,200") == 1200
    assert excel.to_int("120.0") == 120
    assert excel.to_int("") is None
    with pytest.raises(CellError) as exc:
        excel.to_int("12.5")
    assert exc.value.code == "integer"
    with pytest.raises(CellError) as exc:
        excel.to_int(-1)
    assert exc.value.code == "min_value"
    assert excel.to_decimal(0.1 + 0.2) == Decimal("0.30")
    assert excel.to_decimal("1,234.565") == Decimal("1234.57")
    with pytest.raises(CellError) as exc:
        excel.to_decimal("十万")
    assert exc.value.code == "number"
    with pytest.raises(CellError) as exc:
        excel.to_decimal("1e99")
    assert exc.value.code in {"number", "max_value"}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9" * 60, "max_value"),  # wider than the decimal context: rounding it raised InvalidOperation
        (1e308, "max_value"),  # a float cell
        (-1e308, "max_value"),
        (float("inf"), "number"),
        (float("nan"), "number"),
        ("1" + "0" * 12, "max_value"),  # 14 digits with 2 places: at most 12 before the point
    ],
)
def test_numbers_too_wide_or_not_finite_are_cell_errors_not_crashes(value, code):
    with pytest.raises(CellError) as exc:
        excel.to_decimal(value)
    assert exc.value.code == code
    assert excel.to_decimal("9" * 12) == Decimal("999999999999.00")  # the widest that fits still does


def test_yes_and_no_are_understood_and_anything_else_is_an_error():
    assert excel.to_bool("是") is True
    assert excel.to_bool("否") is False
    assert excel.to_bool("Y") is True
    assert excel.to_bool("") is None
    with pytest.raises(CellError) as exc:
        excel.to_bool("也许")
    assert exc.value.code == "boolean"


def test_text_longer_than_allowed_is_a_cell_error():
    with pytest.raises(CellError) as exc:
        excel.to_text("甲" * 41, max_length=40)
    assert exc.value.code == "too_long"


def test_column_letters_follow_excel():
    assert [excel.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


# --- writing ------------------------------------------------------------------------------------------
META = excel.ExportMeta("district_admin（测试用户）", dt.datetime(2020, 3, 2, 9, 30), "企业台账", "全部")
DANGEROUS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_xlsx_export_neutralises_formula_like_text_and_keeps_numbers_as_numbers(tmp_path):
    path = tmp_path / "out.xlsx"
    count = excel.write_xlsx(
        path,
        ["文本", "数字"],
        [[text, -5] for text in DANGEROUS] + [["普通", Decimal("12.50")]],
        sheet_title="数据",
        meta=META,
    )
    assert count == len(DANGEROUS) + 1
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name("数据").to_python()
    assert rows[0] == ["文本", "数字"]
    assert [r[0] for r in rows[1:-1]] == ["'" + t for t in DANGEROUS]
    assert all(r[1] == -5.0 for r in rows[1:-1])
    assert rows[-1] == ["普通", 12.5]
    # openpyxl sees no formula anywhere
    sheet = openpyxl.load_workbook(path)["数据"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_every_xlsx_export_names_who_exported_it_and_when(tmp_path):
    path = tmp_path / "out.xlsx"
    excel.write_xlsx(path, ["a"], [["x"], ["y"]], sheet_title="数据", meta=META)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["数据", "导出信息"]
    info = dict(book.get_sheet_by_name("导出信息").to_python())
    assert info["导出人"] == "district_admin（测试用户）"
    assert info["导出时间"] == "2020-03-02 09:30:00"
    assert info["记录数"] == "2"
    footer = openpyxl.load_workbook(path)["数据"].oddFooter.left.text
    assert "district_admin" in footer


def test_csv_export_has_a_bom_an_export_line_and_neutralised_cells():
    out = io.BytesIO()
    count = excel.write_csv(out, ["文本", "数字"], [[t, 3] for t in DANGEROUS], meta=META)
    assert count == len(DANGEROUS)
    data = out.getvalue()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][0].startswith("导出人：district_admin")
    assert rows[1] == ["文本", "数字"]
    assert [r[0] for r in rows[2:]] == ["'" + t for t in DANGEROUS]
    assert all(r[1] == "3" for r in rows[2:])


def test_an_exported_csv_and_xlsx_read_back_with_the_same_values(tmp_path):
    rows = [["91431003MA4L00010X", '=HYPERLINK("x")', 7]]
    out = io.BytesIO()
    excel.write_csv(out, ["统一社会信用代码", "企业名称", "从业人员"], rows, meta=META)
    back = list(excel.read_table(io.BytesIO(out.getvalue()), "e.csv", SPEC))
    assert back[0].values == {"code": "91431003MA4L00010X", "name": '=HYPERLINK("x")', "staff": "7"}
    assert back[0].number == 3  # the export line, the header, then the data
    path = tmp_path / "e.xlsx"
    excel.write_xlsx(path, ["统一社会信用代码", "企业名称", "从业人员"], rows, sheet_title="d", meta=META)
    again = list(excel.read_table(path, "e.xlsx", SPEC))
    assert again[0].values == {"code": "91431003MA4L00010X", "name": '=HYPERLINK("x")', "staff": 7}


def test_a_real_formula_cell_is_read_as_its_value_and_text_that_looks_like_one_stays_text(tmp_path):
    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["统一社会信用代码", "企业名称", "从业人员"])
    sheet.write_string(1, 0, "A")
    sheet.write_string(1, 1, "=1+1")
    sheet.write_formula(1, 2, "=1+1", None, 2)
    book.close()
    row = next(iter(excel.read_table(path, "f.xlsx", SPEC)))
    assert row.values == {"code": "A", "name": "=1+1", "staff": 2}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_with_its_byte_order_mark_is_read(tmp_path, encoding):
    """Excel's "Unicode 文本" (UTF-16 with a BOM, tab-separated), here also comma-separated."""
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    for delimiter in (",", "\t"):
        path = tmp_path / "u.csv"
        text = f"统一社会信用代码{delimiter}企业名称\r\nA1{delimiter}郴州市上海路食品厂\r\n"
        path.write_bytes(bom + text.encode(encoding))
        rows = list(excel.read_table(path, "u.csv", SPEC))
        assert [(r.number, r.values) for r in rows] == [(2, {"code": "A1", "name": "郴州市上海路食品厂"})]


def test_utf16_that_does_not_decode_is_an_encoding_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "统一社会信用代码,企业名称\n".encode("utf-16-le") + b"\x00\xd8\x41")
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "bad.csv", SPEC)
    assert exc.value.code == "encoding"


def test_nul_bytes_without_a_utf16_mark_are_still_refused_as_binary(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes("统一社会信用代码,企业名称\n".encode("utf-16-le"))  # no BOM: cannot be told from binary
    with pytest.raises(UnreadableFile) as exc:
        excel.read_table(path, "bin.csv", SPEC)
    assert exc.value.code == "not_text"


def test_chinese_headers_are_found_whatever_the_uploaders_language(tmp_path):
    """An officer using the English pages uploads the district's (Chinese) sheet — or a template they
    downloaded from the English pages, with English headers: both are read. (Headers as the importers declare
    them: translatable, with no synonym repeating the Chinese header.)"""
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    spec = TableSpec(
        [
            Column("id_number", gettext_lazy("身份证号码"), ("身份证号",), required=True),
            Column("name", gettext_lazy("姓名"), ("员工姓名",), required=True),
        ]
    )
    path = tmp_path / "zh.csv"
    path.write_text("姓名,身份证号码\n甲,X1\n", encoding="utf-8")
    with translation.override("en"):
        english = spec.headers()
        assert [r.values for r in excel.read_table(path, "zh.csv", spec)] == [{"id_number": "X1", "name": "甲"}]
        path.write_text(f"{english[1]},{english[0]}\n乙,X2\n", encoding="utf-8")
        assert [r.values for r in excel.read_table(path, "en.csv", spec)] == [{"id_number": "X2", "name": "乙"}]
    assert english == ["ID number", "Full name"]


def test_the_exporter_is_named_in_the_exporters_language(world):
    from django.utils import translation

    user = world.users["district_admin"]
    with translation.override("en"):
        assert excel.meta_for(user).exported_by == f"{user.get_username()} ({user})"
    assert excel.meta_for(user).exported_by == f"{user.get_username()}（{user}）"
    assert excel.meta_for(None).exported_by == "system"
