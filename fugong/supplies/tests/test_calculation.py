"""Days of supply as arithmetic (calculation.py): floor of stock ÷ daily use, the minimum over items."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fugong.supplies import calculation
from fugong.supplies.calculation import Level, Rule

quantities = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False, allow_infinity=False)
uses = st.decimals(min_value=Decimal("0.001"), max_value=10**5, places=3, allow_nan=False, allow_infinity=False)


def test_days_of_supply_is_the_floor_of_stock_over_daily_use():
    assert calculation.days_of_supply(Decimal(1400), Decimal(200)) == 7
    assert calculation.days_of_supply(Decimal(1399), Decimal(200)) == 6
    assert calculation.days_of_supply(Decimal("0.5"), Decimal("0.013")) == 38


def test_no_stock_is_zero_days_and_negative_stock_never_a_negative_figure():
    assert calculation.days_of_supply(Decimal(0), Decimal(10)) == 0
    assert calculation.days_of_supply(Decimal(-50), Decimal(10)) == 0


def test_an_item_without_a_daily_use_has_no_figure():
    assert calculation.days_of_supply(Decimal(100), None) is None
    assert calculation.days_of_supply(Decimal(100), Decimal(0)) is None


def test_masks_are_two_per_person_per_eight_hour_shift_and_a_twelve_hour_day_is_two_shifts():
    masks = Rule("per_person_shift", Decimal(2))
    assert calculation.daily_use(masks, 100, 8) == 200
    assert calculation.daily_use(masks, 100, 12) == 400
    assert calculation.shifts_per_day(None) == 1


def test_alcohol_is_per_person_per_day_whatever_the_hours():
    alcohol = Rule("per_person_day", Decimal("0.01305"))
    assert calculation.daily_use(alcohol, 100, 12) == Decimal("1.30500")


def test_an_enterprise_entered_daily_use_does_not_depend_on_headcount():
    disinfectant = Rule("fixed_daily", Decimal("1.5"), own=True)
    assert calculation.daily_use(disinfectant, None) == Decimal("1.5")


def test_without_a_headcount_the_entered_consumption_average_is_used():
    masks = Rule("per_person_shift", Decimal(2))
    assert calculation.daily_use(masks, None, 8, entered_average=Decimal(150)) == 150
    assert calculation.daily_use(masks, 0, 8) is None
    assert calculation.daily_use(None, 10, 8, entered_average=None) is None


def test_thermometers_need_one_per_entrance_and_the_spare():
    rule = Rule("per_entrance", Decimal(1), spare=1)
    assert calculation.required_on_hand(rule, 3) == 4
    assert calculation.required_on_hand(rule, 0) == 2  # an enterprise has at least its gate
    assert calculation.required_on_hand(Rule("per_person_day", Decimal(1)), 3) is None


def test_levels_against_the_threshold():
    assert calculation.level(7, 7, 3) == Level.OK
    assert calculation.level(6, 7, 3) == Level.LOW
    assert calculation.level(2, 7, 3) == Level.CRITICAL
    assert calculation.level(None, 7, 3) == Level.UNKNOWN


def test_an_enterprise_without_any_figure_counts_as_below_the_threshold():
    assert calculation.below_threshold(None, 7)
    assert calculation.below_threshold(6, 7)
    assert not calculation.below_threshold(7, 7)


@given(stock=quantities, use=uses)
def test_days_times_use_never_exceeds_stock_and_one_more_day_would(stock, use):
    days = calculation.days_of_supply(stock, use)
    assert days is not None and days >= 0
    assert days * use <= stock
    assert (days + 1) * use > stock


@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)), max_size=8))
def test_the_enterprise_figure_is_the_minimum_over_the_items_that_have_one(per_item):
    known = [d for d in per_item if d is not None]
    result = calculation.enterprise_days(per_item)
    assert result == (min(known) if known else None)


@given(st.lists(st.tuples(quantities, uses), min_size=1, max_size=6))
def test_the_enterprise_figure_is_the_minimum_of_the_floors(items):
    floors = [int(stock // use) for stock, use in items]
    assert calculation.enterprise_days(calculation.days_of_supply(s, u) for s, u in items) == min(floors)
