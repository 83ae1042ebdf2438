"""Spreadsheets in and out, for every importer and export of the platform.

Reading (`read_table`): .xlsx/.xls through python-calamine, .csv in UTF-8 (with or without BOM) or GBK/GB18030.
District staff hand in sheets with a merged title above the header, full-width digits, dates typed three
ways and numbers stored as 120.0; this module turns all of that into clean cells and finds the header row by
its column names (synonyms per importer), so an importer only validates values. A file that cannot be read
at all raises `UnreadableFile` with a message a clerk can act on; bad *values* are the importer's business.

Writing (`write_xlsx`, `write_csv`, `iter_csv`, `ExportMeta`, `meta_for`, `neutralise`) lives in
excel_export.py and is re-exported here, so every importer and export names one module: every exported file
says who exported it and when, and formula-like text is neutralised (OWASP "CSV injection").
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from . import xlsx_bands

# The writers, re-exported (exports across the apps call excel.write_xlsx, excel.meta_for…); FORMULA_TRIGGERS
# is also what clean_cell undoes.
from .excel_export import FORMULA_TRIGGERS
from .excel_export import ExportMeta as ExportMeta
from .excel_export import iter_csv as iter_csv
from .excel_export import meta_for as meta_for
from .excel_export import neutralise as neutralise
from .excel_export import write_csv as write_csv
from .excel_export import write_xlsx as write_xlsx

Source = str | os.PathLike[str] | IO[bytes]

# --- errors -------------------------------------------------------------------------------------------


class UnreadableFile(Exception):
    """The file as a whole cannot be imported (empty, not a spreadsheet, too big, columns missing…)."""

    def __init__(self, message: str, code: str = "unreadable") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class CellError(ValueError):
    """One cell's value is wrong; the importer reports it against the row and column."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --- column specification -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column an importer understands. `header` is what templates and exports write (translatable);
    `synonyms` are other names found in real files (plain data: they are matched, never shown)."""

    key: str
    header: Any
    synonyms: tuple[str, ...] = ()
    required: bool = False
    help: Any = ""
    example: Any = ""  # shown in templates other importers generate


def normalise_header(value: Any) -> str:
    """Header text compared loosely: NFKC, no white space, no required-markers (*), ASCII lower-case."""
    text = unicodedata.normalize("NFKC", str(value if value is not None else ""))
    text = re.sub(r"\s+", "", text).strip("*").lower()
    return text


class TableSpec:
    """The columns of one kind of file, and how to recognise its header row."""

    def __init__(self, columns: Sequence[Column], *, min_header_matches: int = 2, header_scan_rows: int = 30):
        self.columns = tuple(columns)
        self.by_key = {c.key: c for c in self.columns}
        self.min_header_matches = min(min_header_matches, len(self.columns))
        self.header_scan_rows = header_scan_rows

    def lookup(self) -> dict[str, str]:
        """Normalised header text → column key: the synonyms, the header in Chinese (the district's sheets and
        the templates downloaded from the Chinese pages) and in the uploader's language (a template downloaded
        from the English pages). Built per call: the translated header depends on the language."""
        with translation.override(settings.LANGUAGE_CODE):
            source = [str(col.header) for col in self.columns]
        out: dict[str, str] = {}
        for col, chinese in zip(self.columns, source, strict=True):
            for name in (*col.synonyms, chinese, str(col.header)):
                out.setdefault(normalise_header(name), col.key)
        return out

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def header_of(self, key: str) -> str:
        return str(self.by_key[key].header)


# --- cells ------------------------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29


def clean_cell(value: Any) -> Any:
    """A cell as an importer wants it: text NFKC-normalised (full-width → half-width) and stripped (incl.
    U+3000), integral floats as int (120.0 → 120), midnight datetimes as dates, blanks as ""."""
    if type(value) is str:  # the common case first: this runs for every cell of every import
        text = unicodedata.normalize("NFKC", value).translate(_INVISIBLE).strip()
        # Our exports (and Excel users) put an apostrophe before formula-like text; it is not part of the value.
        if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
            text = text[1:]
        return text
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        return value.date()
    if isinstance(value, str):  # a str subclass
        return clean_cell(str(value))
    return value


def is_blank(value: Any) -> bool:
    return value is None or value == ""


def to_text(value: Any, *, max_length: int | None = None) -> str:
    if type(value) is str:
        text = value.strip()
    elif value is None:
        return ""
    elif isinstance(value, bool):
        text = _("是") if value else _("否")
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value).strip()
    if max_length is not None and len(text) > max_length:
        raise CellError(_("内容过长：最多%(max)d个字符，实际%(n)d个") % {"max": max_length, "n": len(text)}, "too_long")
    return text


_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _number_text(value: Any) -> str:
    text = str(value).strip().replace(",", "").replace("，", "")
    if not _NUMBER_RE.match(text):
        raise CellError(_("“%(v)s”不是数字") % {"v": text[:20]}, "number")
    return text


def to_int(value: Any, *, min_value: int | None = 0, max_value: int | None = None) -> int | None:
    """Blank → None; 120, 120.0, "120", "1,200" → int; 12.5 or "十二" → CellError."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为整数"), "integer")
    try:
        number = Decimal(_number_text(value)) if not isinstance(value, int) else Decimal(value)
    except (InvalidOperation, CellError):
        raise CellError(_("“%(v)s”不是整数") % {"v": str(value)[:20]}, "integer") from None
    if number != number.to_integral_value():
        raise CellError(_("“%(v)s”不是整数") % {"v": str(value)[:20]}, "integer")
    result = int(number)
    if min_value is not None and result < min_value:
        raise CellError(_("不能小于%(min)d") % {"min": min_value}, "min_value")
    if max_value is not None and result > max_value:
        raise CellError(_("不能大于%(max)d") % {"max": max_value}, "max_value")
    return result


