"""The roster import (花名册导入): a spreadsheet of workers in, validated rows upserted by the ID number.

`EmployeeImporter` is the domain class; the `import_employees` command, the upload page and the task are thin
wrappers. One streaming pass, so memory stays flat for a million rows:

- rows stream from the file (a CSV record by record; a workbook as python-calamine hands it over), each is
  cleaned and validated (GB 11643 in full, phone, dates, yes/no, batch…) and checked against earlier rows of
  the same file; invalid rows are recorded with row, column, code and message;
- valid rows are planned a chunk at a time against what is stored (create, update, unchanged) and written
  through services.do_bulk_import_employees — all inside one transaction, so a failure half-way, or
  --strict meeting an invalid row, leaves the database as it was. --dry-run opens no transaction at all.
  On PostgreSQL the rows go in by COPY.

Blank cells keep what is stored (a blank is not a "否"), so a partial sheet can top up an archive. Error
messages never quote an ID or phone number.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import os
import queue
import re
import threading
import unicodedata
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from operator import mul
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Field
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import roles
from fugong.core import excel, scoping
from fugong.core.excel import CellError, Column, TableSpec
from fugong.core.identifiers import (
    ID_CHECK,
    ID_WEIGHTS,
    IdentifierError,
    IdNumber,
    id_check_char,
    normalise_phone,
    validate_id_number,
)
from fugong.core.runtime import collector_paused
from fugong.enterprises.models import Enterprise

from . import services
from .models import Employee, Transport

COLUMNS = (
    Column(
        "name", gettext_lazy("姓名"), ("姓名", "员工姓名", "职工姓名"), required=True, help=gettext_lazy("最多40个字")
    ),
    Column(
        "id_number",
        gettext_lazy("身份证号码"),
        ("身份证号", "身份证号码", "公民身份号码", "证件号码"),
        required=True,
        help=gettext_lazy(
            "18位（末位可为X），15位旧号码自动升级；请把此列设为“文本”格式，否则Excel会丢掉后几位。按此列识别员工"
        ),
    ),
    Column(
        "phone", gettext_lazy("手机号码"), ("手机", "手机号", "手机号码", "联系电话"), help=gettext_lazy("11位手机号码")
    ),
    Column(
        "resident",
        gettext_lazy("常住人口"),
        ("常住人口", "是否常住", "常住"),
        help=gettext_lazy("是/否；非常住人员返岗前须核酸检测"),
    ),
    Column(
        "household_region_code",
        gettext_lazy("户籍地（区划代码）"),
        ("户籍地(区划代码)", "户籍地区划代码", "户籍地", "户籍区划代码"),
        help=gettext_lazy("6位县级、9位乡镇或12位村（社区）区划代码，如431003"),
    ),
    Column(
        "returned_from_name",
        gettext_lazy("返岗出发地"),
        ("返岗出发地", "出发地"),
        help=gettext_lazy("地名，如广东省深圳市"),
    ),
    Column(
        "returned_from_code",
        gettext_lazy("出发地区划代码"),
        ("出发地区划代码", "返岗出发地区划代码", "出发地(区划代码)"),
        help=gettext_lazy("6、9或12位区划代码，用于按风险地区筛查"),
    ),
    Column(
        "returned_on",
        gettext_lazy("返岗日期"),
        ("返岗日期", "返回日期", "到岗日期"),
        help=gettext_lazy("日期，如2020-02-03、2020/2/3或2020年2月3日"),
    ),
    Column("transport", gettext_lazy("交通方式"), ("交通方式",), help=gettext_lazy("火车、飞机、客车、自驾或其他")),
    Column("transport_no", gettext_lazy("车次/航班/车牌"), ("车次/航班/车牌", "车次", "航班", "车牌", "车次航班")),
    Column(
        "batch_number",
        gettext_lazy("入企批次"),
        ("入企批次", "批次"),
        help=gettext_lazy("第一批、第1批或1；同一企业同一批次归入同一入企批次"),
    ),
    Column("workshop", gettext_lazy("车间/部门"), ("车间/部门", "车间", "部门")),
    Column("position", gettext_lazy("岗位"), ("岗位",)),
    Column("shift", gettext_lazy("班次"), ("班次",), help=gettext_lazy("错时上班的班次，如早班")),
    Column("dining_zone", gettext_lazy("就餐分区"), ("就餐分区",)),
    Column("dormitory_room", gettext_lazy("宿舍号"), ("宿舍", "宿舍号", "宿舍房间")),
    Column("employment_start", gettext_lazy("入职日期"), ("入职日期",)),
    Column(
        "social_insurance_since", gettext_lazy("社保缴纳起始"), ("社保缴纳起始", "社保缴纳起始日期", "社保起缴日期")
    ),
    Column(
        "first_job_in_district",
        gettext_lazy("首次在本区就业"),
        ("首次在本区就业",),
        help=gettext_lazy("是/否（首次就业补助）"),
    ),
    Column(
        "introduction_batch", gettext_lazy("引进批次"), ("引进批次",), help=gettext_lazy("引进职工补贴的批次，如2020-1")
    ),
    Column("training_attended_on", gettext_lazy("防疫培训日期"), ("防疫培训日期",)),
)
SPEC = TableSpec(COLUMNS)
CHUNK = 5000
INLINE_MAX_ROWS = 2000  # the upload page runs smaller files in the request, larger ones as a task
CSV_HEAD_BYTES = 256 * 1024  # enough for the header search (the first 30 rows)
DATE_KEYS = frozenset({"returned_on", "employment_start", "social_insurance_since", "training_attended_on"})
BOOL_KEYS = frozenset({"resident", "first_job_in_district"})
REGION_KEYS = frozenset({"household_region_code", "returned_from_code"})
TEXT_KEYS = ("returned_from_name", "transport_no", "workshop", "position", "shift", "dining_zone", "dormitory_room",
             "introduction_batch")  # fmt: skip
TRANSPORT_WORDS = {
    "火车": Transport.TRAIN, "高铁": Transport.TRAIN, "动车": Transport.TRAIN, "铁路": Transport.TRAIN,
    "飞机": Transport.FLIGHT, "航班": Transport.FLIGHT, "民航": Transport.FLIGHT,
    "客车": Transport.COACH, "大巴": Transport.COACH, "汽车": Transport.COACH, "长途汽车": Transport.COACH,
    "自驾": Transport.CAR, "私家车": Transport.CAR, "自驾车": Transport.CAR,
    "其他": Transport.OTHER, "其它": Transport.OTHER,
}  # fmt: skip
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
BATCH_RE = re.compile(r"^第?([0-9]+|[零〇一二两三四五六七八九十百]+)批?次?$")

Progress = Callable[[str, int, int], None]  # (stage, rows done, rows total)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    failed: list[list[Any]] = field(default_factory=list)  # [row, [cells as uploaded], reasons]
    sensitive_columns: dict[int, str] = field(default_factory=dict)  # column index → kind (id_number, phone)
    written: bool = False

    def as_json(self) -> dict[str, Any]:
        """Exactly the contract of `import_employees --json` (interfaces.md)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.errors,
        }

    def failed_rows_payload(self) -> dict[str, Any]:
        return {
            "headers": self.headers,
            "rows": self.failed,
            "sensitive": {str(k): v for k, v in self.sensitive_columns.items()},
        }


