"""Benchmark: the liaison assignment proposal (fugong.liaison.solver) for 2,000 cadres and 10,000 targets.
Prints figures; not a test. Goal (issue #6): ≤ 10 s.

    .venv/bin/python bench/assign.py                       # 2,000 cadres × 10,000 targets, cap 6
    .venv/bin/python bench/assign.py --cadres 2000 --targets 10000 --cap 6 --kept 0.3 --seed 2020
    .venv/bin/python bench/assign.py --db        # also the whole page's proposal on a throw-away SQLite database

A synthetic district: 16 towns of uneven size (targets and cadres drawn with different weights, so some towns
must borrow cadres), a share of the cadres (--kept) already carrying 1–2 assignments (kept as they are), one
target in ten a priority target (规上 or key project). Times the whole proposal (grouping, the HiGHS flow,
water-filling within towns) and prints coverage, same-town share and the load spread; then the same district
with a cap too low for every target, to show the uncovered report. Pure computation: no database is touched,
unless --db: then the same district is written to a throw-away SQLite database (a temporary FUGONG_VAR_DIR,
migrated; never var/) as 10,000 规上 enterprises, 2,000 cadres and their kept postings, and the district
admin's proposal (fugong.liaison.proposal.build_proposal: the reads, the solver, the diff rows) is timed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def district(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from fugong.liaison.solver import CadreIn, TargetIn

    rng = random.Random(args.seed)
    towns = [f"4310031{i:02d}" for i in range(16)]
    target_weights = [rng.uniform(0.3, 3.0) for _ in towns]
    cadre_weights = [rng.uniform(0.3, 3.0) for _ in towns]
    cadres = [
        CadreIn(i, rng.choices(towns, cadre_weights)[0], rng.choice((1, 2)) if rng.random() < args.kept else 0)
        for i in range(args.cadres)
    ]
    targets = [
        TargetIn(("enterprise", i), rng.choices(towns, target_weights)[0], 1 if rng.random() < 0.1 else 0)
        for i in range(args.targets)
    ]
    return cadres, targets


def report(label: str, solution, seconds: float, n_targets: int) -> None:  # type: ignore[no-untyped-def]
    from fugong.liaison.solver import load_spread

    covered = len(solution.adds)
    spread = load_spread(solution.loads_after)
    histogram = Counter(solution.loads_after.values())
    print(f"[{label}] cap {solution.cap}: {seconds:.3f} s")
    print(f"  targets needing a liaison {n_targets:,}; free slots before {solution.free_slots:,}")
    print(
        f"  coverage {covered:,} / {n_targets:,} = {covered / n_targets:.2%}; uncovered {len(solution.uncovered):,}"
        f" (of which priority {sum(1 for t in solution.uncovered if t.priority):,})"
    )
    if covered:
        print(f"  same town {solution.same_town:,} = {solution.same_town / covered:.2%} of the proposed")
    print(
        f"  load after: min {spread['min']}, max {spread['max']}, mean {spread['mean']}, std {spread['std']};"
        f" cadres per load {dict(sorted(histogram.items()))}"
    )


def with_database(args: argparse.Namespace, cadres, targets) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command

    from fugong.core import scoping
    from fugong.enterprises.models import Enterprise, Ownership
    from fugong.liaison import proposal
    from fugong.liaison.models import Cadre, LiaisonAssignment, LiaisonRule
    from fugong.regions.models import Region

    call_command("migrate", verbosity=0)
    Region.objects.get_or_create(code="431003", defaults={"name": "苏仙区", "level": "district"})
    towns = sorted({c.town for c in cadres} | {t.town for t in targets})
    Region.objects.bulk_create(
        [Region(code=t, name=f"测试镇{i}", level="town", parent_id="431003", sort=i) for i, t in enumerate(towns)]
    )
    LiaisonRule.objects.all().delete()
    LiaisonRule.objects.create(effective_from=dt.date(2020, 1, 1), max_load=args.cap, source="bench")
    common = {
        "industry_section": "C",
        "ownership": Ownership.PRIVATE,
        "size_class": "medium",
        "is_above_scale": True,
        "category": "above_scale_industrial",
        "annual_revenue_wan": Decimal("5000"),
        "employees": 100,
    }
    Enterprise.objects.bulk_create(
        [Enterprise(uscc=f"BENCH{t.key[1]:013d}", name=f"企业{t.key[1]}", town_id=t.town, **common) for t in targets],
        batch_size=1000,
    )
    Cadre.objects.bulk_create([Cadre(name=f"干部{c.id}", home_town_id=c.town) for c in cadres], batch_size=1000)
    cadre_ids = list(Cadre.objects.order_by("id").values_list("id", flat=True))
    # Kept postings: each loaded cadre already holds `load` other enterprises (extra ones, not targets).
    extra = [c for c in cadres for _ in range(c.load)]
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                uscc=f"KEPT{i:014d}",
                name=f"已派驻{i}",
                town_id=c.town,
                **{**common, "category": "services", "is_above_scale": False},
            )
            for i, c in enumerate(extra)
        ],
        batch_size=1000,
    )
    kept_ids = list(Enterprise.objects.filter(uscc__startswith="KEPT").order_by("uscc").values_list("id", flat=True))
    LiaisonAssignment.objects.bulk_create(
        [
            LiaisonAssignment(cadre_id=cadre_ids[c.id], enterprise_id=e, start=dt.date(2020, 2, 3))
            for c, e in zip(extra, kept_ids, strict=True)
        ],
        batch_size=1000,
    )
    started = time.perf_counter()
    plan = proposal.build_proposal(scoping.DISTRICT_WIDE, dt.date(2020, 3, 2), ("asi",))
    seconds = time.perf_counter() - started
    print(f"[database] build_proposal on SQLite: {seconds:.3f} s (solver {plan.seconds:.3f} s)")
    print(
        f"  targets {plan.total:,}: add {len(plan.adds):,}, keep {len(plan.keeps):,},"
        f" uncovered {len(plan.uncovered):,};"
        f" load after min {plan.spread_after['min']}, max {plan.spread_after['max']}, mean {plan.spread_after['mean']}"
    )
    print(f"goal ≤ 10 s with the database: {'met' if seconds <= 10 else 'MISSED'} ({seconds:.3f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=2000)
    parser.add_argument("--targets", type=int, default=10000)
    parser.add_argument("--cap", type=int, default=6)
    parser.add_argument("--kept", type=float, default=0.3, help="share of cadres with existing assignments")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--db", action="store_true", help="also time the proposal read from a scratch database")
    args = parser.parse_args()
    if args.db:
        import tempfile

        os.environ["FUGONG_VAR_DIR"] = tempfile.mkdtemp(prefix="fugong-bench-assign-")
        os.environ.pop("DATABASE_URL", None)

    import django

    django.setup()
    from fugong.liaison.solver import solve

    cadres, targets = district(args)
    print(
        f"{len(cadres):,} cadres ({sum(1 for c in cadres if c.load):,} with kept assignments), "
        f"{len(targets):,} targets, 16 towns"
    )
    started = time.perf_counter()
    solution = solve(cadres, targets, args.cap)
    report("feasible", solution, time.perf_counter() - started, len(targets))
    low = max(args.cap - 2, 1)
    started = time.perf_counter()
    short = solve(cadres, targets, low)
    report("capacity short", short, time.perf_counter() - started, len(targets))
    goal = 10.0
    print(f"goal ≤ {goal:.0f} s: {'met' if solution.seconds <= goal else 'MISSED'} ({solution.seconds:.3f} s)")
    if args.db:
        import shutil

        try:
            with_database(args, cadres, targets)
        finally:
            shutil.rmtree(os.environ["FUGONG_VAR_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
