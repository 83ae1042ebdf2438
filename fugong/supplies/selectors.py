"""Every read of the supplies ledger, scoped through fugong.core.scoping (path: "enterprise"), and the days of
supply computed from it.

`statuses_for()` answers for any number of enterprises in a fixed number of grouped queries (items, norms,
own norms, profiles, roster headcounts, stock, recent consumption), so a page of fifty and the district's
figure over five hundred cost the same handful of round trips. The arithmetic lives in calculation.py.

For other apps: `days_of_supply(enterprise, on=date)` (the resumption checklist's 物资到位 item) and
`supply_status(enterprise, on=date)` are not scoped — the caller already holds an enterprise it may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from fugong.core import scoping
from fugong.enterprises.models import Enterprise, ResumptionStatus

from . import calculation
from .calculation import Level, Rule
from .models import (
    THOUSANDTH,
    EnterpriseNorm,
    ItemKind,
    MovementKind,
    NormBasis,
    ReportGroup,
    StockBalance,
    StockMovement,
    SupplyItem,
    SupplyNorm,
    SupplyProfile,
    SupplyThreshold,
    as_quantity,
)

# How many days of entered consumption make the average when no norm applies.
CONSUMPTION_WINDOW_DAYS = 7
RESUMED = (ResumptionStatus.RESUMED, ResumptionStatus.PARTIAL)
LEVEL_CSS = {
    Level.OK: "text-bg-success",
    Level.LOW: "text-bg-warning",
    Level.CRITICAL: "text-bg-danger",
    Level.UNKNOWN: "text-bg-secondary",
}


def _valid_on(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


# --- rules in force -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdRule:
    days: int
    critical_days: int
    source: str = ""
    valid_from: dt.date | None = None


FALLBACK_THRESHOLD = ThresholdRule(7, 3)


def threshold_on(day: dt.date | None = None) -> ThresholdRule:
    """The district threshold in force on `day` (7 days in 苏仙); 7/3 if the table is empty."""
    day = day or timezone.localdate()
    row = SupplyThreshold.objects.filter(_valid_on(day)).order_by("-valid_from").first()
    if row is None:
        return FALLBACK_THRESHOLD
    return ThresholdRule(row.days, row.critical_days, row.source, row.valid_from)


def items() -> list[SupplyItem]:
    return list(SupplyItem.objects.filter(active=True).order_by("sort", "id"))


def consumable_items() -> list[SupplyItem]:
    return [i for i in items() if i.kind == ItemKind.CONSUMABLE]


def norms_on(day: dt.date) -> dict[int, SupplyNorm]:
    """item id → the district norm in force on `day` (the latest version starting on or before it)."""
    out: dict[int, SupplyNorm] = {}
    for norm in SupplyNorm.objects.filter(_valid_on(day)).order_by("item_id", "-valid_from"):
        out.setdefault(norm.item_id, norm)
    return out


def _rule(norm: SupplyNorm | EnterpriseNorm | None, own: bool = False) -> Rule | None:
    if norm is None:
        return None
    return Rule(norm.basis, norm.quantity, getattr(norm, "spare", 0), own)


# --- days of supply -----------------------------------------------------------------------------------


@dataclass(slots=True)
class ItemSupply:
    item: SupplyItem
    stock: Decimal
    daily_use: Decimal | None
    days: int | None
    rule: Rule | None
    from_entries: bool  # the daily use is the average of entered consumption
    required: int | None  # stock-check items: how many must be on hand
    level: Level

    @property
    def css(self) -> str:
        return LEVEL_CSS[self.level]

    @property
    def short(self) -> bool:
        return self.required is not None and self.stock < self.required


@dataclass
class EnterpriseSupply:
    enterprise_id: int
    day: dt.date
    headcount: int | None
    headcount_source: str  # roster | reported | registry | ""
    threshold: ThresholdRule
    items: list[ItemSupply] = field(default_factory=list)

    @property
    def consumables(self) -> list[ItemSupply]:
        return [s for s in self.items if s.item.kind == ItemKind.CONSUMABLE]

    @property
    def stock_checks(self) -> list[ItemSupply]:
        return [s for s in self.items if s.item.kind == ItemKind.STOCK_CHECK]

    @property
    def days(self) -> int | None:
        return calculation.enterprise_days(s.days for s in self.consumables)

    @property
    def level(self) -> Level:
        return calculation.level(self.days, self.threshold.days, self.threshold.critical_days)

    @property
    def css(self) -> str:
        return LEVEL_CSS[self.level]

    @property
    def below(self) -> bool:
        return calculation.below_threshold(self.days, self.threshold.days)

    @property
    def short_items(self) -> list[ItemSupply]:
        """The consumables below the threshold and the stock checks not met: what the alert names."""
        out = [s for s in self.consumables if s.days is not None and s.days < self.threshold.days]
        return out + [s for s in self.stock_checks if s.short]

    @property
    def alert(self) -> bool:
        return self.below or any(s.short for s in self.stock_checks)


def _ids(enterprises: Iterable[Any]) -> list[int]:
    return [e if isinstance(e, int) else e.pk for e in enterprises]


class Settings(NamedTuple):
    """An enterprise's supplies settings as the computation needs them (SupplyProfile, or its defaults)."""

    entrances: int = 1
    shift_hours: int = calculation.SHIFT_HOURS
    on_duty_reported: int | None = None


