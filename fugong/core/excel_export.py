"""Spreadsheets out, for every export of the platform (re-exported by fugong.core.excel, where callers find them).

Writing (`write_xlsx`, `write_csv`, `iter_csv`): every exported file says who exported it and when, and
every text cell that a spreadsheet would run as a formula (= + - @, tab, CR) is neutralised with a leading
apostrophe (OWASP "CSV injection"); numbers stay numbers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

# A text cell starting with one of these runs as a formula; the reader (excel.clean_cell) drops the apostrophe
# our exports put before them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would evaluate (=, +, -, @, tab, CR first) gets a leading apostrophe; other values
    (numbers included, negative ones too) pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportMeta:
    """Who exported a file and when; every exported file carries it (domain-rules §7)."""

    exported_by: str
    exported_at: dt.datetime
    title: str = ""
    note: str = ""  # e.g. the filters applied, or "联系电话已脱敏"

    def items(self, count: int | None = None) -> list[tuple[str, str]]:
        out = [
            (_("导出人"), self.exported_by),
            (_("导出时间"), self.exported_at.strftime("%Y-%m-%d %H:%M:%S")),
        ]
        if self.title:
            out.append((_("内容"), self.title))
        if self.note:
            out.append((_("说明"), self.note))
        if count is not None:
            out.append((_("记录数"), str(count)))
        out.append((_("提示"), _("本文件含企业及个人信息，仅限疫情防控工作使用，请勿外传")))
        return out

    def line(self) -> str:
        return "；".join(f"{k}：{v}" for k, v in self.items())


def meta_for(user: Any, title: str = "", note: str = "") -> ExportMeta:
    """ExportMeta for a signed-in user (username and display name) or the system, stamped now."""
    from django.utils import timezone

    if getattr(user, "pk", None):
        shown = str(user)
        who = user.get_username()
        if shown != who:
            who = _("%(user)s（%(name)s）") % {"user": who, "name": shown}
    else:
        who = "system"
    return ExportMeta(who, timezone.localtime(), title, note)


def write_xlsx(
    target: Any,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str,
    meta: ExportMeta | None = None,
    constant_memory: bool = True,
    column_widths: Sequence[int] | None = None,
    extra_sheets: Sequence[tuple[Any, ...]] = (),
    decorate: Callable[[Any, Any], None] | None = None,
) -> int:
    """Write one data sheet (header on row 1, so a file re-imports cleanly), any `extra_sheets`, then a
    "导出信息" sheet from `meta`; return the number of data rows. `target` is a path or a binary file object.
    `constant_memory` keeps memory flat for big exports (rows must then arrive in order, which they do).
    `decorate(workbook, worksheet)` may add validations or notes to the data sheet (not in constant_memory)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    if meta is not None:
        book.set_properties({"title": meta.title or sheet_title, "author": meta.exported_by, "comments": meta.note})
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})

    def sheet_with(title: str, head: Sequence[Any], body: Iterable[Sequence[Any]], widths: Any = None) -> int:
        sheet = book.add_worksheet(_sheet_name(title))
        for i in range(len(head)):
            width = widths[i] if widths and i < len(widths) else max(10, min(40, 2 * len(str(head[i])) + 2))
            sheet.set_column(i, i, width)
        for col, name in enumerate(head):
            sheet.write_string(0, col, str(neutralise(str(name))), bold)
        sheet.freeze_panes(1, 0)
        if meta is not None:
            sheet.set_footer(("&L" + meta.line().replace("&", "&&"))[:250])
        count = 0
        for count, values in enumerate(body, start=1):
            for col, value in enumerate(values):
                _write_cell(sheet, count, col, value, date_fmt)
        if decorate is not None and title == sheet_title:
            decorate(book, sheet)
        return count

    count = sheet_with(sheet_title, headers, rows, column_widths)
    for title, head, body, *widths in extra_sheets:  # (title, headers, rows[, column widths])
        sheet_with(title, head, body, widths[0] if widths else None)
    if meta is not None:
        info = book.add_worksheet(_sheet_name(_("导出信息")))
        info.set_column(0, 0, 12)
        info.set_column(1, 1, 60)
        for r, (key, value) in enumerate(meta.items(count)):
            info.write_string(r, 0, key, bold)
            info.write_string(r, 1, str(neutralise(value)))
    book.close()
    return count


def _sheet_name(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", "_", str(title))[:31] or "Sheet1"


def _write_cell(sheet: Any, row: int, col: int, value: Any, date_fmt: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, float(value))
    elif isinstance(value, (dt.date, dt.datetime)):
        sheet.write_datetime(row, col, value, date_fmt)
    else:
        sheet.write_string(row, col, str(neutralise(str(value))))


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return str(neutralise(value))
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def iter_csv(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, meta: ExportMeta | None = None
) -> Iterator[bytes]:
    """CSV as UTF-8 with BOM (so Excel shows Chinese), line by line for a StreamingHttpResponse. The export
    information is one line *above* the header: the importer skips it when finding the header row."""
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8
    if meta is not None:
        yield writer.writerow([neutralise(meta.line())]).encode("utf-8")
    yield writer.writerow([_csv_value(str(h)) for h in headers]).encode("utf-8")
    for values in rows:
        yield writer.writerow([_csv_value(v) for v in values]).encode("utf-8")


def write_csv(target: IO[bytes], headers: Sequence[Any], rows: Iterable[Sequence[Any]], **kwargs: Any) -> int:
    """Write the CSV of `iter_csv` to a binary file object; return the number of data rows."""
    chunks = 0
    for chunks, chunk in enumerate(iter_csv(headers, rows, **kwargs), start=1):  # noqa: B007
        target.write(chunk)
    return chunks - (3 if kwargs.get("meta") is not None else 2)  # the BOM, the header, the export line
