"""Per-record writes to the workforce archive: an employee created or edited from the form, a personal value
revealed, a clearance stored, trajectory / test / quarantine / reading entries added. The pages, the API, the
check-in and the screening engine call these. Bulk roster writes (the importer's, do_upsert_employees) are in
roster_writer.py; the employee record they all take (clean_employee, the keyed hashes) is in records.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.core import audit, crypto
from fugong.core.identifiers import IdentifierError, normalise_phone, validate_id_number
from fugong.core.masking import mask_id_number, mask_name
from fugong.enterprises.models import Enterprise

from .models import Employee, HealthCode, HealthReading, HealthTest, Quarantine, Stay
from .records import (
    ROSTER_FIELDS,
    SENSITIVE,
    ConcurrentEditError,
    EmployeeRecord,
    EmployeeValidationError,
    clean_employee,
    id_hash,
    phone_hash,
)
from .roster_writer import arrival_batches

# Callers across the apps, the demo and the benchmarks file employees through services (fixtures, seeding).
from .roster_writer import do_upsert_employees as do_upsert_employees

REVEALABLE = frozenset({"id_number", "phone", "name"})


def log_archive_view(actor: Any, employee: Employee) -> None:
    """Opening an archive card shows health and travel data: the view itself is logged (PIPL Art. 51)."""
    audit.log_access(
        actor,
        "view",
        subject_type="workforce.employee",
        subject_id=str(employee.pk),
        subject_repr=mask_name(employee.name),
        fields=["archive_card"],
    )


def do_reveal_employee(actor: Any, employee: Employee, fields: Iterable[str], reason: str) -> dict[str, str]:
    """Clear values of the requested fields for a permitted role with a stated reason; logged."""
    if not roles.can(actor, roles.REVEAL_PERSONAL_DATA):
        raise PermissionDenied
    wanted = [f for f in fields if f in REVEALABLE]
    reason = (reason or "").strip()
    if not wanted:
        raise EmployeeValidationError({"fields": ("required", _("请选择要查看的字段"))})
    if len(reason) < 2:
        raise EmployeeValidationError({"reason": ("required", _("请填写查看理由"))})
    audit.log_access(
        actor,
        "reveal",
        subject_type="workforce.employee",
        subject_id=str(employee.pk),
        subject_repr=mask_name(employee.name),
        fields=wanted,
        purpose=reason,
    )
    return {f: getattr(employee, f) for f in wanted}


@transaction.atomic
def do_set_clearance(
    employee_ids: Sequence[int], status: str, reason: str, until: dt.date | None, at: dt.datetime
) -> int:
    """Store a computed clearance (the screening engine calls this in bulk)."""
    return Employee.objects.filter(id__in=employee_ids).update(
        clearance=status,
        clearance_reason=reason[:300],
        clearance_until=until,
        clearance_evaluated_at=at,
        version=F("version") + 1,
    )


def masked_id(employee: Employee) -> str:
    return mask_id_number(employee.id_number)


# --- archive entries written from the pages and the API ---------------------------------------------
# The pages' employee form and the entry forms (trajectory, tests, quarantine, daily readings) land here.
# Health and travel values never reach the audit log in clear: an entry's audit row names the fields it set
# and shows "***" for each value (domain-rules §7); the access log covers who looked at them.

# Keyed-hash purpose of a trajectory's region: screening (issue #4) hashes a risk area's code with the same
# purpose to ask "who passed through X?" without a readable place. Use this constant, never the literal.
REGION_PURPOSE = "stay.region"
# Rule 1 of domain-rules §4 (≥ 37.3 °C is 异常): the default. The threshold in force is screening rule data
# (versioned, editable by the district admin): fever_threshold(day) reads it when the screening app is installed.
FEVER_THRESHOLD_C = Decimal("37.3")


def fever_threshold(day: dt.date) -> Decimal:
    """The temperature from which a reading taken on `day` is a fever: the screening rule version in force."""
    from django.apps import apps

    if apps.is_installed("fugong.screening"):
        from fugong.screening.rules import fever_threshold as in_force

        return in_force(day)
    return FEVER_THRESHOLD_C


TEMPERATURE_RANGE_C = (Decimal("34.0"), Decimal("43.0"))  # outside: a typo, not a reading

# What the employee form may set besides the ID number and phone (sealed + hashed, handled separately).
EDITABLE_FIELDS = (*ROSTER_FIELDS, "commute_route")
# Masked in audit rows: identity masked by kind, the sealed commute route as "***".
EDIT_SENSITIVE = {**SENSITIVE, "commute_route": "sealed"}
NULLABLE_DATES = frozenset({"returned_on", "employment_start", "social_insurance_since", "training_attended_on"})
STAY_FIELDS = ("kind", "region_code", "region_name", "date_from", "date_to", "note")
TEST_FIELDS = ("kind", "sample_date", "result", "institution")
QUARANTINE_FIELDS = ("kind", "place", "start", "end")
READING_FIELDS = ("taken_on", "temperature", "symptoms", "health_code")


def region_hash(code: str) -> str:
    """Keyed hash of a trajectory's region at county level (GB/T 2260, the first 6 digits): risk levels are
    set per county, so a stay typed with a town or village code must still match its county's risk area."""
    return crypto.keyed_hash(code.strip()[:6], REGION_PURPOSE)


