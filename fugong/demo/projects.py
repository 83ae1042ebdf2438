"""The demo's 15 key projects (重点项目): district infrastructure and industrial projects across the towns,
with total investment; a few industrial ones are owned by a 规上 enterprise of their town."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from fugong.enterprises.models import KeyProject, ResumptionStatus

from .regions import TOWN_CODE

if TYPE_CHECKING:
    from .enterprises import EnterpriseSpec


@dataclass
class ProjectSpec:
    code: str
    name: str
    town: str
    industry_section: str
    total_investment_yuan: Decimal
    stage: str
    status: str
    owner_tag: str = ""


# (code, name, town, section, investment 亿元, stage, status, owner: the first 规上 enterprise of that town)
PROJECTS = (
    ("SX2020-001", "苏仙区现代物流园建设项目", "白露塘镇", "G", "12.0", "building", "resumed", False),
    ("SX2020-002", "郴州高新区电子信息产业园标准厂房项目", "白露塘镇", "C", "6.5", "building", "resumed", True),
    ("SX2020-003", "栖凤渡镇食品产业园建设项目", "栖凤渡镇", "C", "3.2", "building", "resumed", False),
    ("SX2020-004", "栖凤渡镇农产品冷链物流中心项目", "栖凤渡镇", "G", "1.8", "building", "partial", False),
    ("SX2020-005", "许家洞镇有色金属精深加工项目", "许家洞镇", "C", "5.6", "building", "resumed", True),
    ("SX2020-006", "良田镇新型建材产业园项目", "良田镇", "C", "2.4", "building", "resumed", True),
    ("SX2020-007", "飞天山景区旅游基础设施提质项目", "飞天山镇", "N", "3.0", "building", "not_resumed", False),
    ("SX2020-008", "王仙岭片区棚户区改造项目", "王仙岭街道", "E", "8.0", "building", "resumed", False),
    ("SX2020-009", "南塔片区城市道路提质改造工程", "南塔街道", "E", "1.5", "building", "resumed", False),
    ("SX2020-010", "苏仙区污水处理厂提标改造工程", "观山洞街道", "N", "0.9", "building", "resumed", False),
    ("SX2020-011", "五里牌镇现代农业产业园项目", "五里牌镇", "A", "1.2", "building", "partial", False),
    ("SX2020-012", "华塘镇医药物流仓储项目", "华塘镇", "G", "2.1", "building", "resumed", False),
    ("SX2020-013", "坳上镇分布式光伏发电项目", "坳上镇", "D", "1.6", "planned", "not_resumed", False),
    ("SX2020-014", "桥口镇农村安全饮水巩固提升工程", "桥口镇", "N", "0.6", "building", "resumed", False),
    ("SX2020-015", "苏仙街道社区卫生服务中心综合楼项目", "苏仙街道", "E", "2.8", "building", "resumed", False),
)


def build_projects(enterprises: list[EnterpriseSpec]) -> list[ProjectSpec]:
    """The key projects; an industrial one is owned by the first untagged 规上 enterprise of its town."""
    out = []
    for code, name, town_name, section, yi, stage, status, owned in PROJECTS:
        town = TOWN_CODE[town_name]
        owner_tag = ""
        if owned:
            owner = next(
                e for e in enterprises if e.category == "above_scale_industrial" and e.town == town and not e.tag
            )
            owner.tag = owner_tag = f"owner_{code}"
        out.append(
            ProjectSpec(
                code=code,
                name=name,
                town=town,
                industry_section=section,
                total_investment_yuan=Decimal(yi) * 100_000_000,
                stage=KeyProject.Stage(stage),
                status=ResumptionStatus(status),
                owner_tag=owner_tag,
            )
        )
    return out
