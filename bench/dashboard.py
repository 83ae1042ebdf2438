"""Benchmark: the resumption dashboard and the overview API at district scale, and a full snapshot refresh.

    .venv/bin/python bench/dashboard.py                   # generate once (minutes), then measure
    .venv/bin/python bench/dashboard.py --requests 200    # more samples
    .venv/bin/python bench/dashboard.py --regenerate      # drop the generated data and build it again

Database: PostgreSQL only (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/fugong_bench_dashboard;
created and migrated when missing). Generated with SQL (INSERT … SELECT over generate_series, COPY for the
registry), never the ORM: 10,000 enterprises in 15 towns, 1,000,000 employees, 30,000,000 daily health
readings (one per employee per day, 2020-02-02 … 2020-03-02; the sealed temperature is one constant token
from fugong.core.crypto.encrypt — the dashboard never reads it), and the resumption records behind the
statuses: applications with their events, status history and daily reports. A finished step is recorded in
table bench_dashboard_state, so a second run reuses the data.

Measured, and printed:
- a full snapshot refresh (every day 2020-02-01 … 2020-03-02: enterprise-day rows and aggregates);
- GET /resumption/dashboard/?date=2020-03-02 (the dashboard page) and GET /api/v1/stats/overview?date=2020-03-02, as the
  district admin and as a town officer: server time per request through Django's test client (the whole
  middleware stack, session, template), p50 / p95 / max after a warm-up;
- recounting the figure snapshots (the district and every town) that the overview API reads, and the
  overview right after a change (served from the stored snapshot, marked stale, one recount queued);
- the overview's time per figure key counted live (the recount's cost), so a slow key is named.
Goals (issue #5): p95 ≤ 50 ms for both pages and both viewers; full refresh ≤ 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fugong_bench_dashboard"

ENTERPRISES = 10_000
EMPLOYEES = 1_000_000
FIRST_READING = dt.date(2020, 2, 2)
LAST_DAY = dt.date(2020, 3, 2)
FIRST_SNAPSHOT = dt.date(2020, 2, 1)
FIRST_WORKDAY = dt.date(2020, 2, 3)
ORG_BASE = 30_000_000

# category → (share, sections, resumed share, partial share): roughly a county registry in Feb 2020.
CATEGORIES = {
    "above_scale_industrial": (0.10, "C", 0.97, 0.02),
    "other_industrial": (0.18, "C", 0.62, 0.18),
    "construction": (0.10, "E", 0.45, 0.20),
    "trade": (0.26, "F", 0.65, 0.15),
    "hospitality": (0.12, "H", 0.35, 0.20),
    "services": (0.19, "GIKLMO", 0.55, 0.20),
    "agriculture": (0.05, "A", 0.70, 0.15),
}
DIVISIONS = {
    "C": "39",
    "E": "47",
    "F": "52",
    "H": "62",
    "G": "54",
    "I": "65",
    "K": "70",
    "L": "72",
    "M": "74",
    "O": "80",
    "A": "01",
}
TOWN_OFFICER_TOWN = "431003104"  # 栖凤渡镇
LOCAL = "'Asia/Shanghai'"


def setup_django(regenerate: bool = False) -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("bench/dashboard.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _create_database(os.environ["DATABASE_URL"], drop=regenerate)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _create_database(url: str, drop: bool) -> None:
    import psycopg
    from psycopg import sql

    base, _sep, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if drop:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- bookkeeping ---------------------------------------------------------------------------------------
def _cursor() -> Any:
    from django.db import connection

    return connection.cursor()


def _done(step: str) -> bool:
    with _cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_dashboard_state (step text PRIMARY KEY, done_at timestamptz)")
        c.execute("SELECT 1 FROM bench_dashboard_state WHERE step = %s", [step])
        return c.fetchone() is not None


def _mark(step: str) -> None:
    with _cursor() as c:
        c.execute("INSERT INTO bench_dashboard_state VALUES (%s, now()) ON CONFLICT DO NOTHING", [step])


def _say(msg: str) -> None:
    print(msg, flush=True)


def _table(model: Any) -> str:
    return model._meta.db_table


def _insert_select(model: Any, exprs: dict[str, str], from_sql: str, params: list[Any] | None = None) -> int:
    """INSERT INTO model's table every concrete column (but the id): the SQL in `exprs` where given, else the
    field's default as a parameter, NULL for a nullable field without one."""
    from django.db import connection
    from django.db.models import NOT_PROVIDED

    columns, values, args = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f'"{f.column}"')
        if f.attname in exprs:
            values.append(exprs[f.attname])
        elif f.default is not NOT_PROVIDED or not f.null:
            values.append("%s")
            args.append(f.get_db_prep_save(f.get_default(), connection) if f.default is not NOT_PROVIDED else "")
        else:
            values.append("NULL")
    sql = f'INSERT INTO "{_table(model)}" ({", ".join(columns)}) SELECT {", ".join(values)} {from_sql}'
    with _cursor() as c:
        c.execute(sql, [*args, *(params or [])])
        return c.rowcount