def to_decimal(
    value: Any, *, places: int = 2, max_digits: int = 14, min_value: Decimal | None = Decimal(0)
) -> Decimal | None:
    """Blank → None; numbers and numeric text ("1,234.5") → Decimal rounded half-up to `places`."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为数字"), "number")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(_number_text(value))
    except InvalidOperation:
        raise CellError(_("“%(v)s”不是数字") % {"v": str(value)[:20]}, "number") from None
    if not number.is_finite():  # a float cell can hold inf or nan; text never gets here (_number_text)
        raise CellError(_("“%(v)s”不是数字") % {"v": str(value)[:20]}, "number")
    # The size first: quantizing a number wider than the decimal context (28 digits: a 60-digit cell, a float
    # cell of 1e308) raises InvalidOperation instead of giving a number to compare.
    if number.adjusted() >= max_digits - places:
        raise CellError(_("数值过大"), "max_value")
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if len(number.as_tuple().digits) > max_digits or abs(number) >= Decimal(10) ** (max_digits - places):
        raise CellError(_("数值过大"), "max_value")
    if min_value is not None and number < min_value:
        raise CellError(_("不能小于%(min)s") % {"min": min_value}, "min_value")
    return number


TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "有"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗", "无", "不是"})


def to_bool(value: Any) -> bool | None:
    """是/否 (and Y/N, 1/0, √/×); blank → None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("应填“是”或“否”，实际为“%(v)s”") % {"v": text[:10]}, "boolean")


