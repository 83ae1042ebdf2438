"""Every write to the registry. `check_*` validates and calls `do_*`; `do_*` runs in one transaction and
writes the audit row. Views, the API, commands and importers call these, never `.save()`."""

from __future__ import annotations

import itertools
import json
import operator
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.core import audit
from fugong.core.identifiers import IdentifierError, normalise_phone, validate_uscc

from .classification import (
    SizeSector,
    Threshold,
    category_for,
    classify_size,
    is_above_scale_industrial,
    sector_for,
)
from .models import STATE_OWNERSHIPS, Enterprise, KeyProject, SizeThreshold

# The fields a person edits; everything else is computed or system-managed.
EDITABLE_FIELDS = (
    "uscc",
    "name",
    "legal_representative",
    "town",
    "address",
    "industry_section",
    "industry_division",
    "size_sector",
    "employees",
    "annual_revenue_wan",
    "total_assets_wan",
    "ownership",
    "is_key_guarantee",
    "industrial_park",
    "rents_state_premises",
    "monthly_rent_yuan",
    "contact_name",
    "contact_phone",
)
# Enterprise admins keep their own contact details and figures current; registry identity stays with the
# government side (town/district).
ENTERPRISE_ADMIN_FIELDS = frozenset(
    {
        "legal_representative",
        "address",
        "employees",
        "annual_revenue_wan",
        "total_assets_wan",
        "contact_name",
        "contact_phone",
        "monthly_rent_yuan",
    }
)
AUDITED_FIELDS = (*EDITABLE_FIELDS, "size_class", "is_above_scale", "category", "is_non_public", "status")
SENSITIVE = {"contact_phone": "phone"}


class ConcurrentEditError(Exception):
    """The record changed since the editor loaded it."""


class EnterpriseValidationError(Exception):
    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def _thresholds(sector: str) -> list[Threshold]:
    return [
        Threshold(t.size_class, t.min_employees, t.min_revenue_wan, t.min_assets_wan)
        for t in SizeThreshold.objects.filter(sector=sector)
    ]


class Classifier:
    """Computes size class, 规上 flag, category and 非公 from an enterprise's figures.

    Holds the threshold table in memory so an import of 50,000 rows reads it once.
    """

    def __init__(self) -> None:
        self._cache: dict[str, list[Threshold]] = {}

    def apply(self, e: Enterprise) -> None:
        sector = e.size_sector or sector_for(e.industry_section, e.industry_division)
        e.size_sector = sector
        if sector not in self._cache:
            self._cache[sector] = _thresholds(sector)
        e.size_class = classify_size(self._cache[sector], e.employees, e.annual_revenue_wan, e.total_assets_wan)
        e.is_above_scale = is_above_scale_industrial(e.industry_section, e.annual_revenue_wan)
        e.category = category_for(e.industry_section, e.industry_division, e.is_above_scale)
        e.is_non_public = e.ownership not in STATE_OWNERSHIPS


