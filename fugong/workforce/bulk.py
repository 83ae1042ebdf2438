"""Bulk writes to the archive for loads that bring many records at once (the demo; later, batch imports of
test results or gate readings): arrival batches, trajectory stays, tests, quarantines and daily readings.

Why a separate path from the pages' services: a page adds one record and audits it; a load adds thousands,
and one audit row per call stating the counts says the same thing without thousands of identical rows.
Each function is idempotent — a row whose natural key is already stored (or repeated in the same call) is
skipped — so running the same load twice writes nothing the second time, not even an audit row.
Like every do_*, they assume valid input: the caller has validated it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction

from fugong.core import audit

from . import services
from .models import ArrivalBatch, Employee, HealthReading, HealthTest, Quarantine, Stay

# The region hash and the fever threshold are the pages' own (services), so a stay or reading loaded in
# bulk is found and flagged exactly like one typed in: re-exported here for the callers of this module.
REGION_PURPOSE = services.REGION_PURPOSE
FEVER_AT = services.FEVER_THRESHOLD_C
region_hash = services.region_hash
# Rows per IN (...) look-up: below SQLite's bound-parameter limit on old builds.
LOOKUP_CHUNK = 900
WRITE_CHUNK = 1000


@dataclass(frozen=True)
class BatchRow:
    enterprise_id: int
    number: int
    arrival_date: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class StayRow:
    employee_id: int
    region_code: str
    region_name: str
    date_from: dt.date
    date_to: dt.date
    kind: str = Stay.Kind.STAY
    note: str = ""


@dataclass(frozen=True)
class TestRow:
    employee_id: int
    kind: str
    sample_date: dt.date
    result: str = HealthTest.Result.NEGATIVE
    institution: str = ""
    recorded_by_id: int | None = None


@dataclass(frozen=True)
class QuarantineRow:
    employee_id: int
    kind: str
    place: str
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class ReadingRow:
    employee_id: int
    taken_on: dt.date
    temperature: Decimal
    taken_at: dt.datetime | None = None
    symptoms: str = ""
    health_code: str = ""
    source: str = "enterprise"
    recorded_by_id: int | None = None


@dataclass
class BulkCounts:
    created: int = 0
    skipped: int = 0  # already stored, or repeated within the call


R = TypeVar("R")


def _stored_keys(
    model: type[models.Model], owner: str, owner_ids: Iterable[int], fields: Sequence[str]
) -> set[tuple[Any, ...]]:
    ids = sorted(set(owner_ids))
    keys: set[tuple[Any, ...]] = set()
    for start in range(0, len(ids), LOOKUP_CHUNK):
        part = ids[start : start + LOOKUP_CHUNK]
        keys.update(model._default_manager.filter(**{f"{owner}__in": part}).values_list(owner, *fields))
    return keys


def _add(
    actor: Any,
    rows: Sequence[R],
    *,
    model: type[models.Model],
    owner: str,
    key_fields: Sequence[str],
    key: Callable[[R], tuple[Hashable, ...]],
    build: Callable[[R], models.Model],
    action: str,
    source: str,
) -> BulkCounts:
    counts = BulkCounts()
    seen = _stored_keys(model, owner, (getattr(r, owner) for r in rows), key_fields)
    new: list[models.Model] = []
    for row in rows:
        k = key(row)
        if k in seen:
            counts.skipped += 1
            continue
        seen.add(k)
        new.append(build(row))
    if not new:
        return counts
    model._default_manager.bulk_create(new, batch_size=WRITE_CHUNK)
    counts.created = len(new)
    owners = {getattr(r, owner) for r in rows}
    audit.record(
        actor,
        action,
        object_type=model._meta.label_lower,
        object_repr=str(model._meta.verbose_name),
        # Counts only: no names, places or results in the audit trail.
        changes={"created": counts.created, "skipped": counts.skipped, owner.removesuffix("_id") + "s": len(owners)},
        note=source,
    )
    return counts


@transaction.atomic
def do_bulk_add_batches(actor: Any, rows: Sequence[BatchRow], *, source: str = "") -> BulkCounts:
    """Arrival batches (入企批次), keyed on (enterprise, number); an existing batch is left as it is."""
    return _add(
        actor,
        rows,
        model=ArrivalBatch,
        owner="enterprise_id",
        key_fields=("number",),
        key=lambda r: (r.enterprise_id, r.number),
        build=lambda r: ArrivalBatch(
            enterprise_id=r.enterprise_id, number=r.number, arrival_date=r.arrival_date, note=r.note
        ),
        action="workforce.bulk_add_batches",
        source=source,
    )


@transaction.atomic
def do_bulk_set_commute_routes(actor: Any, routes: Mapping[int, str], *, source: str = "") -> BulkCounts:
    """Commute routes (上下班轨迹) by employee id, set only where none is recorded yet: a route someone
    has entered on the archive card is never overwritten by a load. `created` counts the routes set."""
    counts = BulkCounts()
    ids = sorted(routes)
    empty: set[int] = set()
    for start in range(0, len(ids), LOOKUP_CHUNK):
        part = ids[start : start + LOOKUP_CHUNK]
        # An empty sealed field is stored as "" (EncryptedTextField), so this needs no decryption.
        empty.update(Employee.objects.filter(id__in=part, commute_route="").values_list("id", flat=True))
    todo = [Employee(id=pk, commute_route=routes[pk]) for pk in ids if pk in empty and routes[pk]]
    counts.skipped = len(ids) - len(todo)
    if not todo:
        return counts
    Employee.objects.bulk_update(todo, ["commute_route"], batch_size=WRITE_CHUNK)
    counts.created = len(todo)
    audit.record(
        actor,
        "workforce.bulk_set_commute_routes",
        object_type="workforce.employee",
        object_repr=str(Employee._meta.verbose_name),
        changes={"created": counts.created, "skipped": counts.skipped, "employees": len(ids)},
        note=source,
    )
    return counts


@transaction.atomic
def do_bulk_add_stays(actor: Any, rows: Sequence[StayRow], *, source: str = "") -> BulkCounts:
    """Trajectory stays and transits, keyed on (employee, kind, region hash, from-date)."""
    return _add(
        actor,
        rows,
        model=Stay,
        owner="employee_id",
        key_fields=("kind", "region_hash", "date_from"),
        key=lambda r: (r.employee_id, r.kind, region_hash(r.region_code), r.date_from),
        build=lambda r: Stay(
            employee_id=r.employee_id,
            kind=r.kind,
            region_code=r.region_code,
            region_name=r.region_name,
            region_hash=region_hash(r.region_code),
            date_from=r.date_from,
            date_to=r.date_to,
            note=r.note,
        ),
        action="workforce.bulk_add_stays",
        source=source,
    )


@transaction.atomic
def do_bulk_add_tests(actor: Any, rows: Sequence[TestRow], *, source: str = "") -> BulkCounts:
    """Nucleic-acid and antibody tests, keyed on (employee, kind, sample date)."""
    return _add(
        actor,
        rows,
        model=HealthTest,
        owner="employee_id",
        key_fields=("kind", "sample_date"),
        key=lambda r: (r.employee_id, r.kind, r.sample_date),
        build=lambda r: HealthTest(
            employee_id=r.employee_id,
            kind=r.kind,
            sample_date=r.sample_date,
            result=r.result,
            institution=r.institution,
            recorded_by_id=r.recorded_by_id,
        ),
        action="workforce.bulk_add_tests",
        source=source,
    )


@transaction.atomic
def do_bulk_add_quarantines(actor: Any, rows: Sequence[QuarantineRow], *, source: str = "") -> BulkCounts:
    """Quarantine periods, keyed on (employee, kind, start)."""
    return _add(
        actor,
        rows,
        model=Quarantine,
        owner="employee_id",
        key_fields=("kind", "start"),
        key=lambda r: (r.employee_id, r.kind, r.start),
        build=lambda r: Quarantine(employee_id=r.employee_id, kind=r.kind, place=r.place, start=r.start, end=r.end),
        action="workforce.bulk_add_quarantines",
        source=source,
    )


def is_fever(temperature: Decimal, day: dt.date | None = None) -> bool:
    return temperature >= (services.fever_threshold(day) if day is not None else FEVER_AT)


@transaction.atomic
def do_bulk_add_readings(actor: Any, rows: Sequence[ReadingRow], *, source: str = "") -> BulkCounts:
    """Daily readings, keyed on (employee, day, time taken); `fever` is derived from the temperature."""
    return _add(
        actor,
        rows,
        model=HealthReading,
        owner="employee_id",
        key_fields=("taken_on", "taken_at"),
        key=lambda r: (r.employee_id, r.taken_on, r.taken_at),
        build=lambda r: HealthReading(
            employee_id=r.employee_id,
            taken_on=r.taken_on,
            taken_at=r.taken_at,
            temperature=f"{r.temperature:.1f}",
            fever=is_fever(r.temperature, r.taken_on),
            symptoms=r.symptoms,
            health_code=r.health_code,
            source=r.source,
            recorded_by_id=r.recorded_by_id,
        ),
        action="workforce.bulk_add_readings",
        source=source,
    )