DEFAULT_SETTINGS = Settings()


def settings_of(ids: Any) -> dict[int, Settings]:
    rows = SupplyProfile.objects.filter(enterprise_id__in=ids).values_list(
        "enterprise_id", "entrances", "shift_hours", "on_duty_reported"
    )
    return {eid: Settings(entrances, hours, reported) for eid, entrances, hours, reported in rows}


def headcounts(
    enterprises: Sequence[Any],
    day: dt.date,
    settings: dict[int, Settings] | None = None,
    ids: Any = None,
) -> dict[int, tuple[int | None, str]]:
    """enterprise id → (on-duty headcount, where it came from). The roster in the workforce archive (active
    workers back by `day`) when the enterprise keeps one; else the headcount it reported on its supplies
    settings; else the employees in the registry. `ids`: the enterprises' ids as a list or a subquery."""
    from fugong.workforce.models import Employee

    ids = _ids(enterprises) if ids is None else ids
    roster = dict(
        Employee.objects.filter(enterprise_id__in=ids, active=True)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__lte=day))
        .values("enterprise_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("enterprise_id", "n")
    )
    if settings is None:
        settings = settings_of(ids)
    out: dict[int, tuple[int | None, str]] = {}
    for e in enterprises:
        eid = e.pk
        reported = settings[eid].on_duty_reported if eid in settings else None
        if roster.get(eid):
            out[eid] = (roster[eid], "roster")
        elif reported is not None:
            out[eid] = (reported, "reported")
        elif e.employees:
            out[eid] = (e.employees, "registry")
        else:
            out[eid] = (None, "")
    return out


def ledger_sums(
    enterprise_ids: Any, day: dt.date
) -> tuple[dict[tuple[int, int], Decimal], dict[tuple[int, int], Decimal]]:
    """One grouped query over the movements dated on or before `day`: per (enterprise id, item id) the stock
    (their sum), and the average consumption per day over the days with entries in the last week."""
    window = Q(kind=MovementKind.CONSUMPTION, on_date__gte=day - dt.timedelta(days=CONSUMPTION_WINDOW_DAYS - 1))
    rows = (
        StockMovement.objects.filter(enterprise_id__in=enterprise_ids, on_date__lte=day)
        .values("enterprise_id", "item_id")
        .annotate(
            total=Sum("quantity"),
            used=Sum("quantity", filter=window),
            days=Count("on_date", filter=window, distinct=True),
        )
        .order_by()
        .values_list("enterprise_id", "item_id", "total", "used", "days")
    )
    stock, averages = {}, {}
    for eid, item_id, total, used, days in rows:
        stock[(eid, item_id)] = as_quantity(total)
        if used and days:
            consumed = -as_quantity(used)
            if consumed > 0:
                averages[(eid, item_id)] = (consumed / days).quantize(THOUSANDTH)
    return stock, averages


