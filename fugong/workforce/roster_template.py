"""The roster template (花名册导入模板) a clerk downloads, and the error report of an import's failed rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from fugong.core import excel
from fugong.core.identifiers import id_check_char

from .models import Transport
from .roster_rows import COLUMNS, SPEC

# --- the template and the error report ------------------------------------------------------------------
# A made-up ID number: county code 999999 does not exist in GB/T 2260, so no real person holds it, yet the
# check character is computed, so the example row imports cleanly (a clerk can try the template as it is).
EXAMPLE_ID_BODY = "99999919900101001"


def example_row() -> list[Any]:
    return [
        _("张三（示例，请删除本行）"),
        EXAMPLE_ID_BODY + id_check_char(EXAMPLE_ID_BODY),
        "13000000000",
        _("否"),
        "431003",
        _("广东省深圳市"),
        "440300",
        dt.date(2020, 2, 3),
        str(Transport.TRAIN.label),
        "G1234",
        _("第一批"),
        _("一车间"),
        _("操作工"),
        _("早班"),
        _("A区"),
        "3-101",
        dt.date(2018, 3, 1),
        dt.date(2018, 4, 1),
        _("否"),
        "2020-1",
        dt.date(2020, 2, 4),
    ]


def instructions() -> list[list[Any]]:
    rows = [
        [str(c.header), _("必填") if c.required else _("选填"), str(c.help), "、".join(c.synonyms)] for c in COLUMNS
    ]
    rows.append(
        [
            _("说明"),
            "",
            _(
                "表头须在数据上方（标题行可合并，位于表头之上）；列的顺序不限，也可用“可用列名”中的其他写法，"
                "多余的列会被忽略。按身份证号码识别员工：已建档的更新，未建档的新增，内容相同的不变；"
                "空白单元格不会清除已有内容。同一文件中身份证号码重复的，只导入第一行。"
                "有错误的行不会导入，可在导入结果页下载错误报告，改正后重新导入。"
                "支持 .xlsx、.xls，以及 UTF-8、GBK 或 UTF-16（Excel 的“Unicode 文本”）编码的 .csv / .txt 文件。"
                "示例行的身份证号码是虚构的，请删除示例行。"
            ),
            "",
        ]
    )
    return rows


def write_template(target: Any) -> None:
    headers = SPEC.headers()
    required = [i for i, c in enumerate(COLUMNS) if c.required]

    def decorate(book: Any, sheet: Any) -> None:
        mark = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
        text = book.add_format({"num_format": "@"})
        for i in required:
            sheet.write_string(0, i, headers[i], mark)
        # Text format for the ID and phone columns, so Excel keeps all 18 digits as typed.
        for key in ("id_number", "phone"):
            i = [c.key for c in COLUMNS].index(key)
            sheet.set_column(i, i, 22, text)
        yes_no = [_("是"), _("否")]
        for i, col in enumerate(COLUMNS):
            values = {"resident": yes_no, "first_job_in_district": yes_no}.get(col.key)
            if col.key == "transport":
                values = [str(label) for _v, label in Transport.choices]
            if values:
                sheet.data_validation(1, i, 5000, i, {"validate": "list", "source": values, "ignore_blank": True})
            if col.help:
                sheet.write_comment(0, i, str(col.help))

    excel.write_xlsx(
        target,
        headers,
        [example_row()],
        sheet_title=_("员工花名册"),
        meta=None,
        constant_memory=False,
        extra_sheets=[
            (_("填写说明"), [_("列名"), _("是否必填"), _("填写要求"), _("可用列名")], instructions(), [20, 10, 80, 40])
        ],
        decorate=decorate,
    )


def error_report_rows(payload: dict[str, Any]) -> Iterator[list[Any]]:
    """The failed rows as uploaded, then the reasons and the row number: fix them and upload the file again."""
    for number, cells, reasons in payload.get("rows", []):
        yield [*cells, reasons, number]
