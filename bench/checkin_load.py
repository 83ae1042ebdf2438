"""Benchmark: sustained self-declaration throughput (the QR code's phone page) against gunicorn on 127.0.0.1
with PostgreSQL, loaded from a second process (wrk), bounded in time. Prints figures; not a test.

    .venv/bin/python bench/checkin_load.py                       # 30 s per run, the default database below
    .venv/bin/python bench/checkin_load.py --duration 20 --workers 3 --connections 24
    .venv/bin/python bench/checkin_load.py --worker-class sync      # a new connection per request

gunicorn runs gthread workers by default (keep-alive, as deployed: docs/deploy.md), each holding an equal share
of wrk's connections (--worker-connections; see main()).

Goals (issue #4): ≥ 1,000 declarations/s — the full declaration (identify, validate, store, re-evaluate the
status) at least as fast as a minimal Django view that inserts one row — with p99 ≤ 100 ms, and every
acknowledged declaration found in the database afterwards.

In the same run it measures the two references the goal is stated against:
- the framework's ceiling: a minimal view through the same settings and the full middleware that inserts one
  row (bench/checkin_app.py), with persistent database connections (CONN_MAX_AGE) and without; and the same
  view under the QR page's prefix, through the lean handler that serves declarations (settings.
  PUBLIC_MIDDLEWARE, fugong/core/handlers.py), so the declaration's own cost can be told from the middleware's;
- PostgreSQL's own: pgbench, single-row INSERTs from 8 clients.
and prints declarations/s ÷ minimal view/s and ÷ pgbench/s. For the persistent-connection runs it also prints
the CPU time per request of gunicorn's processes and of this database's PostgreSQL backends (from /proc).

Each request is a different phone (its own signed device cookie) declaring for a different worker (a valid
synthetic ID number of an archived employee), so the per-device and per-ID limits hold exactly as in
production; the rate counters are emptied before each run (a fresh window), and the day's earlier bench
declarations are removed (each run measures the workers' first declaration of the day). A declaration is
"acknowledged" when the page answered 200 with its status (data-ack); afterwards the declarations stored during
the run are counted and compared. Needs wrk (apt-get install -y wrk) and pgbench (postgresql-client).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fugong_bench_screening"
VAR_DIR = "/tmp/fugong-bench-screening-var"
BENCH_DATA_KEY = "fugong-bench-screening-data-key-synthetic-only"
BENCH_SECRET_KEY = "fugong-bench-screening-secret-key-synthetic-only-0123456789"
ENTERPRISES = 10
LUA = r"""
local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  lines = {}
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do table.insert(lines, line) end
  f:close()
  step = tonumber(args[2])
  idx = tid + 1
  acked, limited, unknown, other, exhausted = 0, 0, 0, 0, 0
end
function request()
  local line = lines[idx]
  if line == nil then
    exhausted = exhausted + 1
    line = lines[1]
  end
  idx = idx + step
  local path, body, cookie = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)")
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie}
  return wrk.format("POST", path, headers, body)
