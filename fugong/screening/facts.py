"""Loading the engine's facts from the archive, for one employee or a million, in a fixed number of queries
per chunk.

What is read, and why no more: the engine needs stays only in regions ever rated at a quarantine level (the
risk table's hashes: an indexed look-up on Stay.region_hash), nucleic-acid and IgM tests (the result is sealed:
decrypted here, a few microseconds each), ongoing quarantines, and readings of the observation window (the
last one, and any red or yellow code). Sealed symptoms are decrypted only where there are any (an empty
sealed field is stored as "").
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast

from fugong.core import crypto
from fugong.workforce.models import Employee, HealthReading, HealthTest, Quarantine, Stay

from . import engine

LOOKUP_CHUNK = 900  # ids per IN (...): below SQLite's bound-parameter limit on old builds
RESULT_PURPOSE = "healthtest.result"  # HealthTest.result's sealing purpose (its EncryptedTextField)


class Current(NamedTuple):
    """What is stored now, to write only what changes (and to raise alerts on a change to 异常). A tuple: a
    district-wide run builds a million of them."""

    enterprise_id: int
    name: str
    clearance: str
    reason: str
    until: dt.date | None


@dataclass
class Loaded:
    facts: dict[int, engine.Facts]
    current: dict[int, Current]


def _chunks(ids: Sequence[int], size: int = LOOKUP_CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _where(ids: Sequence[int] | None, span: tuple[int, int] | None, field: str) -> Q:
    if span is not None:
        return Q(**{f"{field}__gte": span[0], f"{field}__lt": span[1]})
    return Q(**{f"{field}__in": list(ids or ())})


def load(
    *,
    as_of: dt.date,
    rules: engine.Rules,
    risky: Sequence[str],
    ids: Sequence[int] | None = None,
    span: tuple[int, int] | None = None,
) -> Loaded:
    """Facts of the active employees among `ids` (≤ LOOKUP_CHUNK of them) or with ids in [span[0], span[1])."""
    emp_q = _where(ids, span, "id") & Q(active=True)
    rows = (
        Employee.objects.filter(emp_q)
        .order_by()  # not the model's (enterprise, batch, id): a sort of every chunk that nothing here needs
        .values_list(
            "id", "resident", "returned_on", "enterprise_id", "name", "clearance", "clearance_reason", "clearance_until"
        )
    )
    # Per-row work is the cost of a district-wide run (a million rows per table): plain loops, bound methods
    # and tuples, no keyword arguments or per-row look-ups that can be hoisted.
    facts: dict[int, engine.Facts] = {}
    current: dict[int, Current] = {}
    new_facts, new_current = engine.Facts, Current._make
    for row in rows:
        pk = row[0]
        facts[pk] = new_facts(row[1], row[2], [], [], [], [])
        current[pk] = new_current(row[3:])
    if not facts:
        return Loaded(facts, current)
    owner = _where(ids, span, "employee_id")
    of = facts.get

    if risky:
        # The rated regions are few: an IN on the indexed hash column, never a scan of every trajectory.
        stays = Stay.objects.filter(owner, date_from__lte=as_of, region_hash__in=list(risky))
        stay_fact = engine.StayFact
        for emp, region_hash, date_from, date_to in stays.values_list(
            "employee_id", "region_hash", "date_from", "date_to"
        ):
            if (f := of(emp)) is not None:
                f.stays.append(stay_fact(region_hash, date_from, date_to))

    open_result = _opener(RESULT_PURPOSE)
    test_fact = engine.TestFact
    tests = HealthTest.objects.filter(owner, kind__in=[engine.NAT, engine.IGM], sample_date__lte=as_of)
    for emp, kind, sample_date, token in tests.annotate(token=_raw("result")).values_list(
        "employee_id", "kind", "sample_date", "token"
    ):
        if (f := of(emp)) is not None:
            f.tests.append(test_fact(kind, sample_date, open_result(token) if token else ""))

    quarantines = Quarantine.objects.filter(owner, start__lte=as_of).filter(Q(end__isnull=True) | Q(end__gte=as_of))
    for emp, start, end in quarantines.values_list("employee_id", "start", "end"):
        if (f := of(emp)) is not None:
            f.quarantines.append(engine.QuarantineFact(start, end))

    for emp, reading in _readings(owner, as_of, rules):
        if (f := of(emp)) is not None:
            f.readings.append(reading)
    return Loaded(facts, current)


def _opener(purpose: str) -> Callable[[str], str]:
    """crypto.decrypt for many tokens of one purpose: the current cipher and key looked up once, not per
    token (tokens of another cipher version still go through crypto.decrypt)."""
    cipher = crypto.current_cipher()
    prefix = f"{cipher.version}:"
    aad = purpose.encode()

    def open_token(token: str) -> str:
        if token.startswith(prefix):
            return cipher.open(base64.urlsafe_b64decode(token[len(prefix) :]), aad).decode()
        return crypto.decrypt(token, purpose)

    return open_token


def _raw(column: str) -> Cast:
    """A sealed column as stored (the token), without the field's decrypting converter."""
    return Cast(column, output_field=TextField())


