"""API shapes of the supplies ledger. Quantities travel as decimal strings ("12.5"), never floats, so what is
posted is what is stored."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import field_validator

from fugong.core import wording
from fugong.core.api_support import PageQuery, QueryParams

from .models import MovementKind

KINDS = tuple(k.value for k in MovementKind)


def _text(value: str) -> str:
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError(_("不能包含控制字符"))
    return value.strip()


class SupplyQuery(QueryParams):
    date: dt.date | None = Field(None, description="截至日期 YYYY-MM-DD，默认今天")


class ItemSupplyOut(Schema):
    code: str
    name: str
    unit: str
    kind: str
    stock: Decimal
    daily_use: Decimal | None
    days: int | None = Field(description="保障天数 = floor(库存 ÷ 日用量)；无日用量时为 null")
    level: str = Field(description="ok 充足 / low 不足 / critical 紧缺 / unknown 无数据")
    required: int | None = Field(description="配备检查类物资（体温枪）应配备数量")
    short: bool


class SupplyStatusOut(Schema):
    enterprise_id: int
    date: dt.date
    headcount: int | None
    headcount_source: str = Field(description="roster 员工花名册 / reported 企业填报 / registry 企业台账")
    threshold_days: int
    days: int | None = Field(description="各消耗品保障天数的最小值")
    level: str
    below_threshold: bool
    items: list[ItemSupplyOut]


class MovementQuery(PageQuery):
    item: str = Field("", max_length=30, description="物资编码，如 mask、alcohol")
    kind: str = Field("", description="类型：" + "、".join(KINDS))

    @field_validator("item")
    @classmethod
    def _item(cls, v: str) -> str:
        return _text(v)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v and v not in KINDS:
            raise ValueError(_("不是可选的值：%(value)s") % {"value": v[:20]})
        return v


class MovementOut(Schema):
    id: int
    item: str = Field(alias="item.code")
    kind: str
    quantity: Decimal
    on_date: dt.date
    reason: str = Field(description="原因：系统生成的（更正、区级配送）按请求的语言呈现，填写的原样返回")
    source: str

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return wording.in_reader_language(obj.reason)

    created_at: dt.datetime


class MovementIn(Schema):
    kind: Literal["opening", "purchase", "consumption", "adjustment"] = Field(
        description="期初库存 / 自行采购 / 消耗 / 盘点调整（区级配送只能由签收产生）"
    )
    item: str = Field(max_length=30, description="物资编码")
    quantity: Decimal = Field(max_digits=14, decimal_places=3, description="消耗、采购填正数；盘点调整带符号")
    on_date: dt.date
    reason: str = Field("", max_length=200, description="盘点调整必填")

    @field_validator("item", "reason")
    @classmethod
    def _plain(cls, v: str) -> str:
        return _text(v)
