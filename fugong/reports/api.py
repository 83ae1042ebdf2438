"""/api/v1/stats/overview: every registered figure, counted over the caller's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from fugong.accounts import roles
from fugong.core import figure_store, scoping
from fugong.core.api_support import ERRORS, field_errors, require

from .brief import district_name, parse_day

router = Router(tags=["统计"])


class OverviewQuery(Schema):
    date: str = Field("", max_length=20, description="统计截至日期 YYYY-MM-DD，默认今天")


class OverviewOut(Schema):
    date: dt.date
    district: str
    scope: str = Field(description="调用者可见的范围")
    figures: dict[str, int | float]
    as_of: dt.datetime = Field(description="这些数字的统计时间（来自统计快照）")
    stale: bool = Field(description="统计后数据已有变动，正在后台更新")


@router.get("/stats/overview", response={200: OverviewOut, **ERRORS}, summary="统计概览（按调用者范围）")
def overview(request: HttpRequest, params: Query[OverviewQuery]) -> Any:
    require(request.user, roles.VIEW_DISTRICT_FIGURES)
    try:
        day = parse_day(params.date)
    except ValueError as exc:
        raise field_errors({"date": str(exc)}) from None
    result = figure_store.figures_for(request.user, day)
    return {
        "date": day,
        "district": district_name(),
        "scope": scoping.scope_label(request.user),
        "figures": result.values,
        "as_of": result.as_of,
        "stale": result.stale,
    }