# --- cells -----------------------------------------------------------------------------------------------
# Each column has its own converter, equivalent to excel.clean_cell followed by excel.to_text / to_date /
# to_bool, with a shortcut for the cells most rosters hold (plain text, real dates): a 100,000-row file is
# 2.1 million cells, and the generic path costs seconds there.
_TRIGGERS = excel.FORMULA_TRIGGERS
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def _str(value: str) -> str:
    """A text cell as excel.clean_cell leaves it: NFKC (full-width → half-width), no invisible characters,
    stripped, and without the apostrophe our exports put before formula-like text."""
    text = value.strip() if value.isascii() else unicodedata.normalize("NFKC", value).translate(_INVISIBLE).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in _TRIGGERS:
        return text[1:]
    return text


def _clean(value: Any) -> Any:
    return _str(value) if type(value) is str else excel.clean_cell(value)


def _max_length(key: str) -> int:
    field = Employee._meta.get_field(key)
    if not isinstance(field, Field):  # a reverse relation has no column, so no length to check
        raise TypeError(f"{key!r} is not a column of Employee")
    return field.max_length or 0


def _text(max_length: int) -> Callable[[Any], str | None]:
    def convert(value: Any) -> str | None:
        if type(value) is str:
            text = _str(value)
            if not text:
                return None
            if len(text) > max_length:
                return excel.to_text(text, max_length=max_length)  # raises, with excel's message
            return text
        value = excel.clean_cell(value)
        return None if value == "" else excel.to_text(value, max_length=max_length)

    return convert


