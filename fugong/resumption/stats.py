"""Reading the resumption figures for a viewer: from the day's snapshot when it is fresh, else live from the
records (history.py — the same rules the snapshot was computed with).

A district-wide or town viewer is answered from the DailyAggregate rows of their area
(scoping.aggregate_area); any other scope (a leader's pairings, a liaison's enterprises…) sums its own
EnterpriseDay rows. Either way no request aggregates the raw records while a fresh snapshot exists.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from fugong.core import scoping
from fugong.core.figures import memoised
from fugong.enterprises.classification import Category

from . import history, snapshots
from .models import DailyAggregate, EnterpriseDay, SnapshotDay

ASI = Category.ABOVE_SCALE_INDUSTRIAL.value
COUNT_FIELDS = tuple(snapshots.aggregate_expressions())


@dataclass
class Figures:
    """One group's counts (a DailyAggregate row's columns), with the rates the dashboard shows."""

    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name, 0) or 0

    @classmethod
    def of(cls, row: Any) -> Figures:
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        return cls({name: get(name) or 0 for name in COUNT_FIELDS})

    def add(self, other: Figures) -> None:
        for name in COUNT_FIELDS:
            self.values[name] = (self.values.get(name) or 0) + (other.values.get(name) or 0)

    @staticmethod
    def _rate(numerator: Any, denominator: Any) -> float | None:
        return round(float(numerator) / float(denominator), 4) if denominator else None

    @property
    def resumption_rate(self) -> float | None:  # 复工率
        return self._rate(self["resumed"], self["enterprises"])

    @property
    def attendance_rate(self) -> float | None:  # 到岗率
        return self._rate(self["on_duty"], self["registered"])

    @property
    def capacity_rate(self) -> float | None:  # 产能恢复率 (mean over resumed enterprises that reported one)
        return self._rate(Decimal(self["capacity_sum"]), self["capacity_n"])

    @property
    def missing_reports(self) -> int:
        return int(self["expected_reports"]) - int(self["reported"])


# --- the registry's figure keys (enterprises/figures.py calls this) ------------------------------------
def resumption_counts(user: Any, day: dt.date) -> dict[str, int]:
    """{total, resumed, asi_total, asi_resumed} over the user's scope on `day` (已复工 + 部分复工 = resumed)."""
    snap = memoised(("resumption_snapshot", day), lambda: snapshots.fresh_day(day))
    if snap is None:
        return _live_counts(user, day)
    groups = breakdown(user, day, "category")
    total = Figures()
    for figs in groups.values():
        total.add(figs)
    asi = groups.get(ASI, Figures())
    return {
        "total": int(total["enterprises"]),
        "resumed": int(total["resumed"]),
        "asi_total": int(asi["enterprises"]),
        "asi_resumed": int(asi["resumed"]),
    }


def _live_counts(user: Any, day: dt.date) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for category, status in history.statuses_on(scoping.enterprises_for(user), day):
        counts["total"] += 1
        working = status in history.WORKING
        counts["resumed"] += working
        if category == ASI:
            counts["asi_total"] += 1
            counts["asi_resumed"] += working
    return {k: counts[k] for k in ("total", "resumed", "asi_total", "asi_resumed")}


# --- snapshot reads -----------------------------------------------------------------------------------
def latest_day(on_or_before: dt.date | None = None) -> dt.date | None:
    qs = SnapshotDay.objects.all()
    if on_or_before is not None:
        qs = qs.filter(day__lte=on_or_before)
    return qs.order_by("-day").values_list("day", flat=True).first()


def scoped_days(user: Any) -> QuerySet[EnterpriseDay]:
    """The viewer's EnterpriseDay rows: the records behind every dashboard number."""
    return scoping.scope_filter(user, EnterpriseDay.objects.all(), "enterprise")


def breakdown(user: Any, day: dt.date, dimension: str) -> dict[str, Figures]:
    """key → Figures for one day and breakdown ("all" has the single key "")."""
    return breakdowns(user, [day], [dimension]).get(day, {}).get(dimension, {})


def breakdowns(
    user: Any, days: Iterable[dt.date], dimensions: Iterable[str]
) -> dict[dt.date, dict[str, dict[str, Figures]]]:
    """day → dimension → key → Figures over the viewer's scope. A district or town viewer: one query over
    the area's aggregates; any other scope: one grouped query per dimension over its EnterpriseDay rows."""
    days, dimensions = list(days), list(dimensions)
    out: dict[dt.date, dict[str, dict[str, Figures]]] = {}
    if not days or not dimensions:
        return out
    area = scoping.aggregate_area(user)
    if area is not None:
        # A town's area keeps no "town" breakdown: its "all" row is the town's one row.
        town_self = area != scoping.DISTRICT_AREA and "town" in dimensions
        wanted = {d for d in dimensions if not (town_self and d == "town")} | ({"all"} if town_self else set())
        rows = DailyAggregate.objects.filter(day__in=days, area=area, dimension__in=wanted).values(
            "day", "dimension", "key", *COUNT_FIELDS
        )
        for row in rows:
            figures = Figures.of(row)
            by_dim = out.setdefault(row["day"], {})
            if row["dimension"] in dimensions:
                by_dim.setdefault(row["dimension"], {})[row["key"]] = figures
            if town_self and row["dimension"] == "all":
                by_dim.setdefault("town", {})[area] = figures
        return out
    base = scoped_days(user).filter(day__in=days).order_by()
    for dimension in dimensions:
        group = snapshots._GROUP_FIELD[dimension]
        for row in snapshots.grouped_counts(base, ["day", group] if group else ["day"]):
            out.setdefault(row["day"], {}).setdefault(dimension, {})[str(row[group]) if group else ""] = Figures.of(row)
    return out


def dashboard_breakdowns(
    user: Any, window: list[dt.date], day: dt.date
) -> dict[dt.date, dict[str, dict[str, Figures]]]:
    """What the dashboard needs: all and by category over the series `window`, by town and industry on `day`.
    A district or town viewer: one query."""
    area = scoping.aggregate_area(user)
    if area is None:
        data = breakdowns(user, window, ["all", "category"])
        for d, dims in breakdowns(user, [day], ["town", "industry"]).items():
            data.setdefault(d, {}).update(dims)
        return data
    detail = ["industry"] + (["town"] if area == scoping.DISTRICT_AREA else ["all"])
    rows = DailyAggregate.objects.filter(
        Q(day__in=window, dimension__in=["all", "category"]) | Q(day=day, dimension__in=detail), area=area
    ).values("day", "dimension", "key", *COUNT_FIELDS)
    out: dict[dt.date, dict[str, dict[str, Figures]]] = {}
    for row in rows:
        figures = Figures.of(row)
        by_dim = out.setdefault(row["day"], {})
        by_dim.setdefault(row["dimension"], {})[row["key"]] = figures
        if area != scoping.DISTRICT_AREA and row["dimension"] == "all" and row["day"] == day:
            by_dim.setdefault("town", {})[area] = figures
    return out


def window(day: dt.date, length: int = 45) -> list[dt.date]:
    """The snapshot days of the series ending at `day` (early February for the 2020 demo)."""
    start = day - dt.timedelta(days=length - 1)
    return list(SnapshotDay.objects.filter(day__gte=start, day__lte=day).order_by("day").values_list("day", flat=True))
