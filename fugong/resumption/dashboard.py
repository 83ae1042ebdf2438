"""The district dashboard (复工复产指挥大屏) as data: cards, tables and ECharts series, every number with the
link to the records behind it (the EnterpriseDay rows of that day, filtered the same way).

Built only from the snapshot: a district or town viewer costs a fixed handful of queries whatever the number
of enterprises (one for the snapshot days and their freshness, one for the area's aggregates); another scope
sums its own enterprise-day rows. Chart points carry their drill-down link as a template (`{date}`), so the
page does not build hundreds of URLs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils.translation import gettext as _

from fugong.core import scoping
from fugong.enterprises.classification import Category, IndustrySection
from fugong.regions.models import Region

from . import snapshots, stats
from .models import SnapshotDay
from .stats import Figures

SERIES_DAYS = 45  # early February to early March in the 2020 demo
FUNNEL = ("applied", "inspected", "passed", "filed")
DATE_SLOT = "{date}"


@lru_cache(maxsize=1)
def _records_base() -> str:
    return reverse("resumption:records")


def records_url(day: dt.date | str, **filters: str) -> str:
    """The records page for `day` with these filters (values are codes: ASCII, quoted for safety)."""
    query = "&".join(f"{k}={quote(str(v))}" for k, v in filters.items() if v)
    date = day if isinstance(day, str) else day.isoformat()
    return f"{_records_base()}?date={date}" + (f"&{query}" if query else "")


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@dataclass
class Days:
    """The snapshot days on offer, the one shown, and how current its snapshot is."""

    shown: dt.date | None
    available: list[dt.date] = field(default_factory=list)
    snapshot: SnapshotDay | None = None

    @property
    def fresh(self) -> bool:
        return bool(self.snapshot is not None and self.snapshot.is_fresh)  # type: ignore[attr-defined]


def pick_day(requested: dt.date | None, today: dt.date) -> Days:
    """The requested snapshot day, else the latest up to today (else the earliest), in one query that also
    says whether each day's snapshot is fresh."""
    rows = list(
        SnapshotDay.objects.order_by("-day")
        .annotate(current=snapshots._fingerprint_sql())
        .only("day", "computed_at", "stale", "registry")[:400]
    )
    for snap in rows:
        snap.is_fresh = not snap.stale and snap.registry == snap.current  # type: ignore[attr-defined]
    by_day = {s.day: s for s in rows}
    if requested is not None and requested in by_day:
        shown: dt.date | None = requested
    else:
        earlier = [s.day for s in rows if s.day <= today]
        shown = earlier[0] if earlier else (rows[-1].day if rows else None)
    return Days(shown, [s.day for s in rows], by_day.get(shown) if shown else None)


def _row(label: str, figs: Figures, day: str, **filters: str) -> dict[str, Any]:
    return {
        "label": label,
        "total": int(figs["enterprises"]),
        "resumed": int(figs["resumed"]),
        "partial": int(figs["partial"]),
        "suspended": int(figs["suspended"]),
        "rate": _pct(figs.resumption_rate),
        "attendance": _pct(figs.attendance_rate),
        "capacity": _pct(figs.capacity_rate),
        "url_total": records_url(day, **filters),
        "url_resumed": records_url(day, status="working", **filters),
        "url_partial": records_url(day, status="partial", **filters),
        "url_suspended": records_url(day, status="suspended", **filters),
    }