def statuses_for(
    enterprises: Sequence[Any], day: dt.date | None = None, *, among: QuerySet[Enterprise] | None = None
) -> dict[int, EnterpriseSupply]:
    """Days of supply of each enterprise on `day`, in eight queries whatever their number (none for none).
    `among`: the queryset the enterprises came from, so the queries select by subquery rather than by a list
    of thousands of ids."""
    day = day or timezone.localdate()
    enterprises = list(enterprises)
    if not enterprises:
        return {}
    ids: Any = among.values("id") if among is not None else _ids(enterprises)
    threshold = threshold_on(day)
    catalogue = [(item, item.pk, item.kind == ItemKind.STOCK_CHECK) for item in items()]
    # Rules built once, not per enterprise and item: a district computes this for thousands.
    defaults = {item_id: _rule(norm) for item_id, norm in norms_on(day).items()}
    own: dict[tuple[int, int], Rule] = {}
    rows = (
        EnterpriseNorm.objects.filter(_valid_on(day), enterprise_id__in=ids)
        .order_by("-valid_from")
        .values_list("enterprise_id", "item_id", "basis", "quantity")
    )
    for eid, item_id, basis, quantity in rows:
        own.setdefault((eid, item_id), Rule(basis, quantity, 0, True))
    settings = settings_of(ids)
    heads = headcounts(enterprises, day, settings, ids)
    stock, averages = ledger_sums(ids, day)
    zero = Decimal(0)
    out: dict[int, EnterpriseSupply] = {}
    for e in enterprises:
        eid = e.pk
        headcount, source = heads[eid]
        own_settings = settings.get(eid, DEFAULT_SETTINGS)
        status = EnterpriseSupply(eid, day, headcount, source, threshold)
        append = status.items.append
        for item, item_id, stock_check in catalogue:
            key = (eid, item_id)
            rule = own.get(key) or defaults.get(item_id)
            on_hand = stock.get(key, zero)
            if stock_check:
                required = calculation.required_on_hand(rule, own_settings.entrances)
                ok = required is None or on_hand >= required
                append(ItemSupply(item, on_hand, None, None, rule, False, required, Level.OK if ok else Level.LOW))
                continue
            norm_use = calculation.daily_use(rule, headcount, own_settings.shift_hours)
            average = averages.get(key)
            from_entries = norm_use is None and average is not None
            use = average if from_entries else norm_use
            days = calculation.days_of_supply(on_hand, use)
            append(
                ItemSupply(
                    item,
                    on_hand,
                    use,
                    days,
                    rule,
                    from_entries,
                    None,
                    calculation.level(days, threshold.days, threshold.critical_days),
                )
            )
        out[eid] = status
    return out


def supply_status(enterprise: Enterprise, on: dt.date | None = None) -> EnterpriseSupply:
    return statuses_for([enterprise], on)[enterprise.pk]


def days_of_supply(enterprise: Enterprise, on: dt.date | None = None) -> int | None:
    """The enterprise's days of supply on `on` (default today): the minimum over its consumable items; None
    when no item has a daily use. For the resumption checklist's 物资到位 item (compare with threshold_on())."""
    return supply_status(enterprise, on).days


# --- scoped reads for the pages --------------------------------------------------------------------------


def enterprises_for_user(user: Any) -> QuerySet[Enterprise]:
    return (
        scoping.enterprises_for(user)
        .select_related("town")
        .only(
            "id", "name", "uscc", "town_id", "town__name", "town__sort", "employees", "status", "resumed_on", "category"
        )
    )


def resumed_by(day: dt.date) -> Q:
    """Resumed (or partly resumed) on or before `day`: the enterprise figures' own rule (enterprises/figures.py)."""
    return Q(status__in=RESUMED, resumed_on__lte=day)


@dataclass
class Row:
    enterprise: Enterprise
    supply: EnterpriseSupply


def supply_rows(
    user: Any, day: dt.date, *, town: str = "", q: str = "", only_resumed: bool = False, only_alerts: bool = False
) -> list[Row]:
    """Enterprises in scope with their days of supply, shortest first. Filtering by "alert" needs the figure of
    every enterprise, so the whole scope is computed (a district holds hundreds, not millions)."""
    qs = enterprises_for_user(user)
    if town:
        qs = qs.filter(town_id=town)
    if q:
        qs = qs.filter(name__icontains=q)
    if only_resumed:
        qs = qs.filter(resumed_by(day))
    enterprises = list(qs.order_by("town__sort", "town_id", "name", "id"))
    statuses = statuses_for(enterprises, day, among=qs)
    rows = [Row(e, statuses[e.pk]) for e in enterprises]
    if only_alerts:
        rows = [r for r in rows if r.supply.alert]
    big = 10**9
    rows.sort(key=lambda r: (r.supply.days if r.supply.days is not None else -1) if r.supply.alert else big)
    return rows


def resumed_rows(user: Any, day: dt.date) -> list[Row]:
    """Every enterprise in scope resumed by `day`, with its days of supply that day."""
    qs = enterprises_for_user(user).filter(resumed_by(day))
    enterprises = list(qs)
    statuses = statuses_for(enterprises, day, among=qs)
    return [Row(e, statuses[e.pk]) for e in enterprises]


class _Counted(NamedTuple):
    """What statuses_for reads of an enterprise, without building the model (the figure counts thousands)."""

    pk: int
    employees: int | None


def count_resumed_below(user: Any, day: dt.date) -> int:
    """The figure `resumed_below_supply_threshold`: resumed enterprises in scope short of the threshold."""
    qs = scoping.enterprises_for(user).filter(resumed_by(day))
    enterprises = [_Counted(pk, employees) for pk, employees in qs.values_list("id", "employees")]
    return sum(1 for s in statuses_for(enterprises, day, among=qs).values() if s.below)


