"""API shapes of resumption: applications, the dashboard figures, daily reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from fugong.core import wording
from fugong.core.api_support import PageQuery, QueryParams

from .models import AppState
from .selectors import ApplicationFilters


class ApplicationQuery(PageQuery):
    state: str = Field("", description="状态：open（办理中）或 " + "、".join(AppState.values))
    town: str = Field("", max_length=12, description="镇（街道）区划代码")
    category: str = Field("", max_length=30, description="企业类别")
    overdue: bool = Field(False, description="只看整改逾期的")

    def to_filters(self) -> ApplicationFilters:
        return ApplicationFilters(state=self.state, town=self.town, category=self.category, overdue=self.overdue)


class ApplicationOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    town: str = Field(alias="enterprise.town.name")
    state: str
    state_label: str = Field(alias="get_state_display")
    planned_date: dt.date
    batch_workers: list[int]
    submitted_at: dt.datetime | None
    actual_date: dt.date | None
    resumed_as: str


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str = Field(alias="actor_label")
    at: dt.datetime
    note: str = Field(description="说明：系统生成的按请求的语言（Accept-Language）呈现，填写的原样返回")

    @staticmethod
    def resolve_note(obj: Any) -> str:
        return wording.in_reader_language(obj.note)


class ResultOut(Schema):
    item: str
    mandatory: bool
    result: str
    note: str
    rectify_by: dt.date | None


class InspectionOut(Schema):
    number: int
    inspected_on: dt.date
    inspector: str
    checklist_version: int
    passed: bool
    results: list[ResultOut]


class ApplicationDetailOut(ApplicationOut):
    checklist_version: int = Field(alias="checklist.version")
    decision_reason: str
    events: list[EventOut] = Field(alias="events_out")
    inspections: list[InspectionOut] = Field(alias="inspections_out")


class DashboardQuery(QueryParams):
    date: str = Field("", max_length=20, description="统计日期 YYYY-MM-DD，默认最近的快照日")


class GroupOut(Schema):
    key: str
    label: str
    enterprises: int
    resumed: int
    partial: int
    suspended: int
    resumption_rate: float | None
    attendance_rate: float | None
    capacity_rate: float | None


class FunnelOut(Schema):
    applied: int
    inspected: int
    passed: int
    filed: int
    rectifying: int
    rejected: int
    withdrawn: int


class DashboardOut(Schema):
    date: dt.date
    scope: str
    computed_at: dt.datetime
    fresh: bool = Field(description="快照是否反映最新记录（否则正在重新汇总）")
    total: GroupOut
    by_category: list[GroupOut]
    by_town: list[GroupOut]
    by_industry: list[GroupOut]
    funnel: FunnelOut
    reports_expected: int
    reports_missing: int


class DailyReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    day: dt.date
    registered: int = Field(ge=0, le=1_000_000, description="在册职工（人）")
    on_duty: int = Field(ge=0, le=1_000_000, description="到岗人数（人）")
    daily_output: int | None = Field(None, ge=0, le=10**9)
    normal_output: int | None = Field(None, ge=0, le=10**9)
    output_unit: str = Field("", max_length=10)
    capacity_percent: Decimal | None = Field(None, ge=0, le=300, description="产能恢复率（%），无产量数据时填写")
    orders_on_hand: int | None = Field(None, ge=0, le=10**9)
    note: str = Field("", max_length=300)


class DailyReportOut(Schema):
    enterprise_id: int
    day: dt.date
    registered: int
    on_duty: int
    daily_output: int | None
    normal_output: int | None
    output_unit: str
    capacity_rate: Decimal | None
    orders_on_hand: int | None
    created: bool = False


def group(key: str, label: str, figs: Any) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "enterprises": int(figs["enterprises"]),
        "resumed": int(figs["resumed"]),
        "partial": int(figs["partial"]),
        "suspended": int(figs["suspended"]),
        "resumption_rate": figs.resumption_rate,
        "attendance_rate": figs.attendance_rate,
        "capacity_rate": figs.capacity_rate,
    }
