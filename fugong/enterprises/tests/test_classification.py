"""The 工信部联企业〔2011〕300号 table at its boundaries, the 规上 line and the size explanation on the detail page."""

from decimal import Decimal

import pytest

from fugong.enterprises.classification import (
    DEFAULT_THRESHOLDS,
    Category,
    SizeClass,
    Threshold,
    category_for,
    classify_size,
    is_above_scale_industrial,
    sector_for,
)
from fugong.enterprises.models import Enterprise, Ownership
from fugong.enterprises.services import Classifier
from fugong.enterprises.templatetags.enterprise_tags import explain_size


def table(sector):
    return [
        Threshold(
            size_class,
            employees,
            Decimal(revenue) if revenue is not None else None,
            Decimal(assets) if assets is not None else None,
        )
        for s, size_class, employees, revenue, assets in DEFAULT_THRESHOLDS
        if s == sector
    ]


INDUSTRY = table("industry")
CONSTRUCTION = table("construction")


@pytest.mark.parametrize(
    ("employees", "revenue", "expected"),
    [
        (299, "2000", SizeClass.SMALL),  # one short of 中型 on employees
        (300, "2000", SizeClass.MEDIUM),  # exactly on both 中型 lower bounds
        (300, "1999.99", SizeClass.SMALL),  # one fen short of 中型 on revenue
        (999, "40000", SizeClass.MEDIUM),
        (1000, "40000", SizeClass.LARGE),
        (1000, "39999.99", SizeClass.MEDIUM),  # 大型 needs both bounds, not just employees
        (5000, "39999.99", SizeClass.MEDIUM),
        (999, "900000", SizeClass.MEDIUM),  # ... nor just revenue
        (20, "300", SizeClass.SMALL),
        (19, "300", SizeClass.MICRO),
        (20, "299.99", SizeClass.MICRO),
        (0, "0", SizeClass.MICRO),
    ],
)
def test_industry_size_class_follows_the_2011_table_at_each_boundary(employees, revenue, expected):
    assert classify_size(INDUSTRY, employees, Decimal(revenue)) == expected


def test_a_missing_figure_never_meets_a_bound_so_the_class_stays_micro():
    assert classify_size(INDUSTRY, None, Decimal("50000")) == SizeClass.MICRO
    assert classify_size(INDUSTRY, 5000, None) == SizeClass.MICRO


@pytest.mark.parametrize(
    ("revenue", "assets", "expected"),
    [
        ("80000", "80000", SizeClass.LARGE),
        ("80000", "79999.99", SizeClass.MEDIUM),  # construction's 大型 also needs total assets
        ("6000", "5000", SizeClass.MEDIUM),
        ("6000", "4999", SizeClass.SMALL),
        ("300", "300", SizeClass.SMALL),
        ("300", "299", SizeClass.MICRO),
    ],
)
def test_construction_classifies_by_revenue_and_total_assets_not_employees(revenue, assets, expected):
    # Ten thousand employees change nothing: the construction table has no employee bound.
    assert classify_size(CONSTRUCTION, 10_000, Decimal(revenue), Decimal(assets)) == expected
    assert classify_size(CONSTRUCTION, 1, Decimal(revenue), Decimal(assets)) == expected


def test_above_scale_industrial_starts_at_exactly_2000_wan_of_revenue():
    assert is_above_scale_industrial("C", Decimal("2000")) is True
    assert is_above_scale_industrial("C", Decimal("1999.99")) is False
    assert is_above_scale_industrial("B", Decimal("2000")) is True  # mining is industry too
    assert is_above_scale_industrial("E", Decimal("999999")) is False  # construction never is
    assert is_above_scale_industrial("C", None) is False


def test_category_puts_above_scale_industry_first_and_the_rest_by_section():
    assert category_for("C", "39", True) == Category.ABOVE_SCALE_INDUSTRIAL
    assert category_for("C", "39", False) == Category.OTHER_INDUSTRIAL
    assert category_for("E", "47", False) == Category.CONSTRUCTION
    assert category_for("H", "62", False) == Category.HOSPITALITY
    assert category_for("I", "65", False) == Category.SERVICES


def test_a_division_code_picks_its_own_sector_where_a_section_splits():
    assert sector_for("F", "51") == "wholesale"
    assert sector_for("F", "52") == "retail"
    assert sector_for("C", "39") == "industry"
    assert sector_for("S") == "other"


@pytest.mark.django_db
def test_the_classifier_reads_thresholds_from_the_database_and_sets_every_computed_field(world):
    e = Enterprise(
        name="郴州测试",
        industry_section="C",
        employees=300,
        annual_revenue_wan=Decimal("2000"),
        ownership=Ownership.STATE,
    )
    Classifier().apply(e)
    assert (e.size_sector, e.size_class, e.is_above_scale) == ("industry", SizeClass.MEDIUM, True)
    assert e.category == Category.ABOVE_SCALE_INDUSTRIAL
    assert e.is_non_public is False


@pytest.mark.django_db
def test_an_edited_threshold_row_changes_the_class_without_a_code_change(world):
    from fugong.enterprises.models import SizeThreshold

    SizeThreshold.objects.filter(sector="industry", size_class="medium").update(min_employees=500)
    e = Enterprise(industry_section="C", employees=300, annual_revenue_wan=Decimal("2000"), ownership=Ownership.PRIVATE)
    Classifier().apply(e)
    assert e.size_class == SizeClass.SMALL


def test_the_explanation_names_the_figures_the_class_and_the_bounds_met():
    text = explain_size(INDUSTRY, SizeClass.MEDIUM, "工业", {"X": 500, "Y": Decimal("50000.00")})
    assert text == "从业人员 500 人、营业收入 50000 万元 → 中型（工业：300≤X<1000 且 Y≥2000）"


def test_the_explanation_of_micro_names_the_small_bound_that_was_missed():
    text = explain_size(INDUSTRY, SizeClass.MICRO, "工业", {"X": 19, "Y": Decimal("500")})
    assert text.endswith("→ 微型（工业：X<20）")
    assert "Y未填写" in explain_size(INDUSTRY, SizeClass.MICRO, "工业", {"X": 50, "Y": None})


def test_the_construction_explanation_speaks_of_revenue_and_assets_only():
    text = explain_size(CONSTRUCTION, SizeClass.MEDIUM, "建筑业", {"X": 10, "Y": Decimal("6000"), "Z": Decimal("5000")})
    assert "从业人员" not in text
    assert "6000≤Y<80000" in text and "5000≤Z<80000" in text