def resumed_below_threshold(user: Any, day: dt.date, rows: list[Row] | None = None) -> list[Row]:
    """Resumed enterprises in scope with fewer days of supply than the threshold on `day` (or none known)."""
    return [r for r in (resumed_rows(user, day) if rows is None else rows) if r.supply.below]


@dataclass
class TownShortfall:
    code: str
    name: str
    sort: int
    resumed: int = 0
    below: int = 0
    critical: int = 0
    unknown: int = 0
    thermometers_short: int = 0

    @property
    def share(self) -> float:
        return self.below / self.resumed if self.resumed else 0.0


def shortfalls_by_town(
    user: Any, day: dt.date, rows: list[Row] | None = None
) -> tuple[list[TownShortfall], TownShortfall]:
    """Per town in scope, the resumed enterprises and how many fall short on `day`; most shortfalls first."""
    towns: dict[str, TownShortfall] = {}
    for row in resumed_rows(user, day) if rows is None else rows:
        e, s = row.enterprise, row.supply
        town = towns.setdefault(e.town_id, TownShortfall(e.town_id, e.town.name, e.town.sort))
        town.resumed += 1
        town.below += s.below
        town.critical += s.level == Level.CRITICAL
        town.unknown += s.level == Level.UNKNOWN
        town.thermometers_short += any(i.short for i in s.stock_checks)
    ranked = sorted(towns.values(), key=lambda t: (-t.below, -t.critical, t.sort, t.code))
    total = TownShortfall("total", "", 0)
    for t in ranked:
        for name in ("resumed", "below", "critical", "unknown", "thermometers_short"):
            setattr(total, name, getattr(total, name) + getattr(t, name))
    return ranked, total


def delivered_totals(user: Any, day: dt.date) -> dict[str, Decimal]:
    """Report group → quantity the district delivered (confirmed receipts) to enterprises in scope by `day`."""
    rows = (
        scoping.scope_filter(user, StockMovement.objects.all(), "enterprise")
        .filter(kind=MovementKind.DELIVERY, on_date__lte=day)
        .values("item__report_group")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    out = {g: Decimal(0) for g in ReportGroup.values}
    for r in rows:
        out[r["item__report_group"]] += as_quantity(r["total"])
    return out


# --- one enterprise's ledger --------------------------------------------------------------------------


def get_enterprise_for_user(user: Any, pk: Any) -> Enterprise:
    return scoping.get_in_scope(scoping.enterprises_for(user).select_related("town"), pk=pk)


def movements_for_user(user: Any) -> QuerySet[StockMovement]:
    return scoping.scope_filter(user, StockMovement.objects.all(), "enterprise")


def movements_of(user: Any, enterprise_id: int, item: str = "", kind: str = "") -> QuerySet[StockMovement]:
    qs = movements_for_user(user).filter(enterprise_id=enterprise_id).select_related("item", "created_by")
    if item.isdigit():
        qs = qs.filter(item_id=int(item))
    if kind in MovementKind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("-on_date", "-id")


def balances_of(enterprise_id: int) -> dict[int, Decimal]:
    return dict(StockBalance.objects.filter(enterprise_id=enterprise_id).values_list("item_id", "quantity"))


def consumption_on(enterprise_id: int, day: dt.date) -> dict[int, Decimal]:
    """item id → consumption entered for `day` (positive), net of corrections."""
    rows = (
        StockMovement.objects.filter(enterprise_id=enterprise_id, kind=MovementKind.CONSUMPTION, on_date=day)
        .values("item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {r["item_id"]: -as_quantity(r["total"]) for r in rows}


def own_norms(enterprise_id: int, day: dt.date) -> dict[int, EnterpriseNorm]:
    out: dict[int, EnterpriseNorm] = {}
    for norm in EnterpriseNorm.objects.filter(_valid_on(day), enterprise_id=enterprise_id).order_by("-valid_from"):
        out.setdefault(norm.item_id, norm)
    return out


def profile_of(enterprise: Enterprise) -> SupplyProfile:
    """The enterprise's supplies settings, or the defaults (unsaved) when it has none yet."""
    return SupplyProfile.objects.filter(enterprise=enterprise).first() or SupplyProfile(enterprise=enterprise)


# --- rules pages ----------------------------------------------------------------------------------------


def norm_history() -> list[SupplyNorm]:
    return list(
        SupplyNorm.objects.select_related("item", "created_by").order_by("item__sort", "item_id", "-valid_from")
    )


def threshold_history() -> list[SupplyThreshold]:
    return list(SupplyThreshold.objects.select_related("created_by").order_by("-valid_from"))


NORM_BASES_FOR_ENTERPRISE = (NormBasis.PER_PERSON_SHIFT, NormBasis.PER_PERSON_DAY, NormBasis.FIXED_DAILY)