def _readings(owner: Q, as_of: dt.date, rules: engine.Rules) -> Iterable[tuple[int, engine.ReadingFact]]:
    """Per employee: the last reading of the window, and every red or yellow code in it. Symptoms are only
    tested for presence: an empty sealed field is stored as "", so nothing is decrypted."""
    days = max(rules.observation_days, rules.red_code_days, rules.yellow_code_days)
    since = as_of - dt.timedelta(days=days)
    window = HealthReading.objects.filter(owner, taken_on__lte=as_of, taken_on__gte=since).annotate(
        sym=_raw("symptoms")
    )
    if connection.vendor == "postgresql":
        # One row per employee from the (employee, -taken_on) index, however many days of readings there are;
        # the last reading sorts after any coded one of the same day (order 1 vs 0).
        fields = ("employee_id", "taken_on", "id", "fever", "health_code", "sym")
        reading_fact = engine.ReadingFact
        # Red and yellow codes first (few): a last reading that is also coded is yielded once, as the last.
        coded = {
            pk: (emp, reading_fact(taken_on, fever, code or "", bool(sym), 0))
            for emp, taken_on, pk, fever, code, sym in window.filter(health_code__in=[engine.RED, engine.YELLOW])
            .order_by()
            .values_list(*fields)
        }
        # An untimed reading (a gate sheet gives a day, no time) is the earlier one within its day, as in the
        # other branch and the check-in: PostgreSQL sorts NULLs first in a descending order unless told.
        last = window.order_by("employee_id", "-taken_on", F("taken_at").desc(nulls_last=True), "-id").distinct(
            "employee_id"
        )
        for emp, taken_on, pk, fever, code, sym in last.values_list(*fields):
            if coded:
                coded.pop(pk, None)
            yield emp, reading_fact(taken_on, fever, code or "", bool(sym), 1)
        yield from coded.values()
        return
    for emp, taken_on, taken_at, pk, fever, code, sym in window.values_list(
        "employee_id", "taken_on", "taken_at", "id", "fever", "health_code", "sym"
    ):
        # Order within a day: the time taken when known, then the row id (later insert = later reading).
        order = int(taken_at.timestamp()) * 10_000_000 + pk if taken_at else pk
        yield emp, engine.ReadingFact(taken_on, bool(fever), code or "", bool(sym), order)


def for_employees(ids: Iterable[int], as_of: dt.date, rules: engine.Rules, risky: Sequence[str]) -> Loaded:
    """Facts of the given employees, LOOKUP_CHUNK ids per round of queries."""
    out = Loaded({}, {})
    ordered = sorted(set(ids))
    for part in _chunks(ordered):
        got = load(as_of=as_of, rules=rules, risky=risky, ids=part)
        out.facts.update(got.facts)
        out.current.update(got.current)
    return out


def employees_with_stays_in(region_hash: str, since: dt.date, until: dt.date) -> list[int]:
    """Active employees with a stay in the region that ended on or after `since` and began by `until` — the
    people a new rating of that region can touch. An indexed query on (region_hash, date_to)."""
    qs = Stay.objects.filter(
        region_hash=region_hash, date_to__gte=since, date_from__lte=until, employee__active=True
    ).values_list("employee_id", flat=True)
    return sorted(set(qs))
