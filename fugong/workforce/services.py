"""Every write to the workforce archive. The roster importer, the pages, the API and the demo call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
from fugong.core.models import AuditLog
from fugong.enterprises.models import Enterprise

from .models import ArrivalBatch, Employee, HealthCode, HealthReading, HealthTest, Quarantine, Stay

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
REVEALABLE = frozenset({"id_number", "phone", "name"})


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


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    created_ids: list[int] = field(default_factory=list)


def _batches(enterprise: Enterprise, numbers: Iterable[int]) -> dict[int, ArrivalBatch]:
    wanted = {n for n in numbers if n}
    existing = {b.number: b for b in ArrivalBatch.objects.filter(enterprise=enterprise, number__in=wanted)}
    missing = [ArrivalBatch(enterprise=enterprise, number=n) for n in sorted(wanted - set(existing))]
    if missing:
        ArrivalBatch.objects.bulk_create(missing)
        existing.update({b.number: b for b in ArrivalBatch.objects.filter(enterprise=enterprise, number__in=wanted)})
    return existing


def _apply(emp: Employee, rec: EmployeeRecord, batch: ArrivalBatch | None) -> dict[str, list[Any]]:
    """Set rec's values on emp; return the masked changes."""
    before = {k: getattr(emp, k) for k in ROSTER_FIELDS}
    before.update(batch=emp.batch_id, phone_hash=emp.phone_hash)
    for key, value in rec.fields.items():
        setattr(emp, key, value)
    if rec.phone_hash != emp.phone_hash and rec.phone:
        emp.phone, emp.phone_hash = rec.phone, rec.phone_hash
    if batch is not None:
        emp.batch = batch
    after = {k: getattr(emp, k) for k in ROSTER_FIELDS}
    after.update(batch=emp.batch_id, phone_hash=emp.phone_hash)
    changes = audit.diff(
        {k: audit.plain(v) for k, v in before.items()}, {k: audit.plain(v) for k, v in after.items()}, SENSITIVE
    )
    if "phone_hash" in changes:
        changes["phone"] = changes.pop("phone_hash") and ["***", "***"]
    return changes


@transaction.atomic
def do_upsert_employees(
    actor: Any, enterprise: Enterprise, records: Sequence[EmployeeRecord], *, chunk: int = 2000, source: str = ""
) -> UpsertCounts:
    """Create or update by the ID number's keyed hash, in bulk. Unchanged rows are not written.

    One audit row per created or updated employee (names and numbers masked).
    """
    counts = UpsertCounts()
    batches = _batches(enterprise, (r.batch_number for r in records if r.batch_number))
    info_actor = actor if getattr(actor, "pk", None) else None
    label = getattr(actor, "username", "system")
    for start in range(0, len(records), chunk):
        part = records[start : start + chunk]
        existing = {
            e.id_hash: e for e in Employee.objects.filter(enterprise=enterprise, id_hash__in=[r.id_hash for r in part])
        }
        to_create: list[Employee] = []
        to_update: list[Employee] = []
        logs: list[AuditLog] = []
        for rec in part:
            batch = batches.get(rec.batch_number) if rec.batch_number else None
            emp = existing.get(rec.id_hash)
            if emp is None:
                emp = Employee(
                    enterprise=enterprise,
                    id_number=rec.id_number,
                    id_hash=rec.id_hash,
                    gender=rec.gender,
                    birth_date=rec.birth_date,
                    phone=rec.phone,
                    phone_hash=rec.phone_hash,
                    batch=batch,
                )
                for key, value in rec.fields.items():
                    setattr(emp, key, value)
                to_create.append(emp)
                continue
            changes = _apply(emp, rec, batch)
            if not changes:
                counts.unchanged += 1
                continue
            emp.version = emp.version + 1
            to_update.append(emp)
            logs.append(
                AuditLog(
                    actor=info_actor,
                    actor_label=label,
                    action="employee.update",
                    object_type="workforce.employee",
                    object_id=str(emp.pk),
                    object_repr=mask_name(emp.name),
                    changes=changes,
                    note=source[:300],
                )
            )
        if to_create:
            Employee.objects.bulk_create(to_create, batch_size=chunk)
            counts.created += len(to_create)
            created = Employee.objects.filter(
                enterprise=enterprise, id_hash__in=[e.id_hash for e in to_create]
            ).values_list("id", "id_hash", "name")
            for pk, _h, name in created:
                counts.created_ids.append(pk)
                logs.append(
                    AuditLog(
                        actor=info_actor,
                        actor_label=label,
                        action="employee.create",
                        object_type="workforce.employee",
                        object_id=str(pk),
                        object_repr=mask_name(name),
                        changes={},
                        note=source[:300],
                    )
                )
        if to_update:
            Employee.objects.bulk_update(
                to_update, [*ROSTER_FIELDS, "phone", "phone_hash", "batch", "version"], batch_size=chunk
            )
            counts.updated += len(to_update)
        if logs:
            AuditLog.objects.bulk_create(logs, batch_size=chunk)
    return counts


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


