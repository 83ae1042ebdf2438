"""Benchmark: screening at district scale — 1,000,000 employees with 14-day trajectories, tests and readings
on PostgreSQL. Prints figures; not a test.

    .venv/bin/python bench/rescreen.py                 # DATABASE_URL defaults to …/fugong_bench_screening
    .venv/bin/python bench/rescreen.py --employees 200000 --regenerate

Goals (issue #4): the "who passed through X?" list ≤ 1 s; a full `rescreen` ≤ 60 s.

The data is generated inside PostgreSQL (INSERT … SELECT over generate_series), once; a later run reuses it
(--regenerate starts again). Sealed columns hold real AES-GCM tokens, made in Python for a handful of values
(temperatures, results, places) and reused across rows — so the engine decrypts exactly what it would in
production; keyed hashes of the trajectory regions are the real ones (workforce.services.region_hash). ID
hashes are synthetic (md5 of the row number): nothing here looks a person up by ID.

Measured, each after a warm-up run and best of three where it is a read:
- "who passed through X?": the page's queries (count, first page of 100 with enterprise and liaisons) for
  the most travelled rated county, and the id list a risk change re-screens;
- a full re-screen from scratch (every status written: how many of the row updates were HOT, i.e. wrote no
  index entry) and again (nothing changes: nothing written); in one process, and in one process with every
  employee evaluated afresh (the generated facts repeat far more than a real district's);
- a risk change: recording a new 高 county and re-screening exactly the employees it touches.
The machine's load average is printed with the figures (2 cores shared with other work).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fugong_bench_screening"
AS_OF = dt.date(2020, 3, 2)
# (code, name): trajectory counties, the first ten rated 中/高 below.
COUNTIES = [
    ("420102", "江岸区"),
    ("420103", "江汉区"),
    ("420104", "硚口区"),
    ("420106", "武昌区"),
    ("420111", "洪山区"),
    ("420902", "孝南区"),
    ("421102", "黄州区"),
    ("421002", "沙市区"),
    ("440304", "福田区"),
    ("440305", "南山区"),
    ("440106", "天河区"),
    ("440111", "白云区"),
    ("440303", "罗湖区"),
    ("440306", "宝安区"),
    ("440307", "龙岗区"),
    ("441900", "东莞市"),
    ("330106", "西湖区"),
    ("330302", "鹿城区"),
    ("430102", "芙蓉区"),
    ("430111", "雨花区"),
    ("430104", "岳麓区"),
    ("431002", "北湖区"),
    ("431021", "桂阳县"),
    ("431022", "宜章县"),
    ("431081", "资兴市"),
    ("360102", "东湖区"),
    ("450103", "青秀区"),
    ("310115", "浦东新区"),
    ("320106", "鼓楼区"),
    ("350102", "鼓楼区"),
    ("500103", "渝中区"),
    ("510104", "锦江区"),
    ("610113", "雁塔区"),
    ("370102", "历下区"),
    ("410105", "金水区"),
    ("430602", "岳阳楼区"),
    ("430202", "荷塘区"),
    ("430302", "雨湖区"),
    ("430405", "珠晖区"),
    ("430502", "双清区"),
]
RATED = [
    (c, "high" if c.startswith("42") and c != "421002" else "medium", dt.date(2020, 1, 23)) for c, _n in COUNTIES[:10]
]


def setup(regenerate: bool = False) -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("FUGONG_DEBUG", "0")  # DEBUG keeps every query in memory
    # Fixed bench-only keys, shared with bench/checkin_load.py (synthetic data): the demo's var/ is not touched.
    os.environ.setdefault("FUGONG_VAR_DIR", "/tmp/fugong-bench-screening-var")
    os.environ.setdefault("FUGONG_DATA_KEY", "fugong-bench-screening-data-key-synthetic-only")
    os.environ.setdefault("FUGONG_SECRET_KEY", "fugong-bench-screening-secret-key-synthetic-only-0123456789")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/rescreen.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if regenerate:  # a bench database only: start from nothing
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (2 cores)"


def timed(label: str, fn, repeat: int = 1):  # type: ignore[no-untyped-def]
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    print(f"  {label}: {best * 1000:,.0f} ms")
    return best, value


# --- data --------------------------------------------------------------------------------------------------


def generate(employees: int, enterprises: int) -> None:
    from django.db import connection

    from fugong.core import crypto
    from fugong.regions.models import Region
    from fugong.workforce.services import region_hash

    def seal(value: str, purpose: str) -> str:
        return crypto.encrypt(value, purpose)

    district, _ = Region.objects.get_or_create(code="431003", defaults={"name": "苏仙区", "level": "district"})
    town, _ = Region.objects.get_or_create(
        code="431003104", defaults={"name": "栖凤渡镇", "level": "town", "parent": district}
    )
    codes = [c for c, _n in COUNTIES]
    hashes = [region_hash(c) for c in codes]
    code_tokens = [seal(c, "stay.region_code") for c in codes]
    name_tokens = [seal(n, "stay.region_name") for _c, n in COUNTIES]
    temps = [seal(f"{t / 10:.1f}", "reading.temperature") for t in range(360, 372)]
    fever_token = seal("37.5", "reading.temperature")
    negative, positive = seal("negative", "healthtest.result"), seal("positive", "healthtest.result")
    id_token = seal("431003198808080011", "employee.id_number")
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(
            """INSERT INTO enterprises_enterprise (uscc, name, legal_representative, town_id, address,
                 industry_section, industry_division, size_sector, employees, ownership, size_class, is_above_scale,
                 category, is_non_public, is_key_guarantee, rents_state_premises, contact_name, contact_phone,
                 status, version, created_at, updated_at)
               SELECT 'BENCH' || lpad(i::text, 13, '0'), '基准测试企业' || i, '', %s, '', 'C', '39', 'industry', 500,
                 'private', 'medium', true, 'above_scale_industrial', true, false, false, '', '', 'resumed', 1,
                 now(), now()
               FROM generate_series(1, %s) AS i""",
            [town.code, enterprises],
        )
        cur.execute("SELECT array_agg(id ORDER BY id) FROM enterprises_enterprise WHERE uscc LIKE 'BENCH%%'")
        ent_ids = cur.fetchone()[0]
        print(f"  enterprises: {len(ent_ids):,}")
        # Employees: 55% non-resident, back between 2020-02-01 and 2020-03-01.
        cur.execute(
            """INSERT INTO workforce_employee (enterprise_id, name, id_number, id_hash, gender, birth_date, phone,
                 phone_hash, resident, household_region_code, returned_from_code, returned_from_name, returned_on,
                 transport, transport_no, workshop, position, shift, dining_zone, dormitory_room,
                 first_job_in_district, introduction_batch, commute_route, clearance, clearance_reason, active,
                 version, created_at, updated_at)
               SELECT (%s::bigint[])[1 + i %% %s], '员工' || i, %s, md5(i::text) || md5((i + 7)::text), 'M',
                 date '1970-01-01' + (i %% 12000), '', '', (i %% 20) >= 11, '', '', '',
                 CASE WHEN (i %% 20) < 11 THEN date '2020-02-01' + (i %% 30) END,
                 '', '', '一车间', '普工', '', '', '', false, '', '', 'pending', '', true, 1, now(), now()
               FROM generate_series(1, %s) AS i""",
            [ent_ids, len(ent_ids), id_token, employees],
        )
        cur.execute("SELECT min(id) FROM workforce_employee")
        first = cur.fetchone()[0]
        print(f"  employees: {employees:,} ({time.perf_counter() - started:.0f} s)")
        # Trajectories: each non-resident a 14-day stay up to the return day; one in five a transit that day.
        cur.execute(
            """INSERT INTO workforce_stay (employee_id, kind, region_code, region_name, region_hash, date_from,
                 date_to, note)
               SELECT e.id, 'stay', (%s::text[])[k], (%s::text[])[k], (%s::text[])[k], e.returned_on - 14,
                 e.returned_on, ''
               FROM (SELECT id, returned_on, 1 + ((id * 7919) %% %s)::int AS k FROM workforce_employee
                     WHERE NOT resident) AS e""",
            [code_tokens, name_tokens, hashes, len(codes)],
        )
        cur.execute(
            """INSERT INTO workforce_stay (employee_id, kind, region_code, region_name, region_hash, date_from,
                 date_to, note)
               SELECT e.id, 'transit', (%s::text[])[k], (%s::text[])[k], (%s::text[])[k], e.returned_on,
                 e.returned_on, ''
               FROM (SELECT id, returned_on, 1 + ((id * 104729) %% %s)::int AS k FROM workforce_employee
                     WHERE NOT resident AND id %% 5 = 0) AS e""",
            [code_tokens, name_tokens, hashes, len(codes)],
        )
        print(f"  stays ({time.perf_counter() - started:.0f} s)")
        # Tests: 85% of non-residents a nucleic-acid test 1–3 days after return (1 in 2,000 positive);
        # 30% of everyone an IgM test.
        cur.execute(
            """INSERT INTO workforce_healthtest (employee_id, kind, sample_date, result, institution)
               SELECT id, 'nat', LEAST(returned_on + 1 + (id %% 3)::int, date '2020-03-01'),
                 CASE WHEN id %% 2000 = 3 THEN %s ELSE %s END, ''
               FROM workforce_employee WHERE NOT resident AND id %% 20 <> 1 AND id %% 20 <> 2 AND id %% 20 <> 5""",
            [positive, negative],
        )
        cur.execute(
            """INSERT INTO workforce_healthtest (employee_id, kind, sample_date, result, institution)
               SELECT id, 'igm', date '2020-02-20' + (id %% 10)::int, %s, '' FROM workforce_employee
               WHERE id %% 10 < 3""",
            [negative],
        )
        print(f"  tests ({time.perf_counter() - started:.0f} s)")
        # Readings: three days each (2020-02-28 … 03-01); 1 in 2,000 last readings a fever, a few red/yellow codes.
        cur.execute(
            """INSERT INTO workforce_healthreading (employee_id, taken_on, taken_at, temperature, fever, symptoms,
                 health_code, source)
               SELECT e.id, d::date, d + interval '8 hours',
                 CASE WHEN d::date = date '2020-03-01' AND e.id %% 2000 = 7 THEN %s
                      ELSE (%s::text[])[1 + ((e.id + extract(day from d)::int) %% 12)] END,
                 d::date = date '2020-03-01' AND e.id %% 2000 = 7, '',
                 CASE WHEN e.id %% 5000 = 11 THEN 'red' WHEN e.id %% 5000 = 12 THEN 'yellow' ELSE 'green' END,
                 'gate'
               FROM workforce_employee AS e
               CROSS JOIN generate_series(timestamptz '2020-02-28', timestamptz '2020-03-01', interval '1 day') AS d""",
            [fever_token, temps],
        )
        print(f"  readings ({time.perf_counter() - started:.0f} s)")
        cur.execute(
            """INSERT INTO workforce_quarantine (employee_id, kind, place, start, "end")
               SELECT id, 'home', '', returned_on, returned_on + 14 FROM workforce_employee
               WHERE NOT resident AND id %% 100 = 9""",
            [],
        )
        cur.execute("ANALYZE")
    from fugong.screening import services

    services.do_set_risk_levels(
        None,
        [services.RiskRow(c, dict(COUNTIES)[c], lvl, start, "基准测试") for c, lvl, start in RATED],
        as_of=AS_OF,
        rescreen=False,
    )
    print(f"  generated in {time.perf_counter() - started:.0f} s (first employee id {first})")


def counts() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        for table in ("workforce_employee", "workforce_stay", "workforce_healthtest", "workforce_healthreading",
                      "workforce_quarantine", "screening_riskarea"):  # fmt: skip
            cur.execute(f"SELECT count(*) FROM {table}")
            out[table] = cur.fetchone()[0]
    return out


# --- measurements -----------------------------------------------------------------------------------------


def measure_trace() -> None:
    from django.db.models import Count

    from fugong.core.scoping import DISTRICT_WIDE
    from fugong.screening import facts, selectors
    from fugong.workforce.models import Stay
    from fugong.workforce.services import region_hash

    hashes = {region_hash(c): c for c, _l, _s in RATED}
    since, until = selectors.trace_window(AS_OF, 14)
    busiest = (
        Stay.objects.filter(region_hash__in=list(hashes), date_to__gte=since, date_from__lte=until)
        .values("region_hash")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    code = hashes[busiest["region_hash"]]
    print(f'"Who passed through {code} ({dict(COUNTIES)[code]})?" {since} … {until}:')

    def page() -> int:
        grouped = selectors.trace(DISTRICT_WIDE, code, since, until)
        n = grouped.count()
        rows = selectors.trace_rows(list(grouped[:100]), AS_OF)
        assert len(rows) == min(100, n)
        return n

    page()  # warm-up
    seconds, n = timed("the page (count + first 100 with enterprise and liaisons), best of 3", page, 3)
    print(f"    → {n:,} employees; goal ≤ 1,000 ms: {'met' if seconds <= 1 else 'MISSED'}")
    area_since = AS_OF - dt.timedelta(days=14)
    _s, ids = timed(
        "the id list a new rating re-screens, best of 3",
        lambda: facts.employees_with_stays_in(region_hash(code), area_since, AS_OF),
        3,
    )
    print(f"    → {len(ids):,} ids")


def measure_rescreen(workers: int) -> None:
    import io
    import json

    from django.core.management import call_command
    from django.db import connection

    from fugong.screening import engine, runner

    with connection.cursor() as cur:  # from scratch: every status written
        cur.execute(
            "UPDATE workforce_employee SET clearance = 'pending', clearance_reason = '', "
            "clearance_until = NULL, clearance_evaluated_at = NULL"
        )
        cur.execute("VACUUM ANALYZE workforce_employee")

    def command() -> dict:
        out = io.StringIO()
        call_command("rescreen", "--date", AS_OF.isoformat(), "--json", "--workers", str(workers), stdout=out)
        return json.loads(out.getvalue())

    print(f"Full re-screen as of {AS_OF}: manage.py rescreen --workers {workers} ({load()} before):")
    print(f"  employee table: {storage()}")
    updated = row_updates()
    seconds, first = timed("first run (every status written)", command)
    print(
        f"    → {first['evaluated']:,} evaluated, {first['changed']:,} written, {first['alerts']:,} alerts; "
        f"{first['evaluated'] / seconds:,.0f} employees/s; {first['counts']}"
    )
    total, hot = (b - a for a, b in zip(updated, row_updates(), strict=True))
    # A HOT update writes no index entry: possible only when no indexed column changes and the page has room.
    print(f"    → row versions written {total:,}, of which HOT (no index entries) {hot / max(total, 1):.0%}")
    print(f"    goal ≤ 60 s: {'met' if seconds <= 60 else f'MISSED by {seconds - 60:.1f} s'}")
    seconds, again = timed("second run (nothing changes)", command)
    print(
        f"    → {again['evaluated']:,} evaluated, {again['changed']:,} written; {again['evaluated'] / seconds:,.0f}/s"
    )
    print(f"    goal ≤ 60 s: {'met' if seconds <= 60 else f'MISSED by {seconds - 60:.1f} s'}")
    seconds, single = timed(
        "the same in one process (runner.rescreen, workers=1)", lambda: runner.rescreen(AS_OF, note="bench", workers=1)
    )
    print(f"    → {single.evaluated:,} evaluated; {single.evaluated / seconds:,.0f}/s")
    # The generated data is regular (a few dozen distinct sets of facts per 20,000 employees), so the run's
    # evaluator answers almost everyone from memory. The worst case — no two employees alike — evaluated here.
    remembering = engine.evaluator
    engine.evaluator = lambda rules, risk, as_of, t=None: functools.partial(
        engine.evaluate, rules=rules, risk=risk, as_of=as_of, t=t or engine.texts()
    )
    try:
        seconds, fresh = timed(
            "the same, every employee evaluated afresh (no shared verdicts)",
            lambda: runner.rescreen(AS_OF, note="bench", workers=1),
        )
    finally:
        engine.evaluator = remembering
    print(f"    → {fresh.evaluated:,} evaluated; {fresh.evaluated / seconds:,.0f}/s")
    print(f"  ({load()} after)")


def row_updates() -> tuple[int, int]:
    """Row updates of the employee table so far, and how many of them were HOT."""
    from django.db import connection

    time.sleep(1)  # statistics reach the shared counters within a second of a transaction's end
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'workforce_employee'")
        return cur.fetchone()


def storage() -> str:
    """The employee table's size, fillfactor and indexes: what decides the cost of writing a million statuses."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_size_pretty(pg_relation_size(c.oid)), coalesce(array_to_string(c.reloptions, ','), ''), "
            "(SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ') FROM pg_index i WHERE i.indrelid = c.oid) "
            "FROM pg_class c WHERE c.relname = 'workforce_employee'"
        )
        size, options, indexes = cur.fetchone()
    columns = [d.split(" USING btree ")[1] for d in indexes.split("; ")]
    return f"{size}, {options or 'fillfactor 100'}; indexes {' '.join(columns)}"


