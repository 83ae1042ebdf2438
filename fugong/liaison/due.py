"""What is due today on a liaison's phone page, beyond their own pending visits: a hook for other apps.

An app adds its items (checklist inspections, screening alerts, supply shortfalls…) by defining, in
`fugong/<app>/liaison_due.py`, a function `due_today(user, day, enterprise_ids) -> Iterable[DueItem]` that
returns the items of those enterprises (the liaison's own, already scoped). Apps that have nothing to add simply
have no such module; a failing contributor is a bug and is not hidden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class DueItem:
    enterprise_id: int | None
    title: str  # what to do, e.g. "复工检查：高斯贝尔（3项整改到期）"
    url: str = ""  # where to do it
    level: str = "warning"  # Bootstrap contextual class: warning | danger | info
    source: str = ""  # the app's name, for grouping


@lru_cache(maxsize=1)
def contributors() -> tuple[ModuleType, ...]:
    from django.apps import apps as django_apps

    out = []
    for config in django_apps.get_app_configs():
        if not config.name.startswith("fugong."):
            continue
        try:
            out.append(import_module(f"{config.name}.liaison_due"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.liaison_due":
                raise
    return tuple(out)


def collect(user: Any, day: dt.date, targets: Iterable[Any]) -> list[DueItem]:
    """Every contributor's items for the liaison's enterprises on `day`."""
    enterprise_ids = [t.target.pk for t in targets if t.kind == "enterprise"]
    items: list[DueItem] = []
    if not enterprise_ids:
        return items
    for module in contributors():
        items.extend(module.due_today(user, day, enterprise_ids))
    return items