# --- the registry, employees and readings ----------------------------------------------------------------
def generate_base() -> None:
    from django.db import transaction

    if not _done("registry"):
        with transaction.atomic():
            _registry()
            _mark("registry")
    if not _done("employees"):
        with transaction.atomic():
            _employees()
            _mark("employees")
    if not _done("readings"):
        _readings()
        _mark("readings")


def _registry() -> None:
    from django.db import connection

    from fugong.accounts.models import User
    from fugong.accounts.roles import Role
    from fugong.core.identifiers import make_uscc
    from fugong.demo.regions import TOWNS
    from fugong.enterprises.models import Enterprise
    from fugong.enterprises.services import Classifier
    from fugong.regions.models import Region

    started = time.monotonic()
    province, _ = Region.objects.get_or_create(code="430000", defaults={"name": "湖南省", "level": "province"})
    city, _ = Region.objects.get_or_create(
        code="431000", defaults={"name": "郴州市", "level": "city", "parent": province}
    )
    district, _ = Region.objects.get_or_create(
        code="431003", defaults={"name": "苏仙区", "level": "district", "parent": city}
    )
    for sort, (code, name, kind, _villages) in enumerate(TOWNS):
        Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": "town", "kind": kind, "parent": district, "sort": sort}
        )
    towns = [code for code, *_rest in TOWNS]
    rng = random.Random(2020)
    classifier = Classifier()
    cats = list(CATEGORIES)
    weights = [CATEGORIES[c][0] for c in cats]
    fields = [f for f in Enterprise._meta.concrete_fields if not f.primary_key]
    rows = []
    now = dt.datetime.now(dt.UTC)
    for i in range(ENTERPRISES):
        cat = rng.choices(cats, weights)[0]
        _share, sections, resumed, partial = CATEGORIES[cat]
        section = rng.choice(sections)
        revenue = rng.uniform(2100, 40000) if cat == "above_scale_industrial" else rng.uniform(20, 1900)
        e = Enterprise(
            uscc=make_uscc("431003", f"{ORG_BASE + i:08d}"),
            name=f"郴州市基准测试{i:05d}有限公司",
            town_id=rng.choice(towns),
            industry_section=section,
            industry_division=DIVISIONS[section],
            employees=rng.randint(5, 400),
            annual_revenue_wan=round(revenue, 2),
            ownership="private",
            contact_name="联系人",
            contact_phone="",
        )
        classifier.apply(e)
        r = rng.random()
        if r < resumed + partial:
            e.status = "resumed" if r < resumed else "partial"
            e.resumed_on = FIRST_WORKDAY + dt.timedelta(days=rng.randrange(27))
        e.created_at = e.updated_at = now
        rows.append([f.get_db_prep_save(getattr(e, f.attname), connection) for f in fields])
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as c, c.cursor.copy(f'COPY "{_table(Enterprise)}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
    for username, role, town in (
        ("bench-district", Role.DISTRICT_ADMIN, None),
        ("bench-town", Role.TOWN, TOWN_OFFICER_TOWN),
    ):
        User.objects.get_or_create(username=username, defaults={"role": role, "town_id": town, "full_name": username})
    _say(f"registry: {ENTERPRISES:,} enterprises in {len(towns)} towns ({time.monotonic() - started:.1f} s)")


def _employees() -> None:
    from fugong.enterprises.models import Enterprise
    from fugong.workforce.models import Employee

    started = time.monotonic()
    with _cursor() as c:
        c.execute(f'SELECT min(id), max(id) FROM "{_table(Enterprise)}"')
        low, high = c.fetchone()
    span = high - low + 1
    # Sizes vary (a few large employers, many small ones): enterprise = low + floor(span * u^1.6).
    exprs = {
        "enterprise_id": f"{low} + floor({span} * power(mod(g * 7919, 1000003) / 1000003.0, 1.6))::bigint",
        "name": "'员工' || g",
        "id_hash": "md5(g::text) || md5('x' || g::text)",
        "gender": "CASE WHEN mod(g, 2) = 0 THEN 'M' ELSE 'F' END",
        "birth_date": "date '1965-01-01' + mod(g, 13000)::int",
        "resident": "mod(g, 3) = 0",
        "returned_on": "date '2020-02-01' + mod(g, 30)::int",
        "clearance": "CASE WHEN mod(g, 50) = 0 THEN 'quarantine' ELSE 'cleared' END",
        "active": "true",
        "created_at": "now()",
        "updated_at": "now()",
    }
    n = _insert_select(Employee, exprs, "FROM generate_series(1::bigint, %s::bigint) AS g", [EMPLOYEES])
    with _cursor() as c:
        c.execute(f'ANALYZE "{_table(Employee)}"')
    _say(f"employees: {n:,} ({time.monotonic() - started:.1f} s)")


def _readings() -> None:
    """30 days × 1,000,000 readings, one INSERT per day; secondary indexes and FK checks are set aside during
    the load and rebuilt once at the end (far faster than maintaining them row by row)."""
    from django.db import connection

    from fugong.core import crypto
    from fugong.workforce.models import Employee, HealthReading

    table = _table(HealthReading)
    token = crypto.encrypt("36.5", "reading.temperature")  # the field's purpose: its associated data
    started = time.monotonic()
    with connection.cursor() as c:
        c.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE %s",
            [table, "%pkey"],
        )
        indexes = c.fetchall()
        c.execute("SELECT count(DISTINCT taken_on) FROM " + f'"{table}"')
        have_days = c.fetchone()[0]
        if have_days:  # an interrupted load: start the table again
            c.execute(f'TRUNCATE "{table}"')
        for name, _definition in indexes:
            c.execute(f'DROP INDEX IF EXISTS "{name}"')
        c.execute("SET session_replication_role = replica")  # no FK trigger per row during the bulk load
        day = FIRST_READING
        while day <= LAST_DAY:
            t = time.monotonic()
            exprs = {
                "employee_id": "e.id",
                "taken_on": "%s::date",
                "taken_at": "(%s::date + time '07:30' + mod(e.id, 90) * interval '1 minute') AT TIME ZONE " + LOCAL,
                "temperature": "%s",
                "fever": "false",
                "symptoms": "''",
                "health_code": "'green'",
                "source": "'gate'",
                "recorded_by_id": "NULL",
            }
            cols = [f for f in HealthReading._meta.concrete_fields if not f.primary_key]
            sql = (
                f'INSERT INTO "{table}" ({", ".join(chr(34) + f.column + chr(34) for f in cols)}) '
                f'SELECT {", ".join(exprs[f.attname] for f in cols)} FROM "{_table(Employee)}" e'
            )
            c.execute(sql, [day, day, token])
            _say(f"  readings {day}: {c.rowcount:,} ({time.monotonic() - t:.1f} s)")
            day += dt.timedelta(days=1)
        c.execute("SET session_replication_role = DEFAULT")
        c.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in indexes:
            t = time.monotonic()
            c.execute(definition)
            _say(f"  index {name} ({time.monotonic() - t:.1f} s)")
        c.execute(f'ANALYZE "{table}"')
    _say(f"readings: 30 days × {EMPLOYEES:,} ({time.monotonic() - started:.1f} s)")


