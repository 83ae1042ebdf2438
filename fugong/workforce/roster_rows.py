"""A roster row (花名册): the roster's columns, each cell's converter, and the row's identity checked.

The importer (importers.EmployeeImporter) plans its columns once (plan_columns) and turns each row's typed
values into an employee record with employee_record, the fast equivalent of records.clean_employee.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from operator import mul
from typing import Any

from django.db.models import Field
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.core import excel
from fugong.core.excel import CellError, Column, TableSpec
from fugong.core.identifiers import (
    ID_CHECK,
    ID_WEIGHTS,
    IdentifierError,
    IdNumber,
    normalise_phone,
    validate_id_number,
)

from . import records
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
MISSING = object()
Step = tuple[str, int, Callable[[Any], Any], "dict[Any, Any] | None"]  # key, column, converter, memory by value


def plan_columns(columns: dict[str, int]) -> list[Step]:
    """Per column of the file: its converter and, for the repetitive columns, a memory keyed by the cell value
    itself for text and date cells (what nearly every cell of those columns is), looked up in
    EmployeeImporter._parse without a call or a key tuple per cell; other types go through the converter's own
    memory (_memo)."""
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


def employee_record(data: dict[str, Any], today: dt.date, hashers: Hashers | None = None) -> records.EmployeeRecord:
    """records.clean_employee for the importer's typed values, with fast paths for well-formed identifiers
    and hashing (the same rules and values; tests hold the two equal). Raises records.EmployeeValidationError."""
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
        raise records.EmployeeValidationError(errors)
    id_hash, phone_hash = hashers or (records.id_hash, records.phone_hash)
    return records.EmployeeRecord(
        id_number=parsed.number,
        id_hash=id_hash(parsed.number),
        gender=parsed.gender,
        birth_date=parsed.birth_date,
        phone=phone,
        phone_hash=phone_hash(phone) if phone else "",
        batch_number=data.get("batch_number"),
        fields=_fields(data),
    )
