"""The employee record every write takes: a roster row's values validated (clean_employee), the ID number
and phone with their keyed hashes (the archive is keyed on the ID number's hash, never on the number), and
the errors a write raises. The per-record services (services.py) and the bulk roster writes
(roster_writer.py) both build on it; the importer's fast row check (roster_rows.employee_record) must decide
exactly as clean_employee does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from fugong.core import crypto
from fugong.core.identifiers import IdentifierError, normalise_phone, validate_id_number

from .models import Employee

ID_PURPOSE = "employee.id_number"
PHONE_PURPOSE = "employee.phone"

# Plain fields a roster row may set (the ID number and phone are handled separately: sealed + hashed).
ROSTER_FIELDS = (
    "name",
    "resident",
    "household_region_code",
    "returned_from_code",
    "returned_from_name",
    "returned_on",
    "transport",
    "transport_no",
    "workshop",
    "position",
    "shift",
    "dining_zone",
    "dormitory_room",
    "employment_start",
    "social_insurance_since",
    "first_job_in_district",
    "introduction_batch",
    "training_attended_on",
)
SENSITIVE = {"id_number": "id_number", "phone": "phone", "name": "name"}


def id_hash(number: str) -> str:
    return crypto.keyed_hash(number, ID_PURPOSE)


def phone_hash(phone: str) -> str:
    return crypto.keyed_hash(phone, PHONE_PURPOSE) if phone else ""


class EmployeeValidationError(Exception):
    def __init__(self, errors: Mapping[str, tuple[str, str]]) -> None:
        # {field: (code, message)}
        super().__init__("; ".join(f"{k}: {m}" for k, (_c, m) in errors.items()))
        self.errors = dict(errors)


@dataclass
class EmployeeRecord:
    """A validated roster row, ready to upsert."""

    id_number: str
    id_hash: str
    gender: str
    birth_date: dt.date
    phone: str = ""
    phone_hash: str = ""
    batch_number: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def new_employee(self, enterprise: Any, batch: Any, **extra: Any) -> Employee:
        """An unsaved Employee of `enterprise` from this record (the form's create and the bulk import)."""
        emp = Employee(
            enterprise=enterprise,
            id_number=self.id_number,
            id_hash=self.id_hash,
            gender=self.gender,
            birth_date=self.birth_date,
            phone=self.phone,
            phone_hash=self.phone_hash,
            batch=batch,
            **extra,
        )
        for key, value in self.fields.items():
            setattr(emp, key, value)
        return emp


def clean_employee(data: Mapping[str, Any], today: dt.date | None = None) -> EmployeeRecord:
    """Validate one row's values (already typed: dates as date, flags as bool). Raises EmployeeValidationError."""
    errors: dict[str, tuple[str, str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = ("required", _("姓名不能为空"))
    elif len(name) > 40:
        errors["name"] = ("too_long", _("姓名过长（最多40个字符）"))
    parsed = None
    try:
        parsed = validate_id_number(data.get("id_number"), today=today)
    except IdentifierError as exc:
        errors["id_number"] = (exc.code, exc.message)
    phone = ""
    if data.get("phone"):
        try:
            phone = normalise_phone(data["phone"])
        except IdentifierError as exc:
            errors["phone"] = (exc.code, exc.message)
    if errors or parsed is None:
        raise EmployeeValidationError(errors)
    fields = {k: data[k] for k in ROSTER_FIELDS if k in data and data[k] is not None}
    fields["name"] = name
    batch = data.get("batch_number")
    return EmployeeRecord(
        id_number=parsed.number,
        id_hash=id_hash(parsed.number),
        gender=parsed.gender,
        birth_date=parsed.birth_date,
        phone=phone,
        phone_hash=phone_hash(phone),
        batch_number=int(batch) if batch not in (None, "") else None,
        fields=fields,
    )


class ConcurrentEditError(Exception):
    """The employee record changed since the editor loaded it."""


def keyed_hasher(purpose: str) -> Callable[[str], str]:
    """crypto.keyed_hash(value, purpose) for many values: the HMAC's keyed state is prepared once and copied
    per value (a third of the cost; tests hold the two equal). For the import's id_hash and phone_hash."""
    import hashlib
    import hmac

    from django.conf import settings

    base = hmac.new(crypto._hash_key(settings.FUGONG_DATA_KEY), f"{purpose}\x1f".encode(), hashlib.sha256)
    # The OpenSSL HMAC object under hmac.HMAC when there is one: its copy/update/hexdigest are C calls, where
    # the wrapper's are Python methods (half the cost of two hashes per row).
    base = getattr(base, "_hmac", None) or base

    def keyed(value: str) -> str:
        h = base.copy()
        h.update(value.encode())
        return h.hexdigest()

    return keyed
