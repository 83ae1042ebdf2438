"""API shapes of the workforce archive. Identity leaves only masked (`*_masked`) and without the birth date
(with the masked ID number it would rebuild the whole number); clear values only through the logged reveal."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from fugong.core.api_support import PageQuery
from fugong.screening.wording import in_reader_language

from .models import ClearanceStatus, Employee, HealthTest, Quarantine
from .selectors import RosterFilters

CLEARANCES = frozenset(ClearanceStatus.values)


def _text(value: str) -> str:
    # PostgreSQL refuses NUL in text; control characters are never part of a name or a workshop.
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError(_("不能包含控制字符"))
    return value.strip()


class EmployeeQuery(PageQuery):
    """The roster page's filters (selectors.RosterFilters), typed: a wrong value is a 422, not an empty list."""

    batch: int | None = Field(None, ge=1, le=999, description="入企批次（第几批）")
    resident: bool | None = Field(None, description="常住人口")
    workshop: str = Field("", max_length=60, description="车间/部门")
    shift: str = Field("", max_length=30, description="班次")
    clearance: str = Field("", description="上岗状态：" + "、".join(ClearanceStatus.values))
    q: str = Field("", max_length=40, description="姓名开头的字，或完整身份证号码（按加密索引精确查找）")

    @field_validator("workshop", "shift", "q")
    @classmethod
    def _plain(cls, v: str) -> str:
        return _text(v)

    @field_validator("clearance")
    @classmethod
    def _clearance(cls, v: str) -> str:
        if v and v not in CLEARANCES:
            raise ValueError(_("不是可选的值：%(value)s") % {"value": v[:20]})
        return v

    def to_filters(self) -> RosterFilters:
        return RosterFilters(
            batch=str(self.batch) if self.batch else "",
            resident=self.resident,
            workshop=self.workshop,
            shift=self.shift,
            clearance=self.clearance,
            q=self.q,
        )


class EmployeeOut(Schema):
    id: int
    enterprise: int
    name_masked: str
    id_number_masked: str
    phone_masked: str
    gender: str
    resident: bool
    batch: int | None = Field(description="入企批次（第几批）")
    workshop: str
    position: str
    shift: str
    dining_zone: str
    dormitory_room: str
    clearance: str
    clearance_label: str
    clearance_reason: str = Field(description="状态原因，按请求的语言（Accept-Language）呈现；以中文保存")
    clearance_until: dt.date | None
    version: int

    @staticmethod
    def resolve_clearance_reason(obj: Employee) -> str:
        return in_reader_language(obj.clearance_reason)

    @staticmethod
    def resolve_enterprise(obj: Employee) -> int:
        return obj.enterprise_id

    @staticmethod
    def resolve_batch(obj: Employee) -> int | None:
        return obj.batch.number if obj.batch_id and obj.batch else None

    @staticmethod
    def resolve_clearance_label(obj: Employee) -> str:
        return str(obj.get_clearance_display())


class TestOut(Schema):
    kind: str
    kind_label: str
    sample_date: dt.date
    result: str
    result_label: str
    institution: str

    @staticmethod
    def resolve_kind_label(obj: HealthTest) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_result_label(obj: HealthTest) -> str:
        # The result is sealed, so the model field carries no choices: label it from the enum.
        labels = dict(HealthTest.Result.choices)
        return str(labels.get(obj.result, obj.result))


class QuarantineOut(Schema):
    kind: str
    start: dt.date
    end: dt.date | None

    @staticmethod
    def resolve_kind(obj: Quarantine) -> str:
        return obj.kind


class EmployeeDetailOut(EmployeeOut):
    birth_year: int
    household_region_code: str
    returned_from_code: str
    returned_from_name: str
    returned_on: dt.date | None
    transport: str
    transport_no: str
    employment_start: dt.date | None
    social_insurance_since: dt.date | None
    first_job_in_district: bool
    introduction_batch: str
    training_attended_on: dt.date | None
    tests: list[TestOut]
    quarantines: list[QuarantineOut]

    @staticmethod
    def resolve_birth_year(obj: Employee) -> int:
        return obj.birth_date.year

    @staticmethod
    def resolve_tests(obj: Employee) -> list[HealthTest]:
        return list(obj.tests.order_by("sample_date", "id"))

    @staticmethod
    def resolve_quarantines(obj: Employee) -> list[Quarantine]:
        return list(obj.quarantines.order_by("start", "id"))


class EmployeeRevealIn(Schema):
    model_config = ConfigDict(extra="forbid")

    fields: list[Literal["name", "id_number", "phone"]] = Field(
        ..., min_length=1, max_length=3, description="要查看的字段：name、id_number、phone"
    )
    reason: str = Field("", max_length=300, description="查看理由（记入访问日志）")

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        return _text(v)


class EmployeeRevealOut(Schema):
    id: int
    fields: dict[str, str]
