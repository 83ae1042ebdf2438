"""Test helpers for the supplies app: the catalogue, postings, rosters."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal
from typing import Any

from fugong.core.identifiers import id_check_char
from fugong.supplies import defaults, services
from fugong.supplies.models import EnterpriseNorm, StockMovement, SupplyItem

DAY = dt.date(2020, 3, 2)


def catalogue() -> dict[str, SupplyItem]:
    """The default catalogue (migration 0002), reloaded if a transactional test's flush emptied it."""
    defaults.load()
    return {i.code: i for i in SupplyItem.objects.all()}


def post(actor: Any, enterprise: Any, item: SupplyItem, kind: str, quantity: Any, day: dt.date = DAY, reason: str = ""):
    """One movement through the service the pages use (signed like the form: consumption positive)."""
    return services.check_record_movement(
        actor,
        enterprise,
        {"kind": kind, "item": item, "quantity": str(quantity), "on_date": day, "reason": reason},
    )


def stock(enterprise: Any, item: SupplyItem) -> Decimal:
    total = sum((m.quantity for m in StockMovement.objects.filter(enterprise=enterprise, item=item)), Decimal(0))
    return total


def roster(enterprise: Any, n: int, start: int = 1, **fields: Any) -> None:
    """`n` active employees with synthetic, valid ID numbers (GB 11643 check digits computed)."""
    from fugong.workforce import services as workforce

    records = []
    for seq in range(start, start + n):
        body = f"431003{1980 + seq // 500}0101{seq % 500:03d}"
        records.append(
            workforce.clean_employee(
                {"name": f"员工{seq}", "id_number": body + id_check_char(body), **fields}, today=dt.date(2020, 3, 2)
            )
        )
    workforce.do_upsert_employees(None, enterprise, records)


def grams(kg: Decimal) -> Decimal:
    return kg.quantize(Decimal("0.001"), rounding=ROUND_CEILING)


def stock_all(actor, enterprise, items, days=10, headcount=None):
    """Stock every consumable of `enterprise` for `days` days of its norm use (disinfectant: 1 kg a day)."""
    heads = headcount or enterprise.employees
    EnterpriseNorm.objects.create(
        enterprise=enterprise,
        item=items["disinfectant"],
        basis="fixed_daily",
        quantity=1,
        valid_from=dt.date(2020, 1, 1),
    )
    post(actor, enterprise, items["mask"], "opening", 2 * heads * days, DAY - dt.timedelta(days=5))
    post(
        actor,
        enterprise,
        items["alcohol"],
        "opening",
        grams(Decimal("0.01305") * heads * days),
        DAY - dt.timedelta(days=5),
    )
    post(
        actor,
        enterprise,
        items["hand_sanitizer"],
        "opening",
        grams(Decimal("0.015") * heads * days),
        DAY - dt.timedelta(days=5),
    )
    post(actor, enterprise, items["disinfectant"], "opening", days, DAY - dt.timedelta(days=5))