class ConcurrentEditError(Exception):
    """The employee record changed since the editor loaded it."""


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
    batch = _batches(enterprise, [rec.batch_number]).get(rec.batch_number) if rec.batch_number else None
    emp = Employee(
        enterprise=enterprise,
        id_number=rec.id_number,
        id_hash=rec.id_hash,
        gender=rec.gender,
        birth_date=rec.birth_date,
        phone=rec.phone,
        phone_hash=rec.phone_hash,
        batch=batch,
        commute_route=commute_route,
    )
    for key, value in rec.fields.items():
        setattr(emp, key, value)
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
        locked.batch = _batches(locked.enterprise, [number]).get(number) if number else None
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


# --- bulk roster import (importers.EmployeeImporter) --------------------------------------------------
# The importer plans each chunk of validated rows (plan_employee_upserts: create / update / unchanged, one
# query, no writes) and hands the plan to do_bulk_import_employees, all chunks inside one transaction. New rows
# (and the updates' audit rows) go in by COPY on PostgreSQL (psycopg 3), by executemany elsewhere: the same
# columns and values either way, identifiers sealed exactly as EncryptedTextField seals them.
# Semantics match do_upsert_employees: keyed on the ID's keyed hash, a field absent from the record (a blank
# cell) keeps what is stored, a blank phone or batch keeps the stored one. The audit differs in shape, not in
# what it tells: one row per updated employee with its masked diff, but one row per written chunk of created
# employees ("employee.bulk_create": the count and every new id, as runs) — a new record's own audit row said
# only "created", and a hundred thousand of them cost the database more than the employees themselves.


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


# What planning reads of a stored employee: no sealed column, so nothing is decrypted to compare.
PLAN_FIELDS = ("id", "id_hash", "version", "batch_id", "phone_hash", *ROSTER_FIELDS)
_PLAN_AT = {name: i for i, name in enumerate(PLAN_FIELDS)}
_ROSTER_AT = tuple((k, _PLAN_AT[k]) for k in ROSTER_FIELDS)


@dataclass(slots=True)
class NewEmployee:
    """A planned create: identifiers sealed, the rest as typed."""

    id_hash: str
    id_token: str
    gender: str
    birth_date: dt.date
    phone_token: str
    phone_hash: str
    batch_number: int | None
    fields: dict[str, Any]


@dataclass(slots=True)
class EmployeeChange:
    """A planned update of a stored employee: the full roster values after it, and the masked audit diff."""

    pk: int
    version: int
    name: str
    after: dict[str, Any]  # every ROSTER_FIELDS value after the update
    batch_number: int | None  # after the update (None: no batch)
    phone_token: str | None  # None: the stored phone stays
    phone_hash: str
    changes: dict[str, list[Any]]


@dataclass
class ImportPlan:
    creates: list[NewEmployee] = field(default_factory=list)  # sealed; empty when planned with seal=False
    updates: list[EmployeeChange] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0


def batch_numbers(enterprise: Enterprise) -> dict[int, int]:
    """{batch id: batch number} of an enterprise's arrival batches."""
    return dict(ArrivalBatch.objects.filter(enterprise=enterprise).values_list("id", "number"))


def seal_new_employees(records: Sequence[EmployeeRecord]) -> list[NewEmployee]:
    """Seal the identifiers of a chunk of new employees (crypto.encrypt_many: one nonce read per chunk)."""
    id_tokens = crypto.encrypt_many([r.id_number for r in records], ID_PURPOSE)
    phones = [r.phone for r in records if r.phone]
    phone_tokens = iter(crypto.encrypt_many(phones, PHONE_PURPOSE))
    return [
        NewEmployee(
            id_hash=rec.id_hash,
            id_token=id_token,
            gender=rec.gender,
            birth_date=rec.birth_date,
            phone_token=next(phone_tokens) if rec.phone else "",
            phone_hash=rec.phone_hash,
            batch_number=rec.batch_number,
            fields=rec.fields,
        )
        for rec, id_token in zip(records, id_tokens, strict=True)
    ]


