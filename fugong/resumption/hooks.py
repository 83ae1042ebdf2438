"""Figures other capabilities lend to resumption, looked up by name so this app never depends on them.

`supply_days` is the hook for checklist item 5 (物资到位: masks, thermometers, alcohol, sanitizer for ≥ 7
days): the supplies app (issue #7) computes an enterprise's days of supply from its stock ledger; when that app
or its figure is not there, the answer is None and the inspector judges from the self-check alone.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

SUPPLY_ITEM_WORD = "物资"  # the checklist item the figure belongs to, found by its title (items are data)


def supply_days(enterprise: Any, on: dt.date) -> int | None:
    try:
        selectors = import_module("fugong.supplies.selectors")
    except ImportError:
        return None
    lookup = getattr(selectors, "days_of_supply", None)
    if lookup is None:
        return None
    days = lookup(enterprise, on)
    return int(days) if days is not None else None


def supply_item_ids(items: Any) -> set[int]:
    return {item.pk for item in items if SUPPLY_ITEM_WORD in item.title}
