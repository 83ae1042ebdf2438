"""The demo's enterprise registry and key projects, as pure data drawn from a seeded generator.

560 enterprises: exactly 68 规模以上工业 (the article's figure: all resumed by 2020-03-02) and 492 others across
the categories a district counts; 11 key-guarantee enterprises; 10 SMEs renting state-owned premises in
苏仙工业集中区 (rent relief 免三减三 = 2,638,000 元). Key projects are in projects.py. Company names other than
the three the article names are synthetic (a place prefix, a two-character 字号 and a trade word).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from fugong.core.identifiers import make_uscc
from fugong.enterprises.models import Ownership, ResumptionStatus

from .people import People
from .projects import ProjectSpec, build_projects
from .regions import DISTRICT, PARKS, QIFENGDU, RELIEF_PARK, TOWN_CODE, TOWN_NAMES, villages_of

GOSPELL = "郴州市高斯贝尔数码科技股份有限公司"
FENGCHU = "郴州凤楚食品科技有限公司"
YIZHISHI = "湖南一至十全链医药科技有限公司"
HIGH_TECH_PARK = PARKS[1][0]

AS_OF = dt.date(2020, 3, 2)
FIRST_WORKDAY = dt.date(2020, 2, 3)  # the first working day after the extended Spring Festival holiday

# Category → how many enterprises of it the demo holds (sums to 560).
COUNTS = {
    "above_scale_industrial": 68,
    "other_industrial": 120,
    "construction": 60,
    "trade": 140,
    "hospitality": 70,
    "services": 82,
    "agriculture": 20,
}
# Share of enterprises resumed / partly resumed by 2020-03-02, per category (the rest not resumed).
RESUMPTION_RATES = {
    "other_industrial": (0.62, 0.18),
    "construction": (0.45, 0.20),
    "trade": (0.65, 0.15),
    "hospitality": (0.35, 0.20),
    "services": (0.55, 0.20),
    "agriculture": (0.70, 0.15),
}

# Monthly rents (元) of the 10 SMEs in state-owned premises. Relief per enterprise = 3 × rent + 3 × 0.5 × rent
# = 4.5 × rent. 2,638,000 / 4.5 is not a whole number of fen, so no set of rents in yuan-and-fen sums to it
# exactly: these sum to 586,222.22 元, whose 4.5× is 2,637,999.99 元 (263.8 万元, the article's figure).
# Two rents end in an odd fen (≡ 3 mod 4), so relief rounded to the fen per enterprise — half-up or half-even —
# gains half a fen twice and sums to exactly 2,638,000.00 元.
STATE_PREMISES_RENTS = (
    Decimal("88600.00"),
    Decimal("76450.00"),
    Decimal("71280.00"),
    Decimal("65900.00"),
    Decimal("59340.00"),
    Decimal("52760.00"),
    Decimal("47815.75"),
    Decimal("44230.00"),
    Decimal("41590.00"),
    Decimal("38256.47"),
)
RENT_RELIEF_TOTAL_YUAN = Decimal("2638000.00")
RENT_RELIEF_TOWNS = (QIFENGDU, TOWN_CODE["白露塘镇"], TOWN_CODE["许家洞镇"])

BRAND_CHARS = (
    "恒瑞鑫宏嘉泰德荣昌盛丰源达兴旺佳和顺永锦腾祥康诚信远博宇福禾晨辰星润通益汇聚卓越正立宝隆凯骏弘晟悦众合铭湘岭"
)
PREFIXES = ("郴州市", "郴州市", "郴州", "湖南", "郴州市苏仙区")

# (section, division, trade word, weight) per category.
TRADES: dict[str, tuple[tuple[str, str, str, int], ...]] = {
    "industrial": (
        ("C", "13", "粮油食品", 3),
        ("C", "14", "食品", 3),
        ("C", "15", "饮品", 1),
        ("C", "17", "纺织", 1),
        ("C", "18", "服饰", 2),
        ("C", "20", "木业", 2),
        ("C", "22", "包装", 2),
        ("C", "26", "化工", 3),
        ("C", "27", "药业", 1),
        ("C", "29", "塑胶制品", 2),
        ("C", "30", "新型建材", 5),
        ("C", "30", "石墨新材料", 2),
        ("C", "32", "有色金属", 8),
        ("C", "32", "冶炼", 3),
        ("C", "33", "金属制品", 4),
        ("C", "34", "机械", 3),
        ("C", "35", "矿山机械", 2),
        ("C", "38", "电气", 3),
        ("C", "39", "电子科技", 4),
        ("B", "09", "矿业", 2),
        ("B", "10", "石材", 1),
        ("D", "44", "水电开发", 1),
    ),
    "construction": (
        ("E", "47", "建筑工程", 5),
        ("E", "48", "路桥工程", 2),
        ("E", "49", "机电安装工程", 2),
        ("E", "50", "装饰工程", 3),
    ),
    "trade": (
        ("F", "51", "商贸", 6),
        ("F", "51", "农资", 1),
        ("F", "51", "建材贸易", 2),
        ("F", "52", "超市", 3),
        ("F", "52", "百货", 2),
        ("F", "52", "大药房", 2),
        ("F", "52", "汽车销售服务", 1),
    ),
    "hospitality": (
        ("H", "61", "酒店管理", 2),
        ("H", "61", "宾馆", 2),
        ("H", "62", "餐饮管理", 4),
        ("H", "62", "食府", 3),
    ),
    "services": (
        ("G", "54", "物流", 4),
        ("G", "54", "运输", 2),
        ("G", "59", "仓储", 1),
        ("I", "65", "网络科技", 3),
        ("K", "70", "置业", 2),
        ("L", "72", "企业管理咨询", 2),
        ("L", "72", "人力资源服务", 1),
        ("M", "74", "检测技术", 1),
        ("N", "78", "园林绿化", 1),
        ("O", "80", "家政服务", 1),
        ("O", "81", "汽车维修", 2),
    ),
    "agriculture": (
        ("A", "01", "生态农业", 3),
        ("A", "01", "果蔬种植", 2),
        ("A", "02", "林业", 1),
        ("A", "03", "养殖", 3),
    ),
}
# Where enterprises are (weights by town): industry in the towns, commerce in the streets.
INDUSTRY_TOWNS = {
    "白露塘镇": 18,
    "栖凤渡镇": 9,
    "许家洞镇": 8,
    "良田镇": 7,
    "五里牌镇": 5,
    "华塘镇": 4,
    "坳上镇": 4,
    "桥口镇": 3,
    "飞天山镇": 2,
    "望仙镇": 2,
    "五盖山镇": 1,
    "观山洞街道": 2,
    "王仙岭街道": 2,
}
ALL_TOWNS = {
    "南塔街道": 12,
    "苏仙街道": 12,
    "王仙岭街道": 8,
    "观山洞街道": 7,
    "白露塘镇": 9,
    "良田镇": 5,
    "栖凤渡镇": 6,
    "坳上镇": 3,
    "许家洞镇": 5,
    "五里牌镇": 4,
    "五盖山镇": 2,
    "望仙镇": 3,
    "桥口镇": 3,
    "华塘镇": 4,
    "飞天山镇": 3,
}
RURAL_TOWNS = {name: w for name, w in ALL_TOWNS.items() if name.endswith("镇")}


@dataclass
class EnterpriseSpec:
    uscc: str
    name: str
    town: str  # region code
    industry_section: str
    industry_division: str
    employees: int
    annual_revenue_wan: Decimal
    total_assets_wan: Decimal
    ownership: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    address: str
    status: str = ResumptionStatus.NOT_RESUMED
    resumed_on: dt.date | None = None
    is_key_guarantee: bool = False
    industrial_park: str | None = None  # park name
    rents_state_premises: bool = False
    monthly_rent_yuan: Decimal | None = None
    category: str = ""  # the category it was generated for (the Classifier decides the stored one)
    tag: str = ""  # how other parts of the demo refer to it (gospell, fengchu, kg_pharma…)

    def model_fields(self) -> dict[str, object]:
        """The Enterprise fields it sets directly (town and park are resolved to rows by the loader)."""
        return {k: v for k, v in self.__dict__.items() if k not in {"category", "tag", "town", "industrial_park"}}


@dataclass
class Catalogue:
    enterprises: list[EnterpriseSpec]
    projects: list[ProjectSpec]
    by_tag: dict[str, EnterpriseSpec] = field(default_factory=dict)

    def tagged(self, tag: str) -> EnterpriseSpec:
        return self.by_tag[tag]


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


class _Builder:
    def __init__(self, rng: random.Random, people: People) -> None:
        self.rng = rng
        self.people = people
        self.names: set[str] = {GOSPELL, FENGCHU, YIZHISHI}
        self.orgs: set[str] = set()
        self.out: list[EnterpriseSpec] = []

    # --- identity ---------------------------------------------------------------------------------
    def org8(self, new: bool) -> str:
        # Codes issued since 2015 start with "MA" plus the issuing office; older ones are the 8 digits of the
        # former 组织机构代码. Check characters are computed by make_uscc, so every code validates.
        while True:
            if new:
                org = "MA4" + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(5))
            else:
                org = f"{self.rng.randrange(10_000_000, 99_999_999)}"
            if org not in self.orgs:
                self.orgs.add(org)
                return org

    def uscc(self, kind: str = "1") -> str:
        return make_uscc(DISTRICT[0], self.org8(new=self.rng.random() < 0.6), kind=kind)

    def company_name(self, word: str, large: bool = False, individual: bool = False) -> str:
        while True:
            brand = "".join(self.rng.sample(BRAND_CHARS, 2))
            if individual:
                name = f"苏仙区{brand}{word}"
            else:
                suffix = "股份有限公司" if large and self.rng.random() < 0.4 else "有限公司"
                name = f"{self.rng.choice(PREFIXES)}{brand}{word}{suffix}"
            if name not in self.names:
                self.names.add(name)
                return name

    def town(self, weights: dict[str, int]) -> str:
        names = list(weights)
        return TOWN_CODE[self.rng.choices(names, weights=[weights[n] for n in names])[0]]

    def address(self, town: str, village: str | None = None) -> str:
        village = village or self.rng.choice(villages_of(town))
        return f"湖南省郴州市苏仙区{TOWN_NAMES[town]}{village}{self.rng.randrange(1, 300)}号"

    def trade(self, group: str) -> tuple[str, str, str]:
        options = TRADES[group]
        section, division, word, _w = self.rng.choices(options, weights=[o[3] for o in options])[0]
        return section, division, word

    # --- one enterprise ---------------------------------------------------------------------------
    def add(self, category: str, **fields: object) -> EnterpriseSpec:
        town = str(fields.pop("town", None) or self.town(INDUSTRY_TOWNS if "industrial" in category else ALL_TOWNS))
        spec = EnterpriseSpec(
            uscc=str(fields.pop("uscc", None) or self.uscc()),
            name=str(fields.pop("name")),
            town=town,
            address=str(fields.pop("address", None) or self.address(town)),
            legal_representative=self.people.name(),
            contact_name=self.people.name(),
            contact_phone=self.people.phone(),
            category=category,
            **fields,  # type: ignore[arg-type]
        )
        self.out.append(spec)
        return spec

    def figures(self, low: float, high: float, staff: tuple[int, int]) -> dict[str, object]:
        revenue = low + (high - low) * self.rng.random() ** 2
        employees = int(staff[0] + (staff[1] - staff[0]) * self.rng.random() ** 1.5)
        return {
            "annual_revenue_wan": _money(revenue),
            "total_assets_wan": _money(revenue * self.rng.uniform(0.6, 1.8)),
            "employees": employees,
        }

    def ownership(self) -> str:
        r = self.rng.random()
        if r < 0.02:
            return Ownership.COLLECTIVE
        if r < 0.04:
            return Ownership.HMT
        if r < 0.05:
            return Ownership.FOREIGN
        return Ownership.PRIVATE


def _specials(b: _Builder) -> None:
    """The three enterprises the article names, and the other key-guarantee enterprises."""
    b.add(
        "above_scale_industrial",
        tag="gospell",
        name=GOSPELL,
        town=QIFENGDU,
        industry_section="C",
        industry_division="39",
        employees=1200,
        annual_revenue_wan=Decimal("98600.00"),
        total_assets_wan=Decimal("132500.00"),
        ownership=Ownership.PRIVATE,
        industrial_park=RELIEF_PARK,
    )
    b.add(
        "above_scale_industrial",
        tag="fengchu",
        name=FENGCHU,
        town=QIFENGDU,
        address=b.address(QIFENGDU, "岗脚村"),
        industry_section="C",
        industry_division="14",
        employees=360,
        annual_revenue_wan=Decimal("8650.00"),
        total_assets_wan=Decimal("6120.00"),
        ownership=Ownership.PRIVATE,
        is_key_guarantee=True,
    )
    # Licensed on 2020-03-02 through the green channel: a new code, no revenue yet, not producing yet.
    b.add(
        "other_industrial",
        tag="yizhishi",
        name=YIZHISHI,
        uscc=make_uscc(DISTRICT[0], b.org8(new=True)),
        town=TOWN_CODE["白露塘镇"],
        industry_section="C",
        industry_division="35",
        employees=12,
        annual_revenue_wan=Decimal("0.00"),
        total_assets_wan=Decimal("800.00"),
        ownership=Ownership.PRIVATE,
        is_key_guarantee=True,
    )
    # (tag, category, section, division, word, ownership, revenue range 万元, staff range)
    key_guarantee = (
        ("kg_pharma", "above_scale_industrial", "C", "27", "制药", Ownership.PRIVATE, (9000, 26000), (300, 700)),
        ("kg_disinfect", "above_scale_industrial", "C", "26", "消毒用品", Ownership.PRIVATE, (2600, 9000), (60, 250)),
        (
            "kg_protective",
            "above_scale_industrial",
            "C",
            "17",
            "医用防护用品",
            Ownership.PRIVATE,
            (3000, 12000),
            (150, 500),
        ),
        ("kg_grain", "above_scale_industrial", "C", "13", "粮油", Ownership.PRIVATE, (5000, 16000), (80, 300)),
        ("kg_water", "above_scale_industrial", "D", "46", "供水", Ownership.STATE, (4000, 9000), (150, 320)),
        ("kg_med_wholesale", "trade", "F", "51", "医药", Ownership.PRIVATE, (3000, 12000), (40, 150)),
        ("kg_supermarket", "trade", "F", "52", "连锁超市", Ownership.PRIVATE, (1500, 6000), (60, 280)),
        ("kg_coldchain", "services", "G", "59", "冷链物流", Ownership.PRIVATE, (800, 3000), (30, 120)),
        ("kg_vegetable", "agriculture", "A", "01", "蔬菜种植", Ownership.COLLECTIVE, (300, 1500), (20, 90)),
    )
    for tag, category, section, division, word, ownership, revenue, staff in key_guarantee:
        town = b.town(INDUSTRY_TOWNS if category == "above_scale_industrial" else RURAL_TOWNS)
        b.add(
            category,
            tag=tag,
            name=b.company_name(word),
            town=town,
            industry_section=section,
            industry_division=division,
            ownership=ownership,
            is_key_guarantee=True,
            **b.figures(revenue[0], revenue[1], staff),
        )


def _above_scale(b: _Builder) -> None:
    state_owned = (
        ("D", "44", "电力", Ownership.STATE_CONTROLLED),
        ("B", "09", "矿业", Ownership.STATE_CONTROLLED),
        ("C", "32", "有色金属", Ownership.STATE),
    )
    for section, division, word, ownership in state_owned:
        b.add(
            "above_scale_industrial",
            name=b.company_name(word, large=True),
            industry_section=section,
            industry_division=division,
            ownership=ownership,
            **b.figures(8000, 30000, (300, 900)),
        )
    # Four of the ten SMEs in state-owned premises are 规上 (medium or small, never 1,000+ staff).
    for i in range(4):
        section, division, word = b.trade("industrial")
        b.add(
            "above_scale_industrial",
            tag=f"rent_{i}",
            name=b.company_name(word),
            town=RENT_RELIEF_TOWNS[i % len(RENT_RELIEF_TOWNS)],
            industry_section=section,
            industry_division=division,
            ownership=Ownership.PRIVATE,
            industrial_park=RELIEF_PARK,
            rents_state_premises=True,
            monthly_rent_yuan=STATE_PREMISES_RENTS[i],
            **b.figures(2000, 9000, (40, 280)),
        )
    while sum(1 for e in b.out if e.category == "above_scale_industrial") < COUNTS["above_scale_industrial"]:
        section, division, word = b.trade("industrial")
        town = b.town(INDUSTRY_TOWNS)
        park = None
        if town == TOWN_CODE["白露塘镇"] and b.rng.random() < 0.5:
            park = HIGH_TECH_PARK
        elif town in RENT_RELIEF_TOWNS and b.rng.random() < 0.4:
            park = RELIEF_PARK
        b.add(
            "above_scale_industrial",
            name=b.company_name(word, large=True),
            town=town,
            industry_section=section,
            industry_division=division,
            ownership=b.ownership(),
            industrial_park=park,
            **b.figures(2000, 30000, (40, 900)),
        )


# category → (trade group, revenue range 万元, staff range, share of 个体工商户)
OTHER_PROFILES: dict[str, tuple[str, tuple[float, float], tuple[int, int], float]] = {
    "other_industrial": ("industrial", (50, 1990), (3, 200), 0.0),
    "construction": ("construction", (200, 20000), (10, 400), 0.0),
    "trade": ("trade", (30, 8000), (3, 150), 0.15),
    "hospitality": ("hospitality", (20, 3000), (3, 200), 0.3),
    "services": ("services", (20, 5000), (3, 200), 0.1),
    "agriculture": ("agriculture", (30, 3000), (5, 120), 0.0),
}


# What 个体工商户 (USCC class 2) in the demo do: small shops, not companies.
INDIVIDUAL_TRADES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "trade": (("F", "52", "便利店"), ("F", "52", "副食店"), ("F", "52", "五金店")),
    "hospitality": (("H", "62", "餐馆"), ("H", "62", "小吃店"), ("H", "61", "旅馆")),
    "services": (("O", "81", "汽车修理店"), ("O", "80", "家政服务部"), ("O", "80", "理发店")),
}


def _others(b: _Builder) -> None:
    for i in range(6):  # the other six SMEs in state-owned premises
        section, division, word = b.trade("industrial")
        b.add(
            "other_industrial",
            tag=f"rent_{4 + i}",
            name=b.company_name(word),
            town=RENT_RELIEF_TOWNS[i % len(RENT_RELIEF_TOWNS)],
            industry_section=section,
            industry_division=division,
            ownership=Ownership.PRIVATE,
            industrial_park=RELIEF_PARK,
            rents_state_premises=True,
            monthly_rent_yuan=STATE_PREMISES_RENTS[4 + i],
            **b.figures(300, 1990, (20, 150)),
        )
    for category, (group, revenue, staff, individual_share) in OTHER_PROFILES.items():
        towns = RURAL_TOWNS if category == "agriculture" else INDUSTRY_TOWNS if group == "industrial" else ALL_TOWNS
        while sum(1 for e in b.out if e.category == category) < COUNTS[category]:
            individual = b.rng.random() < individual_share
            if individual:
                section, division, word = b.rng.choice(INDIVIDUAL_TRADES[category])
            else:
                section, division, word = b.trade(group)
            ownership = b.ownership()
            if category in {"construction", "hospitality"} and b.rng.random() < 0.05:
                ownership = Ownership.STATE  # a few 国有 builders and state guesthouses
            b.add(
                category,
                name=b.company_name(word, individual=individual),
                uscc=b.uscc(kind="2") if individual else None,
                town=b.town(towns),
                industry_section=section,
                industry_division=division,
                ownership=Ownership.PRIVATE if individual else ownership,
                **(b.figures(5, 150, (1, 12)) if individual else b.figures(revenue[0], revenue[1], staff)),
            )


def _resumption(b: _Builder) -> None:
    """Status as of 2020-03-02: every 规上 enterprise resumed in February; the others partly."""
    for e in b.out:
        if e.tag == "yizhishi":
            continue  # licensed on 2020-03-02: nothing to resume yet
        if e.category == "above_scale_industrial":
            e.status = ResumptionStatus.RESUMED
            e.resumed_on = FIRST_WORKDAY + dt.timedelta(days=b.rng.randrange(26))  # 02-03 … 02-28
            continue
        resumed, partial = RESUMPTION_RATES[e.category]
        r = b.rng.random()
        if e.is_key_guarantee or r < resumed:
            e.status = ResumptionStatus.RESUMED
        elif r < resumed + partial:
            e.status = ResumptionStatus.PARTIAL
        else:
            continue
        e.resumed_on = FIRST_WORKDAY + dt.timedelta(days=b.rng.randrange(27))  # 02-03 … 02-29
    for e in b.out:
        if e.tag == "gospell":
            e.resumed_on = dt.date(2020, 2, 10)


def build_catalogue(rng: random.Random, people: People) -> Catalogue:
    b = _Builder(rng, people)
    _specials(b)
    _above_scale(b)
    _others(b)
    _resumption(b)
    projects = build_projects(b.out)
    # Stable order: by town, then by code, so listings and ids follow the map rather than the draw.
    enterprises = sorted(b.out, key=lambda e: (e.town, e.uscc))
    return Catalogue(enterprises, projects, {e.tag: e for e in enterprises if e.tag})
