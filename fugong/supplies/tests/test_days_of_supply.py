"""Days of supply per item and per enterprise from the ledger, the norms in force and the on-duty headcount;
the figures `resumed_below_supply_threshold` and the delivered totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fugong.core import figures, scoping
from fugong.core.testing import assert_max_queries
from fugong.enterprises.models import Enterprise
from fugong.supplies import selectors, services
from fugong.supplies.calculation import Level
from fugong.supplies.models import EnterpriseNorm, MovementKind, StockMovement, SupplyProfile

from .helpers import DAY, catalogue, post, roster, stock_all

pytestmark = pytest.mark.django_db
FIGURE_KEYS = (
    "masks_delivered",
    "thermometers_delivered",
    "alcohol_delivered_kg",
    "sanitizer_delivered_kg",
    "resumed_below_supply_threshold",
)


def resume(*enterprises, on=dt.date(2020, 2, 20)):
    Enterprise.objects.filter(pk__in=[e.pk for e in enterprises]).update(status="resumed", resumed_on=on)


def item_status(supply, code):
    return next(s for s in supply.items if s.item.code == code)


def test_masks_are_two_per_on_duty_person_from_the_roster(world, items):
    roster(world.y, 10)  # the registry says 30 employees; the roster of 10 active workers wins
    post(world.district_admin, world.y, items["mask"], "opening", 140)
    supply = selectors.supply_status(world.y, DAY)
    assert (supply.headcount, supply.headcount_source) == (10, "roster")
    masks = item_status(supply, "mask")
    assert masks.daily_use == 20 and masks.days == 7 and masks.level == Level.OK


def test_the_reported_headcount_is_used_when_there_is_no_roster_and_the_registry_last(world, items):
    assert selectors.supply_status(world.y, DAY).headcount_source == "registry"
    services.check_update_profile(
        world.enterprise_admin_y, world.y, {"entrances": 1, "shift_hours": 8, "on_duty_reported": 12}
    )
    supply = selectors.supply_status(world.y, DAY)
    assert (supply.headcount, supply.headcount_source) == (12, "reported")


def test_workers_not_yet_back_by_the_day_are_not_on_duty(world, items):
    roster(world.y, 4, returned_on=dt.date(2020, 2, 10))
    roster(world.y, 6, start=100, returned_on=dt.date(2020, 3, 10))
    assert selectors.supply_status(world.y, DAY).headcount == 4


def test_alcohol_is_fifteen_millilitres_per_person_per_day_converted_to_kilograms(world, items):
    post(world.district_admin, world.y, items["alcohol"], "opening", "3.915")  # 30 people × 0.01305 kg × 10 days
    alcohol = item_status(selectors.supply_status(world.y, DAY), "alcohol")
    assert alcohol.daily_use == Decimal("0.39150")
    assert alcohol.days == 10


def test_a_twelve_hour_day_doubles_the_masks(world, items):
    services.check_update_profile(
        world.district_admin, world.y, {"entrances": 1, "shift_hours": 12, "on_duty_reported": None}
    )
    post(world.district_admin, world.y, items["mask"], "opening", 840)
    assert item_status(selectors.supply_status(world.y, DAY), "mask").days == 7  # 30 × 2 × 2 = 120 a day


def test_disinfectant_uses_the_enterprises_own_daily_use_or_else_its_entered_consumption(world, items):
    disinfectant = items["disinfectant"]
    post(world.district_admin, world.y, disinfectant, "opening", 20)
    assert item_status(selectors.supply_status(world.y, DAY), "disinfectant").days is None
    services.check_declare_consumption(
        world.district_admin, world.y, DAY - dt.timedelta(days=1), {f"q_{disinfectant.pk}": "2"}
    )
    services.check_declare_consumption(world.district_admin, world.y, DAY, {f"q_{disinfectant.pk}": "1"})
    entered = item_status(selectors.supply_status(world.y, DAY), "disinfectant")
    assert (entered.stock, entered.daily_use, entered.days, entered.from_entries) == (17, Decimal("1.5"), 11, True)
    services.check_set_enterprise_norm(
        world.enterprise_admin_y,
        world.y,
        disinfectant,
        {"basis": "fixed_daily", "quantity": Decimal("0.5"), "valid_from": DAY},
    )
    own = item_status(selectors.supply_status(world.y, DAY), "disinfectant")
    assert (own.daily_use, own.days, own.rule.own, own.from_entries) == (Decimal("0.5"), 34, True, False)


def test_the_enterprise_figure_is_the_minimum_over_consumables_and_thermometers_are_a_stock_check(world, items):
    stock_all(world.district_admin, world.y, items, days=10)
    services.check_declare_consumption(world.district_admin, world.y, DAY, {f"q_{items['alcohol'].pk}": "1.566"})
    supply = selectors.supply_status(world.y, DAY)
    assert item_status(supply, "alcohol").days == 6  # 3.915 − 1.566 = 2.349 kg ÷ 0.3915 kg
    assert item_status(supply, "mask").days == 10
    assert supply.days == 6 and supply.below and supply.level == Level.LOW
    thermometers = item_status(supply, "thermometer")
    assert thermometers.days is None and thermometers.required == 2 and thermometers.short
    assert [s.item.code for s in supply.short_items] == ["alcohol", "thermometer"]


def test_days_of_supply_on_a_past_day_counts_only_the_movements_up_to_it(world, items):
    post(world.district_admin, world.y, items["mask"], "opening", 600, dt.date(2020, 2, 1))
    post(world.district_admin, world.y, items["mask"], "purchase", 600, dt.date(2020, 2, 20))
    assert item_status(selectors.supply_status(world.y, dt.date(2020, 2, 10)), "mask").days == 10
    assert item_status(selectors.supply_status(world.y, DAY), "mask").days == 20


def test_a_new_norm_version_applies_from_its_date_and_the_old_days_keep_the_old_norm(world, items):
    post(world.district_admin, world.y, items["mask"], "opening", 600, dt.date(2020, 2, 1))
    services.check_add_norm_version(
        world.district_admin,
        items["mask"],
        {
            "basis": "per_person_shift",
            "quantity": Decimal(3),
            "source": "测试文号〔2020〕1号",
            "valid_from": dt.date(2020, 2, 15),
        },
    )
    assert item_status(selectors.supply_status(world.y, dt.date(2020, 2, 14)), "mask").days == 10
    assert item_status(selectors.supply_status(world.y, dt.date(2020, 2, 15)), "mask").days == 6


def test_days_of_supply_for_the_resumption_checklist(world, items):
    assert selectors.days_of_supply(world.y, on=DAY) == 0  # a headcount and no stock: nothing in hand
    stock_all(world.district_admin, world.y, items, days=9)
    assert selectors.days_of_supply(world.y, on=DAY) == 9
    world.y.employees = None
    world.y.save(update_fields=["employees"])
    EnterpriseNorm.objects.all().delete()
    assert selectors.days_of_supply(world.y, on=DAY) is None  # no headcount, no entries: no figure


# --- the figures ----------------------------------------------------------------------------------------


def compute(user, day=DAY):
    return figures.compute(user, day, keys=FIGURE_KEYS)


def test_resumed_enterprises_below_the_threshold_are_counted_and_others_are_not(world, items):
    assert compute(scoping.DISTRICT_WIDE)["resumed_below_supply_threshold"] == 0  # nobody resumed yet
    resume(world.x, world.y)
    assert compute(scoping.DISTRICT_WIDE)["resumed_below_supply_threshold"] == 2  # no stock: 0 days
    stock_all(world.district_admin, world.y, items, days=7)
    assert compute(scoping.DISTRICT_WIDE)["resumed_below_supply_threshold"] == 1
    # Scoped: town A's officer sees X only, the enterprise admin of Y only Y.
    assert compute(world.town_a_officer)["resumed_below_supply_threshold"] == 1
    assert compute(world.enterprise_admin_y)["resumed_below_supply_threshold"] == 0


def test_an_enterprise_resumed_after_the_day_is_not_counted_that_day(world, items):
    resume(world.x, on=dt.date(2020, 3, 5))
    assert compute(scoping.DISTRICT_WIDE, DAY)["resumed_below_supply_threshold"] == 0


def test_a_new_threshold_version_changes_the_figure_from_its_date(world, items):
    resume(world.y)
    stock_all(world.district_admin, world.y, items, days=7)
    assert compute(scoping.DISTRICT_WIDE)["resumed_below_supply_threshold"] == 0
    services.check_add_threshold_version(
        world.district_admin, {"days": 10, "critical_days": 3, "source": "测试通知", "valid_from": DAY}
    )
    assert compute(scoping.DISTRICT_WIDE, DAY - dt.timedelta(days=1))["resumed_below_supply_threshold"] == 0
    assert compute(scoping.DISTRICT_WIDE, DAY)["resumed_below_supply_threshold"] == 1


def test_delivered_totals_count_confirmed_deliveries_only_with_sanitizer_and_disinfectant_together(world, items):
    from fugong.supplies.services.ledger import Posting, do_post_movements

    def delivery(enterprise, code, quantity, day=DAY):
        do_post_movements(None, enterprise, [Posting(items[code], MovementKind.DELIVERY, Decimal(quantity), day)])

    delivery(world.x, "mask", 1000)
    delivery(world.y, "mask", 551)
    delivery(world.x, "thermometer", 3)
    delivery(world.x, "alcohol", "12.5")
    delivery(world.x, "hand_sanitizer", "5")
    delivery(world.y, "disinfectant", "3.25")
    delivery(world.y, "mask", 99, DAY + dt.timedelta(days=1))  # after the day
    post(world.district_admin, world.x, items["mask"], "purchase", 5000)  # bought by the enterprise itself
    got = compute(scoping.DISTRICT_WIDE)
    assert got == {
        "masks_delivered": 1551,
        "thermometers_delivered": 3,
        "alcohol_delivered_kg": 12.5,
        "sanitizer_delivered_kg": 8.25,
        "resumed_below_supply_threshold": 0,
    }
    assert compute(world.town_a_officer)["masks_delivered"] == 1000


def test_the_figures_cost_a_fixed_number_of_queries_whatever_the_enterprises(world, items):
    resume(world.x, world.y)
    stock_all(world.district_admin, world.y, items)
    with assert_max_queries(10) as few:
        compute(scoping.DISTRICT_WIDE)
    from fugong.core.testing import EnterpriseFactory

    more = [EnterpriseFactory(town=world.town_a, status="resumed", resumed_on=dt.date(2020, 2, 1)) for _ in range(15)]
    for e in more[:5]:
        SupplyProfile.objects.create(enterprise=e, entrances=2)
    with assert_max_queries(len(few.captured_queries)):
        compute(scoping.DISTRICT_WIDE)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stocks=st.fixed_dictionaries(
        {
            "mask": st.integers(min_value=0, max_value=2000),
            "alcohol": st.integers(min_value=0, max_value=20_000),  # grams
            "hand_sanitizer": st.integers(min_value=0, max_value=20_000),
            "disinfectant": st.integers(min_value=0, max_value=20_000),
        }
    ),
    headcount=st.integers(min_value=1, max_value=60),
    disinfectant_use=st.integers(min_value=1, max_value=5000),  # grams a day
)
def test_the_enterprise_figure_is_the_minimum_of_its_items_from_the_ledger(world, stocks, headcount, disinfectant_use):
    items = catalogue()
    with transaction.atomic():
        services.check_update_profile(
            world.district_admin, world.y, {"entrances": 1, "shift_hours": 8, "on_duty_reported": headcount}
        )
        EnterpriseNorm.objects.create(
            enterprise=world.y,
            item=items["disinfectant"],
            basis="fixed_daily",
            quantity=Decimal(disinfectant_use) / 1000,
            valid_from=dt.date(2020, 1, 1),
        )
        for code, amount in stocks.items():
            quantity = Decimal(amount) if code == "mask" else Decimal(amount) / 1000
            post(world.district_admin, world.y, items[code], "opening", quantity)
        supply = selectors.supply_status(world.y, DAY)
        uses = {
            "mask": Decimal(2 * headcount),
            "alcohol": Decimal("0.01305") * headcount,
            "hand_sanitizer": Decimal("0.015") * headcount,
            "disinfectant": Decimal(disinfectant_use) / 1000,
        }
        expected = {
            code: int((Decimal(a) if code == "mask" else Decimal(a) / 1000) // uses[code]) for code, a in stocks.items()
        }
        for code, days in expected.items():
            assert item_status(supply, code).days == days
        assert supply.days == min(expected.values())
        assert StockMovement.objects.filter(enterprise=world.y).count() == 4
        transaction.set_rollback(True)