def _today() -> dt.date:
    return timezone.localdate()


def _require_edit(actor: Any) -> None:
    if not roles.can(actor, roles.EDIT_EMPLOYEES):
        raise PermissionDenied


def _region_error(value: Any) -> tuple[str, str] | None:
    code = str(value or "").strip()
    if code and not (code.isdigit() and len(code) in (6, 9, 12)):
        return ("region_code", _("区划代码应为6位（县级）、9位（乡镇）或12位（村社区）数字"))
    return None


def _check_employee_extras(data: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    errors: dict[str, tuple[str, str]] = {}
    for key in ("household_region_code", "returned_from_code"):
        problem = _region_error(data.get(key))
        if problem:
            errors[key] = problem
    batch = data.get("batch_number")
    if batch not in (None, "") and not (str(batch).isdigit() and 1 <= int(batch) <= 999):
        errors["batch_number"] = ("invalid", _("批次应为1至999之间的整数"))
    return errors


def _masked_entry(fields: Iterable[str], data: Mapping[str, Any]) -> dict[str, list[str]]:
    """An entry's audit changes: which fields were set, each value as "***"."""
    return {f: ["", "***"] for f in fields if data.get(f) not in (None, "")}


def _employee_snapshot(emp: Employee) -> dict[str, Any]:
    snap = audit.snapshot(emp, EDITABLE_FIELDS)
    snap.update(batch=emp.batch.number if emp.batch_id and emp.batch else None)
    # Hashes stand for the sealed identifiers: they change exactly when the number does.
    snap.update(id_number=emp.id_hash, phone=emp.phone_hash)
    return snap


def _identity_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    changes = audit.diff(
        {k: v for k, v in before.items() if k not in ("id_number", "phone")},
        {k: v for k, v in after.items() if k not in ("id_number", "phone")},
        EDIT_SENSITIVE,
    )
    for key in ("id_number", "phone"):
        if before.get(key) != after.get(key):
            changes[key] = ["***" if before.get(key) else "", "***" if after.get(key) else ""]
    return changes


@transaction.atomic
def do_create_employee(actor: Any, enterprise: Enterprise, rec: EmployeeRecord, commute_route: str = "") -> Employee:
    """One new archive from a validated record (the form's create path; imports use do_upsert_employees)."""
    batch = arrival_batches(enterprise, [rec.batch_number]).get(rec.batch_number) if rec.batch_number else None
    emp = rec.new_employee(enterprise, batch, commute_route=commute_route)
    try:
        with transaction.atomic():
            emp.save()
    except IntegrityError:  # the same ID number filed in parallel by someone else
        raise EmployeeValidationError({"id_number": ("duplicate", _("该身份证号码已在本企业建档"))}) from None
    audit.record(actor, "employee.create", emp, changes=_identity_changes({}, _employee_snapshot(emp)))
    return emp


def check_create_employee(actor: Any, enterprise: Enterprise, data: Mapping[str, Any]) -> Employee:
    _require_edit(actor)
    errors = _check_employee_extras(data)
    if "batch_number" in errors:  # reported above; clean_employee would trip over it
        data = {k: v for k, v in data.items() if k != "batch_number"}
    rec = None
    try:
        rec = clean_employee(data, today=_today())
    except EmployeeValidationError as exc:
        errors = {**exc.errors, **errors}
    if rec is not None and Employee.objects.filter(enterprise=enterprise, id_hash=rec.id_hash).exists():
        errors["id_number"] = ("duplicate", _("该身份证号码已在本企业建档"))
    if errors or rec is None:
        raise EmployeeValidationError(errors)
    return do_create_employee(actor, enterprise, rec, str(data.get("commute_route") or "").strip())


@transaction.atomic
def do_update_employee(
    actor: Any, employee: Employee, data: Mapping[str, Any], expected_version: int | None = None
) -> bool:
    """Apply cleaned `data` (identifiers already validated and hashed); return whether anything changed."""
    # of=self: PostgreSQL cannot lock the nullable side of the LEFT JOIN to the batch.
    locked = Employee.objects.select_for_update(of=("self",)).select_related("batch").get(pk=employee.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError
    before = _employee_snapshot(locked)
    for key in EDITABLE_FIELDS:
        if key in data:
            setattr(locked, key, data[key])
    if data.get("id_number"):
        locked.id_number, locked.id_hash = data["id_number"], data["id_hash"]
        locked.gender, locked.birth_date = data["gender"], data["birth_date"]
    if data.get("phone"):
        locked.phone, locked.phone_hash = data["phone"], phone_hash(data["phone"])
    if "batch_number" in data:
        number = data["batch_number"]
        locked.batch = arrival_batches(locked.enterprise, [number]).get(number) if number else None
    after = _employee_snapshot(locked)
    changes = _identity_changes(before, after)
    if not changes:
        return False
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db(fields=["version", "updated_at"])
    audit.record(actor, "employee.update", locked, changes=changes)
    employee.refresh_from_db()
    return True


def check_update_employee(
    actor: Any, employee: Employee, data: Mapping[str, Any], expected_version: int | None
) -> bool:
    """Blank ID number or phone keep the stored ones (the edit form never carries them in clear)."""
    _require_edit(actor)
    errors = _check_employee_extras(data)
    # A blank date clears it (the model allows NULL there); other fields take "" for blank.
    cleaned = {k: data[k] for k in EDITABLE_FIELDS if k in data and (data[k] is not None or k in NULLABLE_DATES)}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = ("required", _("姓名不能为空"))
    elif len(name) > 40:
        errors["name"] = ("too_long", _("姓名过长（最多40个字符）"))
    cleaned["name"] = name
    if data.get("id_number"):
        try:
            parsed = validate_id_number(data["id_number"], today=_today())
        except IdentifierError as exc:
            errors["id_number"] = (exc.code, exc.message)
        else:
            hashed = id_hash(parsed.number)
            same = Employee.objects.filter(enterprise_id=employee.enterprise_id, id_hash=hashed)
            if same.exclude(pk=employee.pk).exists():
                errors["id_number"] = ("duplicate", _("该身份证号码已在本企业建档"))
            cleaned.update(id_number=parsed.number, id_hash=hashed, gender=parsed.gender, birth_date=parsed.birth_date)
    if data.get("phone"):
        try:
            cleaned["phone"] = normalise_phone(data["phone"])
        except IdentifierError as exc:
            errors["phone"] = (exc.code, exc.message)
    if "batch_number" in data:
        batch = data["batch_number"]
        cleaned["batch_number"] = int(batch) if batch not in (None, "") and "batch_number" not in errors else None
    if errors:
        raise EmployeeValidationError(errors)
    return do_update_employee(actor, employee, cleaned, expected_version)


def _not_future(errors: dict[str, tuple[str, str]], key: str, value: dt.date | None, label: str) -> None:
    if value is not None and value > _today():
        errors[key] = ("future", _("%(label)s不能晚于今天") % {"label": label})


def _range(errors: dict[str, tuple[str, str]], key: str, start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        errors[key] = ("order", _("结束日期不能早于开始日期"))


def _choice(errors: dict[str, tuple[str, str]], key: str, value: Any, choices: Any, *, required: bool = True) -> None:
    if value in (None, ""):
        if required:
            errors[key] = ("required", _("必填"))
    elif value not in choices.values:
        errors[key] = ("choice", _("不是可选的值"))


@transaction.atomic
def do_add_stay(actor: Any, employee: Employee, data: Mapping[str, Any]) -> Stay:
    code = str(data["region_code"]).strip()
    stay = Stay.objects.create(
        employee=employee,
        kind=data.get("kind") or Stay.Kind.STAY,
        region_code=code,
        region_name=str(data.get("region_name") or "").strip(),
        region_hash=region_hash(code),
        date_from=data["date_from"],
        date_to=data["date_to"],
        note=str(data.get("note") or "").strip(),
    )
    audit.record(actor, "employee.stay_add", employee, changes=_masked_entry(STAY_FIELDS, data))
    return stay


def check_add_stay(actor: Any, employee: Employee, data: Mapping[str, Any]) -> Stay:
    _require_edit(actor)
    errors: dict[str, tuple[str, str]] = {}
    _choice(errors, "kind", data.get("kind"), Stay.Kind)
    if not str(data.get("region_code") or "").strip():
        errors["region_code"] = ("required", _("请填写区划代码"))
    elif problem := _region_error(data.get("region_code")):
        errors["region_code"] = problem
    for key in ("date_from", "date_to"):
        if not data.get(key):
            errors[key] = ("required", _("必填"))
    _not_future(errors, "date_from", data.get("date_from"), _("起始日期"))
    _not_future(errors, "date_to", data.get("date_to"), _("结束日期"))
    _range(errors, "date_to", data.get("date_from"), data.get("date_to"))
    if errors:
        raise EmployeeValidationError(errors)
    return do_add_stay(actor, employee, data)


@transaction.atomic
def do_add_test(actor: Any, employee: Employee, data: Mapping[str, Any]) -> HealthTest:
    test = HealthTest.objects.create(
        employee=employee,
        kind=data["kind"],
        sample_date=data["sample_date"],
        result=data["result"],
        institution=str(data.get("institution") or "").strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(actor, "employee.test_add", employee, changes=_masked_entry(TEST_FIELDS, data))
    return test


def check_add_test(actor: Any, employee: Employee, data: Mapping[str, Any]) -> HealthTest:
    _require_edit(actor)
    errors: dict[str, tuple[str, str]] = {}
    _choice(errors, "kind", data.get("kind"), HealthTest.Kind)
    _choice(errors, "result", data.get("result"), HealthTest.Result)
    if not data.get("sample_date"):
        errors["sample_date"] = ("required", _("必填"))
    _not_future(errors, "sample_date", data.get("sample_date"), _("采样日期"))
    if errors:
        raise EmployeeValidationError(errors)
    return do_add_test(actor, employee, data)


@transaction.atomic
def do_add_quarantine(actor: Any, employee: Employee, data: Mapping[str, Any]) -> Quarantine:
    quarantine = Quarantine.objects.create(
        employee=employee,
        kind=data["kind"],
        place=str(data.get("place") or "").strip(),
        start=data["start"],
        end=data.get("end"),
    )
    audit.record(actor, "employee.quarantine_add", employee, changes=_masked_entry(QUARANTINE_FIELDS, data))
    return quarantine


def check_add_quarantine(actor: Any, employee: Employee, data: Mapping[str, Any]) -> Quarantine:
    _require_edit(actor)
    errors: dict[str, tuple[str, str]] = {}
    _choice(errors, "kind", data.get("kind"), Quarantine.Kind)
    if not data.get("start"):
        errors["start"] = ("required", _("必填"))
    _not_future(errors, "start", data.get("start"), _("开始日期"))
    _range(errors, "end", data.get("start"), data.get("end"))
    if errors:
        raise EmployeeValidationError(errors)
    return do_add_quarantine(actor, employee, data)


@transaction.atomic
def do_add_reading(actor: Any, employee: Employee, data: Mapping[str, Any]) -> HealthReading:
    temperature = Decimal(data["temperature"]).quantize(Decimal("0.1"))
    reading = HealthReading.objects.create(
        employee=employee,
        taken_on=data["taken_on"],
        temperature=str(temperature),
        fever=temperature >= fever_threshold(data["taken_on"]),
        symptoms=str(data.get("symptoms") or "").strip(),
        health_code=data.get("health_code") or "",
        source=str(data.get("source") or "enterprise")[:20],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(actor, "employee.reading_add", employee, changes=_masked_entry(READING_FIELDS, data))
    return reading


def check_add_reading(actor: Any, employee: Employee, data: Mapping[str, Any]) -> HealthReading:
    _require_edit(actor)
    errors: dict[str, tuple[str, str]] = {}
    if not data.get("taken_on"):
        errors["taken_on"] = ("required", _("必填"))
    _not_future(errors, "taken_on", data.get("taken_on"), _("测量日期"))
    try:
        temperature = Decimal(str(data.get("temperature", "")).strip())
        if not temperature.is_finite():
            raise ArithmeticError
    except (ArithmeticError, ValueError):
        errors["temperature"] = ("number", _("请填写体温，例如 36.5"))
    else:
        low, high = TEMPERATURE_RANGE_C
        if not low <= temperature <= high:
            errors["temperature"] = ("range", _("体温应在%(low)s至%(high)s℃之间") % {"low": low, "high": high})
    _choice(errors, "health_code", data.get("health_code"), HealthCode, required=False)
    if errors:
        raise EmployeeValidationError(errors)
    return do_add_reading(actor, employee, data)