# --- the resumption records ----------------------------------------------------------------------------
def generate_resumption() -> None:
    from django.db import transaction

    if _done("resumption"):
        return
    with transaction.atomic():
        _resumption()
        _mark("resumption")


def _resumption() -> None:
    """The records behind the registry's statuses, in SQL: for every working enterprise an application
    (create, submit, inspect, file events), its StatusChange and a daily report for each day since it resumed
    (one day in twenty unreported); for a third of the others an application still open."""
    from fugong.enterprises.models import Enterprise
    from fugong.resumption.models import Application, ApplicationEvent, Checklist, DailyReport, StatusChange

    started = time.monotonic()
    e, app_t = _table(Enterprise), _table(Application)
    checklist = Checklist.objects.order_by("version").first()
    working = "e.status IN ('resumed', 'partial')"
    n_apps = _insert_select(
        Application,
        {
            "enterprise_id": "e.id",
            "state": f"CASE WHEN {working} THEN 'filed' WHEN mod(e.id, 9) = 0 THEN 'rectifying' ELSE 'submitted' END",
            "checklist_id": str(checklist.pk),
            "planned_date": "coalesce(e.resumed_on, date '2020-03-05')",
            "batch_workers": "jsonb_build_array(coalesce(e.employees, 10))",
            "created_at": "(coalesce(e.resumed_on, date '2020-02-27') - 4 + time '09:00') AT TIME ZONE 'Asia/Shanghai'",
            "submitted_at": "(coalesce(e.resumed_on, date '2020-02-27') - 4 + time '10:30') AT TIME ZONE " + LOCAL,
            "passed_at": f"CASE WHEN {working} THEN (e.resumed_on - 1 + time '15:00') AT TIME ZONE 'Asia/Shanghai' END",
            "filed_at": f"CASE WHEN {working} THEN (e.resumed_on + time '17:00') AT TIME ZONE 'Asia/Shanghai' END",
            "actual_date": f"CASE WHEN {working} THEN e.resumed_on END",
            "resumed_as": f"CASE WHEN {working} THEN e.status ELSE '' END",
            "closed_at": f"CASE WHEN {working} THEN (e.resumed_on + time '17:00') AT TIME ZONE 'Asia/Shanghai' END",
            "updated_at": "now()",
        },
        f'FROM "{e}" e WHERE {working} OR mod(e.id, 3) = 0',
    )
    events = 0
    steps = (
        ("create", "''", "'draft'", "a.created_at", "true"),
        ("submit", "'draft'", "'submitted'", "a.submitted_at", "true"),
        ("inspect_fail", "'submitted'", "'rectifying'", "a.submitted_at + interval '1 day'", "a.state = 'rectifying'"),
        ("inspect_pass", "'submitted'", "'passed'", "a.passed_at", "a.state = 'filed'"),
        ("file", "'passed'", "'filed'", "a.filed_at", "a.state = 'filed'"),
    )
    for action, from_state, to_state, at, where in steps:
        events += _insert_select(
            ApplicationEvent,
            {
                "application_id": "a.id",
                "action": f"'{action}'",
                "from_state": from_state,
                "to_state": to_state,
                "actor_label": "'bench'",
                "at": at,
                "note": "''",
            },
            f'FROM "{app_t}" a WHERE {where}',
        )
    changes = _insert_select(
        StatusChange,
        {
            "enterprise_id": "a.enterprise_id",
            "from_status": "'not_resumed'",
            "to_status": "a.resumed_as",
            "effective_on": "a.actual_date",
            "reason": "'复工申请备案'",
            "application_id": "a.id",
            "actor_label": "'bench'",
            "recorded_at": "a.filed_at",
        },
        f"FROM \"{app_t}\" a WHERE a.state = 'filed'",
    )
    reports = _insert_select(
        DailyReport,
        {
            "enterprise_id": "e.id",
            "day": "d::date",
            "registered": "greatest(coalesce(e.employees, 1), 1)",
            "on_duty": "floor(greatest(coalesce(e.employees, 1), 1) "
            "* least(0.95, 0.4 + 0.04 * (d::date - e.resumed_on)))",
            "daily_output": "1000 * least(0.95, 0.3 + 0.05 * (d::date - e.resumed_on))",
            "normal_output": "1000",
            "output_unit": "'件'",
            "capacity_rate": "round(least(0.95, 0.3 + 0.05 * (d::date - e.resumed_on))::numeric, 4)",
            "orders_on_hand": "20000",
            "reported_at": "(d::date + time '17:00') AT TIME ZONE 'Asia/Shanghai'",
        },
        f"FROM \"{e}\" e CROSS JOIN generate_series(e.resumed_on, date '2020-03-02', interval '1 day') d "
        f"WHERE {working} AND mod(e.id * 31 + (d::date - date '2020-01-01'), 20) <> 0",
    )
    with _cursor() as c:
        for model in (Application, ApplicationEvent, StatusChange, DailyReport):
            c.execute(f'ANALYZE "{_table(model)}"')
    _say(
        f"resumption: {n_apps:,} applications, {events:,} events, {changes:,} status changes, "
        f"{reports:,} daily reports "
        f"({time.monotonic() - started:.1f} s)"
    )


