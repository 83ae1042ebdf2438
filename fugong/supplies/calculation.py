"""Days of supply, as pure arithmetic (domain-rules §5). No database here: selectors gather the inputs, these
functions decide, and the hypothesis tests exercise them directly.

- Daily use of an item: the norm × the on-duty headcount (masks: per 8-hour shift, so a 12-hour day is two
  shifts), or the enterprise's entered daily use, or — when neither applies — the average of the consumption
  it entered over the last days.
- Days of supply = floor(stock ÷ daily use); no stock is 0 days; an item without a daily use has no figure.
- An enterprise's figure is the minimum over its consumable items that have one; thermometers are a stock
  check (≥ 1 per entrance + the spare), not a number of days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

SHIFT_HOURS = 8


class Level(StrEnum):
    OK = "ok"  # at or above the threshold
    LOW = "low"  # below the threshold
    CRITICAL = "critical"  # below the critical level
    UNKNOWN = "unknown"  # no daily use known: not assured


@dataclass(frozen=True)
class Rule:
    """The norm that applies to one item of one enterprise on one day (district default or its own)."""

    basis: str  # NormBasis value
    quantity: Decimal | None
    spare: int = 0
    own: bool = False  # the enterprise's own norm rather than the district default


def shifts_per_day(shift_hours: int | None) -> int:
    """An on-duty person's 8-hour shifts in a day: 8 h → 1, 12 h → 2 (a started shift needs fresh masks)."""
    hours = shift_hours or SHIFT_HOURS
    return max(1, math.ceil(hours / SHIFT_HOURS))


def daily_use(
    rule: Rule | None,
    headcount: int | None,
    shift_hours: int | None = SHIFT_HOURS,
    entered_average: Decimal | None = None,
) -> Decimal | None:
    """How much of the item the enterprise uses per day, or None when nothing tells."""
    if rule is not None and rule.quantity is not None:
        if rule.basis == "fixed_daily":
            return rule.quantity if rule.quantity > 0 else None
        if rule.basis in ("per_person_day", "per_person_shift") and headcount:
            per_person = rule.quantity * (shifts_per_day(shift_hours) if rule.basis == "per_person_shift" else 1)
            use = per_person * headcount
            return use if use > 0 else None
    if entered_average is not None and entered_average > 0:
        return entered_average
    return None


def days_of_supply(stock: Decimal, use: Decimal | None) -> int | None:
    """floor(stock ÷ daily use). Stock at or below zero is 0 days (never a negative figure)."""
    if use is None or use <= 0:
        return None
    if stock <= 0:
        return 0
    return int(stock // use)


def enterprise_days(per_item: Iterable[int | None]) -> int | None:
    """The minimum over the consumable items that have a figure; None when none has."""
    known = [d for d in per_item if d is not None]
    return min(known) if known else None


def required_on_hand(rule: Rule | None, entrances: int | None) -> int | None:
    """Stock-check items (thermometers): per entrance, plus the spare."""
    if rule is None or rule.basis != "per_entrance" or rule.quantity is None:
        return None
    return math.ceil(rule.quantity * max(entrances or 1, 1)) + rule.spare


def level(days: int | None, threshold: int, critical: int) -> Level:
    if days is None:
        return Level.UNKNOWN
    if days >= threshold:
        return Level.OK
    if days < critical:
        return Level.CRITICAL
    return Level.LOW


def below_threshold(days: int | None, threshold: int) -> bool:
    """Whether an enterprise counts as short: fewer days than the threshold, or no figure at all (an enterprise
    whose supplies nobody can vouch for is not assured of seven days)."""
    return days is None or days < threshold