def _id_text(value: Any) -> str | None:
    if (isinstance(value, float) and not (value.is_integer() and abs(value) < 1e15)) or (
        type(value) is int and value >= 10**15
    ):
        # An 18-digit number typed into a number cell: Excel kept only 15 significant digits.
        raise CellError(_("身份证号码被Excel存成了数字，后几位已丢失：请把该列设为“文本”格式后重新填写"), "precision")
    value = _clean(value)
    return None if value == "" else str(value)


def _phone_text(value: Any) -> str | None:
    value = _clean(value)
    return None if value == "" else str(value)


def _date(value: Any) -> dt.date | None:
    if type(value) is dt.date:
        return value
    return excel.to_date(_clean(value))


_YES_NO = {"是": True, "否": False}


def _bool(value: Any) -> bool | None:
    if type(value) is str and value in _YES_NO:
        return _YES_NO[value]
    return excel.to_bool(_clean(value))


def _region(value: Any) -> str | None:
    value = _clean(value)
    if value == "":
        return None
    text = excel.to_text(value)
    if not (text.isdigit() and len(text) in (6, 9, 12)):
        raise CellError(_("区划代码应为6位（县级）、9位（乡镇）或12位（村社区）数字"), "region_code")
    return text


def _transport(value: Any) -> str | None:
    value = _clean(value)
    if value == "":
        return None
    text = re.sub(r"\s+", "", excel.to_text(value))
    found = TRANSPORT_WORDS.get(text) or (text.lower() if text.lower() in Transport.values else None)
    if found is None:
        allowed = "、".join(str(label) for _v, label in Transport.choices)
        raise CellError(_("交通方式“%(v)s”无效，应为：%(allowed)s") % {"v": text[:10], "allowed": allowed}, "choice")
    return str(found)


def _chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 一百 → 100 (batches are small numbers)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _batch(value: Any) -> int | None:
    value = _clean(value)
    if value == "":
        return None
    text = re.sub(r"\s+", "", excel.to_text(value))
    m = BATCH_RE.match(text)
    number = _chinese_number(m.group(1)) if m else None
    if number is None or not 1 <= number <= 999:
        raise CellError(_("入企批次“%(v)s”无效：应为第一批、第1批或1至999的数字") % {"v": text[:10]}, "batch")
    return number


MEMO_SIZE = 20_000  # distinct values remembered per column


