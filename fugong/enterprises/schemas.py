"""API shapes of the registry. Personal data leaves only masked (`contact_phone_masked`); the clear phone
is available solely through the logged reveal endpoint."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from fugong.core.api_support import PageQuery
from fugong.regions.models import IndustrialPark
from fugong.regions.selectors import towns

from .classification import Category, IndustrySection, SizeClass, SizeSector
from .models import Enterprise, Ownership, ResumptionStatus
from .selectors import EnterpriseFilters


def _no_control_chars(value: str | None) -> str | None:
    # PostgreSQL refuses NUL in text, and control characters in a name end up in Excel exports: say so here.
    if value is not None and any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError(_("不能包含控制字符"))
    return value.strip() if value is not None else None


def _choice(value: str | None, allowed: frozenset[str]) -> str | None:
    if value and value not in allowed:
        raise ValueError(_("不是可选的值：%(value)s") % {"value": value[:40]})
    return value


CATEGORIES = frozenset(Category.values)
SIZE_CLASSES = frozenset(SizeClass.values)
STATUSES = frozenset(ResumptionStatus.values)
OWNERSHIPS = frozenset(Ownership.values)
SECTIONS = frozenset(IndustrySection.values)
SECTORS = frozenset(SizeSector.values)


class EnterpriseQuery(PageQuery):
    """The list page's filters (selectors.EnterpriseFilters), typed: a wrong value is a 422, not an empty list."""

    q: str = Field("", max_length=100, description="名称关键字或统一社会信用代码前缀")
    town: str = Field("", max_length=12, description="镇（街道）区划代码")
    category: str = Field("", description="企业类别")
    size_class: str = Field("", description="企业规模")
    status: str = Field("", description="复工状态")
    ownership: str = Field("", description="经济类型；non_public 为全部非公企业")
    key_guarantee: bool | None = Field(None, description="疫情防控重点保障企业")
    in_park: bool | None = Field(None, description="位于工业园区")
    state_premises: bool | None = Field(None, description="承租国有经营用房")

    @field_validator("q", "town")
    @classmethod
    def _text(cls, v: str) -> str | None:
        return _no_control_chars(v)

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str | None:
        return _choice(v, CATEGORIES)

    @field_validator("size_class")
    @classmethod
    def _size_class(cls, v: str) -> str | None:
        return _choice(v, SIZE_CLASSES)

    @field_validator("status")
    @classmethod
    def _status(cls, v: str) -> str | None:
        return _choice(v, STATUSES)

    @field_validator("ownership")
    @classmethod
    def _ownership(cls, v: str) -> str | None:
        return _choice(v, OWNERSHIPS | {"non_public"})

    def to_filters(self) -> EnterpriseFilters:
        data = self.model_dump(exclude={"page", "page_size"})
        return EnterpriseFilters(**data)


class EnterpriseOut(Schema):
    id: int
    uscc: str
    name: str
    legal_representative: str
    town: str = Field(description="镇（街道）区划代码")
    town_name: str
    address: str
    industry_section: str
    industry_division: str
    size_sector: str
    size_class: str
    size_class_label: str
    is_above_scale: bool
    category: str
    category_label: str
    is_non_public: bool
    ownership: str
    ownership_label: str
    employees: int | None
    annual_revenue_wan: float | None
    total_assets_wan: float | None
    is_key_guarantee: bool
    industrial_park: int | None
    industrial_park_name: str
    rents_state_premises: bool
    monthly_rent_yuan: float | None
    contact_name: str
    contact_phone_masked: str
    status: str
    status_label: str
    resumed_on: dt.date | None
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_town(obj: Enterprise) -> str:
        return obj.town_id

    @staticmethod
    def resolve_town_name(obj: Enterprise) -> str:
        return obj.town.name

    @staticmethod
    def resolve_industrial_park(obj: Enterprise) -> int | None:
        return obj.industrial_park_id

    @staticmethod
    def resolve_industrial_park_name(obj: Enterprise) -> str:
        return obj.industrial_park.name if obj.industrial_park is not None else ""

    @staticmethod
    def resolve_size_class_label(obj: Enterprise) -> str:
        return str(obj.get_size_class_display())

    @staticmethod
    def resolve_category_label(obj: Enterprise) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_ownership_label(obj: Enterprise) -> str:
        return str(obj.get_ownership_display())

    @staticmethod
    def resolve_status_label(obj: Enterprise) -> str:
        return str(obj.get_status_display())


