"""API shapes of pairing, liaison postings, visits and help teams. A cadre's phone leaves only masked
(`phone_masked`, as the cadre pages show it); the clear number stays behind the page's logged reveal."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from fugong.core.api_support import PageQuery

from .models import HelpTeam, LeaderPairing, Visit, VisitKind

VISIT_KINDS = frozenset(VisitKind.values)


class VisitQuery(PageQuery):
    """The visit log page's filters, typed: a wrong value is a 422, not an empty list."""

    town: str = Field("", max_length=12, description="镇（街道）区划代码")
    kind: str = Field("", description="类型：" + "、".join(VisitKind.values))

    @field_validator("town")
    @classmethod
    def _town(cls, v: str) -> str:
        v = v.strip()
        # A region code is digits; anything else can only ever match nothing, so say so instead.
        if v and not (v.isascii() and v.isdigit()):
            raise ValueError(_("须为镇（街道）区划代码（数字）"))
        return v

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v and v not in VISIT_KINDS:
            raise ValueError(_("不是可选的值：%(value)s") % {"value": v[:20]})
        return v


class PostingOut(Schema):
    """A liaison posted to the enterprise (驻企联络员派驻)."""

    id: int = Field(description="派驻记录ID")
    cadre_id: int
    name: str = Field(alias="cadre.name")
    unit: str = Field(alias="cadre.unit", description="工作单位")
    rank: str = Field(alias="cadre.rank", description="职务职级")
    phone_masked: str = Field(alias="cadre.phone_masked", description="手机号码（脱敏）")
    since: dt.date = Field(alias="start")
    until: dt.date | None = Field(alias="end")


class PairingOut(Schema):
    """A district leader paired with the enterprise (区级领导包联)."""

    leader_id: int
    leader: str
    since: dt.date = Field(alias="start")
    until: dt.date | None = Field(alias="end")

    @staticmethod
    def resolve_leader(obj: LeaderPairing) -> str:
        return str(obj.leader)


class HelpTeamOut(Schema):
    """一企一队: who serves the enterprise together, and the help given up to today."""

    id: int
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    town: str = Field(alias="enterprise.town_id", description="镇（街道）区划代码")
    town_name: str = Field(alias="enterprise.town.name")
    leader: str | None = Field(description="区级包联领导")
    department: str | None = Field(description="行业主管部门")
    town_lead: str = Field(description="镇（街道）责任领导")
    liaison: str | None = Field(description="驻企联络员")
    formed_on: dt.date
    visits: int = Field(alias="visits_n", description="走访帮扶次数")
    person_times: int = Field(description="帮扶人次")

    @staticmethod
    def resolve_leader(obj: HelpTeam) -> str | None:
        return str(obj.leader) if obj.leader_id else None

    @staticmethod
    def resolve_department(obj: HelpTeam) -> str | None:
        return str(obj.department) if obj.department_id else None

    @staticmethod
    def resolve_liaison(obj: HelpTeam) -> str | None:
        return obj.liaison.name if obj.liaison_id and obj.liaison else None


class EnterpriseLiaisonOut(Schema):
    enterprise_id: int
    enterprise_name: str
    date: dt.date = Field(description="按此日期在任的派驻和包联")
    liaisons: list[PostingOut]
    leaders: list[PairingOut]
    teams: list[HelpTeamOut] = Field(description="一企一队帮扶小分队（每个企业至多一支）")


class VisitOut(Schema):
    id: int
    target_kind: str = Field(description="enterprise 企业 / project 重点项目")
    enterprise_id: int | None
    project_id: int | None
    target_name: str
    town: str = Field(description="镇（街道）区划代码")
    town_name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    visited_on: dt.date
    person_times: int
    people: str = Field(description="参加人员")
    purpose: str
    findings: str
    difficulties: str = Field(description="企业反映的困难问题")
    cadre_id: int | None
    cadre: str | None = Field(description="联络员")
    team_id: int | None

    @staticmethod
    def resolve_target_kind(obj: Visit) -> str:
        return "enterprise" if obj.enterprise_id else "project"

    @staticmethod
    def resolve_target_name(obj: Visit) -> str:
        return str(obj.target)

    @staticmethod
    def resolve_town(obj: Visit) -> str:
        return str(getattr(obj.target, "town_id", "") or "")

    @staticmethod
    def resolve_town_name(obj: Visit) -> str:
        town = getattr(obj.target, "town", None)
        return town.name if town is not None else ""

    @staticmethod
    def resolve_cadre(obj: Visit) -> str | None:
        return obj.cadre.name if obj.cadre_id and obj.cadre else None
