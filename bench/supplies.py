"""Benchmark: days of supply at district scale, and ledger postings (alone and contending for one balance row).

    .venv/bin/python bench/supplies.py                          # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fugong_bench_supplies .venv/bin/python bench/supplies.py
    .venv/bin/python bench/supplies.py --enterprises 10000 --threads 8

The database is migrated first (a fresh one works; a PostgreSQL database is created when missing). Without
DATABASE_URL a throw-away SQLite file is used, so the demo database under var/ is never touched; with it, the
rows of an earlier run (enterprises with the bench's synthetic codes, and their ledgers) are deleted first.

Generated with bulk inserts: N resumed enterprises with lognormal headcounts, each with its supplies settings,
its own disinfectant norm, an opening balance of every item and two days of consumption entered (5 items → 11
movements per enterprise).

Measured, and printed:
- the five supply figure keys for the whole district (figures.compute, as daily_brief and the overview API
  run them): best and median of --repeat runs;
- GET /supplies/overview/ and GET /supplies/?resumed=1&alerts=1 as the district admin (Django's test client:
  middleware, session, template): p50 / p95 / max after a warm-up;
- postings through the service the pages use: sequential consumptions on distinct enterprises (per second),
  and --threads threads posting consumptions on ONE enterprise and item at once (each its own connection), with
  the check that none was lost: the balance row equals the sum of the movements and the count is right.
Goals (set by issue #7's author, not a spec): figures ≤ 1 s and both pages p95 ≤ 1.5 s for 5,000 resumed
enterprises; ≥ 100 sequential postings/s; no lost posting under contention.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_ORG = 70_000_000
AS_OF = dt.date(2020, 3, 2)
OPENING = dt.date(2020, 2, 1)
CONSUMED = (dt.date(2020, 2, 29), dt.date(2020, 3, 1))
TOWNS = [("431003100", "白露塘镇"), ("431003101", "良田镇"), ("431003104", "栖凤渡镇"), ("431003105", "五里牌镇")]


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="fugong-bench-supplies-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    elif os.environ["DATABASE_URL"].startswith("postgres"):
        _create_pg_database(os.environ["DATABASE_URL"])
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _create_pg_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, _sep, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def reference_data() -> list[str]:
    from django.conf import settings

    from fugong.regions.models import Region

    province, _ = Region.objects.get_or_create(code="430000", defaults={"name": "湖南省", "level": "province"})
    city, _ = Region.objects.get_or_create(
        code="431000", defaults={"name": "郴州市", "level": "city", "parent": province}
    )
    district, _ = Region.objects.get_or_create(
        code=settings.FUGONG_DISTRICT_CODE, defaults={"name": "苏仙区", "level": "district", "parent": city}
    )
    for code, name in TOWNS:
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": "town", "parent": district})
    return [code for code, _name in TOWNS]


def delete_earlier_run() -> None:
    from django.db.models import Q

    from fugong.enterprises.models import Enterprise
    from fugong.supplies.models import EnterpriseNorm, StockBalance, StockMovement, SupplyProfile

    mine = Enterprise.objects.filter(Q(name__startswith="郴州市基准物资测试"))
    ids = mine.values("id")
    for model in (StockMovement, StockBalance, SupplyProfile, EnterpriseNorm):
        model.objects.filter(enterprise_id__in=ids)._raw_delete(model.objects.db)
    mine._raw_delete(Enterprise.objects.db)


def generate(n: int, towns: list[str], seed: int) -> list[int]:
    from fugong.core.identifiers import make_uscc
    from fugong.enterprises.models import Enterprise
    from fugong.enterprises.services import Classifier
    from fugong.supplies import calculation, defaults, selectors
    from fugong.supplies.models import EnterpriseNorm, StockMovement, SupplyItem, SupplyProfile
    from fugong.supplies.services import rebuild_balances

    defaults.load()
    rng = random.Random(seed)
    classifier = Classifier()
    rows = []
    for i in range(n):
        e = Enterprise(
            uscc=make_uscc("431003", f"{BASE_ORG + i:08d}"),
            name=f"郴州市基准物资测试{i}有限公司",
            town_id=rng.choice(towns),
            industry_section="C",
            industry_division="39",
            employees=max(1, int(rng.lognormvariate(3.5, 1.0))),
            annual_revenue_wan=Decimal(3000),
            ownership="private",
            status="resumed",
            resumed_on=dt.date(2020, 2, 10),
        )
        classifier.apply(e)
        rows.append(e)
    Enterprise.objects.bulk_create(rows, batch_size=1000)
    items = {i.code: i for i in SupplyItem.objects.all()}
    norms = selectors.norms_on(AS_OF)
    profiles, own, movements = [], [], []
    for e in rows:
        profiles.append(SupplyProfile(enterprise=e, entrances=1 + e.employees // 200))
        daily_disinfectant = max(Decimal("0.2"), Decimal(e.employees) * Decimal("0.004"))
        own.append(
            EnterpriseNorm(
                enterprise=e,
                item=items["disinfectant"],
                basis="fixed_daily",
                quantity=daily_disinfectant,
                valid_from=OPENING,
            )
        )
        for code in ("mask", "alcohol", "hand_sanitizer", "disinfectant"):
            item = items[code]
            rule = calculation.Rule("fixed_daily", daily_disinfectant) if code == "disinfectant" else None
            if rule is None:
                rule = calculation.Rule(norms[item.pk].basis, norms[item.pk].quantity)
            use = calculation.daily_use(rule, e.employees).quantize(Decimal("0.001"))
            days = rng.choice([3, 5, 8, 10, 14, 20, 30])
            movements.append(
                StockMovement(enterprise=e, item=item, kind="opening", quantity=use * (days + 2), on_date=OPENING)
            )
            movements += [
                StockMovement(enterprise=e, item=item, kind="consumption", quantity=-use, on_date=d) for d in CONSUMED
            ]
        movements.append(
            StockMovement(enterprise=e, item=items["thermometer"], kind="opening", quantity=2, on_date=OPENING)
        )
    SupplyProfile.objects.bulk_create(profiles, batch_size=1000)
    EnterpriseNorm.objects.bulk_create(own, batch_size=1000)
    StockMovement.objects.bulk_create(movements, batch_size=2000)
    rebuild_balances([e.pk for e in rows])
    return [e.pk for e in rows]


def timings(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--postings", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client

    from fugong.accounts.models import User
    from fugong.core import figures, scoping
    from fugong.enterprises.models import Enterprise
    from fugong.supplies import services
    from fugong.supplies.models import StockBalance, StockMovement, SupplyItem

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - t
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']} (migrated in {migrated:.1f} s)")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    towns = reference_data()
    delete_earlier_run()
    t = time.perf_counter()
    ids = generate(args.enterprises, towns, args.seed)
    resumed = Enterprise.objects.filter(status__in=["resumed", "partial"], resumed_on__lte=AS_OF).count()
    made = StockMovement.objects.filter(enterprise_id__in=ids).count()
    print(
        f"generated {len(ids):,} enterprises, {made:,} movements in {time.perf_counter() - t:.1f} s "
        f"({resumed:,} resumed in the database)"
    )

    keys = [
        "masks_delivered",
        "thermometers_delivered",
        "alcohol_delivered_kg",
        "sanitizer_delivered_kg",
        "resumed_below_supply_threshold",
    ]
    result = {}

    def compute() -> None:
        result.update(figures.compute(scoping.DISTRICT_WIDE, AS_OF, keys=keys))

    runs = timings(compute, args.repeat)
    print(
        f"figures (district): best {min(runs) * 1000:.0f} ms, median {statistics.median(runs) * 1000:.0f} ms "
        f"→ resumed_below_supply_threshold = {result['resumed_below_supply_threshold']:,}"
    )

    admin, _ = User.objects.get_or_create(username="bench-supplies-district", defaults={"role": "district_admin"})
    client = Client()
    client.force_login(admin)
    for label, url in (
        ("GET /supplies/overview/", f"/supplies/overview/?date={AS_OF}"),
        ("GET /supplies/?resumed=1&alerts=1", f"/supplies/?date={AS_OF}&resumed=1&alerts=1"),
    ):
        assert client.get(url).status_code == 200  # warm-up
        samples = timings(lambda url=url: client.get(url), args.requests)
        print(
            f"{label}: p50 {pct(samples, 0.5) * 1000:.0f} ms, p95 {pct(samples, 0.95) * 1000:.0f} ms, "
            f"max {max(samples) * 1000:.0f} ms ({args.requests} requests)"
        )

    mask = SupplyItem.objects.get(code="mask")
    targets = list(Enterprise.objects.filter(pk__in=ids[: args.postings]))
    day = dt.date.today()
    t = time.perf_counter()
    for e in targets:
        services.check_record_movement(None, e, {"kind": "consumption", "item": mask, "quantity": "1", "on_date": day})
    elapsed = time.perf_counter() - t
    print(f"sequential postings: {len(targets):,} in {elapsed:.2f} s = {len(targets) / elapsed:,.0f} /s")

    one = Enterprise.objects.get(pk=ids[0])
    services.check_record_movement(None, one, {"kind": "purchase", "item": mask, "quantity": "1000000", "on_date": day})
    before = StockMovement.objects.filter(enterprise=one, item=mask).count()
    errors: list[str] = []
    barrier = threading.Barrier(args.threads)

    def worker() -> None:
        try:
            barrier.wait()
            e = Enterprise.objects.get(pk=one.pk)
            for _ in range(args.per_thread):
                services.check_record_movement(
                    None, e, {"kind": "consumption", "item": mask, "quantity": "1", "on_date": day}
                )
        except Exception as exc:  # printed below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    total = args.threads * args.per_thread
    made = StockMovement.objects.filter(enterprise=one, item=mask).count() - before
    movements_sum = sum(StockMovement.objects.filter(enterprise=one, item=mask).values_list("quantity", flat=True))
    balance = StockBalance.objects.get(enterprise=one, item=mask).quantity
    print(
        f"contended postings: {args.threads} threads × {args.per_thread} on one balance row: {made}/{total} written "
        f"in {elapsed:.2f} s = {made / elapsed:,.0f} /s; balance {balance} = Σ movements {movements_sum}: "
        f"{'OK' if balance == movements_sum and made == total else 'LOST UPDATES'}"
        + (f"; errors: {errors[:3]}" if errors else "")
    )


if __name__ == "__main__":
    main()
