"""Figure keys of prevention supplies (interfaces.md): what the district delivered, and the resumed
enterprises short of the threshold. Counted from ledger movements and days of supply, never typed in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from fugong.core.figures import figure, memoised

from . import selectors
from .models import ReportGroup


def _delivered(user: Any, day: dt.date) -> dict[str, Decimal]:
    key = ("supplies_delivered", getattr(user, "pk", None), getattr(user, "role", ""), day)
    return memoised(key, lambda: selectors.delivered_totals(user, day))


def _whole(value: Decimal) -> int:
    return int(value)


@figure("masks_delivered", _("区级配送口罩（只）"), order=30)
def masks_delivered(user: Any, day: dt.date) -> int:
    return _whole(_delivered(user, day)[ReportGroup.MASKS])


@figure("thermometers_delivered", _("区级配送体温枪（支）"), order=31)
def thermometers_delivered(user: Any, day: dt.date) -> int:
    return _whole(_delivered(user, day)[ReportGroup.THERMOMETERS])


@figure("alcohol_delivered_kg", _("区级配送酒精"), unit="kg", order=32)
def alcohol_delivered_kg(user: Any, day: dt.date) -> Decimal:
    return _delivered(user, day)[ReportGroup.ALCOHOL]


@figure("sanitizer_delivered_kg", _("区级配送洗手液和消毒液"), unit="kg", order=33)
def sanitizer_delivered_kg(user: Any, day: dt.date) -> Decimal:
    return _delivered(user, day)[ReportGroup.SANITIZER]


@figure("resumed_below_supply_threshold", _("防疫物资不足保障天数的复工企业"), order=34)
def resumed_below_supply_threshold(user: Any, day: dt.date) -> int:
    return selectors.count_resumed_below(user, day)