def clean_enterprise_data(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Normalise identifiers in `data`; raise EnterpriseValidationError naming each bad field."""
    out = dict(data)
    errors: dict[str, str] = {}
    warnings: list[str] = []
    if "uscc" in out:
        try:
            result = validate_uscc(out["uscc"])
            out["uscc"] = result.code
            warnings.extend(result.warnings)
        except IdentifierError as exc:
            errors["uscc"] = exc.message
    if out.get("contact_phone"):
        try:
            out["contact_phone"] = normalise_phone(out["contact_phone"], allow_landline=True)
        except IdentifierError as exc:
            errors["contact_phone"] = exc.message
    if out.get("rents_state_premises") and not out.get("monthly_rent_yuan"):
        errors["monthly_rent_yuan"] = _("承租国有经营用房的企业须填写月租金")
    if errors:
        raise EnterpriseValidationError(errors)
    return out, warnings


@transaction.atomic
def do_create_enterprise(actor: Any, data: Mapping[str, Any], classifier: Classifier | None = None) -> Enterprise:
    enterprise = Enterprise(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    (classifier or Classifier()).apply(enterprise)
    enterprise.save()
    after = audit.snapshot(enterprise, AUDITED_FIELDS)
    audit.record(actor, "enterprise.create", enterprise, changes=audit.diff({}, after, SENSITIVE))
    return enterprise


def check_create_enterprise(actor: Any, data: Mapping[str, Any]) -> Enterprise:
    if not roles.can(actor, roles.CREATE_ENTERPRISE):
        raise PermissionDenied
    cleaned, _warnings = clean_enterprise_data(data)
    if Enterprise.objects.filter(uscc=cleaned["uscc"]).exists():
        raise EnterpriseValidationError({"uscc": _("该统一社会信用代码已登记")})
    return do_create_enterprise(actor, cleaned)


def editable_fields_for(actor: Any) -> frozenset[str]:
    if not roles.can(actor, roles.EDIT_ENTERPRISE):
        return frozenset()
    if actor.role == roles.Role.ENTERPRISE:
        return ENTERPRISE_ADMIN_FIELDS
    return frozenset(EDITABLE_FIELDS)


@transaction.atomic
def do_update_enterprise(
    actor: Any,
    enterprise: Enterprise,
    data: Mapping[str, Any],
    expected_version: int | None = None,
    classifier: Classifier | None = None,
    action: str = "enterprise.update",
) -> bool:
    """Apply `data`; return whether anything changed. Refuses a stale `expected_version`."""
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError
    before = audit.snapshot(locked, AUDITED_FIELDS)
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(locked, key, value)
    (classifier or Classifier()).apply(locked)
    after = audit.snapshot(locked, AUDITED_FIELDS)
    changes = audit.diff(before, after, SENSITIVE)
    if not changes:
        return False
    locked.version = F("version") + 1
    # Only the changed columns (every field set above or by the classifier is audited): receivers tell an edit
    # that moves figures from one that does not by update_fields — a new contact phone no longer outdates every
    # day of the resumption snapshots (resumption/apps.py), a new town still does.
    locked.save(update_fields=[*changes, "version", "updated_at"])
    locked.refresh_from_db(fields=["version", "updated_at"])
    enterprise.__dict__.update({k: getattr(locked, k) for k in ("version", "updated_at")})
    for key in AUDITED_FIELDS:
        setattr(enterprise, key, getattr(locked, key))
    audit.record(actor, action, locked, changes=changes)
    return True


def check_update_enterprise(
    actor: Any, enterprise: Enterprise, data: Mapping[str, Any], expected_version: int | None
) -> bool:
    allowed = editable_fields_for(actor)
    if not allowed:
        raise PermissionDenied
    if any(k not in allowed for k in data):
        raise PermissionDenied
    cleaned, _warnings = clean_enterprise_data(data)
    if "uscc" in cleaned and Enterprise.objects.filter(uscc=cleaned["uscc"]).exclude(pk=enterprise.pk).exists():
        raise EnterpriseValidationError({"uscc": _("该统一社会信用代码已登记")})
    return do_update_enterprise(actor, enterprise, cleaned, expected_version)


def do_reveal_contact_phone(actor: Any, enterprise: Enterprise, reason: str) -> str:
    """The contact phone in clear, for a permitted role with a stated reason; the reveal is logged."""
    if not roles.can(actor, roles.REVEAL_PERSONAL_DATA):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise EnterpriseValidationError({"reason": _("请填写查看理由")})
    audit.log_access(
        actor,
        "reveal",
        subject_type="enterprise.contact",
        subject_id=str(enterprise.pk),
        subject_repr=enterprise.name,
        fields=["contact_phone"],
        purpose=reason,
    )
    return enterprise.contact_phone


PROJECT_FIELDS = ("code", "name", "town", "owner", "industry_section", "total_investment_yuan", "stage", "status")


@transaction.atomic
def do_create_project(actor: Any, data: Mapping[str, Any]) -> KeyProject:
    project = KeyProject.objects.create(**{k: v for k, v in data.items() if k in PROJECT_FIELDS})
    audit.record(actor, "project.create", project, changes=audit.diff({}, audit.snapshot(project, PROJECT_FIELDS)))
    return project


@transaction.atomic
def do_update_project(actor: Any, project: KeyProject, data: Mapping[str, Any], expected_version: int | None) -> bool:
    locked = KeyProject.objects.select_for_update().get(pk=project.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError
    before = audit.snapshot(locked, PROJECT_FIELDS)
    for key, value in data.items():
        if key in PROJECT_FIELDS:
            setattr(locked, key, value)
    changes = audit.diff(before, audit.snapshot(locked, PROJECT_FIELDS))
    if not changes:
        return False
    locked.version = F("version") + 1
    locked.save()
    audit.record(actor, "project.update", locked, changes=changes)
    return True


def _clean_project_data(data: Mapping[str, Any], exclude_pk: int | None = None) -> dict[str, Any]:
    out = dict(data)
    errors: dict[str, str] = {}
    if "code" in out:
        out["code"] = (out["code"] or "").strip()
        if not out["code"]:
            errors["code"] = _("项目编号不能为空")
        else:
            same_code = KeyProject.objects.filter(code=out["code"])
            if exclude_pk is not None:  # editing: the project's own code is no clash
                same_code = same_code.exclude(pk=exclude_pk)
            if same_code.exists():
                errors["code"] = _("该项目编号已存在")
    if "name" in out and not (out["name"] or "").strip():
        errors["name"] = _("项目名称不能为空")
    if errors:
        raise EnterpriseValidationError(errors)
    return out


def check_create_project(actor: Any, data: Mapping[str, Any]) -> KeyProject:
    if not roles.can(actor, roles.EDIT_PROJECT):
        raise PermissionDenied
    return do_create_project(actor, _clean_project_data(data))


def check_update_project(
    actor: Any, project: KeyProject, data: Mapping[str, Any], expected_version: int | None
) -> bool:
    if not roles.can(actor, roles.EDIT_PROJECT):
        raise PermissionDenied
    return do_update_project(actor, project, _clean_project_data(data, exclude_pk=project.pk), expected_version)


# --- bulk writes for the Excel import (importers.EnterpriseImporter) ---------------------------------
BULK_UPDATE_FIELDS = (
    *(f for f in EDITABLE_FIELDS if f != "uscc"),
    "size_class",
    "is_above_scale",
    "category",
    "is_non_public",
    "version",
    "updated_at",
)


@transaction.atomic
def do_bulk_upsert_enterprises(
    actor: Any,
    creates: Sequence[Mapping[str, Any]],
    updates: Sequence[tuple[Enterprise, Mapping[str, Any]]],
    classifier: Classifier | None = None,
    note: str = "",
) -> tuple[list[Enterprise], list[Enterprise]]:
    """Create and update many enterprises in a few statements; return (created, changed).

    The same records and audit rows as do_create_/do_update_enterprise, one audit row per created or changed
    enterprise, but batched: 50,000 rows of a registry spreadsheet must not cost 200,000 round trips. Inputs
    are already validated. An update is refused (ConcurrentEditError) when the record's version moved since
    the caller read it, so an import never overwrites an edit made while it was being checked.
    """
    # Imported here: only this bulk path writes audit rows without audit.record (one INSERT per row).
    from django.utils import timezone

    from fugong.core.context import current_request
    from fugong.core.models import AuditLog

    classifier = classifier or Classifier()
    info = current_request.get()
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    actor_label = "system" if actor is None else str(getattr(actor, "username", actor))[:150]
    label = Enterprise._meta.label_lower

    def audit_row(action: str, obj: Enterprise, changes: dict[str, Any]) -> tuple[Any, ...]:
        return (now, actor_id, actor_label, action, label, str(obj.pk), str(obj)[:200], changes, note[:300],
                info.ip, info.via)  # fmt: skip

    created: list[Enterprise] = []
    _preload_thresholds(classifier)  # build() runs inside a COPY: it must not query the database

    def build() -> Iterator[Enterprise]:
        for data in creates:
            enterprise = Enterprise(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
            classifier.apply(enterprise)
            enterprise.created_at = enterprise.updated_at = now
            created.append(enterprise)
            yield enterprise

    _insert_enterprises(build(), len(creates))
    rows: list[tuple[Any, ...]] = []

    changed = []
    if updates:
        locked = Enterprise.objects.select_for_update(of=("self",)).select_related("town", "industrial_park")
        current = {e.pk: e for e in locked.filter(pk__in=[e.pk for e, _data in updates])}
        for enterprise, data in updates:
            row = current.get(enterprise.pk)
            if row is None or row.version != enterprise.version:
                raise ConcurrentEditError
            before = audit.snapshot(row, AUDITED_FIELDS)
            for key, value in data.items():
                if key in EDITABLE_FIELDS:
                    setattr(row, key, value)
            classifier.apply(row)
            changes = audit.diff(before, audit.snapshot(row, AUDITED_FIELDS), SENSITIVE)
            if not changes:
                continue
            row.version += 1
            row.updated_at = now
            changed.append(row)
            rows.append(audit_row("enterprise.update", row, changes))
        _update_enterprises(changed)
    # A generator, so on PostgreSQL the server indexes earlier rows while later ones are being built.
    entries = itertools.chain((audit_row("enterprise.create", e, _created_changes(e)) for e in created), rows)
    if connection.vendor in FAST_INSERT_VENDORS:
        at = connection.ops.adapt_datetimefield_value(now) if connection.vendor == "sqlite" else now
        _insert_rows(
            AuditLog, AUDIT_COLUMNS, ((at, *r[1:7], json.dumps(r[7], ensure_ascii=False), *r[8:]) for r in entries)
        )
    else:
        AuditLog.objects.bulk_create([AuditLog(**dict(zip(AUDIT_COLUMNS, r, strict=True))) for r in entries], 1000)
    return created, changed


def _preload_thresholds(classifier: Classifier) -> None:
    """Fill the classifier's threshold cache for every sector in one query."""
    by_sector: dict[str, list[Threshold]] = {sector: [] for sector in SizeSector.values}
    for t in SizeThreshold.objects.all():
        by_sector.setdefault(t.sector, []).append(
            Threshold(t.size_class, t.min_employees, t.min_revenue_wan, t.min_assets_wan)
        )
    for sector, thresholds in by_sector.items():
        classifier._cache.setdefault(sector, thresholds)


AUDIT_COLUMNS = ("at", "actor_id", "actor_label", "action", "object_type", "object_id", "object_repr", "changes",
                 "note", "ip", "via")  # fmt: skip


_audited_values = operator.attrgetter(*AUDITED_FIELDS)


def _created_changes(enterprise: Enterprise) -> dict[str, Any]:
    """audit.diff({}, snapshot, SENSITIVE) for a new record, in one pass: at 50,000 rows the general diff is a
    fifth of the import. test_import checks both give the same result."""
    changes = {}
    for key, value in zip(AUDITED_FIELDS, _audited_values(enterprise), strict=True):
        if value is not None:
            changes[key] = [None, value if type(value) in (str, int, bool) else audit.plain(value)]
    for key, kind in SENSITIVE.items():
        if key in changes:
            changes[key] = ["", audit.SENSITIVE_MASKS[kind](changes[key][1] or "")]
    return changes


# Where rows go in below the ORM: PostgreSQL by COPY, SQLite by executemany (both C loops in the driver).
FAST_INSERT_VENDORS = frozenset({"postgresql", "sqlite"})


def _insert_enterprises(objs: Iterable[Enterprise], count: int) -> None:
    """INSERT `count` new enterprises and set their ids, drawn before the insert (PostgreSQL: the table's
    sequence; SQLite: after the highest id, under the write lock every transaction takes here). Each row is built
    while the database stores the previous ones: at this volume the ORM's per-value preparation costs more than
    the database's work. Other databases: bulk_create."""
    if not count:
        return
    if connection.vendor not in FAST_INSERT_VENDORS:
        Enterprise.objects.bulk_create(list(objs), batch_size=500)
        return
    from django.db import models

    from fugong.core.fields import EncryptedTextField

    meta = Enterprise._meta
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            ids: Iterable[int] = [pk for (pk,) in cursor.fetchall()]
        else:
            cursor.execute(
                f"SELECT MAX(n) FROM (SELECT MAX(id) AS n FROM {table} UNION ALL "  # noqa: S608 — quoted names
                "SELECT seq FROM sqlite_sequence WHERE name = %s)",
                [meta.db_table],
            )
            first = (cursor.fetchone()[0] or 0) + 1
            ids = range(first, first + count)
    fields = meta.concrete_fields
    sealed = [i for i, f in enumerate(fields) if isinstance(f, EncryptedTextField)]
    stamps = (
        [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
        if connection.vendor == "sqlite"
        else []
    )
    values = operator.attrgetter(*(f.attname for f in fields))
    adapt = connection.ops.adapt_datetimefield_value

    def rows() -> Iterator[list[Any]]:
        # Runs while the insert holds the connection: a database query in here would wait for ever.
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            row = list(values(obj))
            for i in sealed:
                row[i] = fields[i].get_prep_value(row[i])
            for i in stamps:
                row[i] = adapt(row[i])
            yield row
            obj._state.adding = False
            obj._state.db = connection.alias

    _insert_rows(Enterprise, [f.attname for f in fields], rows())


def _update_enterprises(objs: list[Enterprise]) -> None:
    """UPDATE changed enterprises, one parameterised statement executed many times (pipelined by psycopg, a C
    loop in sqlite3). bulk_update's CASE WHEN per column grows with the batch and crawls at 10,000 rows."""
    if not objs:
        return
    if connection.vendor not in FAST_INSERT_VENDORS:
        Enterprise.objects.bulk_update(objs, BULK_UPDATE_FIELDS, batch_size=500)
        return
    from django.db import models

    from fugong.core.fields import EncryptedTextField

    meta = Enterprise._meta
    fields: list[Any] = [meta.get_field(name) for name in BULK_UPDATE_FIELDS]
    sealed = [i for i, f in enumerate(fields) if isinstance(f, EncryptedTextField)]
    stamps = (
        [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
        if connection.vendor == "sqlite"
        else []
    )
    values = operator.attrgetter(*(f.attname for f in fields), "pk")
    adapt = connection.ops.adapt_datetimefield_value

    def rows() -> Iterator[list[Any]]:
        for obj in objs:
            row = list(values(obj))
            for i in sealed:
                row[i] = fields[i].get_prep_value(row[i])
            for i in stamps:
                row[i] = adapt(row[i])
            yield row

    qn = connection.ops.quote_name
    pk_column = str(meta.pk.column)
    table, pk = qn(meta.db_table), qn(pk_column)
    if connection.vendor == "sqlite":
        sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
        with connection.cursor() as cursor:
            rows_: Any = rows()
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", rows_)  # noqa: S608
        return
    # PostgreSQL: COPY the new values into a scratch table, then one joined UPDATE (a round trip per row
    # would cost more than the update itself).
    scratch = qn(f"_fugong_update_{secrets.token_hex(6)}")
    columns = [f.column for f in fields] + [pk_column]
    listed = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} AS SELECT {listed} FROM {table} WITH NO DATA")  # noqa: S608
        with cursor.cursor.copy(f"COPY {scratch} ({listed}) FROM STDIN") as copy:
            for row in rows():
                copy.write_row(row)
        sets = ", ".join(f"{qn(f.column)} = s.{qn(f.column)}" for f in fields)
        cursor.execute(f"UPDATE {table} AS t SET {sets} FROM {scratch} AS s WHERE t.{pk} = s.{pk}")  # noqa: S608
        cursor.execute(f"DROP TABLE {scratch}")


def _insert_rows(model: Any, attnames: Sequence[str], rows: Any) -> None:
    """Insert prepared rows (values in `attnames` order, ready for the driver) into the model's table."""
    meta = model._meta
    by_attname = {f.attname: f.column for f in meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(by_attname[a]) for a in attnames)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(attnames))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


# --- resumption status (written only by fugong.resumption.services) ------------------------------------
@transaction.atomic
def do_set_resumption_status(actor: Any, enterprise: Enterprise, status: str, on: Any, reason: str) -> bool:
    """Set the enterprise's current resumption status as of `on` (复工日期 when it starts working); audited.

    The resumption app is the one caller: it validates the change and keeps the dated status history
    (resumption.StatusChange) that figures "as of a day" are computed from. Returns whether anything changed.
    """
    from .models import ResumptionStatus

    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    before = audit.snapshot(locked, ("status", "resumed_on"))
    working = (ResumptionStatus.RESUMED, ResumptionStatus.PARTIAL)
    if status in working and (locked.status not in working or locked.resumed_on is None):
        locked.resumed_on = on  # the day it (re)started; resumed ↔ partial keeps the original day
    locked.status = status
    after = audit.snapshot(locked, ("status", "resumed_on"))
    changes = audit.diff(before, after)
    if not changes:
        return False
    locked.version = F("version") + 1
    locked.save(update_fields=["status", "resumed_on", "version", "updated_at"])
    locked.refresh_from_db(fields=["version", "updated_at"])
    for key in ("status", "resumed_on", "version", "updated_at"):
        setattr(enterprise, key, getattr(locked, key))
    audit.record(actor, "enterprise.status", locked, changes=changes, note=reason[:300])
    return True
