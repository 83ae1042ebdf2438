"""Enterprise classification (domain-rules §2): size class by sector thresholds, 规上 flag, category.

Thresholds are data (`SizeThreshold`, loaded by migration from 工信部联企业〔2011〕300号); this module only
knows how to read them and which sector an industry code falls into.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

ABOVE_SCALE_INDUSTRIAL_REVENUE_WAN = Decimal("2000")  # 规模以上工业: 主营业务收入 ≥ 2000 万元


class IndustrySection(models.TextChoices):
    """国民经济行业分类 (GB/T 4754-2017) 门类."""

    A = "A", _("A 农、林、牧、渔业")
    B = "B", _("B 采矿业")
    C = "C", _("C 制造业")
    D = "D", _("D 电力、热力、燃气及水生产和供应业")
    E = "E", _("E 建筑业")
    F = "F", _("F 批发和零售业")
    G = "G", _("G 交通运输、仓储和邮政业")
    H = "H", _("H 住宿和餐饮业")
    I = "I", _("I 信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("J 金融业")
    K = "K", _("K 房地产业")
    L = "L", _("L 租赁和商务服务业")
    M = "M", _("M 科学研究和技术服务业")
    N = "N", _("N 水利、环境和公共设施管理业")
    O = "O", _("O 居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("P 教育")
    Q = "Q", _("Q 卫生和社会工作")
    R = "R", _("R 文化、体育和娱乐业")
    S = "S", _("S 公共管理、社会保障和社会组织")
    T = "T", _("T 国际组织")


INDUSTRIAL_SECTIONS = frozenset("BCD")


class SizeSector(models.TextChoices):
    """The sectors of the 2011 SME classification table, each with its own thresholds."""

    AGRICULTURE = "agriculture", _("农、林、牧、渔业")
    INDUSTRY = "industry", _("工业")
    CONSTRUCTION = "construction", _("建筑业")
    WHOLESALE = "wholesale", _("批发业")
    RETAIL = "retail", _("零售业")
    TRANSPORT = "transport", _("交通运输业")
    WAREHOUSING = "warehousing", _("仓储业")
    POSTAL = "postal", _("邮政业")
    ACCOMMODATION = "accommodation", _("住宿业")
    CATERING = "catering", _("餐饮业")
    INFORMATION = "information", _("信息传输业")
    SOFTWARE = "software", _("软件和信息技术服务业")
    REAL_ESTATE = "real_estate", _("房地产开发经营")
    PROPERTY = "property", _("物业管理")
    LEASING = "leasing", _("租赁和商务服务业")
    OTHER = "other", _("其他未列明行业")


class SizeClass(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class Category(models.TextChoices):
    """How the district groups enterprises on its dashboards (规上工业 first)."""

    ABOVE_SCALE_INDUSTRIAL = "above_scale_industrial", _("规上工业")
    OTHER_INDUSTRIAL = "other_industrial", _("其他工业")
    CONSTRUCTION = "construction", _("建筑业")
    TRADE = "trade", _("批发零售业")
    HOSPITALITY = "hospitality", _("住宿餐饮业")
    SERVICES = "services", _("其他服务业")
    AGRICULTURE = "agriculture", _("农林牧渔业")


# 大类 (two-digit division) → sector where a section splits (GB/T 4754-2017).
_DIVISION_SECTORS = {
    "51": SizeSector.WHOLESALE,
    "52": SizeSector.RETAIL,
    "53": SizeSector.TRANSPORT,
    "54": SizeSector.TRANSPORT,
    "55": SizeSector.TRANSPORT,
    "56": SizeSector.TRANSPORT,
    "57": SizeSector.TRANSPORT,
    "58": SizeSector.TRANSPORT,
    "59": SizeSector.WAREHOUSING,
    "60": SizeSector.POSTAL,
    "61": SizeSector.ACCOMMODATION,
    "62": SizeSector.CATERING,
    "63": SizeSector.INFORMATION,
    "64": SizeSector.INFORMATION,
    "65": SizeSector.SOFTWARE,
}
_SECTION_SECTORS = {
    "A": SizeSector.AGRICULTURE,
    "B": SizeSector.INDUSTRY,
    "C": SizeSector.INDUSTRY,
    "D": SizeSector.INDUSTRY,
    "E": SizeSector.CONSTRUCTION,
    "F": SizeSector.WHOLESALE,
    "G": SizeSector.TRANSPORT,
    "H": SizeSector.CATERING,
    "I": SizeSector.SOFTWARE,
    "K": SizeSector.REAL_ESTATE,
    "L": SizeSector.LEASING,
}


def sector_for(section: str, division: str = "") -> str:
    if division[:2] in _DIVISION_SECTORS:
        return _DIVISION_SECTORS[division[:2]]
    return _SECTION_SECTORS.get(section, SizeSector.OTHER)


@dataclass(frozen=True)
class Threshold:
    size_class: str
    min_employees: int | None
    min_revenue_wan: Decimal | None
    min_assets_wan: Decimal | None


def classify_size(
    thresholds: Iterable[Threshold],
    employees: int | None,
    revenue_wan: Decimal | None,
    assets_wan: Decimal | None = None,
) -> str:
    """The largest class whose every lower bound is met; otherwise 微型.

    A missing figure never meets a bound, so an enterprise with unknown revenue is 微型 until it is entered.
    """
    order: dict[str, int] = {SizeClass.LARGE: 0, SizeClass.MEDIUM: 1, SizeClass.SMALL: 2}
    for t in sorted(thresholds, key=lambda t: order.get(t.size_class, 9)):
        checks = [
            (t.min_employees, employees),
            (t.min_revenue_wan, revenue_wan),
            (t.min_assets_wan, assets_wan),
        ]
        if all(bound is None or (value is not None and value >= bound) for bound, value in checks):
            return t.size_class
    return SizeClass.MICRO


def is_above_scale_industrial(section: str, revenue_wan: Decimal | None) -> bool:
    return (
        section in INDUSTRIAL_SECTIONS and revenue_wan is not None and revenue_wan >= ABOVE_SCALE_INDUSTRIAL_REVENUE_WAN
    )


def category_for(section: str, division: str, above_scale: bool) -> str:
    if section in INDUSTRIAL_SECTIONS:
        return Category.ABOVE_SCALE_INDUSTRIAL if above_scale else Category.OTHER_INDUSTRIAL
    if section == "E":
        return Category.CONSTRUCTION
    if section == "F":
        return Category.TRADE
    if section == "H":
        return Category.HOSPITALITY
    if section == "A":
        return Category.AGRICULTURE
    return Category.SERVICES


# The 2011 table (工信部联企业〔2011〕300号): (sector, class, employees ≥, revenue ≥ 万元, assets ≥ 万元).
# Loaded into SizeThreshold by migration; the district admin may edit the rows.
DEFAULT_THRESHOLDS: list[tuple[str, str, int | None, int | None, int | None]] = [
    ("agriculture", "large", None, 20000, None),
    ("agriculture", "medium", None, 500, None),
    ("agriculture", "small", None, 50, None),
    ("industry", "large", 1000, 40000, None),
    ("industry", "medium", 300, 2000, None),
    ("industry", "small", 20, 300, None),
    ("construction", "large", None, 80000, 80000),
    ("construction", "medium", None, 6000, 5000),
    ("construction", "small", None, 300, 300),
    ("wholesale", "large", 200, 40000, None),
    ("wholesale", "medium", 20, 5000, None),
    ("wholesale", "small", 5, 1000, None),
    ("retail", "large", 300, 20000, None),
    ("retail", "medium", 50, 500, None),
    ("retail", "small", 10, 100, None),
    ("transport", "large", 1000, 30000, None),
    ("transport", "medium", 300, 3000, None),
    ("transport", "small", 20, 200, None),
    ("warehousing", "large", 200, 30000, None),
    ("warehousing", "medium", 100, 1000, None),
    ("warehousing", "small", 20, 100, None),
    ("postal", "large", 1000, 30000, None),
    ("postal", "medium", 300, 2000, None),
    ("postal", "small", 20, 100, None),
    ("accommodation", "large", 300, 10000, None),
    ("accommodation", "medium", 100, 2000, None),
    ("accommodation", "small", 10, 100, None),
    ("catering", "large", 300, 10000, None),
    ("catering", "medium", 100, 2000, None),
    ("catering", "small", 10, 100, None),
    ("information", "large", 2000, 100000, None),
    ("information", "medium", 100, 1000, None),
    ("information", "small", 10, 100, None),
    ("software", "large", 300, 10000, None),
    ("software", "medium", 100, 1000, None),
    ("software", "small", 10, 50, None),
    ("real_estate", "large", None, 200000, 10000),
    ("real_estate", "medium", None, 1000, 5000),
    ("real_estate", "small", None, 100, 2000),
    ("property", "large", 1000, 5000, None),
    ("property", "medium", 300, 1000, None),
    ("property", "small", 100, 500, None),
    ("leasing", "large", 300, None, 120000),
    ("leasing", "medium", 100, None, 8000),
    ("leasing", "small", 10, None, 100),
    ("other", "large", 300, None, None),
    ("other", "medium", 100, None, None),
    ("other", "small", 10, None, None),
]
