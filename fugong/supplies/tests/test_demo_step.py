"""The demo's supplies (fugong/demo/step_30_supplies.py): the article's deliveries to the unit, every resumed
enterprise at ≥ 7 days on 2020-03-02, all of it counted from records. The demo is loaded once for the module
inside a transaction rolled back at the end (as in fugong/demo/tests)."""

from __future__ import annotations

import io
import os
from collections import Counter
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test.utils import override_settings

from fugong.core import figures, scoping
from fugong.demo import step_30_supplies as step
from fugong.demo.enterprises import AS_OF, FENGCHU, GOSPELL
from fugong.enterprises.models import Enterprise
from fugong.supplies import selectors
from fugong.supplies.models import (
    DeliveryLine,
    DeliveryStatus,
    DemandRequest,
    MovementKind,
    RequestStatus,
    StockBalance,
    StockMovement,
)

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ARTICLE = {
    "masks_delivered": 117_551,
    "thermometers_delivered": 133,
    "alcohol_delivered_kg": 1000,
    "sanitizer_delivered_kg": 800,
    "resumed_below_supply_threshold": 0,
}


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        with transaction.atomic():
            with mock.patch.dict(os.environ, {"FUGONG_DEMO_PASSWORD": ""}):
                out = io.StringIO()
                call_command("load_demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db):
    return demo_loaded


def test_the_figures_of_2_march_2020_are_the_articles(demo):
    assert figures.compute(scoping.DISTRICT_WIDE, AS_OF, keys=list(ARTICLE)) == ARTICLE
    assert "口罩 117,551 只、体温枪 133 支、酒精 1,000 kg、洗手液和消毒液 800 kg" in demo
    assert "物资不足 7 天的复工企业 0 家" in demo


def test_every_resumed_enterprise_has_at_least_seven_days_of_every_consumable(demo):
    rows = selectors.resumed_rows(scoping.DISTRICT_WIDE, AS_OF)
    assert len(rows) > 400
    assert min(r.supply.days for r in rows) >= 7
    assert all(not s.short for r in rows for s in r.supply.stock_checks)  # thermometers: entrances + 1


def test_the_delivered_figures_are_the_signed_delivery_lines(demo):
    movements = StockMovement.objects.filter(kind=MovementKind.DELIVERY, on_date__lte=AS_OF)
    assert not movements.filter(delivery_line__isnull=True).exists()
    assert set(movements.values_list("delivery_line__delivery__status", flat=True)) == {DeliveryStatus.DELIVERED}
    received = DeliveryLine.objects.filter(delivery__status=DeliveryStatus.DELIVERED, item__code="mask")
    assert received.aggregate(n=Sum("received"))["n"] == 117_551
    sanitizer = movements.filter(item__code__in=["hand_sanitizer", "disinfectant"]).values("item__code")
    totals = {
        r["item__code"]: Decimal(str(r["n"])).quantize(Decimal("0.001")) for r in sanitizer.annotate(n=Sum("quantity"))
    }
    assert totals == {"hand_sanitizer": Decimal("500.000"), "disinfectant": Decimal("300.000")}


def test_the_balances_are_the_sums_of_the_movements(demo):
    sums = {
        (r["enterprise_id"], r["item_id"]): Decimal(str(r["n"])).quantize(Decimal("0.001"))
        for r in StockMovement.objects.values("enterprise_id", "item_id").annotate(n=Sum("quantity"))
    }
    balances = {(b.enterprise_id, b.item_id): b.quantity for b in StockBalance.objects.all()}
    assert balances == sums
    assert min(balances.values()) >= 0


def test_the_walk_through_has_an_open_request_and_a_delivery_to_sign(demo):
    fengchu = Enterprise.objects.get(name=FENGCHU)
    gospell = Enterprise.objects.get(name=GOSPELL)
    assert DemandRequest.objects.filter(enterprise=fengchu, status=RequestStatus.SUBMITTED).count() == 1
    assert gospell.supply_deliveries.filter(status=DeliveryStatus.PENDING).count() == 1
    # 凤楚's gloves have no norm: their days come from the consumption it entered.
    gloves = next(s for s in selectors.supply_status(fengchu, AS_OF).items if s.item.code == "gloves")
    assert gloves.from_entries and gloves.days == 13


def test_a_second_run_of_the_step_writes_nothing(demo):
    class Writer:
        enterprise_ids = dict(Enterprise.objects.values_list("uscc", "id"))
        users: dict = {}

    before = StockMovement.objects.count()
    assert step.write(Writer()) == Counter()
    assert StockMovement.objects.count() == before


def test_allocation_splits_exactly_in_proportion():
    assert step.allocate(117_551, [3, 1, 1]) == [70_531, 23_510, 23_510]
    assert sum(step.allocate(133, [4, 3, 3, 2, 2])) == 133