Money14 = Field(None, ge=0, max_digits=14, decimal_places=2)

# Model fields that cannot hold NULL: a JSON null for them is a field error, not a database error.
NOT_NULL = frozenset(
    {
        "uscc",
        "name",
        "legal_representative",
        "town",
        "address",
        "industry_section",
        "industry_division",
        "size_sector",
        "ownership",
        "is_key_guarantee",
        "rents_state_premises",
        "contact_name",
        "contact_phone",
    }
)


class EnterprisePatch(Schema):
    """A partial update: only the fields sent are changed. `version` is the one the client read."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(..., ge=1, le=2_147_483_647, description="读取时的版本号（乐观并发控制）")
    uscc: str | None = Field(None, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=120)
    legal_representative: str | None = Field(None, max_length=40)
    town: str | None = Field(None, max_length=12, description="镇（街道）区划代码")
    address: str | None = Field(None, max_length=200)
    industry_section: str | None = None
    industry_division: str | None = Field(None, max_length=4)
    size_sector: str | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    annual_revenue_wan: Decimal | None = Money14
    total_assets_wan: Decimal | None = Money14
    ownership: str | None = None
    is_key_guarantee: bool | None = None
    industrial_park: int | None = Field(None, ge=1, le=2**63 - 1)
    rents_state_premises: bool | None = None
    monthly_rent_yuan: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    contact_name: str | None = Field(None, max_length=40)
    contact_phone: str | None = Field(None, max_length=30)

    @field_validator(
        "uscc",
        "name",
        "legal_representative",
        "town",
        "address",
        "industry_division",
        "contact_name",
        "contact_phone",
    )
    @classmethod
    def _text(cls, v: str | None) -> str | None:
        return _no_control_chars(v)

    @field_validator("industry_section")
    @classmethod
    def _section(cls, v: str | None) -> str | None:
        return _choice(v, SECTIONS)

    @field_validator("size_sector")
    @classmethod
    def _sector(cls, v: str | None) -> str | None:
        return _choice(v, SECTORS)

    @field_validator("ownership")
    @classmethod
    def _ownership(cls, v: str | None) -> str | None:
        return _choice(v, OWNERSHIPS)

    def changes(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The sent fields as the service takes them (related rows resolved), and {field: problem}."""
        data = self.model_dump(exclude_unset=True, exclude={"version"})
        errors: dict[str, str] = {}
        for key in sorted(NOT_NULL & data.keys()):
            if data[key] is None:
                errors[key] = _("不能为空值（null）")
        if data.get("name") == "":
            errors["name"] = _("不能为空")
        if data.get("town"):
            town = towns().filter(code=data["town"]).first()
            if town is None:
                errors["town"] = _("不是本区的镇（街道）：%(code)s") % {"code": data["town"]}
            data["town"] = town
        elif "town" in data and "town" not in errors:
            errors["town"] = _("不能为空")
        if data.get("industrial_park") is not None:
            park = IndustrialPark.objects.filter(pk=data["industrial_park"]).first()
            if park is None:
                errors["industrial_park"] = _("工业园区不存在")
            data["industrial_park"] = park
        return data, errors


class RevealIn(Schema):
    model_config = ConfigDict(extra="forbid")

    fields: list[Literal["contact_phone"]] = Field(..., min_length=1, max_length=5, description="要查看的字段")
    reason: str = Field("", max_length=300, description="查看理由（记入访问日志）")

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str | None:
        return _no_control_chars(v)


class RevealOut(Schema):
    id: int
    fields: dict[str, str]
