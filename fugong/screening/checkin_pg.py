"""The self-declaration on PostgreSQL in two round trips (one of them a commit), for the 8 a.m. rush.

Measured reason (bench/checkin_load.py): the portable path (checkin._declare_portable) costs some twenty
statements — the rate-limit upsert, the look-up, four fact queries, savepoints, five writes — and reaches a
fraction of the throughput of a minimal Django view. This path writes the same rows with the same values:

1. one SELECT: the employee (by enterprise and ID hash) with the engine's facts aggregated as JSON;
2. Python: the name check, the engine on those facts plus the new reading (and new travel), the sealing;
3. one statement (atomic on its own): the rate-limit counters, and — only if every key is within its limit
   and the person was identified — the reading, its audit row, the new stay, the declaration, the status
   (only if it changed), the fever alert and, when a status changed or an alert was raised, the figure
   snapshots' dirty mark (core.figure_store), as data-modifying CTEs.

Both statements are prepared (server-side binding, psycopg's `prepare=True`) on the persistent connection.
Same rules, same rows as the portable path: the tests run both (SQLite takes the portable one, PostgreSQL
this one; CI runs the suite on both).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import OperationalError, connection
from django.utils import timezone, translation

from fugong.core import crypto
from fugong.core.context import current_request
from fugong.core.masking import mask_name
from fugong.workforce import services as workforce

from . import engine, rules, runner

FACTS_SQL = """
SELECT e.id, e.name, e.resident, e.returned_on, e.clearance, e.clearance_reason, e.clearance_until,
  (SELECT json_agg(json_build_array(s.region_hash, s.date_from, s.date_to)) FROM workforce_stay s
    WHERE s.employee_id = e.id AND s.region_hash = ANY(%(risky)s::text[]) AND s.date_from <= %(day)s),
  (SELECT json_agg(json_build_array(t.kind, t.sample_date, t.result)) FROM workforce_healthtest t
    WHERE t.employee_id = e.id AND t.kind IN ('nat', 'igm') AND t.sample_date <= %(day)s),
  (SELECT json_agg(json_build_array(q.start, q."end")) FROM workforce_quarantine q
    WHERE q.employee_id = e.id AND q.start <= %(day)s AND (q."end" IS NULL OR q."end" >= %(day)s)),
  (SELECT json_agg(json_build_array(r.taken_on, r.fever, r.health_code, r.symptoms <> '', r.taken_at, r.id)
     ORDER BY r.taken_on, r.taken_at NULLS FIRST, r.id) FROM workforce_healthreading r
    WHERE r.employee_id = e.id AND r.taken_on BETWEEN %(since)s AND %(day)s)
