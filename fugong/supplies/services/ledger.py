"""The stock ledger: movements only. Stock is their sum and is never typed over.

Concurrency: every posting locks the (enterprise, item) balance rows it touches with SELECT … FOR UPDATE, in
a fixed order (enterprise id, item id) so two batches cannot deadlock, and checks the stock under that lock.
Two consumptions posted at once on PostgreSQL therefore run one after the other and both count; on SQLite the
IMMEDIATE transaction serialises writers the same way.

Negative stock: a posting that takes stock out may not leave it below zero — except a count adjustment
(盘点调整) with its reason, the one explicit way to record that the books were wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from fugong.core import audit
from fugong.enterprises.models import Enterprise

from .. import wording
from ..models import ItemKind, MovementKind, StockBalance, StockMovement, SupplyItem, as_quantity
from .common import SupplyValidationError, check_past_date, fmt_qty, parse_quantity

# What a person may record on the ledger page; deliveries come only from a confirmed receipt.
RECORDABLE_KINDS = (MovementKind.OPENING, MovementKind.PURCHASE, MovementKind.CONSUMPTION, MovementKind.ADJUSTMENT)
OUTGOING_SIGN = {MovementKind.CONSUMPTION: -1}


@dataclass(frozen=True)
class Posting:
    item: SupplyItem
    kind: str
    quantity: Decimal  # signed, as stored: in > 0, out < 0
    on_date: dt.date
    reason: str = ""
    key: str = ""  # what an error is reported against: a form field, an import row
    delivery_line_id: int | None = None


def _lock_balances(enterprise: Enterprise, item_ids: Sequence[int]) -> dict[int, StockBalance]:
    """The balance rows of these items, locked in item order; rows missing yet are created first."""
    wanted = sorted(set(item_ids))

    def locked() -> dict[int, StockBalance]:
        rows = StockBalance.objects.select_for_update().filter(enterprise=enterprise, item_id__in=wanted)
        return {b.item_id: b for b in rows.order_by("item_id")}

    balances = locked()
    if len(balances) < len(wanted):
        for item_id in wanted:
            if item_id not in balances:
                # get_or_create re-reads when a concurrent transaction created the row first.
                StockBalance.objects.get_or_create(enterprise=enterprise, item_id=item_id)
        balances = locked()
    return balances


@transaction.atomic
def do_post_movements(
    actor: Any, enterprise: Enterprise, postings: Sequence[Posting], *, source: str = "page"
) -> list[StockMovement]:
    """Post the movements of one enterprise together: all or nothing. Raises SupplyValidationError (keyed by
    each posting's `key`) when one would take stock below zero without being an adjustment."""
    if not postings:
        return []
    balances = _lock_balances(enterprise, [p.item.pk for p in postings])
    running = {item_id: b.quantity for item_id, b in balances.items()}
    before = dict(running)
    errors: dict[str, str] = {}
    # Incoming first: a batch that corrects one day down and another up is judged on what it leaves.
    ordered = sorted(enumerate(postings), key=lambda ip: (ip[1].quantity < 0, ip[0]))
    for _index, p in ordered:
        stock = running[p.item.pk]
        after = stock + p.quantity
        if p.quantity < 0 and after < 0 and p.kind != MovementKind.ADJUSTMENT:
            errors.setdefault(
                p.key or "quantity",
                _(
                    "库存不足：%(item)s当前库存%(stock)s%(unit)s，本次出库%(qty)s%(unit)s。"
                    "如实物与账面不符，请先做盘点调整并说明原因"
                )
                % {"item": p.item.name, "stock": fmt_qty(stock), "qty": fmt_qty(-p.quantity), "unit": p.item.unit},
            )
            continue
        running[p.item.pk] = after
    if errors:
        raise SupplyValidationError(errors)
    created_by = actor if getattr(actor, "pk", None) else None
    movements = StockMovement.objects.bulk_create(
        [
            StockMovement(
                enterprise=enterprise,
                item=p.item,
                kind=p.kind,
                quantity=p.quantity,
                on_date=p.on_date,
                reason=p.reason[:200],
                delivery_line_id=p.delivery_line_id,
                source=source,
                created_by=created_by,
            )
            for p in postings
        ]
    )
    for item_id, balance in balances.items():
        if running[item_id] != balance.quantity:
            balance.quantity = running[item_id]
            balance.save(update_fields=["quantity", "updated_at"])
    for m in movements:
        audit.record(
            actor,
            f"supplies.{m.kind}",
            enterprise,
            object_type="supplies.stockmovement",
            object_id=str(m.pk or ""),
            object_repr=f"{enterprise.name} {m.item.name}",
            changes={
                "item": [None, m.item.name],
                "quantity": [None, fmt_qty(m.quantity)],
                "on_date": [None, m.on_date.isoformat()],
                "stock": [fmt_qty(before[m.item_id]), fmt_qty(running[m.item_id])],
            },
            note=m.reason,
        )
    return movements


def _item(value: Any, field: str = "item") -> SupplyItem:
    if isinstance(value, SupplyItem):
        return value
    item = SupplyItem.objects.filter(pk=value, active=True).first() if str(value or "").isdigit() else None
    if item is None:
        raise SupplyValidationError({field: _("请选择物资")})
    return item


def check_record_movement(
    actor: Any, enterprise: Enterprise, data: Mapping[str, Any], *, source: str = "page"
) -> StockMovement:
    """A movement typed on the ledger page or sent to the API: opening balance, purchase, consumption or a
    count adjustment (signed, with its reason)."""
    kind = data.get("kind")
    errors: dict[str, str] = {}
    if kind not in RECORDABLE_KINDS:
        errors["kind"] = _("请选择类型（区级配送由签收自动入库）")
    try:
        item = _item(data.get("item"))
    except SupplyValidationError as exc:
        errors.update(exc.errors)
        item = None
    try:
        on_date = check_past_date(data.get("on_date"))
    except SupplyValidationError as exc:
        errors.update(exc.errors)
        on_date = None
    reason = str(data.get("reason") or "").strip()
    quantity = None
    if item is not None and kind in RECORDABLE_KINDS:
        try:
            quantity = parse_quantity(
                item,
                data.get("quantity"),
                allow_negative=kind == MovementKind.ADJUSTMENT,
                allow_zero=kind == MovementKind.OPENING,
            )
        except ValueError as exc:
            errors["quantity"] = str(exc)
        if kind == MovementKind.ADJUSTMENT and quantity == 0:
            errors["quantity"] = _("调整数量不能为0：盘盈填正数，盘亏填负数")
    if kind == MovementKind.ADJUSTMENT and len(reason) < 2:
        errors["reason"] = _("盘点调整须说明原因")
    if len(reason) > 200:
        errors["reason"] = _("说明最多200个字符")
    if item is not None and kind == MovementKind.OPENING:
        if StockMovement.objects.filter(enterprise=enterprise, item=item).exists():
            errors["kind"] = _("%(item)s已有出入库记录：期初库存只能在首次登记时录入，账实不符请做盘点调整") % {
                "item": item.name
            }
    if errors:
        raise SupplyValidationError(errors)
    assert item is not None and quantity is not None and on_date is not None
    signed = -quantity if kind == MovementKind.CONSUMPTION else quantity
    posting = Posting(item, str(kind), signed, on_date, reason, key="quantity")
    return do_post_movements(actor, enterprise, [posting], source=source)[0]


# --- daily consumption: declared per day, posted as the difference ---------------------------------------


@dataclass
class DeclareResult:
    created: int = 0  # first entry of that item on that day
    corrected: int = 0  # a different figure than entered before: the difference is posted
    unchanged: int = 0


def _day_totals(enterprise: Enterprise, days: Sequence[dt.date]) -> dict[tuple[dt.date, int], Decimal]:
    rows = (
        StockMovement.objects.filter(enterprise=enterprise, kind=MovementKind.CONSUMPTION, on_date__in=list(days))
        .values("on_date", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {(r["on_date"], r["item_id"]): -as_quantity(r["total"]) for r in rows}


@transaction.atomic
def do_declare_consumption(
    actor: Any,
    enterprise: Enterprise,
    entries: Sequence[tuple[dt.date, SupplyItem, Decimal, str]],
    *,
    source: str = "grid",
) -> DeclareResult:
    """Each entry says "on this day we used this much of this item" (key names the field or row). The ledger
    gets the difference to what was entered for that day before — nothing when it is the same, so entering
    a day twice or importing a file again counts nothing twice. Validated entries only (see check_…)."""
    result = DeclareResult()
    _lock_balances(enterprise, [item.pk for _d, item, _q, _k in entries])  # read the day's totals under the lock
    totals = _day_totals(enterprise, sorted({d for d, _i, _q, _k in entries}))
    postings = []
    for day, item, declared, key in entries:
        before = totals.get((day, item.pk), Decimal(0))
        delta = declared - before
        if delta == 0:
            result.unchanged += 1
            continue
        reason = ""
        if before:
            reason = wording.CORRECTION % {  # generated: stored in Chinese
                "day": day.isoformat(),
                "old": fmt_qty(before),
                "new": fmt_qty(declared),
            }
            result.corrected += 1
        else:
            result.created += 1
        postings.append(Posting(item, MovementKind.CONSUMPTION, -delta, day, reason, key=key))
    do_post_movements(actor, enterprise, postings, source=source)
    return result


def check_declare_consumption(
    actor: Any, enterprise: Enterprise, day: Any, quantities: Mapping[str, Any], *, source: str = "grid"
) -> DeclareResult:
    """The grid: one day, a figure per consumable item (field `q_<item id>`; blank leaves the item alone)."""
    errors: dict[str, str] = {}
    day = check_past_date(day, field="day")
    consumables = {str(i.pk): i for i in SupplyItem.objects.filter(active=True, kind=ItemKind.CONSUMABLE)}
    entries = []
    for field, raw in quantities.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        item = consumables.get(field.removeprefix("q_"))
        if item is None:
            errors[field] = _("不是可录入消耗的物资")
            continue
        try:
            entries.append((day, item, parse_quantity(item, raw), field))
        except ValueError as exc:
            errors[field] = str(exc)
    if errors:
        raise SupplyValidationError(errors)
    if not entries:
        raise SupplyValidationError({"__all__": _("请至少填写一项消耗数量")})
    return do_declare_consumption(actor, enterprise, entries, source=source)


# --- balances as a cache of the movements -----------------------------------------------------------------


def rebuild_balances(enterprise_ids: Sequence[int] | None = None) -> int:
    """Recompute StockBalance from the movements (after a bulk load, or to repair). Returns rows written."""
    qs = StockMovement.objects.all()
    if enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=list(enterprise_ids))
    sums = {
        (r["enterprise_id"], r["item_id"]): as_quantity(r["total"])
        for r in qs.values("enterprise_id", "item_id").annotate(total=Sum("quantity")).order_by()
    }
    existing = StockBalance.objects.all()
    if enterprise_ids is not None:
        existing = existing.filter(enterprise_id__in=list(enterprise_ids))
    have = {(b.enterprise_id, b.item_id): b for b in existing}
    changed, new = [], []
    for key, total in sums.items():
        row = have.get(key)
        if row is None:
            new.append(StockBalance(enterprise_id=key[0], item_id=key[1], quantity=total))
        elif row.quantity != total:
            row.quantity = total
            changed.append(row)
    for key, row in have.items():
        if key not in sums and row.quantity != 0:
            row.quantity = Decimal(0)
            changed.append(row)
    StockBalance.objects.bulk_create(new, batch_size=500)
    StockBalance.objects.bulk_update(changed, ["quantity"], batch_size=500)
    return len(new) + len(changed)
