"""Builders for screening tests: employees created the way the importer does, entries through workforce's bulk
services (no model signals), synthetic ID numbers only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from fugong.core.identifiers import id_check_char
from fugong.screening import services
from fugong.workforce import bulk
from fugong.workforce import services as workforce
from fugong.workforce.models import Employee

D = dt.date
AS_OF = D(2020, 3, 2)


def synthetic_id(seq: int, birth: str = "19880808") -> str:
    body = f"431003{birth}{seq:03d}"
    return body + id_check_char(body)


def hire(enterprise: Any, seq: int, *, resident: bool = True, returned_on: dt.date | None = None, **fields: Any
         ) -> Employee:  # fmt: skip
    data = {"name": f"排查员工{seq}", "id_number": synthetic_id(seq), "resident": resident, **fields}
    if returned_on is not None:
        data["returned_on"] = returned_on
    rec = workforce.clean_employee(data, today=AS_OF)
    workforce.do_upsert_employees(None, enterprise, [rec])
    return Employee.objects.get(enterprise=enterprise, id_hash=rec.id_hash)


def stay(emp: Employee, code: str, date_from: dt.date, date_to: dt.date, name: str = "某地") -> None:
    bulk.do_bulk_add_stays(None, [bulk.StayRow(emp.pk, code, name, date_from, date_to)])


def nat(emp: Employee, day: dt.date, result: str = "negative") -> None:
    bulk.do_bulk_add_tests(None, [bulk.TestRow(emp.pk, "nat", day, result)])


def reading(emp: Employee, day: dt.date, temperature: str = "36.5", code: str = "green", symptoms: str = "") -> None:
    bulk.do_bulk_add_readings(
        None, [bulk.ReadingRow(emp.pk, day, Decimal(temperature), health_code=code, symptoms=symptoms)]
    )


def rate(code: str, level: str, start: dt.date, name: str = "", *, as_of: dt.date = AS_OF, actor: Any = None,
         rescreen: bool = True) -> services.RiskChange:  # fmt: skip
    row = services.RiskRow(code, name or f"地区{code}", level, start, "测试文号〔2020〕1号")
    return services.do_set_risk_levels(actor, [row], as_of=as_of, rescreen=rescreen)


def rule_data(**kw: Any) -> dict[str, Any]:
    """A screening rule version's form data (the 2020 defaults but a 37.2 ℃ threshold), with overrides."""
    base = {
        "effective_from": D(2020, 3, 1),
        "source": "区指挥部〔2020〕9号",
        "observation_days": 14,
        "fever_threshold_c": "37.2",
        "quarantine_levels": ["medium", "high"],
        "non_resident_test_required": True,
        "red_code_days": 14,
        "yellow_code_days": 7,
        "symptoms_abnormal": True,
        "note": "",
    }
    return {**base, **kw}


def url(point: Any) -> str:
    """The QR code's target: the phone page of an entry point."""
    return reverse("screening:checkin", args=[point.token])


def form(seq: int = 7, **over: Any) -> dict[str, Any]:
    """The phone form of an ordinary morning for 排查员工{seq}; an override of None leaves the field out."""
    data = {
        "name": f"排查员工{seq}",
        "id_number": synthetic_id(seq),
        "temperature": "36.5",
        "health_code": "green",
        "consent": "1",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}