def _plan_change(
    current: Sequence[Any], rec: EmployeeRecord, numbers: Mapping[int, int], seal: bool
) -> EmployeeChange | None:
    fields = rec.fields
    stored_batch = numbers.get(current[_PLAN_AT["batch_id"]]) if current[_PLAN_AT["batch_id"]] else None
    batch = rec.batch_number or stored_batch
    stored_phone = current[_PLAN_AT["phone_hash"]]
    phone = rec.phone_hash if rec.phone else stored_phone
    if batch == stored_batch and phone == stored_phone and all(current[_PLAN_AT[k]] == v for k, v in fields.items()):
        return None  # the common case on a re-import: decided without building any dict
    before = {k: current[i] for k, i in _ROSTER_AT}
    after = {**before, **fields}
    changes = audit.diff(
        {k: audit.plain(v) for k, v in before.items()} | {"batch": stored_batch},
        {k: audit.plain(v) for k, v in after.items()} | {"batch": batch},
        SENSITIVE,
    )
    if phone != stored_phone:
        changes["phone"] = ["***" if stored_phone else "", "***"]
    return EmployeeChange(
        pk=current[_PLAN_AT["id"]],
        version=current[_PLAN_AT["version"]],
        name=after["name"],
        after=after,
        batch_number=batch,
        phone_token=crypto.encrypt(rec.phone, PHONE_PURPOSE) if seal and phone != stored_phone else None,
        phone_hash=phone,
        changes=changes,
    )


def plan_employee_upserts(
    enterprise: Enterprise,
    records: Sequence[EmployeeRecord],
    numbers: Mapping[int, int],
    *,
    lookup: bool = True,
    seal: bool = True,
) -> ImportPlan:
    """Decide create / update / unchanged for validated records (one query; no writes). `lookup=False` when
    the enterprise had no employees when the import started (a concurrent insert then fails the write, which
    rolls everything back); `seal=False` for a dry run, which only counts."""
    plan = ImportPlan()
    existing = _stored(enterprise, [r.id_hash for r in records]) if lookup and records else {}
    new: list[EmployeeRecord] = []
    for rec in records:
        current = existing.get(rec.id_hash)
        if current is None:
            new.append(rec)
            continue
        change = _plan_change(current, rec, numbers, seal)
        if change is None:
            plan.unchanged += 1
        else:
            plan.updates.append(change)
    plan.created = len(new)
    if seal and new:
        plan.creates = seal_new_employees(new)
    return plan


def _stored(enterprise: Enterprise, hashes: list[str]) -> dict[str, Sequence[Any]]:
    """PLAN_FIELDS of the stored employees among `hashes`, keyed by id_hash."""
    from django.db import connection

    if connection.vendor == "postgresql":
        # One index probe per hash (LATERAL … LIMIT 1 on the unique (enterprise, id_hash) key), whatever the
        # planner's statistics say: right after a big import they are stale, and a plain IN/ANY list or join
        # then hashes the whole enterprise, seconds per chunk. Plain columns, so psycopg's types are the ORM's.
        q = connection.ops.quote_name
        columns = ", ".join(f"e.{q(c)}" for c in PLAN_FIELDS)
        sql = (
            f"SELECT {columns} FROM unnest(%s::text[]) AS h(id_hash) CROSS JOIN LATERAL ("  # noqa: S608
            f"SELECT * FROM {q(Employee._meta.db_table)} s WHERE s.{q('enterprise_id')} = %s "
            f"AND s.{q('id_hash')} = h.id_hash LIMIT 1) e"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [hashes, enterprise.pk])
            return {row[1]: row for row in cursor.fetchall()}
    rows = Employee.objects.filter(enterprise=enterprise, id_hash__in=hashes).values_list(*PLAN_FIELDS)
    return {row[1]: row for row in rows}


def _employee_columns() -> list[Any]:
    return [f for f in Employee._meta.concrete_fields if f.attname != "id"]