def measure_risk_change() -> None:
    from django.db import transaction

    code, name = COUNTIES[10]  # unrated so far
    print(f"A risk change: {name} ({code}) rated 高 from {AS_OF}:")
    # Rolled back afterwards: the next run of this script finds the county unrated again (and the district's
    # statuses, measured above, unchanged by it).
    with transaction.atomic():
        _risk_change(code, name)
        transaction.set_rollback(True)


def _risk_change(code: str, name: str) -> None:
    from fugong.screening import runner, services, tasks

    _s, change = timed(
        "record it and alert the enterprises",
        lambda: services.do_set_risk_levels(
            None, [services.RiskRow(code, name, "high", AS_OF, "基准测试")], as_of=AS_OF, rescreen=False
        ),
    )
    _s, ids = timed("find the employees it touches", lambda: tasks.affected_by(change.created, AS_OF))
    seconds, result = timed("re-screen them", lambda: runner.rescreen(AS_OF, ids, note="bench"))
    print(
        f"    → {len(ids):,} touched, {result.changed:,} changed, {change.alerts:,} enterprise alerts; "
        f"{len(ids) / seconds:,.0f} employees/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=2_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="rescreen processes")
    parser.add_argument("--skip", nargs="*", default=[], choices=["trace", "rescreen", "risk"])
    args = parser.parse_args()
    setup(args.regenerate)
    from django.db import connection

    from fugong.workforce.models import Employee

    have = Employee.objects.count()
    print(f"PostgreSQL {connection.pg_version // 10000}, database {connection.settings_dict['NAME']}; {load()}")
    if have < args.employees:
        print(f"Generating {args.employees:,} employees in {args.enterprises:,} enterprises …")
        generate(args.employees, args.enterprises)
    print("Rows: " + ", ".join(f"{k.split('_', 1)[1]} {v:,}" for k, v in counts().items()))
    if "trace" not in args.skip:
        measure_trace()
    if "rescreen" not in args.skip:
        measure_rescreen(args.workers)
    if "risk" not in args.skip:
        measure_risk_change()


if __name__ == "__main__":
    main()
