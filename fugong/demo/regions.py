"""The demo's places: 苏仙区 with its streets, towns and villages; other counties as travel origins; parks.

Codes follow GB/T 2260 (6 digits) and the statistics bureau's 统计用区划代码 pattern below the county (9 digits
for a town or street, 12 for a village or community: `0xx` communities, `2xx` villages). The town codes match
the persona world in fugong.core.testing (栖凤渡镇 431003104, 白露塘镇 431003100).
"""

from __future__ import annotations

from dataclasses import dataclass

from fugong.regions.models import Region

PROVINCE = ("430000", "湖南省")
CITY = ("431000", "郴州市")
DISTRICT = ("431003", "苏仙区")

Level = Region.Level
Kind = Region.Kind


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    level: str
    kind: str
    parent: str | None
    sort: int = 0


# (code, name, kind, [villages/communities]) — 4 streets, then 11 towns.
TOWNS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("431003001", "南塔街道", Kind.STREET, ("南塔社区", "燕泉社区", "同心社区")),
    ("431003002", "苏仙街道", Kind.STREET, ("苏仙岭社区", "香花社区")),
    ("431003003", "王仙岭街道", Kind.STREET, ("王仙岭社区", "岭南社区")),
    ("431003004", "观山洞街道", Kind.STREET, ("观山社区", "洞口社区", "新塘社区")),
    ("431003100", "白露塘镇", Kind.TOWN, ("白露塘社区", "大奎上村", "塘溪村", "林邑村")),
    ("431003101", "良田镇", Kind.TOWN, ("良田社区", "堆上村", "坳下村")),
    ("431003102", "坳上镇", Kind.TOWN, ("坳上社区", "龙溪村")),
    ("431003103", "许家洞镇", Kind.TOWN, ("许家洞社区", "下湾村", "郴江村")),
    ("431003104", "栖凤渡镇", Kind.TOWN, ("栖凤渡社区", "岗脚村", "凤山村", "瓦灶村")),
    ("431003105", "五里牌镇", Kind.TOWN, ("五里牌社区", "长冲村")),
    ("431003106", "五盖山镇", Kind.TOWN, ("五盖山社区", "大坪村")),
    ("431003107", "望仙镇", Kind.TOWN, ("望仙社区", "金龙村")),
    ("431003108", "桥口镇", Kind.TOWN, ("桥口社区", "石桥村", "枫树村")),
    ("431003109", "华塘镇", Kind.TOWN, ("华塘社区", "塘尾村", "新屋村")),
    ("431003110", "飞天山镇", Kind.TOWN, ("飞天山社区", "秧溪村")),
)
TOWN_NAMES = {code: name for code, name, _kind, _villages in TOWNS}
TOWN_CODE = {name: code for code, name in TOWN_NAMES.items()}
QIFENGDU = TOWN_CODE["栖凤渡镇"]
BAILUTANG = TOWN_CODE["白露塘镇"]

# County-level places workers came back from (later issues use them as trajectory origins and risk areas).
# (province, city, [(code, name)]) — the city's own row is created as its parent.
ORIGINS: tuple[tuple[tuple[str, str], tuple[str, str], tuple[tuple[str, str], ...]], ...] = (
    (("420000", "湖北省"), ("420100", "武汉市"), (("420102", "江岸区"), ("420103", "江汉区"), ("420104", "硚口区"))),
    (("420000", "湖北省"), ("420100", "武汉市"), (("420106", "武昌区"), ("420111", "洪山区"))),
    (("420000", "湖北省"), ("420900", "孝感市"), (("420902", "孝南区"),)),
    (("420000", "湖北省"), ("421000", "荆州市"), (("421002", "沙市区"),)),
    (("420000", "湖北省"), ("421100", "黄冈市"), (("421102", "黄州区"),)),
    (("440000", "广东省"), ("440100", "广州市"), (("440106", "天河区"), ("440111", "白云区"))),
    (
        ("440000", "广东省"),
        ("440300", "深圳市"),
        (("440303", "罗湖区"), ("440304", "福田区"), ("440305", "南山区"), ("440306", "宝安区"), ("440307", "龙岗区")),
    ),
    (("330000", "浙江省"), ("330100", "杭州市"), (("330106", "西湖区"),)),
    (("330000", "浙江省"), ("330300", "温州市"), (("330302", "鹿城区"),)),
    (("430000", "湖南省"), ("430100", "长沙市"), (("430102", "芙蓉区"), ("430111", "雨花区"))),
    (("430000", "湖南省"), ("431000", "郴州市"), (("431002", "北湖区"), ("431022", "宜章县"), ("431081", "资兴市"))),
)

# (name, relief) — rent relief (免三减三) applies to state-owned premises in 苏仙工业集中区 only.
RELIEF_PARK = "苏仙工业集中区"
PARKS = ((RELIEF_PARK, True), ("郴州高新技术产业开发区", False))


def region_specs() -> list[RegionSpec]:
    """Every region row of the demo, parents before children."""
    out: dict[str, RegionSpec] = {}

    def add(code: str, name: str, level: str, kind: str, parent: str | None, sort: int = 0) -> None:
        out.setdefault(code, RegionSpec(code, name, level, kind, parent, sort))

    add(*PROVINCE, Level.PROVINCE, Kind.OTHER, None)
    add(*CITY, Level.CITY, Kind.OTHER, PROVINCE[0])
    add(*DISTRICT, Level.DISTRICT, Kind.OTHER, CITY[0])
    for sort, (code, name, kind, _villages) in enumerate(TOWNS, start=1):
        add(code, name, Level.TOWN, kind, DISTRICT[0], sort)
    for province, city, districts in ORIGINS:
        add(*province, Level.PROVINCE, Kind.OTHER, None)
        add(*city, Level.CITY, Kind.OTHER, province[0])
        for code, name in districts:
            add(code, name, Level.DISTRICT, Kind.OTHER, city[0])
    for code, _name, _kind, villages in TOWNS:
        community_no, village_no = 1, 201
        for sort, village in enumerate(villages, start=1):
            if village.endswith("社区"):
                vcode, kind = f"{code}{community_no:03d}", Kind.COMMUNITY
                community_no += 1
            else:
                vcode, kind = f"{code}{village_no:03d}", Kind.VILLAGE
                village_no += 1
            add(vcode, village, Level.VILLAGE, kind, code, sort)
    return list(out.values())


def villages_of(town_code: str) -> tuple[str, ...]:
    for code, _name, _kind, villages in TOWNS:
        if code == town_code:
            return villages
    raise KeyError(town_code)