def _insert_employees(
    enterprise: Enterprise, rows: Sequence[NewEmployee], batch_ids: Mapping[int, int], now: dt.datetime
) -> list[int]:
    """Insert planned creates; return their ids."""
    from django.db import connection

    columns = _employee_columns()
    names = [f.attname for f in columns]
    at = {name: i for i, name in enumerate(names)}
    template = [f.get_default() for f in columns]
    for name, value in (("enterprise_id", enterprise.pk), ("created_at", now), ("updated_at", now)):
        template[at[name]] = value
    postgres = connection.vendor == "postgresql"
    if not postgres:  # dates as the ORM hands them to the driver
        template = [a(v) if a and v is not None else v for v, a in zip(template, _adapters(columns), strict=True)]
    adapters = {k: a for k, a in zip(names, _adapters(columns), strict=True) if a and not postgres}
    i_id, i_hash, i_gender, i_birth, i_phone, i_phash, i_batch = (
        at[k] for k in ("id_number", "id_hash", "gender", "birth_date", "phone", "phone_hash", "batch_id")
    )
    adapt_birth = adapters.get("birth_date")

    def values(row: NewEmployee) -> list[Any]:
        out = template.copy()
        if adapters:
            for key, value in row.fields.items():
                out[at[key]] = adapters[key](value) if key in adapters and value is not None else value
        else:  # PostgreSQL: psycopg takes the values as they are
            for key, value in row.fields.items():
                out[at[key]] = value
        out[i_id] = row.id_token
        out[i_hash] = row.id_hash
        out[i_gender] = row.gender
        out[i_birth] = adapt_birth(row.birth_date) if adapt_birth else row.birth_date
        out[i_phone] = row.phone_token
        out[i_phash] = row.phone_hash
        out[i_batch] = batch_ids.get(row.batch_number) if row.batch_number else None
        return out

    table = connection.ops.quote_name(Employee._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    with connection.cursor() as cursor:
        if postgres:
            # Ids drawn from the table's own sequence first, so the audit rows can name them without a re-read.
            # One array, not a row per id: psycopg reads one value instead of thousands.
            cursor.execute(
                "SELECT array_agg(nextval(pg_get_serial_sequence(%s, 'id'))) FROM generate_series(1, %s)",
                [Employee._meta.db_table, len(rows)],
            )
            ids = cursor.fetchone()[0]
            # The raw psycopg cursor: errors wrapped as Django's (IntegrityError) by hand.
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} (id, {quoted}) FROM STDIN") as copy:
                write = copy.write_row
                for pk, row in zip(ids, rows, strict=True):
                    out = values(row)
                    out.insert(0, pk)
                    write(out)
            # The foreign keys are deferred (Django's default): left alone, the checks of every row of the
            # import would queue up and run at COMMIT, one after the other, with nothing else to do meanwhile.
            # Checked now, per chunk, the server does it while the reader thread parses the next chunk.
            if fks := _foreign_keys(cursor):
                cursor.execute(f"SET CONSTRAINTS {fks} IMMEDIATE; SET CONSTRAINTS {fks} DEFERRED")
            return ids
        marks = ", ".join(["%s"] * len(names))
        # Table and column names come from the model, never from input.
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", [values(r) for r in rows])  # noqa: S608
    by_hash = dict(_stored_ids(enterprise, [r.id_hash for r in rows]))
    return [by_hash[row.id_hash] for row in rows]


_FOREIGN_KEYS: dict[str, str] = {}


def _foreign_keys(cursor: Any) -> str:
    """The employee table's foreign-key constraint names, quoted and comma-separated (read once)."""
    from django.db import connection

    table = Employee._meta.db_table
    if table not in _FOREIGN_KEYS:
        constraints = connection.introspection.get_constraints(cursor, table)
        names = sorted(name for name, c in constraints.items() if c["foreign_key"])
        _FOREIGN_KEYS[table] = ", ".join(connection.ops.quote_name(n) for n in names)
    return _FOREIGN_KEYS[table]


def _stored_ids(enterprise: Enterprise, hashes: list[str]) -> list[tuple[str, int]]:
    return list(Employee.objects.filter(enterprise=enterprise, id_hash__in=hashes).values_list("id_hash", "id"))


def _adapters(columns: Sequence[Any]) -> list[Any]:
    """Per column, how a value is handed to a driver other than psycopg (dates as the ORM stores them)."""
    from django.db import connection, models

    out: list[Any] = []
    for f in columns:
        if isinstance(f, models.DateTimeField):
            out.append(connection.ops.adapt_datetimefield_value)
        elif isinstance(f, models.DateField):
            out.append(connection.ops.adapt_datefield_value)
        else:
            out.append(None)
    return out


