"""API shapes of screening. People leave only masked; risk areas and alerts are not personal data beyond a
masked name in an alert's message."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from fugong.core.api_support import PageQuery

from . import wording
from .models import Alert, RiskArea


class RiskAreaQuery(PageQuery):
    q: str = Field("", max_length=60, description="区划代码开头或名称关键字")
    level: Literal["", "low", "medium", "high"] = Field("", description="风险等级")
    history: bool = Field(False, description="含已失效的历史记录")


class RiskAreaOut(Schema):
    id: int
    region_code: str
    region_name: str
    level: str
    level_label: str
    effective_from: dt.date
    effective_to: dt.date | None
    source: str

    @staticmethod
    def resolve_level_label(obj: RiskArea) -> str:
        return str(obj.get_level_display())


class RiskAreaIn(Schema):
    region_code: str = Field(..., min_length=6, max_length=6, description="6位县级区划代码")
    region_name: str = Field("", max_length=60, description="留空则按区划代码自动填写")
    level: Literal["low", "medium", "high", "低", "中", "高"]
    effective_from: dt.date
    source: str = Field(..., min_length=1, max_length=200, description="依据（文号）")


class RiskChangeOut(Schema):
    created: list[RiskAreaOut]
    unchanged: int
    rescreened: int
    alerts: int
    job_id: int | None


class TraceQuery(PageQuery):
    code: str = Field(..., min_length=6, max_length=6, pattern=r"^\d{6}$", description="6位县级区划代码")
    as_of: dt.date | None = Field(None, description="截至日期，默认今天")
    days: int | None = Field(None, ge=1, le=60, description="回溯天数，默认现行规则的观察期")


class TraceOut(Schema):
    employee_id: int
    name_masked: str
    enterprise_id: int
    enterprise: str
    town: str
    liaisons: list[str]
    date_from: dt.date
    date_to: dt.date
    clearance: str
    clearance_label: str
    clearance_until: dt.date | None


class AlertQuery(PageQuery):
    state: Literal["open", "resolved", "all"] = "open"
    kind: Literal["", "fever", "abnormal", "quarantine_ending", "missing_reading", "risk_area"] = ""
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1)


class AlertOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    employee_id: int | None
    kind: str
    kind_label: str
    day: dt.date
    message: str = Field(description="预警内容，按请求的语言（Accept-Language）呈现；以中文保存")
    count: int
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str

    @staticmethod
    def resolve_enterprise(obj: Alert) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_message(obj: Alert) -> str:
        return wording.in_reader_language(obj.message)

    @staticmethod
    def resolve_kind_label(obj: Alert) -> str:
        return str(obj.get_kind_display())