_DATE_RES = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def to_date(value: Any) -> dt.date | None:
    """Dates as they arrive: a date cell, an Excel serial (43864), "2020-02-03", "2020/2/3", "2020年2月3日"."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and 19000101 <= value <= 99991231:  # 20200203 typed as a number
            return to_date(str(value))
        # Excel stores dates as days since 1899-12-30; 1..2958465 spans 1900-01-01..9999-12-31.
        if 1 <= value <= 2958465 and float(value).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(_("“%(v)s”不是有效日期") % {"v": value}, "date")
    text = str(value).strip()
    for pattern in _DATE_RES:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
    if text.isdigit() and len(text) <= 6:
        return to_date(int(text))
    raise CellError(_("“%(v)s”不是有效日期（例：2020-02-03、2020/2/3、2020年2月3日）") % {"v": text[:20]}, "date")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- reading ----------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int  # 1-based, as the spreadsheet shows it
    values: dict[str, Any]  # column key → cleaned cell ("" when blank)
    raw: list[Any]  # the row's cells as read, in file order (for error reports)


@dataclass
class Table:
    filename: str
    sheet_name: str
    header_row: int  # 1-based
    headers: list[str]  # the header cells as found, in file order
    columns: dict[str, int]  # column key → index in `headers`
    ignored_headers: list[str]
    total_rows: int  # data rows below the header (an upper bound: blank rows are skipped when iterating)
    _source: Iterator[tuple[int, list[Any]]] = field(repr=False, default_factory=lambda: iter(()))
    max_rows: int | None = None

    def __iter__(self) -> Iterator[Row]:
        keys = list(self.columns.items())
        width = len(self.headers)
        seen = 0
        for number, cells in self._source:
            if not any(c != "" and c is not None and not (type(c) is str and c.isspace()) for c in cells):
                continue
            seen += 1
            if self.max_rows is not None and seen > self.max_rows:
                raise UnreadableFile(
                    _("数据行数超过上限（%(max)d行），请拆分文件后分别导入") % {"max": self.max_rows}, "too_many_rows"
                )
            values = {key: clean_cell(cells[i]) if i < len(cells) else "" for key, i in keys}
            raw = list(cells[:width]) + [""] * (width - len(cells))
            yield Row(number, values, raw)


def _size_of(source: Source) -> int:
    if isinstance(source, (str, os.PathLike)):
        return os.path.getsize(source)
    pos = source.tell()
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(pos)
    return size


def _read(source: Source, n: int = -1) -> bytes:
    """The first `n` bytes (all when -1), leaving a file object where it was."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return fh.read(n)
    pos = source.tell()
    source.seek(0)
    data = source.read(n) or b""
    source.seek(pos)
    return data


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (BIFF in an OLE container)
SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
TEXT_EXTENSIONS = (".csv", ".txt")
ACCEPTED_EXTENSIONS = (*SPREADSHEET_EXTENSIONS, *TEXT_EXTENSIONS)  # .txt: Excel's "Unicode 文本" (UTF-16, tabs)


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def text_encodings(head: bytes) -> tuple[str, ...]:
    """The encodings to try, in order, for a text file that starts with `head` (its first 4 KB or more): UTF-16
    when it starts with its byte-order mark (Excel's "Unicode 文本" and some systems' "Unicode CSV"), else UTF-8
    (with or without BOM) and then GB18030 (a superset of GBK). Binary content (a NUL byte without the UTF-16
    mark) raises UnreadableFile. One rule for decode_text and for the roster import's streaming reader."""
    if head.startswith(UTF16_BOMS):
        return ("utf-16",)
    if b"\x00" in head[:4096]:
        raise UnreadableFile(_("文件不是文本格式的CSV（含二进制内容）"), "not_text")
    return ("utf-8-sig", "gb18030")


def unknown_encoding() -> UnreadableFile:
    return UnreadableFile(_("无法识别CSV文件的编码：请另存为UTF-8或GBK编码"), "encoding")


def decode_text(data: bytes) -> str:
    """The text of a file read whole, in the first of text_encodings that decodes all of it strictly."""
    for encoding in text_encodings(data):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise unknown_encoding()


