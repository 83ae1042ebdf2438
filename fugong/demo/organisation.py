"""Who looks after whom in the demo: liaison cadres (驻企联络员), district leaders' pairings (包联), the 16
outreach teams (宣传小分队) and bank–enterprise matchmaking (银企对接) — pure data keyed by USCC/project code.

The article's figures fixed here: 109 cadres → 179 enterprises and projects; every 规上 enterprise and key
project paired with a district leader (全覆盖); 16 teams (1 district + 15 towns and streets); 3 banks, 5 key
enterprises, 92,000,000 元 of credit.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from .enterprises import Catalogue, EnterpriseSpec
from .people import People
from .regions import QIFENGDU, TOWNS

CADRES = 109
LIAISON_TARGETS = 179
ASSIGNED_FROM = dt.date(2020, 2, 3)

CADRE_UNITS = (
    "区发展和改革局",
    "区工业和信息化局",
    "区人力资源和社会保障局",
    "区市场监督管理局",
    "区商务局",
    "区卫生健康局",
    "区财政局",
    "区住房和城乡建设局",
    "区交通运输局",
    "区应急管理局",
    "区自然资源局",
    "区委组织部",
    "区委宣传部",
    "区政府办公室",
    "区统计局",
)
CADRE_RANKS = ("副局长", "党组成员", "副主任", "科长", "副科长", "一级主任科员", "二级主任科员", "四级调研员")

LEADER_UNITS = ("苏仙区人民政府", "中共苏仙区委", "苏仙区人大常委会", "苏仙区政协")
# Each district leader is 包联 for whole towns; demo-leader holds 栖凤渡镇 (高斯贝尔, 凤楚食品).
DEMO_LEADER = "demo-leader"
OTHER_LEADERS = 7

DISTRICT_TEAM = "苏仙区防疫宣传小分队"

BANKS = ("中国工商银行郴州苏仙支行", "中国农业银行郴州苏仙支行", "中国建设银行郴州苏仙支行")
# (bank, enterprise tag, since, credit granted 元) — sums to 92,000,000 元 over 5 key enterprises.
MATCHES = (
    (BANKS[0], "kg_pharma", dt.date(2020, 2, 14), Decimal("30000000")),
    (BANKS[0], "fengchu", dt.date(2020, 2, 18), Decimal("20000000")),
    (BANKS[1], "kg_protective", dt.date(2020, 2, 12), Decimal("18000000")),
    (BANKS[1], "kg_grain", dt.date(2020, 2, 20), Decimal("14000000")),
    (BANKS[2], "kg_med_wholesale", dt.date(2020, 2, 24), Decimal("10000000")),
)
DEMO_BANK = BANKS[0]


@dataclass(frozen=True)
class Target:
    """An enterprise (by USCC) or a key project (by code)."""

    kind: str  # "enterprise" | "project"
    key: str
    town: str


@dataclass
class CadreSpec:
    name: str
    unit: str
    rank: str
    phone: str
    home_town: str
    username: str = ""  # the platform account, for the one cadre that has one (demo-liaison)
    targets: list[Target] = field(default_factory=list)


@dataclass
class LeaderSpec:
    username: str
    full_name: str
    unit: str
    towns: tuple[str, ...]  # town codes
    targets: list[Target] = field(default_factory=list)


@dataclass
class Organisation:
    cadres: list[CadreSpec]
    leaders: list[LeaderSpec]
    teams: list[tuple[str, str, str | None]]  # (name, level, town code)
    matches: tuple[tuple[str, str, dt.date, Decimal], ...]  # (bank, USCC, since, credit)


def _enterprise_target(e: EnterpriseSpec) -> Target:
    return Target("enterprise", e.uscc, e.town)


def liaison_targets(cat: Catalogue) -> list[Target]:
    """179 targets: every 规上 enterprise and key project, then the largest of the rest (key-guarantee first)."""
    asi = [_enterprise_target(e) for e in cat.enterprises if e.category == "above_scale_industrial"]
    projects = [Target("project", p.code, p.town) for p in cat.projects]
    rest = sorted(
        (e for e in cat.enterprises if e.category != "above_scale_industrial"),
        key=lambda e: (not e.is_key_guarantee, not e.rents_state_premises, -e.employees, e.uscc),
    )
    needed = LIAISON_TARGETS - len(asi) - len(projects)
    return asi + projects + [_enterprise_target(e) for e in rest[:needed]]


def _cadres(rng: random.Random, people: People, cat: Catalogue) -> list[CadreSpec]:
    targets = liaison_targets(cat)

    def cadre(home_town: str, username: str = "") -> CadreSpec:
        return CadreSpec(
            name=people.name(unique=True),
            unit=rng.choice(CADRE_UNITS),
            rank=rng.choice(CADRE_RANKS),
            phone=people.phone(),
            home_town=home_town,
            username=username,
        )

    # demo-liaison: 高斯贝尔, 凤楚食品 and the food-industry park project, all in 栖凤渡镇.
    demo = cadre(QIFENGDU, "demo-liaison")
    mine = {cat.tagged("gospell").uscc, cat.tagged("fengchu").uscc, "SX2020-003"}
    demo.targets = [t for t in targets if t.key in mine]
    rest = sorted((t for t in targets if t.key not in mine), key=lambda t: (t.town, t.kind, t.key))
    # 108 cadres for 176 targets: 68 take two, 40 take one; consecutive targets share a town where possible.
    loads = [2] * (len(rest) - (CADRES - 1)) + [1] * (2 * (CADRES - 1) - len(rest))
    rng.shuffle(loads)
    cadres, i = [demo], 0
    for load in loads:
        c = cadre(rest[i].town)
        c.targets = rest[i : i + load]
        cadres.append(c)
        i += load
    # The largest enterprises get a second cadre (assignments are N:M), from a one-target cadre of the town.
    largest = sorted(
        (e for e in cat.enterprises if e.category == "above_scale_industrial"), key=lambda e: (-e.employees, e.uscc)
    )[:3]
    for e in largest:
        target = _enterprise_target(e)
        helper = next(
            (c for c in cadres[1:] if len(c.targets) == 1 and c.home_town == e.town),
            next(c for c in cadres[1:] if len(c.targets) == 1),
        )
        helper.targets.append(target)
    return cadres


def _leaders(people: People, cat: Catalogue) -> list[LeaderSpec]:
    # 全覆盖: every 规上 enterprise, key-guarantee enterprise and key project has the leader of its town.
    by_town: dict[str, list[Target]] = {code: [] for code, _n, _k, _v in TOWNS}
    for e in cat.enterprises:
        if e.category == "above_scale_industrial" or e.is_key_guarantee:
            by_town[e.town].append(_enterprise_target(e))
    for p in cat.projects:
        by_town[p.town].append(Target("project", p.code, p.town))
    leaders = [LeaderSpec(DEMO_LEADER, people.name(unique=True), LEADER_UNITS[0], (QIFENGDU,))]
    leaders += [
        LeaderSpec(f"demo-leader-{i + 2}", people.name(unique=True), LEADER_UNITS[i % len(LEADER_UNITS)], ())
        for i in range(OTHER_LEADERS)
    ]
    # The other towns go to the least-loaded of the other leaders, busiest town first.
    for town in sorted(by_town, key=lambda t: (-len(by_town[t]), t)):
        if town == QIFENGDU:
            continue
        leader = min(leaders[1:], key=lambda lead: (len(lead.targets), lead.username))
        leader.towns += (town,)
        leader.targets += by_town[town]
    leaders[0].targets += by_town[QIFENGDU]
    return leaders


def build_organisation(rng: random.Random, people: People, cat: Catalogue) -> Organisation:
    cadres = _cadres(rng, people, cat)
    leaders = _leaders(people, cat)
    teams: list[tuple[str, str, str | None]] = [(DISTRICT_TEAM, "district", None)]
    teams += [(f"{name}防疫宣传小分队", "town", code) for code, name, _k, _v in TOWNS]
    matches = tuple((bank, cat.tagged(tag).uscc, since, credit) for bank, tag, since, credit in MATCHES)
    return Organisation(cadres, leaders, teams, matches)