def build(user: Any, day: dt.date, days: list[dt.date]) -> dict[str, Any]:
    """The dashboard of `user` for `day`; `days` are the snapshot days on offer (for the series)."""
    start = day - dt.timedelta(days=SERIES_DAYS - 1)
    window = sorted(d for d in days if start <= d <= day) or [day]
    data = stats.dashboard_breakdowns(user, window, day)
    today_data = data.get(day, {})
    total = today_data.get("all", {}).get("", Figures())
    iso = day.isoformat()

    category_figs = today_data.get("category", {})
    categories = [
        _row(str(label), category_figs[value], iso, category=value)
        for value, label in Category.choices
        if value in category_figs
    ]
    town_figs = today_data.get("town", {})
    towns = Region.objects.filter(code__in=list(town_figs)).order_by("sort", "code").values_list("code", "name")
    town_rows = [_row(name, town_figs[code], iso, town=code) for code, name in towns]
    industry_figs = today_data.get("industry", {})
    industries = [
        _row(str(label), industry_figs[value], iso, industry=value)
        for value, label in IndustrySection.choices
        if value in industry_figs
    ]
    funnel_labels = {
        "applied": _("已申请"),
        "inspected": _("已现场核查"),
        "passed": _("核查通过"),
        "filed": _("已备案"),
    }
    funnel = [
        {"name": str(funnel_labels[stage]), "value": int(total[stage]), "url": records_url(iso, stage=stage)}
        for stage in FUNNEL
    ]
    side = [
        {
            "name": _("整改中/待复查"),
            "value": int(total["rectifying"]),
            "url": records_url(iso, app_state="rectifying"),
        },
        {"name": _("已退回"), "value": int(total["rejected"]), "url": records_url(iso, app_state="rejected")},
        {"name": _("已撤回"), "value": int(total["withdrawn"]), "url": records_url(iso, app_state="withdrawn")},
    ]
    asi = category_figs.get(Category.ABOVE_SCALE_INDUSTRIAL, Figures())
    asi_filter = {"category": Category.ABOVE_SCALE_INDUSTRIAL.value}
    cards = [
        _card(
            "asi_rate",
            _("规上工业复工率"),
            _pct(asi.resumption_rate),
            "%",
            _("%(r)d / %(t)d 家") % {"r": asi["resumed"], "t": asi["enterprises"]},
            records_url(iso, status="working", **asi_filter),
        ),
        _card(
            "rate",
            _("企业复工率"),
            _pct(total.resumption_rate),
            "%",
            _("%(r)d / %(t)d 家") % {"r": total["resumed"], "t": total["enterprises"]},
            records_url(iso, status="working"),
        ),
        _card(
            "attendance",
            _("到岗率"),
            _pct(total.attendance_rate),
            "%",
            _("到岗 %(d)d / 在册 %(r)d 人") % {"d": total["on_duty"], "r": total["registered"]},
            records_url(iso, status="working"),
        ),
        _card(
            "capacity",
            _("产能恢复率"),
            _pct(total.capacity_rate),
            "%",
            _("%(n)d 家企业报送") % {"n": total["capacity_n"]},
            records_url(iso, status="working", reported="yes"),
        ),
        _card(
            "missing",
            _("当日未报送"),
            total.missing_reports,
            "",
            _("应报 %(e)d 家，已报 %(r)d 家") % {"e": total["expected_reports"], "r": total["reported"]},
            records_url(iso, reported="missing"),
        ),
        _card(
            "rectifying",
            _("整改中"),
            int(total["rectifying"]),
            "",
            _("申请 %(n)d 家") % {"n": total["applied"]},
            records_url(iso, app_state="rectifying"),
        ),
    ]
    return {
        "day": day,
        "area": scoping.aggregate_area(user),
        "cards": cards,
        "total": _row(_("合计"), total, iso),
        "categories": categories,
        "towns": town_rows,
        "industries": industries,
        "funnel": funnel,
        "funnel_side": side,
        "charts": _charts(window, data, categories, town_rows, industries, funnel),
    }


def _card(key: str, label: str, value: Any, unit: str, detail: str, url: str) -> dict[str, Any]:
    return {"key": key, "label": label, "value": value, "unit": unit, "detail": detail, "url": url}


def _line(name: str, values: list[float | None], url: str) -> dict[str, Any]:
    return {"name": name, "data": values, "url": url}


def _charts(
    days: list[dt.date],
    data: dict[dt.date, dict[str, dict[str, Figures]]],
    categories: list[dict[str, Any]],
    towns: list[dict[str, Any]],
    industries: list[dict[str, Any]],
    funnel: list[dict[str, Any]],
) -> dict[str, Any]:
    empty = Figures()

    def figs(d: dt.date, dimension: str, key: str) -> Figures:
        return data.get(d, {}).get(dimension, {}).get(key, empty)

    lines = [
        _line(
            _("全部企业"),
            [_pct(figs(d, "all", "").resumption_rate) for d in days],
            records_url(DATE_SLOT, status="working"),
        )
    ]
    present = {key for d in days for key in data.get(d, {}).get("category", {})}
    for value, label in Category.choices:
        if value in present:
            lines.append(
                _line(
                    str(label),
                    [_pct(figs(d, "category", value).resumption_rate) for d in days],
                    records_url(DATE_SLOT, category=value, status="working"),
                )
            )
    totals = [figs(d, "all", "") for d in days]
    return {
        "dates": [d.isoformat() for d in days],
        "rate_series": {"days": [d.strftime("%m-%d") for d in days], "series": lines},
        "work_series": {
            "days": [d.strftime("%m-%d") for d in days],
            "series": [
                _line(_("到岗率"), [_pct(f.attendance_rate) for f in totals], records_url(DATE_SLOT, status="working")),
                _line(
                    _("产能恢复率"),
                    [_pct(f.capacity_rate) for f in totals],
                    records_url(DATE_SLOT, status="working", reported="yes"),
                ),
            ],
        },
        "towns": _bars(towns),
        "industries": _bars(industries),
        "categories": _bars(categories),
        "funnel": funnel,
    }


def _bars(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "labels": [r["label"] for r in rows],
        "rate": [{"value": r["rate"], "url": r["url_resumed"]} for r in rows],
    }


def snapshot_state(days: Days) -> dict[str, Any]:
    """How current the shown snapshot is, and whether a refresh is queued or running (for the banner; looked
    up only when the snapshot is not fresh)."""
    return {
        "snapshot": days.snapshot,
        "fresh": days.fresh,
        "run": None if days.fresh else snapshots.pending_run(),
    }
