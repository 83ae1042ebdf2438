"""Identifier validation: 统一社会信用代码 (GB 32100-2015), 居民身份证号码 (GB 11643-1999), mobile phones.

Every function normalises first (full-width → ASCII, case, stray spaces) and raises `IdentifierError` whose
message says what is wrong and where, in words a clerk can act on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_AUTHORITIES = set("123456789ANY")
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


class IdentifierError(ValueError):
    def __init__(self, message: str, code: str = "invalid", position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.position = position


def normalise(raw: object) -> str:
    """Full-width to half-width, drop all white space (incl. U+3000 and NBSP), upper-case."""
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else ""))
    return re.sub(r"\s+", "", text).upper()


# --- 统一社会信用代码 -------------------------------------------------------------------------------
def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    def value(c: str) -> int:
        return int(c) if c.isdigit() else ord(c) - 55

    c = 11 - sum(value(ch) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


@dataclass(frozen=True)
class UsccResult:
    code: str
    warnings: tuple[str, ...] = ()


def validate_uscc(raw: object) -> UsccResult:
    """Return the normalised code, or raise IdentifierError naming the wrong position (1-based)."""
    code = normalise(raw)
    if not code:
        raise IdentifierError(_("统一社会信用代码不能为空"), "required")
    if len(code) != 18:
        raise IdentifierError(_("统一社会信用代码应为18位，实际为%(n)d位") % {"n": len(code)}, "length")
    for i, ch in enumerate(code, start=1):
        if ch not in USCC_VALUE:
            raise IdentifierError(
                _("统一社会信用代码第%(pos)d位“%(ch)s”不是允许的字符（不使用 I、O、Z、S、V）") % {"pos": i, "ch": ch},
                "character",
                i,
            )
    if code[0] not in USCC_AUTHORITIES:
        raise IdentifierError(
            _("统一社会信用代码第1位（登记管理部门代码）“%(ch)s”无效") % {"ch": code[0]},
            "authority",
            1,
        )
    if not code[2:8].isdigit():
        raise IdentifierError(_("统一社会信用代码第3–8位应为行政区划代码（6位数字）"), "division", 3)
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise IdentifierError(
            _("统一社会信用代码第18位校验码错误：应为“%(exp)s”，实际为“%(got)s”") % {"exp": expected, "got": code[17]},
            "checksum",
            18,
        )
    warnings: list[str] = []
    org = code[8:17]
    if all(c.isdigit() or "A" <= c <= "Z" for c in org[:8]) and org_code_check_char(org[:8]) != org[8]:
        warnings.append(_("第9–17位组织机构代码的校验位不符（仅提示）"))
    return UsccResult(code, tuple(warnings))


def make_uscc(division: str, org8: str, authority: str = "9", kind: str = "1") -> str:
    """Build a valid code from its parts (used by the demo and tests)."""
    body = authority + kind + division + org8 + org_code_check_char(org8)
    return body + uscc_check_char(body)


# --- 居民身份证号码 ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    gender: str  # "M" | "F"
    region_code: str
    upgraded_from_15: bool = False


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(raw: object, today: date | None = None) -> IdNumber:
    number = normalise(raw)
    upgraded = False
    if not number:
        raise IdentifierError(_("身份证号码不能为空"), "required")
    if len(number) == 15:
        if not number.isdigit():
            raise IdentifierError(_("15位身份证号码应全为数字"), "character")
        body = number[:6] + "19" + number[6:]
        number = body + id_check_char(body)
        upgraded = True
    if len(number) != 18:
        raise IdentifierError(_("身份证号码应为18位（或15位旧号码），实际为%(n)d位") % {"n": len(number)}, "length")
    for i, ch in enumerate(number[:17], start=1):
        if not ch.isdigit():
            raise IdentifierError(_("身份证号码第%(pos)d位“%(ch)s”应为数字") % {"pos": i, "ch": ch}, "character", i)
    if not (number[17].isdigit() or number[17] == "X"):
        raise IdentifierError(_("身份证号码第18位应为数字或X"), "character", 18)
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError(
            _("身份证号码第7–14位出生日期“%(d)s”不是有效日期") % {"d": number[6:14]}, "birth_date", 7
        ) from None
    # The lower bound only rejects typos: GB 11643-1999's own example (440524188001010014) was born in 1880.
    if birth > (today or date.today()) or birth.year < 1800:
        raise IdentifierError(_("身份证号码中的出生日期“%(d)s”不合理") % {"d": birth.isoformat()}, "birth_date", 7)
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise IdentifierError(
            _("身份证号码第18位校验码错误：应为“%(exp)s”，实际为“%(got)s”") % {"exp": expected, "got": number[17]},
            "checksum",
            18,
        )
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(number, birth, gender, number[:6], upgraded)


# --- phones -----------------------------------------------------------------------------------------
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_phone(raw: object, allow_landline: bool = False) -> str:
    text = normalise(raw).replace("-", "").replace("(", "").replace(")", "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not text:
        raise IdentifierError(_("电话号码不能为空"), "required")
    if MOBILE_RE.match(text) or (allow_landline and LANDLINE_RE.match(text)):
        return text
    if allow_landline:
        raise IdentifierError(
            _("电话号码格式不正确：手机号为1开头的11位数字，座机需带区号"),
            "phone",
        )
    raise IdentifierError(_("手机号码格式不正确：应为1[3-9]开头的11位数字"), "phone")