FROM workforce_employee e
WHERE e.enterprise_id = %(enterprise)s AND e.id_hash = %(id_hash)s AND e.active
"""

COUNTERS = """
hits AS (
  INSERT INTO screening_ratecounter ("key", slot, hits) VALUES {values}
  ON CONFLICT ("key", slot) DO UPDATE SET hits = screening_ratecounter.hits + 1
  RETURNING "key", hits
), allowed AS (
  SELECT coalesce(bool_and(hits <= (%(limits)s::jsonb ->> "key")::int), true) AS ok FROM hits
)"""

WRITES = """
, reading AS (
  INSERT INTO workforce_healthreading (employee_id, taken_on, taken_at, temperature, fever, symptoms, health_code,
    source, recorded_by_id)
  SELECT %(employee)s, %(day)s, %(now)s, %(temperature)s, %(fever)s, %(symptoms)s, %(health_code)s, 'self', NULL
  WHERE (SELECT ok FROM allowed)
  RETURNING id
), stay AS (
  INSERT INTO workforce_stay (employee_id, kind, region_code, region_name, region_hash, date_from, date_to, note)
  SELECT %(employee)s, 'stay', %(stay_code)s, '', %(stay_hash)s, %(stay_from)s, %(stay_to)s, %(stay_note)s
  WHERE (SELECT ok FROM allowed) AND %(travel)s
), audit AS (
  INSERT INTO core_auditlog (at, actor_id, actor_label, action, object_type, object_id, object_repr, changes,
    note, ip, via)
  SELECT %(now)s, NULL, 'system', a.action, 'workforce.employee', %(employee_id)s, %(who)s, a.changes::jsonb, '',
    %(ip)s, %(via)s
  FROM (VALUES ('employee.reading_add', %(reading_changes)s), ('employee.stay_add', %(stay_changes)s)) AS a(action,
    changes)
  WHERE (SELECT ok FROM allowed) AND (a.action = 'employee.reading_add' OR %(travel)s)
), declaration AS (
  INSERT INTO screening_declaration (enterprise_id, employee_id, reading_id, declared_on, declared_at,
    statement_version, consented_at, new_travel, device_hash, status_after)
  SELECT %(enterprise)s, %(employee)s, reading.id, %(day)s, %(now)s, %(version)s, %(now)s, %(travel)s,
    %(device)s, %(status)s
  FROM reading
  RETURNING id
), status AS (
  UPDATE workforce_employee SET clearance = %(status)s, clearance_reason = %(reason)s,
    clearance_until = %(until)s, clearance_evaluated_at = %(now)s, version = version + 1
  WHERE id = %(employee)s AND %(changed)s AND (SELECT ok FROM allowed)
), alert AS (
  INSERT INTO screening_alert (enterprise_id, employee_id, risk_area_id, kind, day, message, count, "key",
    created_at, resolved_at, resolved_by_id, resolution)
  SELECT %(enterprise)s, %(employee)s, NULL, %(alert_kind)s, %(alert_day)s, %(alert_message)s, 1, %(alert_key)s,
    %(now)s, NULL, NULL, ''
  WHERE (SELECT ok FROM allowed) AND %(alert)s
  ON CONFLICT ("key") DO NOTHING
), figures AS (
  UPDATE core_figuresnapshot SET dirty = true
  WHERE dirty = false AND (SELECT ok FROM allowed) AND (%(changed)s OR %(alert)s)
)"""


PREPARE_THRESHOLD = 5  # psycopg's default; the check-in's statements ask for prepare=True anyway


def _cursor() -> Any:
    """A server-side-binding psycopg cursor on Django's connection (same transaction, same adapters): the two
    statements are prepared once per connection and reused, instead of being interpolated and planned anew
    on every request (Django's default client-side binding).

    Django opens its psycopg connections with `prepare_threshold=None`, and psycopg then ignores
    `prepare=True` — measured: every declaration parsed and planned both statements again (0.7 ms of the
    server's 1.2 ms). A threshold on the connection turns preparing on for server-side cursors only; Django's
    own cursors bind client-side and never prepare, so nothing else changes.

    Callers execute inside `connection.wrap_database_errors`, as Django's own cursors do: an error then
    marks the connection, and Django replaces a broken one at the end of the request (after a database
    restart the next declaration gets a fresh connection instead of the dead one until CONN_MAX_AGE)."""
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = PREPARE_THRESHOLD
    return psycopg.Cursor(raw)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


_risky_cache: tuple[engine.Rules, dict[str, Any], str] | None = None


def _risky_literal(current: engine.Rules, risk: dict[str, Any]) -> str:
    """The region hashes the facts query reads stays for (rules.risky_hashes), as one PostgreSQL array literal,
    built once per version of the rules and the risk table (both per-process cached objects: the entry holds
    them, so their identities cannot be reused while it stands).

    Measured: psycopg dumps a Python list element by element on every execute — 13 µs per declaration for ten
    rated counties, growing with the risk table — against under 2 µs for the whole query's parameters with the
    literal. The hashes are hex digests, so the literal needs no quoting."""
    global _risky_cache
    hit = _risky_cache
    if hit is not None and hit[0] is current and hit[1] is risk:
        return hit[2]
    literal = "{" + ",".join(rules.risky_hashes(current, risk)) + "}"
    _risky_cache = (current, risk, literal)
    return literal


def _facts(row: Sequence[Any]) -> engine.Facts:
    _pk, _name, resident, returned_on, *_current, stays, tests, quarantines, readings = row
    out = engine.Facts(resident=resident, returned_on=returned_on)
    out.stays = [engine.StayFact(h, _date(a), _date(b)) for h, a, b in stays or ()]  # type: ignore[arg-type]
    out.tests = [
        engine.TestFact(kind, _date(day), crypto.decrypt(token, "healthtest.result") if token else "")  # type: ignore[arg-type]
        for kind, day, token in tests or ()
    ]
    out.quarantines = [engine.QuarantineFact(_date(a), _date(b)) for a, b in quarantines or ()]  # type: ignore[arg-type]
    # Already in order (taken_on, taken_at, id): the position is the order within a day.
    out.readings = [
        engine.ReadingFact(_date(day), fever, code or "", bool(sym), i)  # type: ignore[arg-type]
        for i, (day, fever, code, sym, _at, _id) in enumerate(readings or ())
    ]
    return out


def _counters(limits: Sequence[tuple[str, int]], slot: int) -> tuple[str, dict[str, Any]]:
    values = ", ".join(f"(%(k{i})s, %(slot)s, 1)" for i in range(len(limits)))
    params: dict[str, Any] = {f"k{i}": key for i, (key, _n) in enumerate(limits)}
    params.update(slot=slot, limits=json.dumps(dict(limits)))
    return COUNTERS.format(values=values), params


def _facts_row(params: dict[str, Any]) -> Sequence[Any] | None:
    """The first statement, read-only: on a connection the server has dropped (a restart, a fail-over, an idle
    timeout) it is tried once more on a fresh one. The raw cursor skips Django's per-request health check
    (a round trip on every declaration), so without this the first declaration in each worker after a
    restart would fail. Inside a transaction (a test's) a lost connection cannot be replaced: raised."""
    for attempt in (1, 2):
        try:
            with _cursor() as cursor, connection.wrap_database_errors:
                cursor.execute(FACTS_SQL, params, prepare=True)
                return cursor.fetchone()  # type: ignore[no-any-return]
        except OperationalError:
            if attempt == 2 or connection.in_atomic_block or connection.is_usable():
                raise
            connection.close()
    return None  # not reached


def declare(
    point: Any, data: Any, device: str, limits: Sequence[tuple[str, int]], now: dt.datetime
) -> tuple[str, engine.Verdict | None]:
    """("limited" | "unknown" | "ok", verdict). See the module docstring."""
    from .checkin import STATEMENT_VERSION, SYMPTOM_LABELS, device_hash, same_name, slot_of

    today = timezone.localdate(now)
    current = rules.rules_on(today)
    risk = rules.risk_table()
    days = max(current.observation_days, current.red_code_days, current.yellow_code_days)
    row = _facts_row(
        {
            "risky": _risky_literal(current, risk),
            "day": today,
            "since": today - dt.timedelta(days=days),
            "enterprise": point.enterprise_id,
            "id_hash": data.id_hash,
        }
    )
    counters, params = _counters(limits, slot_of(now))
    if row is None or not same_name(data.name, row[1]):
        with _cursor() as cursor, connection.wrap_database_errors:
            cursor.execute(f"WITH {counters} SELECT ok FROM allowed", params, prepare=True)  # noqa: S608
            return ("unknown" if cursor.fetchone()[0] else "limited"), None

    pk, name, _resident, _returned, clearance, reason, until = row[:7]
    facts = _facts(row)
    is_fever = data.temperature >= current.fever_threshold
    symptoms = "、".join(str(SYMPTOM_LABELS[s]) for s in data.symptoms)
    facts.readings.append(engine.ReadingFact(today, is_fever, data.health_code, bool(symptoms), len(facts.readings)))
    stay_hash = workforce.region_hash(data.travel_code) if data.travel_code else ""
    if data.travel_code and data.travel_from <= today:
        facts.stays.append(engine.StayFact(stay_hash, data.travel_from, data.travel_to))
    with translation.override("zh-hans"):
        verdict = engine.evaluate(facts, current, risk, today)
        now_state = runner.facts.Current(point.enterprise_id, name, clearance, reason, until)
        alert = runner.alert_for(pk, now_state, verdict, today)
    reason_text = verdict.reason_text
    changed = (clearance, reason, until) != (verdict.status, reason_text, verdict.until)
    entry = {
        k: ["", "***"]
        for k, v in (
            ("taken_on", today),
            ("temperature", data.temperature),
            ("symptoms", symptoms),
            ("health_code", data.health_code),
        )
        if v
    }
    info = current_request.get()
    params.update(
        employee=pk,
        employee_id=str(pk),
        enterprise=point.enterprise_id,
        day=today,
        now=now,
        temperature=crypto.encrypt(str(data.temperature), "reading.temperature"),
        fever=is_fever,
        symptoms=crypto.encrypt(symptoms, "reading.symptoms") if symptoms else "",
        health_code=data.health_code,
        travel=bool(data.travel_code),
        stay_code=crypto.encrypt(data.travel_code, "stay.region_code") if data.travel_code else "",
        stay_hash=stay_hash,
        stay_from=data.travel_from or today,
        stay_to=data.travel_to or today,
        stay_note=crypto.encrypt("本人扫码申报", "stay.note") if data.travel_code else "",
        who=mask_name(name)[:200],
        reading_changes=json.dumps(entry, ensure_ascii=False),
        stay_changes=json.dumps({k: ["", "***"] for k in ("kind", "region_code", "date_from", "date_to", "note")}),
        ip=info.ip,
        via=info.via,
        version=STATEMENT_VERSION,
        device=device_hash(device),
        status=verdict.status,
        reason=reason_text,
        until=verdict.until,
        changed=changed,
        alert=alert is not None,
        alert_kind=alert.kind if alert else "",
        alert_day=alert.day if alert else today,
        alert_message=alert.message if alert else "",
        alert_key=alert.key if alert else "",
    )
    with _cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(
            f"WITH {counters}{WRITES} SELECT (SELECT ok FROM allowed), (SELECT id FROM declaration)",  # noqa: S608
            params,
            prepare=True,
        )
        ok, declaration = cursor.fetchone()
    if not ok:
        return "limited", None
    assert declaration is not None
    return "ok", verdict
