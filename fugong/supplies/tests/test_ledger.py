"""The stock ledger: movements only, stock is their sum, never below zero without an explicit adjustment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fugong.core.models import AuditLog
from fugong.supplies import services
from fugong.supplies.models import MovementKind, StockBalance, StockMovement
from fugong.supplies.selectors import consumption_on

from .helpers import DAY, catalogue, post, stock

pytestmark = pytest.mark.django_db


def balance(enterprise, item) -> Decimal:
    row = StockBalance.objects.filter(enterprise=enterprise, item=item).first()
    return row.quantity if row else Decimal(0)


def test_stock_is_the_sum_of_the_movements_and_the_balance_row_agrees(world, items):
    mask = items["mask"]
    post(world.district_admin, world.x, mask, "opening", 1000, DAY - dt.timedelta(days=3))
    post(world.district_admin, world.x, mask, "purchase", 500)
    post(world.district_admin, world.x, mask, "consumption", 300)
    assert stock(world.x, mask) == 1200
    assert balance(world.x, mask) == 1200
    kinds = list(StockMovement.objects.filter(enterprise=world.x).values_list("kind", "quantity").order_by("id"))
    assert kinds == [("opening", 1000), ("purchase", 500), ("consumption", -300)]


def test_a_consumption_larger_than_the_stock_is_refused_and_nothing_is_written(world, items):
    mask = items["mask"]
    post(world.enterprise_admin_x, world.x, mask, "opening", 100)
    audits = AuditLog.objects.count()
    with pytest.raises(services.SupplyValidationError) as exc:
        post(world.enterprise_admin_x, world.x, mask, "consumption", 101)
    assert "当前库存100只" in exc.value.errors["quantity"]
    assert "盘点调整" in exc.value.errors["quantity"]
    assert stock(world.x, mask) == 100 and balance(world.x, mask) == 100
    assert StockMovement.objects.filter(enterprise=world.x).count() == 1
    assert AuditLog.objects.count() == audits


def test_an_adjustment_with_its_reason_is_the_one_way_stock_goes_below_zero(world, items):
    alcohol = items["alcohol"]
    post(world.town_a_officer, world.x, alcohol, "opening", "2.5")
    post(world.town_a_officer, world.x, alcohol, "adjustment", "-3", reason="盘点发现漏记领用")
    assert balance(world.x, alcohol) == Decimal("-0.5")
    # A purchase brings it back; a consumption may not take it further down.
    with pytest.raises(services.SupplyValidationError):
        post(world.town_a_officer, world.x, alcohol, "consumption", "0.1")
    post(world.town_a_officer, world.x, alcohol, "purchase", "10")
    assert balance(world.x, alcohol) == Decimal("9.5")


def test_an_adjustment_without_a_reason_or_of_zero_is_refused(world, items):
    with pytest.raises(services.SupplyValidationError) as exc:
        post(world.district_admin, world.x, items["mask"], "adjustment", -5)
    assert "reason" in exc.value.errors
    with pytest.raises(services.SupplyValidationError) as exc:
        post(world.district_admin, world.x, items["mask"], "adjustment", 0, reason="盘点")
    assert "quantity" in exc.value.errors
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize(
    ("code", "kind", "quantity", "field"),
    [
        ("mask", "purchase", "2.5", "quantity"),  # masks are whole pieces
        ("alcohol", "purchase", "1.0005", "quantity"),  # kg to the gram
        ("mask", "purchase", "0", "quantity"),
        ("mask", "consumption", "-5", "quantity"),
        ("mask", "purchase", "abc", "quantity"),
        ("mask", "purchase", "1e12", "quantity"),
        # Wider than the decimal context: checking the decimals first raised InvalidOperation (a 500).
        ("mask", "purchase", "1e309", "quantity"),
        ("alcohol", "purchase", "9" * 40, "quantity"),
        ("mask", "delivery", "10", "kind"),  # deliveries come only from a signed receipt
    ],
)
def test_bad_quantities_and_kinds_are_refused_with_a_message(world, items, code, kind, quantity, field):
    with pytest.raises(services.SupplyValidationError) as exc:
        post(world.district_admin, world.x, items[code], kind, quantity)
    assert exc.value.errors[field]
    assert not StockMovement.objects.exists()


def test_a_movement_dated_in_the_future_is_refused(world, items):
    from django.utils import timezone

    with pytest.raises(services.SupplyValidationError) as exc:
        post(world.district_admin, world.x, items["mask"], "purchase", 10, timezone.localdate() + dt.timedelta(days=1))
    assert "on_date" in exc.value.errors


def test_the_opening_balance_is_entered_once_and_only_first(world, items):
    mask = items["mask"]
    post(world.district_admin, world.x, mask, "purchase", 10)
    with pytest.raises(services.SupplyValidationError) as exc:
        post(world.district_admin, world.x, mask, "opening", 100)
    assert "期初库存只能在首次登记时录入" in exc.value.errors["kind"]
    post(world.district_admin, world.y, mask, "opening", 100)
    with pytest.raises(services.SupplyValidationError):
        post(world.district_admin, world.y, mask, "opening", 100)


def test_every_movement_leaves_an_audit_row_with_the_stock_before_and_after(world, items):
    post(world.enterprise_admin_x, world.x, items["mask"], "opening", 100)
    post(world.enterprise_admin_x, world.x, items["mask"], "consumption", 40)
    row = AuditLog.objects.filter(action="supplies.consumption").get()
    assert row.actor == world.enterprise_admin_x
    assert row.changes["stock"] == ["100", "60"]
    assert row.changes["quantity"] == [None, "-40"]


def test_declaring_a_days_consumption_twice_counts_it_once_and_a_correction_posts_the_difference(world, items):
    mask, alcohol = items["mask"], items["alcohol"]
    post(world.district_admin, world.x, mask, "opening", 1000)
    post(world.district_admin, world.x, alcohol, "opening", 10)
    fields = {f"q_{mask.pk}": "200", f"q_{alcohol.pk}": "1.5"}
    first = services.check_declare_consumption(world.enterprise_admin_x, world.x, DAY, fields)
    assert (first.created, first.corrected, first.unchanged) == (2, 0, 0)
    again = services.check_declare_consumption(world.enterprise_admin_x, world.x, DAY, fields)
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 2)
    fixed = services.check_declare_consumption(world.enterprise_admin_x, world.x, DAY, {f"q_{mask.pk}": "150"})
    assert (fixed.created, fixed.corrected) == (0, 1)
    assert consumption_on(world.x.pk, DAY)[mask.pk] == 150
    assert stock(world.x, mask) == 850
    correction = StockMovement.objects.filter(item=mask, kind=MovementKind.CONSUMPTION).order_by("-id").first()
    assert correction.quantity == 50 and "原200，改为150" in correction.reason


def test_a_grid_with_one_bad_figure_writes_nothing(world, items):
    mask, alcohol = items["mask"], items["alcohol"]
    post(world.district_admin, world.x, mask, "opening", 1000)
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_declare_consumption(
            world.district_admin, world.x, DAY, {f"q_{mask.pk}": "100", f"q_{alcohol.pk}": "lots"}
        )
    assert set(exc.value.errors) == {f"q_{alcohol.pk}"}
    assert stock(world.x, mask) == 1000


def test_a_grid_consuming_more_than_the_stock_names_the_field_and_writes_nothing(world, items):
    mask, alcohol = items["mask"], items["alcohol"]
    post(world.district_admin, world.x, mask, "opening", 1000)
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_declare_consumption(
            world.district_admin, world.x, DAY, {f"q_{mask.pk}": "100", f"q_{alcohol.pk}": "1"}
        )
    assert set(exc.value.errors) == {f"q_{alcohol.pk}"}
    assert StockMovement.objects.filter(kind="consumption").count() == 0


def test_thermometers_are_not_a_daily_consumption(world, items):
    with pytest.raises(services.SupplyValidationError) as exc:
        services.check_declare_consumption(world.district_admin, world.x, DAY, {f"q_{items['thermometer'].pk}": "1"})
    assert exc.value.errors


def test_rebuilding_the_balances_repairs_a_row_that_drifted(world, items):
    post(world.district_admin, world.x, items["mask"], "opening", 70)
    StockBalance.objects.filter(enterprise=world.x).update(quantity=5)
    assert services.rebuild_balances([world.x.pk]) == 1
    assert balance(world.x, items["mask"]) == 70


# --- property: the ledger never goes negative without an explicit adjustment ------------------------------

steps = st.lists(
    st.tuples(
        st.sampled_from(["purchase", "consumption", "adjustment"]),
        st.integers(min_value=-300, max_value=300).filter(bool),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(opening=st.integers(min_value=0, max_value=500), steps=steps)
def test_stock_never_goes_negative_without_an_explicit_adjustment(world, opening, steps):
    mask = catalogue()["mask"]
    with transaction.atomic():
        post(world.district_admin, world.x, mask, "opening", opening)
        expected = Decimal(opening)
        for kind, amount in steps:
            quantity = amount if kind == "adjustment" else abs(amount)
            signed = -quantity if kind == "consumption" else quantity
            would_go_negative = expected + signed < 0 and signed < 0
            try:
                post(world.district_admin, world.x, mask, kind, quantity, reason="盘点")
            except services.SupplyValidationError:
                # Refused exactly when a non-adjustment would take stock below zero.
                assert would_go_negative and kind != "adjustment"
            else:
                assert not (would_go_negative and kind != "adjustment")
                expected += signed
            assert stock(world.x, mask) == expected == balance(world.x, mask)
            if expected < 0:
                assert StockMovement.objects.filter(item=mask, kind="adjustment", quantity__lt=0).exists()
        transaction.set_rollback(True)


def test_a_correction_is_stored_in_chinese_and_reads_in_the_readers_language(world, items, client_for):
    from django.conf import settings as django_settings
    from django.urls import reverse
    from django.utils import translation

    mask = items["mask"]
    post(world.district_admin, world.x, mask, "opening", 1000)
    services.check_declare_consumption(world.enterprise_admin_x, world.x, DAY, {f"q_{mask.pk}": "200"})
    with translation.override("en"):  # an officer using the English interface corrects the figure
        services.check_declare_consumption(world.enterprise_admin_x, world.x, DAY, {f"q_{mask.pk}": "150"})
    correction = StockMovement.objects.filter(item=mask, kind=MovementKind.CONSUMPTION).order_by("-id").first()
    assert correction.reason == f"更正{DAY.isoformat()}消耗：原200，改为150"
    client = client_for("enterprise_admin_x")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("supplies:movements", args=[world.x.pk])).content.decode()
    assert f"Correction of consumption on {DAY.isoformat()}: was 200, now 150" in page and "改为150" not in page
    api = client.get(f"/api/v1/enterprises/{world.x.pk}/supplies/movements").json()
    assert any(m["reason"].startswith("Correction of consumption") for m in api["items"])