def _csv_sheets(data: bytes) -> list[_Sheet]:
    """The text read with each delimiter in turn — comma, then tab (a sheet pasted from Excel), then semicolon;
    read_table keeps the first reading in which a header row appears. Excel shows one CSV record (even one
    spanning lines) as one row, so records are numbered, not lines."""
    text = decode_text(data)
    lines = text.count("\n") + 1

    def records(delimiter: str) -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return ((i, row) for i, row in enumerate(reader, start=1))

    return [_Sheet("CSV", lines, records(d), False) for d in (",", "\t", ";")]


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    # python-calamine's iter_rows starts at the sheet's row 1 even when the data starts lower (pinned
    # version; a test with a title on row 1 and the header on row 3 guards it), so index + 1 is the row number.
    return ((i, row) for i, row in enumerate(sheet.iter_rows(), start=1))


@dataclass
class _Sheet:
    name: str
    last_row: int  # 1-based number of the last row holding data (an upper bound for CSV)
    rows: Iterator[tuple[int, list[Any]]]
    exact: bool  # whether last_row is exact (workbooks) or counted lines (CSV)


def _open_workbook(source: Source, filename: str) -> list[_Sheet]:
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        # The whole file in memory once (python-calamine reads it all anyway): banded sheets read it again.
        data = _read(source)
        if data.startswith(ZIP_MAGIC) and (planned := xlsx_bands.plan(data)):
            return [_planned_sheet(data, name, banded, filename) for name, banded in planned]
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            end = sheet.end
            sheets.append(_Sheet(meta.name, (end[0] + 1) if end else 0, _sheet_rows(sheet), True))
        return sheets
    except (CalamineError, OSError, ValueError) as exc:
        raise _not_a_workbook(filename, type(exc).__name__) from None


def _not_a_workbook(filename: str, kind: Any) -> UnreadableFile:
    return UnreadableFile(
        _("“%(name)s”不是有效的Excel文件，或文件已损坏（%(kind)s）") % {"name": filename, "kind": kind},
        "not_spreadsheet",
    )


def _planned_sheet(data: bytes, name: str, banded: xlsx_bands.BandedSheet | None, filename: str) -> _Sheet:
    """A sheet of a workbook with a large sheet (xlsx_bands.plan): nothing is loaded until its rows are read.
    The large sheet is loaded band by band (its row count is <dimension>'s, an upper bound); another sheet is
    loaded whole on its first row, which also sets its exact row count (read_table reads it after the header)."""
    if banded is not None:
        return _Sheet(name, banded.last_row, _band_rows(banded, filename), False)
    sheet = _Sheet(name, 0, iter(()), True)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            loaded = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(name)
        except (CalamineError, OSError, ValueError) as exc:
            raise _not_a_workbook(filename, type(exc).__name__) from None
        end = loaded.end
        sheet.last_row = (end[0] + 1) if end else 0
        yield from _sheet_rows(loaded)

    sheet.rows = rows()
    return sheet


def _band_rows(banded: xlsx_bands.BandedSheet, filename: str) -> Iterator[tuple[int, list[Any]]]:
    """A banded sheet's rows; a band that cannot be read is an unreadable file, as a whole sheet would be."""
    try:
        yield from banded.rows()
    except xlsx_bands.BandError as exc:
        raise _not_a_workbook(filename, exc) from None


@dataclass
class _Header:
    row: int
    texts: list[str]
    columns: dict[str, int]
    duplicates: list[str]


def _find_header(sheet: _Sheet, spec: TableSpec, lookup: dict[str, str], seen: list[str]) -> _Header | None:
    """The first row naming ≥ min_header_matches known columns (merged titles above it are skipped).
    Appends the first non-blank row's cells to `seen`, for the message when no sheet has a header."""
    for number, cells in sheet.rows:
        if number > spec.header_scan_rows:
            break
        # Headers are reported as written (full-width brackets and all); matching is on the cleaned text.
        texts = ["" if c is None else str(c).strip() for c in cells]
        if not seen and any(texts):
            seen.extend(t for t in texts if t)
        columns: dict[str, int] = {}
        duplicates: list[str] = []
        for i, text in enumerate(texts):
            key = lookup.get(normalise_header(text))
            if key is None:
                continue
            if key in columns:
                duplicates.append(
                    _("“%(h)s”（第%(a)s列和第%(b)s列）")
                    % {"h": spec.header_of(key), "a": column_letter(columns[key]), "b": column_letter(i)}
                )
            else:
                columns[key] = i
        if len(columns) >= spec.min_header_matches:
            return _Header(number, texts, columns, duplicates)
    return None