def _update_employees(rows: Sequence[EmployeeChange], batch_ids: Mapping[int, int], now: dt.datetime) -> int:
    from django.db import connection

    q = connection.ops.quote_name
    sets = ", ".join(
        [f"{q(k)} = %s" for k in ROSTER_FIELDS]
        + [
            f"{q('batch_id')} = %s",
            f"{q('phone')} = COALESCE(%s, {q('phone')})",
            f"{q('phone_hash')} = %s",
            f"{q('version')} = {q('version')} + 1",
            f"{q('updated_at')} = %s",
        ]
    )
    table = q(Employee._meta.db_table)
    # Names come from the model, values are parameters.
    sql = f"UPDATE {table} SET {sets} WHERE {q('id')} = %s AND {q('version')} = %s"  # noqa: S608
    postgres = connection.vendor == "postgresql"
    adapt = dict(zip(ROSTER_FIELDS, _adapters([Employee._meta.get_field(k) for k in ROSTER_FIELDS]), strict=True))
    stamp = now if postgres else connection.ops.adapt_datetimefield_value(now)
    params = []
    for row in rows:
        vals = [
            adapt[k](row.after[k]) if adapt[k] and not postgres and row.after[k] is not None else row.after[k]
            for k in ROSTER_FIELDS
        ]
        batch_id = batch_ids.get(row.batch_number) if row.batch_number else None
        params.append([*vals, batch_id, row.phone_token, row.phone_hash, stamp, row.pk, row.version])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        # Each statement matches one row at the planned version; fewer means the plan is stale.
        if cursor.rowcount != len(params):
            raise ConcurrentEditError
    return len(params)


BULK_CREATE_ACTION = "employee.bulk_create"
AUDIT_COLUMNS = ("at", "actor_id", "actor_label", "action", "object_type", "object_id", "object_repr", "changes",
                 "note", "ip", "via")  # fmt: skip


def _write_audit(rows: Sequence[tuple[Any, ...]]) -> None:
    """Audit rows as tuples in AUDIT_COLUMNS order (changes already JSON): the same rows audit.record writes,
    without building a model instance for each of a hundred thousand."""
    from django.db import connection

    if not rows:
        return
    q = connection.ops.quote_name
    table = q(AuditLog._meta.db_table)
    columns = ", ".join(q(c) for c in AUDIT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(AUDIT_COLUMNS))
        stamp = connection.ops.adapt_datetimefield_value(rows[0][0])
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 — names from the model
            [(stamp, *row[1:]) for row in rows],
        )


@transaction.atomic
def do_bulk_import_employees(
    actor: Any,
    enterprise: Enterprise,
    creates: Sequence[NewEmployee],
    updates: Sequence[EmployeeChange],
    *,
    source: str = "",
) -> tuple[int, int]:
    """Write one planned chunk: create, update; one audit row for the chunk's creates (their count and ids),
    one per update (its masked diff). Returns (created, updated).

    Raises ConcurrentEditError when the plan is stale (a planned create already exists, or a planned update's
    row changed since): the caller's transaction then undoes every chunk."""
    import json

    from fugong.core.context import current_request

    now = timezone.now()
    numbers = {r.batch_number for r in creates if r.batch_number} | {r.batch_number for r in updates if r.batch_number}
    batch_ids = {n: b.pk for n, b in _batches(enterprise, numbers).items()} if numbers else {}
    info = current_request.get()
    head = (now, actor.pk if getattr(actor, "pk", None) else None, getattr(actor, "username", None) or "system")
    tail = (source[:300], info.ip, info.via)
    logs: list[tuple[Any, ...]] = []
    if creates:
        try:
            with transaction.atomic():
                inserted = _insert_employees(enterprise, creates, batch_ids, now)
        except IntegrityError:  # someone filed one of these ID numbers since the plan was made
            raise ConcurrentEditError from None
        audit.record_bulk(
            actor,
            BULK_CREATE_ACTION,
            object_type=Employee._meta.label_lower,
            object_repr=str(Employee._meta.verbose_name),
            ids=inserted,
            counts={"created": len(inserted)},
            note=source[:300],
        )
    if updates:
        _update_employees(updates, batch_ids, now)
        logs.extend(
            (
                *head,
                "employee.update",
                "workforce.employee",
                str(r.pk),
                mask_name(r.name)[:200],
                json.dumps(r.changes, ensure_ascii=False),
                *tail,
            )
            for r in updates
        )
    _write_audit(logs)
    return len(creates), len(updates)
