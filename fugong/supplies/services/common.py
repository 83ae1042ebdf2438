"""What the supplies services share: the validation error, quantity parsing and the date rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import SupplyItem

MAX_QUANTITY = Decimal("10000000000")  # 10^10 of anything is a typing error, not a delivery


class SupplyValidationError(Exception):
    """{key: message}: a form field, an import row ("row:12") or "__all__"; nothing was written."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def fmt_qty(value: Decimal, item: SupplyItem | None = None) -> str:
    """12.500 → "12.5", 120.000 → "120" (for messages and audit rows)."""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def parse_quantity(item: SupplyItem, value: Any, *, allow_negative: bool = False, allow_zero: bool = True) -> Decimal:
    """A quantity of `item` as typed: a number with at most the item's decimals (masks are whole pieces).
    Raises ValueError with the message for the user."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("请填写数量"))
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("“%(v)s”不是数字") % {"v": str(value)[:20]}) from None
    if not number.is_finite():
        raise ValueError(_("“%(v)s”不是数字") % {"v": str(value)[:20]})
    # The size before the decimals: quantizing 1e309 (wider than the decimal context) raises InvalidOperation.
    if abs(number) >= MAX_QUANTITY:
        raise ValueError(_("数量过大"))
    if number != number.quantize(Decimal(1).scaleb(-item.decimals)):
        if item.decimals == 0:
            raise ValueError(_("%(item)s须为整数（单位：%(unit)s）") % {"item": item.name, "unit": item.unit})
        raise ValueError(_("%(item)s最多%(n)d位小数") % {"item": item.name, "n": item.decimals})
    if number < 0 and not allow_negative:
        raise ValueError(_("数量不能为负数"))
    if number == 0 and not allow_zero:
        raise ValueError(_("数量须大于0"))
    return number.quantize(Decimal("0.001"))


def check_past_date(value: Any, *, field: str = "on_date") -> dt.date:
    """A business date: a real date, not in the future (a ledger records what happened)."""
    if not isinstance(value, dt.date):
        raise SupplyValidationError({field: _("请填写日期")})
    if value > timezone.localdate():
        raise SupplyValidationError({field: _("日期不能晚于今天")})
    if value.year < 2000:
        raise SupplyValidationError({field: _("日期有误")})
    return value


def required_reason(value: Any, message: str) -> str:
    """The reason a withdrawal or a cancellation must give (kept on the record and in the audit log)."""
    reason = str(value or "").strip()
    if not reason:
        raise SupplyValidationError({"reason": message})
    return reason[:200]