def _open(source: Source, name: str) -> list[_Sheet]:
    ext = Path(name).suffix.lower()
    head = _read(source, 8)
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return _open_workbook(source, name)
    if ext in TEXT_EXTENSIONS:
        return _csv_sheets(_read(source))
    if ext in SPREADSHEET_EXTENSIONS:
        raise UnreadableFile(_("“%(name)s”不是有效的Excel文件，或文件已损坏") % {"name": name}, "not_spreadsheet")
    raise UnreadableFile(
        _("不支持的文件类型“%(ext)s”：请上传 .xlsx、.xls、.csv 或 .txt 文件") % {"ext": ext or name}, "file_type"
    )


def read_table(
    source: Source,
    filename: str,
    spec: TableSpec,
    *,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> Table:
    """Open `source` (a path or a binary file object; `filename` tells its type and names it in messages),
    find the header row and return a Table whose rows stream cleaned cells. Raises UnreadableFile.

    Sheets are tried in order (hidden ones skipped); the first with a recognisable header is the data, so a
    workbook may carry an instructions or "导出信息" sheet after it."""
    max_bytes = settings.FUGONG_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    max_rows = settings.FUGONG_MAX_IMPORT_ROWS if max_rows is None else max_rows
    name = Path(filename or "").name or "file"
    try:
        size = _size_of(source)
    except OSError:
        raise UnreadableFile(_("无法读取文件“%(name)s”") % {"name": name}, "unreadable") from None
    if size == 0:
        raise UnreadableFile(_("文件“%(name)s”是空文件") % {"name": name}, "empty")
    if size > max_bytes:
        raise UnreadableFile(
            _("文件过大：%(size).1f MB，上限为 %(max).1f MB") % {"size": size / 2**20, "max": max_bytes / 2**20},
            "too_large",
        )

    lookup = spec.lookup()
    required = [c for c in spec.columns if c.required]
    seen: list[str] = []
    for sheet in _open(source, name):
        header = _find_header(sheet, spec, lookup, seen)
        if header is None:
            continue
        if header.duplicates:
            raise UnreadableFile(
                _("表头中有重复的列：%(cols)s") % {"cols": "、".join(header.duplicates)}, "duplicate_columns"
            )
        missing = [str(c.header) for c in required if c.key not in header.columns]
        if missing:
            raise UnreadableFile(
                _("缺少必填列：%(missing)s。文件中的列：%(found)s")
                % {"missing": "、".join(missing), "found": "、".join(h for h in header.texts if h) or _("（无）")},
                "missing_columns",
            )
        total = max(sheet.last_row - header.row, 0)
        if sheet.exact and total > max_rows:
            raise UnreadableFile(
                _("数据行数超过上限（%(max)d行），请拆分文件后分别导入") % {"max": max_rows}, "too_many_rows"
            )
        known = set(header.columns.values())
        return Table(
            filename=name,
            sheet_name=sheet.name,
            header_row=header.row,
            headers=header.texts,
            columns=header.columns,
            ignored_headers=[h for i, h in enumerate(header.texts) if h and i not in known],
            total_rows=total,
            _source=sheet.rows,
            max_rows=max_rows,
        )
    if not seen:
        raise UnreadableFile(_("文件“%(name)s”中没有数据") % {"name": name}, "empty")
    names = "、".join(f"“{c.header}”" for c in (required or spec.columns[:3]))
    raise UnreadableFile(
        _("未找到表头行：前%(n)d行中没有包含%(names)s等列名的行。文件中的内容：%(found)s")
        % {"n": spec.header_scan_rows, "names": names, "found": "、".join(seen[:20])},
        "no_header",
    )