end
function response(status, headers, body)
  if status == 200 then
    if body:find('data-ack="1"', 1, true) or body == "ok" then acked = acked + 1 else unknown = unknown + 1 end
  elseif status == 429 then limited = limited + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local t = {acked = 0, limited = 0, unknown = 0, other = 0, exhausted = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "acked": %d, "limited": %d, "unknown": %d, "other": %d, ' ..
    '"exhausted": %d, "errors": %d, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, t.acked, t.limited, t.unknown, t.other, t.exhausted,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
    summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_URL)
    env.setdefault("FUGONG_VAR_DIR", VAR_DIR)  # the demo's var/ is not touched
    # Fixed bench-only keys (synthetic data): the hashes stored in the bench database stay valid across runs,
    # and are the same in this process and in gunicorn's. Shared with bench/rescreen.py.
    env.setdefault("FUGONG_DATA_KEY", BENCH_DATA_KEY)
    env.setdefault("FUGONG_SECRET_KEY", BENCH_SECRET_KEY)
    env["FUGONG_DEBUG"] = "0"
    env.setdefault("FUGONG_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env["PYTHONPATH"] = str(ROOT)
    return env


def setup() -> None:
    os.environ.update(environment())
    sys.path.insert(0, str(ROOT))
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/checkin_load.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS bench_ping (id bigserial PRIMARY KEY, at timestamptz NOT NULL "
            "DEFAULT now(), note text NOT NULL)"
        )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


# --- the people who declare ----------------------------------------------------------------------------


def people(count: int) -> list[tuple[str, str, str]]:
    """(QR token, name, ID number) of `count` archived workers in ENTERPRISES bench enterprises; created once."""
    import datetime as dt

    from fugong.core.identifiers import id_check_char, make_uscc
    from fugong.enterprises.models import Enterprise
    from fugong.enterprises.services import Classifier
    from fugong.regions.models import Region
    from fugong.screening import services
    from fugong.workforce import bulk
    from fugong.workforce import services as workforce
    from fugong.workforce.models import Employee

    district, _ = Region.objects.get_or_create(code="431003", defaults={"name": "苏仙区", "level": "district"})
    town, _ = Region.objects.get_or_create(
        code="431003104", defaults={"name": "栖凤渡镇", "level": "town", "parent": district}
    )
    per = -(-count // ENTERPRISES)
    out: list[tuple[str, str, str]] = []
    for e in range(ENTERPRISES):
        uscc = make_uscc("431003", f"{88000000 + e:08d}")
        enterprise = Enterprise.objects.filter(uscc=uscc).first()
        if enterprise is None:
            enterprise = Enterprise(
                uscc=uscc,
                name=f"签到基准企业{e + 1}",
                town=town,
                industry_section="C",
                industry_division="39",
                employees=per,
                ownership="private",
            )
            Classifier().apply(enterprise)
            enterprise.save()
        token = services.do_ensure_checkin_point(None, enterprise).token
        wanted = []
        for i in range(per):
            k = e * per + i
            birth = dt.date(1970, 1, 1) + dt.timedelta(days=k // 900)
            body = f"431003{birth:%Y%m%d}{k % 900 + 1:03d}"
            wanted.append((f"签到员工{k}", body + id_check_char(body), k % 5 < 2))
        have = Employee.objects.filter(enterprise=enterprise).count()
        if have < per:
            records = [
                workforce.clean_employee(
                    {
                        "name": n,
                        "id_number": i,
                        "resident": not nonres,
                        "returned_on": dt.date(2020, 2, 10) if nonres else None,
                    }
                )
                for n, i, nonres in wanted
            ]
            workforce.do_upsert_employees(None, enterprise, records)
            ids = dict(Employee.objects.filter(enterprise=enterprise).values_list("id_hash", "id"))
            tests = [
                bulk.TestRow(ids[r.id_hash], "nat", dt.date(2020, 2, 11))
                for r, w in zip(records, wanted, strict=True)
                if w[2]
            ]
            bulk.do_bulk_add_tests(None, tests)
        out.extend((token, n, i) for n, i, _nonres in wanted)
        pending = list(Employee.objects.filter(enterprise=enterprise, clearance="pending").values_list("id", flat=True))
        if pending:
            # Steady state: statuses were computed by the nightly `rescreen`, as in production by 8 a.m.
            from django.utils import timezone

            from fugong.screening import runner

            runner.rescreen(timezone.localdate(), pending, note="bench/checkin_load.py")
    return out[:count]


def signed_devices(count: int) -> list[str]:
    import secrets

    from django.core import signing

    from fugong.screening import checkin

    signer = signing.get_cookie_signer(salt=checkin.DEVICE_COOKIE + checkin.DEVICE_SALT)
    return [signer.sign(secrets.token_urlsafe(12)) for _ in range(count)]


# --- the server and the load ----------------------------------------------------------------------------


def start_server(
    port: int, workers: int, threads: int, conn_max_age: int, worker_class: str = "sync", worker_connections: int = 0
) -> subprocess.Popen[bytes]:
    env = environment()
    env.update(DJANGO_SETTINGS_MODULE="bench.checkin_app", FUGONG_CONN_MAX_AGE=str(conn_max_age))
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--chdir",
        str(ROOT),
        "--backlog",
        "2048",
        "--log-level",
        "error",
    ]
    if threads > 1 or worker_class == "gthread":  # gthread keeps connections alive; sync closes each one
        command += ["--worker-class", "gthread", "--threads", str(threads)]
        if worker_connections:
            command += ["--worker-connections", str(worker_connections)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).read()
            return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def csrf_pair(port: int, token: str) -> tuple[str, str]:
    """A real browser's CSRF cookie and form token, from the page itself (they are not tied to a session)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/screening/d/{token}/", timeout=10) as response:
        page = response.read().decode()
        cookies = response.headers.get_all("Set-Cookie") or []
    cookie = next(c.split(";", 1)[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken="))
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return cookie, form_token


def write_requests(path: Path, crowd: list[tuple[str, str, str]], devices: list[str], csrf: tuple[str, str],
                   count: int) -> None:  # fmt: skip
    from fugong.screening import checkin

    cookie, form_token = csrf
    with open(path, "w", encoding="utf-8") as out:
        for n in range(count):
            token, name, number = crowd[n % len(crowd)]
            temperature = "37.6" if n % 100 == 7 else f"{36.0 + (n % 11) / 10:.1f}"
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": form_token,
                    "name": name,
                    "id_number": number,
                    "temperature": temperature,
                    "health_code": "green",
                    "consent": "1",
                }
            )
            jar = f"csrftoken={cookie}; {checkin.DEVICE_COOKIE}={devices[n]}"
            out.write(f"/screening/d/{token}/\t{body}\t{jar}\n")


def write_pings(path: Path, count: int, url: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for _ in range(count):
            out.write(f"{url}\t\tx=1\n")


def run_wrk(port: int, requests: Path, duration: int, connections: int, threads: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        script.name,
        f"http://127.0.0.1:{port}",
        "--",
        str(requests),
        str(threads),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    os.unlink(script.name)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-500:]}")
    return json.loads(line[len("RESULT ") :])


def clear_counters() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE screening_ratecounter")


def fresh_morning() -> None:
    """Every bench worker as before the day's first declaration: today's self-declarations, their readings and
    the alerts they raised removed, statuses re-screened. Without it each run on the same day measured second,
    third… declarations of the day, each reading more facts than the run before."""
    from django.db import connection
    from django.utils import timezone

    from fugong.core.identifiers import make_uscc
    from fugong.enterprises.models import Enterprise
    from fugong.screening import runner
    from fugong.workforce.models import Employee

    today = timezone.localdate()
    bench = list(
        Enterprise.objects.filter(
            uscc__in=[make_uscc("431003", f"{88000000 + e:08d}") for e in range(ENTERPRISES)]
        ).values_list("id", flat=True)
    )
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM screening_declaration WHERE enterprise_id = ANY(%s) AND declared_on = %s", [bench, today]
        )
        cur.execute(
            "DELETE FROM workforce_healthreading r USING workforce_employee w WHERE r.employee_id = w.id "
            "AND w.enterprise_id = ANY(%s) AND r.source = 'self' AND r.taken_on = %s",
            [bench, today],
        )
        cur.execute("DELETE FROM screening_alert WHERE enterprise_id = ANY(%s) AND day = %s", [bench, today])
    ids = list(Employee.objects.filter(enterprise_id__in=bench).values_list("id", flat=True))
    runner.rescreen(today, ids, note="bench/checkin_load.py: a fresh morning")


def stored_since(table: str, column: str, since: float) -> int:
    import datetime as dt

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM {table} WHERE {column} >= %s",
            [dt.datetime.fromtimestamp(since, tz=dt.UTC)],
        )
        return cur.fetchone()[0]


def cpu_seconds(server: subprocess.Popen[bytes]) -> tuple[float, float]:
    """(gunicorn's processes, this database's PostgreSQL backends) CPU seconds so far, read from /proc: where
    a request's time goes on a shared 2-core machine (the framework or the database)."""
    tick = os.sysconf("SC_CLK_TCK")
    database = os.environ["DATABASE_URL"].rpartition("/")[2].split("?")[0]
    web = db = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(fields[2]) == server.pid:  # process group: the arbiter and its workers
            web += used
        elif command.startswith("postgres: ") and f" {database} " in command:
            db += used
    return web, db


def report_cpu(before: tuple[float, float], after: tuple[float, float], requests: float) -> None:
    if requests:
        web, db = after[0] - before[0], after[1] - before[1]
        print(
            f"    CPU per request: gunicorn + Django {1000 * web / requests:.2f} ms, "
            f"PostgreSQL {1000 * db / requests:.2f} ms (from /proc; backends of this database only)"
        )


def report(label: str, r: dict[str, float]) -> float:
    rate = r["acked"] / r["seconds"] if r["seconds"] else 0.0
    print(
        f"  {label}: {rate:,.0f}/s acknowledged ({r['requests']:,} requests in {r['seconds']:.1f} s; "
        f"p50 {r['p50_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.0f} ms; "
        f"429 {r['limited']:,}, unknown {r['unknown']:,}, other {r['other']:,}, socket errors {r['errors']:,}"
        + (f", reused {r['exhausted']:,}" if r["exhausted"] else "")
        + ")"
    )
    return rate


def pgbench(duration: int, clients: int) -> float:
    url = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("INSERT INTO bench_ping (note) VALUES ('pgbench');\n")
    command = [
        "pgbench",
        "-n",
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
        "-c",
        str(clients),
        "-j",
        "2",
        "-T",
        str(duration),
        "-f",
        script.name,
        url.path.lstrip("/"),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    return float(re.search(r"tps = ([\d.]+)", output).group(1))  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per run")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2 cores: room for PostgreSQL)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread)")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="gthread", help="gunicorn worker class")
    parser.add_argument("--connections", type=int, default=12, help="wrk connections")
    parser.add_argument(
        "--worker-connections",
        type=int,
        default=None,
        help="gthread: keep-alive connections a worker may hold (default: an equal share of --connections; "
        "0: gunicorn's default of 1,000)",
    )
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--people", type=int, default=30_000, help="archived workers who declare")
    parser.add_argument("--rate-cap", type=int, default=3_000, help="requests prepared per second of a run")
    parser.add_argument("--port", type=int, default=8719)
    runs = ["pgbench", "ping", "ping-public", "ping-cold", "declare"]
    parser.add_argument("--skip", nargs="*", default=[], choices=runs)
    args = parser.parse_args()
    for tool in ("wrk", "pgbench"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is required (apt-get install -y {'wrk' if tool == 'wrk' else 'postgresql-client'})")
    setup()
    from django.db import connection

    from fugong.screening import checkin

    count = args.duration * args.rate_cap
    gthread = args.threads > 1 or args.worker_class == "gthread"
    # A gthread worker keeps every connection it accepts. wrk opens all of its connections at once, and without a
    # cap one worker may take most of them and serve them alone while the others idle — counted with `ss` over
    # three starts: 7/4/1, 10/1/1 and 11/1/0 of twelve; the same minimal view ran at 1,050/s in one run (p50 11 ms
    # ≈ 12 queued requests × 0.9 ms) and 1,900/s in the next.
    # An equal share per worker is what a balanced proxy upstream gives; every run of the bench gets the same cap.
    share = -(-args.connections // args.workers)
    per_worker = (share if args.worker_connections is None else args.worker_connections) if gthread else 0
    print(
        f"PostgreSQL {connection.pg_version // 10000}, database {connection.settings_dict['NAME']}; "
        f"gunicorn {args.workers} {'gthread' if gthread else args.worker_class} worker(s) × "
        f"{args.threads} thread(s){f', ≤ {per_worker} connections each' if per_worker else ''}; "
        f"wrk {args.wrk_threads} threads, "
        f"{args.connections} connections, {args.duration} s per run; {load()} (2 cores)"
    )
    crowd = people(args.people)
    uses = -(-count // len(crowd))
    if uses > checkin.LIMIT_ID:
        sys.exit(f"{count:,} requests over {len(crowd):,} workers exceed the per-ID limit; raise --people")
    work = Path(tempfile.mkdtemp(prefix="fugong-bench-checkin-"))
    rates: dict[str, float] = {}
    if "pgbench" not in args.skip:
        print("PostgreSQL alone (pgbench, single-row INSERT, 8 clients):")
        rates["pgbench"] = pgbench(min(args.duration, 15), 8)
        print(f"  {rates['pgbench']:,.0f} inserts/s")
    write_pings(work / "ping.tsv", count, "/bench/ping/")
    write_pings(work / "ping-public.tsv", count, "/screening/d/bench-ping/")
    for mode, age in (("ping", 600), ("ping-public", 600), ("ping-cold", 0)):
        if mode in args.skip:
            continue
        server = start_server(args.port, args.workers, args.threads, age, args.worker_class, per_worker)
        try:
            started = time.time()
            cpu0 = cpu_seconds(server)
            pings = work / ("ping-public.tsv" if mode == "ping-public" else "ping.tsv")
            result = run_wrk(args.port, pings, args.duration, args.connections, args.wrk_threads)
            cpu1 = cpu_seconds(server)
        finally:
            stop_server(server)
        label = "persistent connections" if age else "a new connection per request"
        if mode == "ping-public":
            label += ", through the QR page's lean handler (settings.PUBLIC_MIDDLEWARE)"
        print(f"Minimal Django view inserting one row, {label}:")
        rates[mode] = report("ping", result)
        if age:  # (a backend per request exits before it can be read)
            report_cpu(cpu0, cpu1, result["requests"])
        print(f"    rows stored: {stored_since('bench_ping', 'at', started):,} (acknowledged {result['acked']:,})")
    if "declare" not in args.skip:
        server = start_server(args.port, args.workers, args.threads, 600, args.worker_class, per_worker)
        try:
            csrf = csrf_pair(args.port, crowd[0][0])
            write_requests(work / "declare.tsv", crowd, signed_devices(count), csrf, count)
            fresh_morning()
            clear_counters()
            started = time.time()
            cpu0 = cpu_seconds(server)
            result = run_wrk(args.port, work / "declare.tsv", args.duration, args.connections, args.wrk_threads)
            cpu1 = cpu_seconds(server)
        finally:
            stop_server(server)
        print(
            "Self-declarations (identify, validate, store, re-evaluate), persistent connections, "
            "through the QR page's lean handler:"
        )
        rates["declare"] = report("declarations", result)
        report_cpu(cpu0, cpu1, result["requests"])
        stored = stored_since("screening_declaration", "declared_at", started)
        # Counted after the server stopped: requests still in flight when wrk stopped are stored but were
        # never acknowledged to it, so `stored` may exceed `acked`; it may never fall short.
        verdict = "every one" if stored >= result["acked"] else f"MISSING {result['acked'] - stored:,}"
        print(
            f"    acknowledged {result['acked']:,}; stored in the database {stored:,} ({verdict}; "
            f"{max(0, stored - result['acked']):,} completed after wrk stopped reading)"
        )
        goal = "met" if rates["declare"] >= 1000 and result["p99_ms"] <= 100 else "MISSED"
        print(f"    goal ≥ 1,000/s with p99 ≤ 100 ms: {goal}")
    if "declare" in rates and "ping" in rates:
        print(f"Ratio declarations ÷ minimal view (persistent): {rates['declare'] / rates['ping']:.2f}")
    if "declare" in rates and "ping-public" in rates:
        print(
            f"Ratio declarations ÷ minimal view through the same lean handler: "
            f"{rates['declare'] / rates['ping-public']:.2f}"
        )
    if "declare" in rates and "pgbench" in rates:
        print(f"Ratio declarations ÷ pgbench inserts: {rates['declare'] / rates['pgbench']:.3f}")
    if "ping" in rates and "pgbench" in rates:
        print(f"  (minimal view ÷ pgbench: {rates['ping'] / rates['pgbench']:.3f})")
    print(f"After: {load()}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