def _memo(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A column's converter that remembers its results: workshops, shifts, batches, dates and yes/no repeat
    thousands of times in a roster. Keyed by type too (1, 1.0 and True are equal keys in a dict). Errors are
    not remembered: they are raised again, each time, with the same message."""
    cache: dict[tuple[type, Any], Any] = {}

    def convert_once(value: Any) -> Any:
        key = (type(value), value)
        try:
            return cache[key]
        except KeyError:
            result = convert(value)
            if len(cache) < MEMO_SIZE:
                cache[key] = result
            return result

    return convert_once


MEMO_KEYS = frozenset({"transport", "batch_number", *DATE_KEYS, *BOOL_KEYS, *REGION_KEYS, *TEXT_KEYS})
_MISSING = object()
Step = tuple[str, int, Callable[[Any], Any], "dict[Any, Any] | None"]  # key, column, converter, memory by value


def _plan(columns: dict[str, int]) -> list[Step]:
    """Per column of the file: its converter and, for the repetitive columns, a memory keyed by the cell value
    itself for text and date cells (what nearly every cell of those columns is), looked up in _parse without
    a call or a key tuple per cell; other types go through the converter's own memory (_memo)."""
    convert = _converters()
    return [(key, index, convert[key], {} if key in MEMO_KEYS else None) for key, index in columns.items()]


def _converters() -> dict[str, Callable[[Any], Any]]:
    """Fresh converters for one import (their memories are the import's)."""
    out: dict[str, Callable[[Any], Any]] = {
        # Unique per person: nothing to remember. (The name's 40-character limit is employee_record's.)
        "name": _text(200),
        "id_number": _id_text,
        "phone": _phone_text,
        "transport": _memo(_transport),
        "batch_number": _memo(_batch),
    }
    out.update({k: _memo(_date) for k in DATE_KEYS})
    out.update({k: _memo(_bool) for k in BOOL_KEYS})
    out.update({k: _memo(_region) for k in REGION_KEYS})
    out.update({k: _memo(_text(_max_length(k))) for k in TEXT_KEYS})
    return out


def _chunks(records: Iterator[services.EmployeeRecord], size: int) -> Iterator[list[services.EmployeeRecord]]:
    chunk: list[services.EmployeeRecord] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_DONE = object()


def _prefetched(chunks: Iterator[list[Any]], depth: int = 2) -> Generator[list[Any], None, None]:
    """`chunks` read and validated by a helper thread while this one writes the previous chunk: the database
    server works on one core while Python parses on the other (a write waits on the server with the GIL
    released). The helper touches no database and no shared state but the result's row and error counts.
    An exception in the helper is raised here; closing this generator stops the helper."""
    out: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def produce() -> None:
        translation.activate(language)  # messages in the uploader's language, as in the request
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        out.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put(_DONE)
        except BaseException as exc:
            out.put(exc)

    helper = threading.Thread(target=produce, name="roster-import-reader", daemon=True)
    helper.start()
    try:
        while (item := out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while helper.is_alive():  # let a blocked put() see the stop flag
            try:
                out.get(timeout=0.1)
            except queue.Empty:
                pass
        helper.join()


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def _blank(cells: list[Any]) -> bool:
    for c in cells:  # a loop, not all(…): a data row is told apart at its first cell
        if c is None or c == "" or (type(c) is str and not c.strip()):
            continue
        return False
    return True


# --- a row's identity ---------------------------------------------------------------------------------------
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_NOT_FIELDS = frozenset({"id_number", "phone", "batch_number"})
_ZERO_SUM = ord("0") * sum(ID_WEIGHTS)


def _id_number(text: str, today: dt.date) -> IdNumber:
    """GB 11643 in full (pattern, birth date real and not in the future, MOD 11-2 check) for the usual
    18-character number; anything else (15 digits, stray characters, a wrong check) goes to the canonical
    validate_id_number, which decides and words the error."""
    if len(text) == 18:
        number = text[:17] + "X" if text[17] == "x" else text
        # Weighted sum over the ASCII codes (the pattern allows only digits), less 48 × the weights: the same
        # MOD 11-2 sum without an int() per digit.
        if (
            _ID18.fullmatch(number)
            and ID_CHECK[(sum(map(mul, number.encode()[:17], ID_WEIGHTS)) - _ZERO_SUM) % 11] == number[17]
        ):
            try:
                birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            except ValueError:
                birth = None
            if birth is not None and birth <= today and birth.year >= 1800:
                return IdNumber(number, birth, "M" if int(number[16]) % 2 else "F", number[:6])
    return validate_id_number(text, today=today)


Hashers = tuple[Callable[[str], str], Callable[[str], str]]  # (ID number, phone) → keyed hash


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """The row's plain fields: everything but the identifiers and the batch (a copy and three pops are
    cheaper than a filtering comprehension over twenty keys, a hundred thousand times)."""
    fields = data.copy()
    for key in _NOT_FIELDS:
        fields.pop(key, None)
    return fields


def employee_record(data: dict[str, Any], today: dt.date, hashers: Hashers | None = None) -> services.EmployeeRecord:
    """services.clean_employee for the importer's typed values, with fast paths for well-formed identifiers
    and hashing (the same rules and values; tests hold the two equal). Raises services.EmployeeValidationError."""
    errors: dict[str, tuple[str, str]] = {}
    name = data.get("name") or ""
    if not name:
        errors["name"] = ("required", _("姓名不能为空"))
    elif len(name) > 40:
        errors["name"] = ("too_long", _("姓名过长（最多40个字符）"))
    parsed = None
    try:
        parsed = _id_number(data.get("id_number") or "", today)
    except IdentifierError as exc:
        errors["id_number"] = (exc.code, exc.message)
    phone = data.get("phone") or ""
    if phone and not _MOBILE.fullmatch(phone):
        try:
            phone = normalise_phone(phone)
        except IdentifierError as exc:
            errors["phone"] = (exc.code, exc.message)
    if errors or parsed is None:
        raise services.EmployeeValidationError(errors)
    id_hash, phone_hash = hashers or (services.id_hash, services.phone_hash)
    return services.EmployeeRecord(
        id_number=parsed.number,
        id_hash=id_hash(parsed.number),
        gender=parsed.gender,
        birth_date=parsed.birth_date,
        phone=phone,
        phone_hash=phone_hash(phone) if phone else "",
        batch_number=data.get("batch_number"),
        fields=_fields(data),
    )


# --- reading -----------------------------------------------------------------------------------------------
@dataclass
class _Source:
    headers: list[str]
    columns: dict[str, int]
    ignored_headers: list[str]
    total: int  # data rows (an upper bound for CSV: lines below the header)
    rows: Iterator[tuple[int, list[Any]]]


def _size(source: excel.Source) -> int:
    if isinstance(source, (str, os.PathLike)):
        return os.path.getsize(source)
    pos = source.tell()
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(pos)
    return size


def _magic(source: excel.Source) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return fh.read(8)
    pos = source.tell()
    data = source.read(8) or b""
    source.seek(pos)
    return data


def _open_binary(source: excel.Source) -> IO[bytes]:
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb")
    source.seek(0)
    return source


def _csv_encoding(fh: IO[bytes]) -> tuple[str, int]:
    """The whole file's encoding (UTF-8 if it all decodes strictly, else GB18030 ⊇ GBK) and its line count,
    in one streaming pass: nothing of it is kept in memory."""
    fh.seek(0)
    first = fh.read(4096)
    if b"\x00" in first:
        raise excel.UnreadableFile(_("文件不是文本格式的CSV（含二进制内容）"), "not_text")
    for encoding in ("utf-8", "gb18030"):
        fh.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        lines, last = 0, b"\n"
        try:
            while block := fh.read(1 << 20):
                decoder.decode(block)
                lines += block.count(b"\n")
                last = block[-1:]
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return ("utf-8-sig" if encoding == "utf-8" else encoding), lines + (last != b"\n")
    raise excel.UnreadableFile(_("无法识别CSV文件的编码：请另存为UTF-8或GBK编码"), "encoding")


def _delimiter(head: str, header_row: int, headers: list[str]) -> str:
    """The delimiter with which excel.read_table found the header (it tries comma, tab, semicolon in turn)."""
    for delimiter in (",", "\t", ";"):
        for number, cells in enumerate(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), start=1):
            if number == header_row:
                if [c.strip() for c in cells] == headers[: len(cells)] and len(cells) == len(headers):
                    return delimiter
                break
    return ","


def _open_csv(source: excel.Source, name: str, max_rows: int) -> _Source:
    """A CSV streamed record by record (excel.read_table would hold the whole text, several times over, in
    memory). The header is found by excel.read_table on the file's head, so the rules are the same."""
    owned = isinstance(source, (str, os.PathLike))
    fh = _open_binary(source)
    try:
        encoding, lines = _csv_encoding(fh)
        fh.seek(0)
        head = fh.read(CSV_HEAD_BYTES)
    finally:
        if owned:
            fh.close()
    if len(head) == CSV_HEAD_BYTES:
        head = head[: head.rfind(b"\n") + 1] or head  # whole lines only (no character is split either)
    head_text = head.decode(encoding, errors="replace")
    utf8 = head_text.encode("utf-8")  # the size was checked on the file itself
    table = excel.read_table(io.BytesIO(utf8), name, SPEC, max_bytes=len(utf8) + 1, max_rows=max_rows)
    delimiter = _delimiter(head_text, table.header_row, table.headers)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # Opened only when read (the upload page counts rows without reading them).
        binary = _open_binary(source)
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        try:
            for number, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
                if number > table.header_row:
                    yield number, cells
        except csv.Error as exc:
            raise excel.UnreadableFile(_("CSV文件格式有误：%(e)s") % {"e": str(exc)[:100]}, "not_text") from None
        finally:
            # Close the file we opened; leave a caller's file object open (detach, don't close).
            text.close() if owned else text.detach()

    total = max(lines - table.header_row, 0)
    return _Source(table.headers, table.columns, table.ignored_headers, total, rows())


def open_roster(
    source: excel.Source, filename: str, *, max_bytes: int | None = None, max_rows: int | None = None
) -> _Source:
    """Find the header and stream the rows (raw cells) of a roster; raises excel.UnreadableFile."""
    max_bytes = settings.FUGONG_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    max_rows = settings.FUGONG_MAX_IMPORT_ROWS if max_rows is None else max_rows
    name = Path(filename or "").name or "file"
    is_csv = Path(name).suffix.lower() in excel.TEXT_EXTENSIONS
    try:
        size = _size(source)
    except OSError:
        raise excel.UnreadableFile(_("无法读取文件“%(name)s”") % {"name": name}, "unreadable") from None
    if is_csv and 0 < size <= max_bytes and not _magic(source).startswith((excel.ZIP_MAGIC, excel.OLE_MAGIC)):
        return _open_csv(source, name, max_rows)
    table = excel.read_table(source, name, SPEC, max_bytes=max_bytes, max_rows=max_rows)
    # The raw cells: each column is cleaned by its own converter below, which is much faster than the
    # generic cleaning of every cell (a 100,000-row roster in seconds, not tens of seconds).
    return _Source(table.headers, table.columns, table.ignored_headers, table.total_rows, table._source)


# --- the importer ------------------------------------------------------------------------------------------
class EmployeeImporter:
    kind = "employees"
    spec = SPEC

    def __init__(
        self,
        actor: Any,
        enterprise: Enterprise,
        *,
        dry_run: bool = False,
        strict: bool = False,
        progress: Progress | None = None,
        chunk_size: int = CHUNK,
        max_bytes: int | None = None,
        max_rows: int | None = None,
        note: str = "",
    ) -> None:
        """`actor` None is the system (the command without --user); a user needs IMPORT_EMPLOYEES (else
        PermissionDenied) and the enterprise in their scope (else Http404, as for a missing one)."""
        if actor is not None:
            if not roles.can(actor, roles.IMPORT_EMPLOYEES):
                raise PermissionDenied
            enterprise = scoping.get_in_scope(scoping.enterprises_for(actor), pk=enterprise.pk)
        self.actor = actor
        self.enterprise = enterprise
        self.dry_run = dry_run
        self.strict = strict
        self.progress = progress or (lambda stage, done, total: None)
        self.chunk_size = chunk_size
        self.max_bytes = max_bytes
        self.max_rows = max_rows
        self.note = note

    def run(self, source: excel.Source, filename: str) -> ImportResult:
        """Import the file; raises excel.UnreadableFile when it cannot be read (nothing written)."""
        max_rows = settings.FUGONG_MAX_IMPORT_ROWS if self.max_rows is None else self.max_rows
        roster = open_roster(source, filename, max_bytes=self.max_bytes, max_rows=max_rows)
        result = ImportResult(headers=roster.headers, ignored_headers=roster.ignored_headers)
        for key in ("id_number", "phone"):
            if key in roster.columns:
                result.sensitive_columns[roster.columns[key]] = key
        numbers = services.batch_numbers(self.enterprise)
        # An enterprise without employees needs no look-ups: every valid row is new. (Should someone file
        # one of them meanwhile, the insert fails on the unique key and the whole import is undone.)
        lookup = Employee.objects.filter(enterprise=self.enterprise).exists()
        total = roster.total
        self.progress("validating", 0, total)
        records = self._records(roster, max_rows, result)
        chunks = _prefetched(_chunks(records, self.chunk_size))
        atomic = transaction.atomic() if not self.dry_run else contextlib.nullcontext()
        # Large files only: a paused cyclic collector saves a tenth of a 100k-row import (core.runtime).
        with collector_paused(total > self.chunk_size), atomic, contextlib.closing(chunks):
            for chunk in chunks:
                # Strict: stop writing at the first invalid row, but read on to report every error.
                writing = not self.dry_run and not (self.strict and result.rejected)
                planned = services.plan_employee_upserts(self.enterprise, chunk, numbers, lookup=lookup, seal=writing)
                result.created += planned.created
                result.updated += len(planned.updates)
                result.unchanged += planned.unchanged
                if writing and (planned.creates or planned.updates):
                    services.do_bulk_import_employees(
                        self.actor, self.enterprise, planned.creates, planned.updates, source=self.note
                    )
                self.progress("validating", min(result.rows, total), total)
            if self.dry_run:
                pass
            elif self.strict and result.rejected:
                transaction.set_rollback(True)  # what was written before the first invalid row goes too
            else:
                # Written, not yet committed: the job page shows "writing" until the transaction ends.
                self.progress("writing", result.rows, result.rows)
                result.written = True
        self.progress("finished", result.rows, result.rows)
        return result

    def _records(self, roster: _Source, max_rows: int, result: ImportResult) -> Iterator[services.EmployeeRecord]:
        """The valid rows, in file order; invalid ones are recorded in `result` as they are met."""
        plan = _plan(roster.columns)
        today = timezone.localdate()
        first_row: dict[int, int] = {}  # ID number's first 17 digits (an int: compact for a million) → row
        hashers = (services.keyed_hasher(services.ID_PURPOSE), services.keyed_hasher(services.PHONE_PURPOSE))
        for number, cells in roster.rows:
            if _blank(cells):
                continue
            result.rows += 1
            if result.rows > max_rows:
                raise excel.UnreadableFile(
                    _("数据行数超过上限（%(max)d行），请拆分文件后分别导入") % {"max": max_rows}, "too_many_rows"
                )
            rec = self._parse(number, cells, plan, today, hashers, first_row, result)
            if rec is not None:
                yield rec

    def _parse(
        self,
        number: int,
        cells: list[Any],
        plan: list[Step],
        today: dt.date,
        hashers: Hashers,
        first_row: dict[int, int],
        result: ImportResult,
    ) -> services.EmployeeRecord | None:
        data: dict[str, Any] = {}
        errors: list[tuple[str, str, str]] = []
        width = len(cells)
        for key, index, convert, memory in plan:
            raw = cells[index] if index < width else None
            # str and date keys only: no value of one type equals one of the other (1 == 1.0 == True would).
            if memory is not None and (raw.__class__ is str or raw.__class__ is dt.date):
                value = memory.get(raw, _MISSING)
                if value is _MISSING:
                    try:
                        value = convert(raw)
                    except (CellError, IdentifierError) as exc:
                        errors.append((key, exc.code, exc.message))
                        continue
                    if len(memory) < MEMO_SIZE:
                        memory[raw] = value
            else:
                try:
                    value = convert(raw)
                except (CellError, IdentifierError) as exc:
                    errors.append((key, exc.code, exc.message))
                    continue
            if value is not None:
                data[key] = value
        rec = None
        try:
            rec = employee_record(data, today, hashers)
        except services.EmployeeValidationError as exc:
            failed = {k for k, _c, _m in errors}  # a cell already reported is not reported twice
            errors.extend((k, c, m) for k, (c, m) in exc.errors.items() if k not in failed)
        if rec is not None:
            identity = int(rec.id_number[:17])  # the 18th character is the check of the first 17
            first = first_row.setdefault(identity, number)
            if first != number:
                errors.append(("id_number", "duplicate", _("身份证号码与第%(row)d行重复，本行未导入") % {"row": first}))
        if not errors:
            return rec
        result.rejected += 1
        messages = []
        for key, code, message in errors:
            header = self.spec.header_of(key)
            result.errors.append({"row": number, "column": header, "code": code, "message": message})
            messages.append(f"{header}：{message}")
        result.failed.append([number, [_jsonable(c) for c in cells], "；".join(messages)])
        return None


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
                "支持 .xlsx、.xls 和 UTF-8 或 GBK 编码的 .csv 文件。示例行的身份证号码是虚构的，请删除示例行。"
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
