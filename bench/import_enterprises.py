"""Benchmark: import a deterministic 50,000-row registry spreadsheet and print rows/s.

    .venv/bin/python bench/import_enterprises.py                     # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fugong_bench .venv/bin/python bench/import_enterprises.py

The database is migrated first (a fresh one works). Without DATABASE_URL a throw-away SQLite file is used, so
the demo database under var/ is never touched; with it, earlier bench rows (their synthetic codes only) are
deleted before timing. Timed: the whole EnterpriseImporter.run — parse, validate, write, audit — as the
command and the task run it, for the file into an empty registry (all created), the same file again (all
unchanged) and a file with other figures for the same enterprises (all updated); best of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# (section, divisions, weight): roughly a county registry — manufacturing, trade and catering first.
SECTIONS = [
    ("C", ["13", "14", "17", "18", "20", "26", "30", "33", "34", "38", "39"], 30),
    ("F", ["51", "52"], 22),
    ("H", ["61", "62"], 10),
    ("E", ["47", "48", "50"], 8),
    ("A", ["01", "02", "03"], 6),
    ("G", ["54", "59", "60"], 5),
    ("I", ["63", "64", "65"], 4),
    ("K", ["70"], 3),
    ("L", ["71", "72"], 4),
    ("O", ["80", "81"], 4),
    ("B", ["08", "10"], 2),
    ("D", ["44", "46"], 2),
]
OWNERSHIPS = [("民营", 80), ("国有", 3), ("国有控股", 3), ("集体", 4), ("外资", 3), ("港澳台", 2), ("其他", 5)]
WORDS = "湘南 林邑 苏仙 郴江 飞天 永丰 东江 丹霞 五岭 栖凤 白露 良田 坳上 许家洞 桥口 华塘 望仙 邓家塘".split()
KINDS = "科技 食品 建材 机械 电子 物流 商贸 餐饮 农业 矿业 建筑 服装 印务 置业 环保".split()
TOWNS = [  # used only when the configured database has no towns yet (a fresh bench database)
    ("431003100", "白露塘镇"),
    ("431003101", "良田镇"),
    ("431003102", "坳上镇"),
    ("431003103", "许家洞镇"),
    ("431003104", "栖凤渡镇"),
    ("431003105", "五里牌镇"),
    ("431003106", "桥口镇"),
    ("431003107", "望仙镇"),
]
BASE_ORG = 60_000_000


def setup_django() -> str:
    tmp = ""
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="fugong-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    return tmp


def ensure_reference_data() -> tuple[list[str], list[str]]:
    from django.conf import settings

    from fugong.regions.models import IndustrialPark, Region
    from fugong.regions.selectors import towns

    province, _ = Region.objects.get_or_create(code="430000", defaults={"name": "湖南省", "level": "province"})
    city, _ = Region.objects.get_or_create(
        code="431000", defaults={"name": "郴州市", "level": "city", "parent": province}
    )
    district, _ = Region.objects.get_or_create(
        code=settings.FUGONG_DISTRICT_CODE, defaults={"name": "苏仙区", "level": "district", "parent": city}
    )
    if not towns().exists():
        for code, name in TOWNS:
            Region.objects.get_or_create(code=code, defaults={"name": name, "level": "town", "parent": district})
    if not IndustrialPark.objects.exists():
        IndustrialPark.objects.create(name="苏仙工业集中区", district=district, state_premises_relief=True)
    return list(towns().values_list("name", flat=True)), list(IndustrialPark.objects.values_list("name", flat=True))


def generate(path: Path, rows: int, seed: int, town_names: list[str], parks: list[str]) -> list[str]:
    """A registry as a town would send it: merged title on row 1, header on row 2, realistic values."""
    import xlsxwriter

    from fugong.core.identifiers import make_uscc
    from fugong.enterprises.importers import SPEC

    rng = random.Random(seed)
    sections = [s for s in SECTIONS for _ in range(s[2])]
    ownerships = [o for o, w in OWNERSHIPS for _ in range(w)]
    headers = SPEC.headers()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("企业台账")
    sheet.merge_range(0, 0, 0, len(headers) - 1, "苏仙区企业台账（基准测试，合成数据）")
    sheet.write_row(1, 0, headers)
    codes = []
    for i in range(rows):
        section, divisions, _w = rng.choice(sections)
        code = make_uscc("431003", f"{BASE_ORG + i:08d}")
        codes.append(code)
        employees = int(rng.lognormvariate(3.2, 1.1))
        revenue = Decimal(str(round(rng.lognormvariate(5.5, 1.6), 2)))
        rents = rng.random() < 0.05
        phone = (
            f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            if rng.random() < 0.9
            else (f"0735-{rng.randrange(2_000_000, 9_999_999)}")
        )
        values = [
            code,
            f"郴州市{rng.choice(WORDS)}{rng.choice(KINDS)}{i}有限公司",
            "测试" + rng.choice("甲乙丙丁戊己庚辛"),
            rng.choice(town_names),
            f"苏仙区合成路{i}号",
            section,
            rng.choice(divisions),
            employees,
            float(revenue),
            round(float(revenue) * rng.uniform(0.3, 2.0), 2),
            rng.choice(ownerships),
            "是" if rng.random() < 0.1 else "否",
            rng.choice(parks) if parks and rng.random() < 0.15 else "",
            "是" if rents else "否",
            rng.randrange(2000, 50000) if rents else "",
            "联系人" + str(i % 1000),
            phone,
        ]
        for col, value in enumerate(values):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(i + 2, col, value)
            elif value != "":
                sheet.write_string(i + 2, col, str(value))
    book.close()
    return codes


def delete_bench_rows(codes: list[str]) -> None:
    """Remove the rows of an earlier run, and only those. Plain SQL: nothing else refers to them, and the ORM's
    cascade would visit every app's tables."""
    from django.db import connection

    from fugong.enterprises.models import Enterprise

    table = connection.ops.quote_name(Enterprise._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(codes), 500):
            chunk = codes[start : start + 500]
            cursor.execute(f"DELETE FROM {table} WHERE uscc IN ({', '.join(['%s'] * len(chunk))})", chunk)


