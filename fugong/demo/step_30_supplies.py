"""Demo step: prevention supplies (issue #7), as of 2020-03-02.

The article's figures, counted back from records:
- District procurement delivered exactly 117,551 masks, 133 thermometers, 1,000 kg of alcohol and 800 kg of
  hand sanitizer (500 kg) and disinfectant (300 kg): demand requests → four orders to three suppliers →
  doorstep deliveries signed for → DELIVERY movements linked to each delivery line.
- Every enterprise resumed by 2020-03-02 (~445) has at least 7 days of every consumable on that day: its
  opening balance (2020-02-01) is set so that, after the deliveries and the consumption it entered for
  2020-02-29 and 2020-03-01, the stock covers 7–20 days of its daily use — computed with the platform's own
  norms and headcounts (selectors/calculation), so the figure `resumed_below_supply_threshold` is 0.
- Thermometers: at least one per entrance plus a spare on hand.
- For the walk-through: 凤楚食品 has an open request (not yet ordered) and 高斯贝尔 a delivery waiting to be
  signed for, placed on 2020-03-02 — neither changes the figures of that day.

Idempotent: if the demo's ledger is there (movements with source "demo"), nothing is written. Bulk writes
only; the balances are rebuilt from the movements at the end.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.enterprises.models import Enterprise
from fugong.supplies import calculation, defaults, selectors
from fugong.supplies.models import (
    Delivery,
    DeliveryLine,
    DeliveryStatus,
    DemandLine,
    DemandRequest,
    EnterpriseNorm,
    MovementKind,
    NormBasis,
    OrderLine,
    OrderStatus,
    ProcurementOrder,
    RequestStatus,
    StockMovement,
    Supplier,
    SupplyItem,
    SupplyNorm,
    SupplyProfile,
)
from fugong.supplies.services import rebuild_balances

from .enterprises import AS_OF, FENGCHU, GOSPELL
from .people import People

SEED = "2020/supplies"
SOURCE = "demo"
OPENING_DAY = dt.date(2020, 2, 1)
CONSUMPTION_DAYS = (dt.date(2020, 2, 29), dt.date(2020, 3, 1))
MIN_DAYS, MAX_EXTRA_DAYS = 7, 13  # stock on 2020-03-02 covers 7 + 0..13 days
# The article's deliveries: masks and thermometers in pieces, the rest in grams (kg to the gram).
DELIVERED = {
    "mask": 117_551,
    "thermometer": 133,
    "alcohol": 1_000_000,
    "hand_sanitizer": 500_000,
    "disinfectant": 300_000,
}
GRAMS = frozenset({"alcohol", "hand_sanitizer", "disinfectant"})
SUPPLIERS = (
    ("郴州市禾润医疗器械有限公司", "口罩、体温枪"),
    ("湖南卓越防护用品有限公司", "口罩、洗手液"),
    ("郴州市宏盛消毒制品有限公司", "酒精、消毒液"),
)
# (supplier index, order day, items it supplies); recipients are spread over the orders.
ORDERS = (
    (0, dt.date(2020, 2, 10), ("mask", "thermometer")),
    (1, dt.date(2020, 2, 17), ("mask", "hand_sanitizer")),
    (2, dt.date(2020, 2, 18), ("alcohol", "disinfectant")),
    (0, dt.date(2020, 2, 24), ("mask", "thermometer")),
)
DELIVERY_LAG = dt.timedelta(days=2)
PENDING_ORDER_DAY = AS_OF
RECIPIENTS = 220
THERMOMETER_RECIPIENTS = 60

RESET_MODELS = (
    "supplies.StockMovement",
    "supplies.StockBalance",
    "supplies.Delivery",
    "supplies.DemandRequest",
    "supplies.ProcurementOrder",
    "supplies.Supplier",
    "supplies.SupplyProfile",
    "supplies.EnterpriseNorm",
)


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, in whole units, summing exactly (largest remainder)."""
    s = sum(weights)
    base = [total * w // s for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % s), i))
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


def _ceil(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_CEILING)


def _qty(code: str, units: int) -> Decimal:
    return Decimal(units) / 1000 if code in GRAMS else Decimal(units)


def write(writer: Any) -> Counter[str]:
    created: Counter[str] = Counter()
    defaults.load()  # the catalogue and norms of migration 0002 (a flushed test database lacks them)
    if StockMovement.objects.filter(source=SOURCE).exists():
        return created
    rng = random.Random(SEED)
    people = People(random.Random(SEED + "/people"))
    items = {i.code: i for i in SupplyItem.objects.all()}
    ids = set(writer.enterprise_ids.values())
    resumed = list(
        Enterprise.objects.filter(selectors.resumed_by(AS_OF), pk__in=ids).only("id", "name", "employees", "category")
    )
    resumed.sort(key=lambda e: e.pk)
    heads = selectors.headcounts(resumed, AS_OF)
    by_name = {e.name: e for e in resumed}

    # --- each resumed enterprise's settings: entrances, hours, its disinfectant use -------------------
    profiles, own_norms = [], []
    for e in resumed:
        n = heads[e.pk][0] or 1
        entrances = 1 if n < 50 else 2 if n < 300 else 3
        shift_hours = 12 if e.category == "above_scale_industrial" and rng.random() < 0.25 else 8
        profiles.append(SupplyProfile(enterprise=e, entrances=entrances, shift_hours=shift_hours))
        # 消毒液: the area disinfected × twice a day, roughly 4 g per person per day, at least 0.2 kg.
        daily = max(Decimal("0.2"), (Decimal(n) * Decimal("0.004")).quantize(Decimal("0.001")))
        own_norms.append(
            EnterpriseNorm(
                enterprise=e,
                item=items["disinfectant"],
                basis=NormBasis.FIXED_DAILY,
                quantity=daily,
                valid_from=OPENING_DAY,
                reason="按消杀面积×每日2次填报",
            )
        )
    SupplyProfile.objects.bulk_create(profiles, batch_size=500)
    EnterpriseNorm.objects.bulk_create(own_norms, batch_size=500)
    created["supplies.SupplyProfile"] += len(profiles)
    created["supplies.EnterpriseNorm"] += len(own_norms)

    # --- procurement: who receives what --------------------------------------------------------------
    must = [by_name[name] for name in (GOSPELL, FENGCHU) if name in by_name]
    others = [e for e in resumed if e not in must]
    rng.shuffle(others)
    recipients = must + sorted(others[: RECIPIENTS - len(must)], key=lambda e: e.pk)
    weight = {e.pk: heads[e.pk][0] or 1 for e in recipients}
    shares: dict[str, dict[int, int]] = {}
    for code in ("mask", "alcohol", "hand_sanitizer", "disinfectant"):
        parts = allocate(DELIVERED[code], [weight[e.pk] for e in recipients])
        shares[code] = {e.pk: q for e, q in zip(recipients, parts, strict=True)}
    biggest = sorted(recipients, key=lambda e: (-weight[e.pk], e.pk))[:THERMOMETER_RECIPIENTS]
    profile_of = {p.enterprise_id: p for p in profiles}
    parts = allocate(DELIVERED["thermometer"], [profile_of[e.pk].entrances + 1 for e in biggest])
    shares["thermometer"] = {e.pk: q for e, q in zip(biggest, parts, strict=True)}

    district_user = writer.users.get("demo-district")
    suppliers = []
    for name, note in SUPPLIERS:
        supplier, made = Supplier.objects.get_or_create(
            name=name, defaults={"contact_name": people.name(), "contact_phone": people.phone(), "note": note}
        )
        suppliers.append(supplier)
        created["supplies.Supplier"] += made

    # Recipients take turns over the orders; an order carries only the items its supplier sells.
    plan: list[tuple[ProcurementOrder, dict[int, dict[str, int]]]] = []
    for index, (supplier_index, day, _codes) in enumerate(ORDERS):
        order = ProcurementOrder(
            supplier=suppliers[supplier_index],
            status=OrderStatus.COMPLETED,
            placed_on=day,
            number=f"CG{day:%Y%m%d}-D{index + 1:03d}",
            note="区复工办牵线搭桥，统一采购、送货上门",
            created_by=district_user,
        )
        plan.append((order, {}))
    for code, share in shares.items():
        carriers = [i for i, (_s, _d, codes) in enumerate(ORDERS) if code in codes]
        for n, (enterprise_id, quantity) in enumerate(sorted(share.items())):
            if quantity:
                plan[carriers[n % len(carriers)]][1].setdefault(enterprise_id, {})[code] = quantity
    ProcurementOrder.objects.bulk_create([order for order, _lines in plan])
    created["supplies.ProcurementOrder"] += len(plan)

    requests, deliveries = [], []
    for order, per_enterprise in plan:
        for enterprise_id in sorted(per_enterprise):
            requests.append(
                DemandRequest(
                    enterprise_id=enterprise_id,
                    status=RequestStatus.DELIVERED,
                    needed_by=order.placed_on + dt.timedelta(days=3),
                    order=order,
                )
            )
            deliveries.append(
                Delivery(
                    order=order,
                    enterprise_id=enterprise_id,
                    status=DeliveryStatus.DELIVERED,
                    delivered_on=order.placed_on + DELIVERY_LAG,
                    confirmed_at=timezone.make_aware(dt.datetime.combine(order.placed_on + DELIVERY_LAG, dt.time(10))),
                )
            )
    DemandRequest.objects.bulk_create(requests, batch_size=500)
    Delivery.objects.bulk_create(deliveries, batch_size=500)
    demand_lines, order_lines, delivery_lines = [], [], []
    request_of = {(r.order_id, r.enterprise_id): r for r in requests}
    delivery_of = {(d.order_id, d.enterprise_id): d for d in deliveries}
    for order, per_enterprise in plan:
        totals: Counter[str] = Counter()
        for enterprise_id, lines in sorted(per_enterprise.items()):
            for code, units in sorted(lines.items()):
                amount = _qty(code, units)
                totals[code] += units
                demand_lines.append(
                    DemandLine(request=request_of[(order.pk, enterprise_id)], item=items[code], quantity=amount)
                )
                delivery_lines.append(
                    DeliveryLine(
                        delivery=delivery_of[(order.pk, enterprise_id)],
                        item=items[code],
                        quantity=amount,
                        received=amount,
                    )
                )
        order_lines += [OrderLine(order=order, item=items[c], quantity=_qty(c, u)) for c, u in sorted(totals.items())]
    DemandLine.objects.bulk_create(demand_lines, batch_size=500)
    OrderLine.objects.bulk_create(order_lines, batch_size=500)
    DeliveryLine.objects.bulk_create(delivery_lines, batch_size=500)
    created["supplies.DemandRequest"] += len(requests)
    created["supplies.Delivery"] += len(deliveries)

    # --- the ledger: deliveries, consumption entered, and the opening balance that makes ≥ 7 days ---------
    movements: list[StockMovement] = []
    delivered: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    order_number = {order.pk: order.number for order, _lines in plan}
    delivery_by_pk = {d.pk: d for d in deliveries}
    for line in delivery_lines:
        d = delivery_by_pk[line.delivery_id]
        delivered[(d.enterprise_id, line.item.code)] += line.quantity
        movements.append(
            StockMovement(
                enterprise_id=d.enterprise_id,
                item=line.item,
                kind=MovementKind.DELIVERY,
                quantity=line.quantity,
                on_date=d.delivered_on or AS_OF,
                reason=f"区级配送 {order_number[d.order_id]}",
                delivery_line=line,
                source=SOURCE,
            )
        )
    norms = selectors.norms_on(AS_OF)
    own = {n.enterprise_id: n for n in own_norms}
    for e in resumed:
        headcount = heads[e.pk][0]
        profile = profile_of[e.pk]
        extra = rng.randint(0, MAX_EXTRA_DAYS)
        for code in ("mask", "alcohol", "hand_sanitizer", "disinfectant"):
            item = items[code]
            norm: EnterpriseNorm | SupplyNorm = own[e.pk] if code == "disinfectant" else norms[item.pk]
            rule = calculation.Rule(norm.basis, norm.quantity)
            use = calculation.daily_use(rule, headcount, profile.shift_hours)
            assert use is not None, e.name
            used = _ceil(use, item.decimals)
            for day in CONSUMPTION_DAYS:
                movements.append(
                    StockMovement(
                        enterprise=e,
                        item=item,
                        kind=MovementKind.CONSUMPTION,
                        quantity=-used,
                        on_date=day,
                        source=SOURCE,
                    )
                )
            target = _ceil(use * (MIN_DAYS + extra), item.decimals)
            opening = max(Decimal(0), target + used * len(CONSUMPTION_DAYS) - delivered[(e.pk, code)])
            movements.append(_opening(e, item, opening))
        required = profile.entrances + 1
        movements.append(_opening(e, items["thermometer"], required - int(delivered[(e.pk, "thermometer")])))
    if FENGCHU in by_name:  # 凤楚's food line works in gloves (the article): no norm, so days from entries
        movements += _gloves(by_name[FENGCHU], items["gloves"], heads[by_name[FENGCHU].pk][0] or 1)
    StockMovement.objects.bulk_create(movements, batch_size=1000)
    created["supplies.StockMovement"] += len(movements)
    created["supplies.StockBalance"] += rebuild_balances([e.pk for e in resumed])

    created.update(_walkthrough(by_name, items, suppliers[0], district_user, writer))
    return created


def _opening(enterprise: Enterprise, item: SupplyItem, quantity: Decimal | int) -> StockMovement:
    """The count before resumption; never below zero (deliveries may already cover the target)."""
    return StockMovement(
        enterprise=enterprise,
        item=item,
        kind=MovementKind.OPENING,
        quantity=max(Decimal(quantity), Decimal(0)),
        on_date=OPENING_DAY,
        reason="复工前盘点",
        source=SOURCE,
    )


def _gloves(enterprise: Enterprise, gloves: SupplyItem, headcount: int) -> list[StockMovement]:
    used = Decimal(headcount * 2)
    out = [_opening(enterprise, gloves, used * 15)]
    out += [
        StockMovement(
            enterprise=enterprise, item=gloves, kind=MovementKind.CONSUMPTION, quantity=-used, on_date=d, source=SOURCE
        )
        for d in CONSUMPTION_DAYS
    ]
    return out


def _walkthrough(
    by_name: dict[str, Enterprise], items: dict[str, SupplyItem], supplier: Supplier, district_user: Any, writer: Any
) -> Counter[str]:
    """An open request of 凤楚 and a delivery to 高斯贝尔 awaiting signature, both of 2020-03-02."""
    created: Counter[str] = Counter()
    fengchu, gospell = by_name.get(FENGCHU), by_name.get(GOSPELL)
    if fengchu is not None:
        request = DemandRequest.objects.create(
            enterprise=fengchu,
            needed_by=AS_OF + dt.timedelta(days=5),
            note="订单排到4月中旬，增加口罩储备",
            created_by=writer.users.get("demo-enterprise2"),
        )
        DemandLine.objects.bulk_create(
            [
                DemandLine(request=request, item=items["mask"], quantity=Decimal(3000)),
                DemandLine(request=request, item=items["gloves"], quantity=Decimal(2000)),
            ]
        )
        created["supplies.DemandRequest"] += 1
    if gospell is not None:
        order = ProcurementOrder.objects.create(
            supplier=supplier,
            placed_on=PENDING_ORDER_DAY,
            number=f"CG{PENDING_ORDER_DAY:%Y%m%d}-D900",
            note="第二批员工入企后补充",
            created_by=district_user,
        )
        request = DemandRequest.objects.create(
            enterprise=gospell,
            status=RequestStatus.ORDERED,
            order=order,
            created_by=writer.users.get("demo-enterprise"),
        )
        DemandLine.objects.create(request=request, item=items["mask"], quantity=Decimal(5000))
        OrderLine.objects.create(order=order, item=items["mask"], quantity=Decimal(5000))
        delivery = Delivery.objects.create(order=order, enterprise=gospell)
        DeliveryLine.objects.create(delivery=delivery, item=items["mask"], quantity=Decimal(5000))
        created["supplies.ProcurementOrder"] += 1
        created["supplies.DemandRequest"] += 1
        created["supplies.Delivery"] += 1
    return created


def report_lines() -> list[str]:
    from fugong.core import figures, scoping

    keys = (
        "masks_delivered",
        "thermometers_delivered",
        "alcohol_delivered_kg",
        "sanitizer_delivered_kg",
        "resumed_below_supply_threshold",
    )
    f = figures.compute(scoping.DISTRICT_WIDE, AS_OF, keys=keys)
    if not f:
        return []
    return [
        _(
            "截至 %(day)s：区级牵线搭桥送货上门口罩 %(masks)s 只、体温枪 %(thermo)s 支、酒精 %(alcohol)s kg、"
            "洗手液和消毒液 %(sanitizer)s kg；物资不足 %(days)d 天的复工企业 %(below)d 家"
        )
        % {
            "day": AS_OF.isoformat(),
            "masks": f"{f['masks_delivered']:,}",
            "thermo": f"{f['thermometers_delivered']:,}",
            "alcohol": f"{f['alcohol_delivered_kg']:,}",
            "sanitizer": f"{f['sanitizer_delivered_kg']:,}",
            "days": selectors.threshold_on(AS_OF).days,
            "below": f["resumed_below_supply_threshold"],
        }
    ]


__all__ = ["RESET_MODELS", "allocate", "report_lines", "write"]