# --- measurements ----------------------------------------------------------------------------------------
def measure_refresh() -> float:
    from fugong.resumption import snapshots

    days = [FIRST_SNAPSHOT + dt.timedelta(days=i) for i in range((LAST_DAY - FIRST_SNAPSHOT).days + 1)]
    started = time.monotonic()
    result = snapshots.refresh(days)
    seconds = time.monotonic() - started
    _say(
        f"full snapshot refresh: {result['days']} days × {ENTERPRISES:,} enterprises = "
        f"{result['rows']:,} enterprise-day "
        f"rows + aggregates in {seconds:.1f} s (goal ≤ 60 s)"
    )
    return seconds


def _timings(client: Any, url: str, n: int, budget_s: float = 120.0) -> list[float]:
    """n timed requests after a warm-up, stopping early (at ≥ 20) when a page is so slow that n would take
    longer than `budget_s`; the count is printed with the figures."""
    for _ in range(5):  # warm-up: connections, template and URL caches
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    out: list[float] = []
    deadline = time.monotonic() + budget_s
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        if len(out) >= 20 and time.monotonic() > deadline:
            break
    return out


def _summary(samples: list[float]) -> tuple[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    text = (
        f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms   (n={len(ordered)})"
    )
    return text, p95


def measure_requests(n: int) -> dict[tuple[str, str], float]:
    from django.test import Client

    from fugong.accounts.models import User

    day = LAST_DAY.isoformat()
    pages = {"dashboard": f"/resumption/dashboard/?date={day}", "overview API": f"/api/v1/stats/overview?date={day}"}
    out = {}
    for username, viewer in (("bench-district", "district admin"), ("bench-town", "town officer (栖凤渡镇)")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name, url in pages.items():
            text, p95 = _summary(_timings(client, url, n))
            out[(viewer, name)] = p95
            flag = "ok" if p95 <= 50 else "MISSED"
            _say(f"  {viewer:24s} {name:13s} {text}   [{flag}: goal p95 ≤ 50 ms]")
    return out


RESUMPTION_KEYS = (
    "above_scale_industrial_total",
    "above_scale_industrial_resumed",
    "above_scale_industrial_resumption_rate",
    "enterprises_total",
    "enterprises_resumed",
)


def measure_figure_snapshots() -> None:
    """The overview reads figure snapshots (core.figure_store): time recounting them — the district and each
    town for the day — which is the task worker's job after records change, not a request's."""
    from fugong.core import figure_store, scoping
    from fugong.regions.models import Region

    towns = list(Region.objects.filter(level__in=["town", "street"]).values_list("code", flat=True))
    started = time.monotonic()
    district = figure_store.recompute(LAST_DAY, scoping.DISTRICT_AREA).duration_ms
    for code in towns:
        figure_store.recompute(LAST_DAY, str(code))
    seconds = time.monotonic() - started
    _say(
        f"figure snapshots recounted for {LAST_DAY}: the district ({district / 1000:.1f} s) and {len(towns)} towns "
        f"in {seconds:.1f} s (background work after a change)"
    )


def measure_stale_overview(n: int) -> None:
    """Right after a change: every snapshot dirty, the overview serves the stored figures marked stale and
    queues one recount (no worker runs here, so it stays queued)."""
    from django.test import Client

    from fugong.accounts.models import User
    from fugong.core import figure_store
    from fugong.core.models import FigureSnapshot

    figure_store._mark()
    for username, viewer in (("bench-district", "district admin"), ("bench-town", "town officer (栖凤渡镇)")):
        client = Client()
        client.force_login(User.objects.get(username=username))
        url = f"/api/v1/stats/overview?date={LAST_DAY}"
        assert client.get(url).json()["stale"] is True
        text, p95 = _summary(_timings(client, url, n))
        flag = "ok" if p95 <= 50 else "MISSED"
        _say(f"  {viewer:24s} {'overview API, dirty':13s} {text}   [{flag}: goal p95 ≤ 50 ms]")
    FigureSnapshot.objects.update(refresh_queued=False)


def measure_figure_keys() -> None:
    """The overview is every app's figures: time each key alone, so a slow one is named."""
    from fugong.accounts.models import User
    from fugong.core import figures

    for username in ("bench-district", "bench-town"):
        user = User.objects.get(username=username)
        costs = []
        for key in figures.REGISTRY:
            samples = []
            for _ in range(5):
                started = time.perf_counter()
                figures.compute(user, LAST_DAY, [key])
                samples.append((time.perf_counter() - started) * 1000)
            costs.append((min(samples), key))
        costs.sort(reverse=True)
        _say(f"  slowest figure keys for {username}: " + ", ".join(f"{k} {ms:.1f} ms" for ms, k in costs[:6]))
        own = sum(ms for ms, k in costs if k in RESUMPTION_KEYS)
        _say(
            f"  this issue's keys ({', '.join(RESUMPTION_KEYS[:1])}…, {len(RESUMPTION_KEYS)} keys) for {username}: "
            f"{own:.1f} ms in total, each computed alone"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page and viewer")
    parser.add_argument("--regenerate", action="store_true", help="drop the generated data first")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--skip-refresh", action="store_true", help="measure the pages only (snapshots exist)")
    args = parser.parse_args()
    os.environ.setdefault("FUGONG_DEBUG", "0")  # as deployed: no query log kept per request
    setup_django(regenerate=args.regenerate)
    generate_base()
    generate_resumption()
    if args.generate_only:
        return
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM workforce_employee")
        employees = c.fetchone()[0]
        c.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'workforce_healthreading'")
        readings = c.fetchone()[0]
    _say(
        f"data: {ENTERPRISES:,} enterprises, {employees:,} employees, ~{readings:,} health readings (PostgreSQL "
        f"{connection.pg_version // 10000})"
    )
    _say(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    if not args.skip_refresh:
        measure_refresh()
    _say(f"server time over {args.requests} requests each (after 5 warm-up requests), date {LAST_DAY}:")
    measure_figure_snapshots()
    measure_requests(args.requests)
    measure_stale_overview(args.requests)
    measure_figure_keys()
    _say(f"load average {os.getloadavg()[0]:.1f} at the end (other processes share the machine)")


if __name__ == "__main__":
    main()