def timed_import(path: Path) -> tuple[Any, float, float, float]:
    """(result, wall seconds, of which writing, this process's CPU seconds)."""
    from fugong.enterprises.importers import EnterpriseImporter

    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, time.perf_counter())

    wall, cpu = time.perf_counter(), time.process_time()
    result = EnterpriseImporter(None, note="bench", progress=progress).run(path, path.name)
    end = time.perf_counter()
    return result, end - wall, end - stages.get("writing", end), time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is reported last (default 3)")
    args = parser.parse_args()

    tmp = setup_django()
    from django.core.management import call_command
    from django.db import connection

    from fugong.core import excel
    from fugong.enterprises.importers import SPEC

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - t
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']} (migrated in {migrated:.1f} s)")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    town_names, parks = ensure_reference_data()

    with tempfile.TemporaryDirectory(prefix="fugong-bench-xlsx-") as work:
        path = Path(work) / "registry.xlsx"
        t = time.perf_counter()
        codes = generate(path, args.rows, args.seed, town_names, parks)
        print(f"generated {args.rows:,} rows ({path.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        parsed = sum(1 for _ in excel.read_table(path, path.name, SPEC))
        read_s = time.perf_counter() - t
        print(f"read only: {parsed:,} rows in {read_s:.2f} s = {parsed / read_s:,.0f} rows/s")

        changed = Path(work) / "registry-changed.xlsx"  # the same enterprises, other figures: every row updates
        generate(changed, args.rows, args.seed + 1, town_names, parks)

        best: dict[str, float] = {}
        for run in range(1, args.repeat + 1):
            delete_bench_rows(codes)
            for label, file in (
                ("import (all new)", path),
                ("re-import (unchanged)", path),
                ("import (all changed)", changed),
            ):
                result, wall, write_s, cpu = timed_import(file)
                rate = result.rows / wall
                best[label] = max(best.get(label, 0.0), rate)
                print(
                    f"run {run} {label}: {result.rows:,} rows in {wall:.2f} s = {rate:,.0f} rows/s "
                    f"[read+validate {wall - write_s:.2f} s, write {write_s:.2f} s; client CPU {cpu:.2f} s] "
                    f"(created {result.created:,}, updated {result.updated:,}, unchanged {result.unchanged:,}, "
                    f"rejected {result.rejected:,})"
                )
        for label, rate in best.items():
            print(f"best {label}: {rate:,.0f} rows/s")
    if tmp:
        print(f"(SQLite bench database left in {tmp}; delete it when done)")


if __name__ == "__main__":
    main()
