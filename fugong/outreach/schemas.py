"""API shapes of the outreach teams (宣传小分队) and their visits: the coverage page's numbers per team and the
visit records with their topics and materials."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from .models import OutreachVisit
from .selectors import TeamCoverage


class TeamCoverageOut(Schema):
    """One row of the coverage page: the team, its targets by the jurisdiction rule and what it has done."""

    id: int = Field(alias="team.pk")
    name: str = Field(alias="team.name")
    level: str = Field(alias="team.level", description="district 区级 / town 镇（街道）级")
    level_label: str
    town: str | None = Field(alias="team.town_id", description="镇（街道）区划代码；区级小分队为 null")
    town_name: str
    members: int
    targets: int = Field(description="目标企业数（按辖区规则，且在调用者可见范围内）")
    visited: int = Field(description="已走访的目标企业数")
    not_yet: int
    rate: float = Field(description="覆盖率 0–1")
    visits: int = Field(description="走访次数")
    attendees: int = Field(description="听讲人数")
    materials: int = Field(description="发放资料（份）")

    @staticmethod
    def resolve_level_label(obj: TeamCoverage) -> str:
        return str(obj.team.get_level_display())

    @staticmethod
    def resolve_town_name(obj: TeamCoverage) -> str:
        return obj.team.town.name if obj.team.town_id and obj.team.town else ""


class MaterialOut(Schema):
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    count: int


class OutreachVisitOut(Schema):
    id: int
    team_id: int
    team_name: str = Field(alias="team.name")
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    town: str = Field(alias="enterprise.town_id", description="企业所在镇（街道）区划代码")
    town_name: str = Field(alias="enterprise.town.name")
    visited_on: dt.date
    topics: list[str] = Field(description="宣讲内容代码")
    topic_labels: list[str]
    attendees: int = Field(description="听讲人数")
    materials: list[MaterialOut] = Field(description="发放的宣传资料")

    @staticmethod
    def resolve_materials(obj: OutreachVisit) -> list[Any]:
        return list(obj.materials.all())  # prefetched by the handler: no query per visit
