"""Benchmark: the roster import (import_employees) on a 100,000-row .xlsx and a 1,000,000-row CSV, against
django-import-export on the same .xlsx. Prints figures; not a test.

    .venv/bin/python bench/import_employees.py                      # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fugong_bench_emp .venv/bin/python bench/import_employees.py

The PostgreSQL database is created if missing and migrated (a fresh one works); without DATABASE_URL a
throw-away SQLite file is used, so the demo database under var/ is never touched. django-import-export is a
bench-only dependency (`.venv/bin/pip install "django-import-export[xlsx]"`); without it that part is skipped.

Each timed import runs in its own process (so the peak RSS printed is that import's own, from
resource.getrusage) into a fresh enterprise, and times the whole EmployeeImporter.run — parse, validate,
encrypt, hash, write, audit — exactly as the command and the task run it (the audit rows it wrote are
counted: one per written chunk of new employees, one per updated employee). Then the same file again: every row
unchanged. The files are generated deterministically (synthetic names, valid synthetic ID numbers) into a
temporary directory by another process, before any timing.

Options: --rows (xlsx, 100000), --csv-rows (1000000; 0 skips the CSV), --no-iex, --no-reimport, --seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯鑫")
# (county code, name) where returning workers set out from; household codes from the same list.
ORIGINS = [
    ("431003", "湖南省郴州市苏仙区"), ("431002", "湖南省郴州市北湖区"), ("431021", "湖南省郴州市桂阳县"),
    ("431081", "湖南省资兴市"), ("430104", "湖南省长沙市岳麓区"), ("440304", "广东省深圳市福田区"),
    ("440106", "广东省广州市天河区"), ("441900", "广东省东莞市"), ("420106", "湖北省武汉市武昌区"),
    ("360102", "江西省南昌市东湖区"), ("450103", "广西南宁市青秀区"), ("310115", "上海市浦东新区"),
]  # fmt: skip
TRANSPORT = [("火车", "G{n}"), ("客车", "湘L{n}"), ("自驾", "湘L{n}"), ("飞机", "CZ{n}"), ("其他", "")]
WORKSHOPS = ["一车间", "二车间", "三车间", "包装车间", "仓储部", "质检部", "行政部"]
POSITIONS = ["操作工", "技术员", "质检员", "班组长", "仓管员", "司机", "文员"]
SHIFTS = ["早班", "中班", "晚班", "常白班"]
HEADERS = ["姓名", "身份证号码", "手机号码", "常住人口", "户籍地（区划代码）", "返岗出发地", "出发地区划代码",
           "返岗日期", "交通方式", "车次/航班/车牌", "入企批次", "车间/部门", "岗位", "班次", "就餐分区", "宿舍号",
           "入职日期", "社保缴纳起始", "首次在本区就业", "引进批次", "防疫培训日期"]  # fmt: skip
DATE_COLUMNS = {7, 16, 17, 20}
BASE = dt.date(2020, 1, 20)


def setup_django() -> str:
    tmp = ""
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="fugong-emp-bench-db-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return tmp


def ensure_postgres_database() -> None:
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- synthetic rosters ------------------------------------------------------------------------------------
def synthetic_rows(count: int, seed: int) -> Any:
    """Deterministic roster rows (values as a clerk's sheet holds them); ID numbers valid and unique."""
    from fugong.core.identifiers import id_check_char

    rng = random.Random(seed)
    seen: set[int] = set()
    for i in range(count):
        while True:
            home = rng.choice(ORIGINS)[0]
            birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(13_000))
            body = f"{home}{birth:%Y%m%d}{rng.randrange(1, 1000):03d}"
            if int(body) not in seen:
                seen.add(int(body))
                break
        origin_code, origin_name = rng.choice(ORIGINS)
        resident = origin_code.startswith("4310") and rng.random() < 0.6
        transport, number = rng.choice(TRANSPORT)
        returned = BASE + dt.timedelta(days=rng.randrange(40))
        yield [
            rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
            body + id_check_char(body),
            f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
            "是" if resident else "否",
            home,
            origin_name,
            origin_code,
            returned,
            transport,
            number.format(n=rng.randrange(1000, 9999)) if number else "",
            "第一批" if returned < dt.date(2020, 2, 15) else "第二批",
            rng.choice(WORKSHOPS),
            rng.choice(POSITIONS),
            rng.choice(SHIFTS),
            f"{rng.choice('ABCD')}区",
            f"{rng.randrange(1, 9)}-{rng.randrange(101, 640)}",
            dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(3650)),
            dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(1800)),
            "是" if rng.random() < 0.3 else "否",
            f"2020-{i % 5 + 1}",
            returned + dt.timedelta(days=1),
        ]


def generate_xlsx(path: Path, count: int, seed: int) -> None:
    """Shared strings (as Excel writes them), a merged title on row 1, the header on row 2, real date cells."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet("花名册")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "员工花名册（基准测试，合成数据）")
    sheet.write_row(1, 0, HEADERS)
    for r, values in enumerate(synthetic_rows(count, seed), start=2):
        for c, value in enumerate(values):
            if c in DATE_COLUMNS:
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
            elif value != "":
                sheet.write_string(r, c, value)
    book.close()


def generate_csv(path: Path, count: int, seed: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for values in synthetic_rows(count, seed):
            writer.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in values])


# --- steps, each in its own process ----------------------------------------------------------------------
def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def cpu_seconds() -> tuple[float, float]:
    """(this process, the PostgreSQL backend serving it) CPU seconds so far: on a shared 2-core machine the
    wall clock depends on what else runs, CPU time much less. The backend's is read from /proc (same host)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    own = usage.ru_utime + usage.ru_stime
    from django.db import connection

    server = 0.0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            server = float("nan")  # a database on another host
    return own, server


def fresh_enterprise(label: str) -> Any:
    """A new enterprise for this run (the bench database keeps earlier runs' rows; they are not touched)."""
    from django.conf import settings

    from fugong.core.identifiers import make_uscc
    from fugong.enterprises import services
    from fugong.enterprises.models import Enterprise
    from fugong.regions.models import Region

    province, _ = Region.objects.get_or_create(code="430000", defaults={"name": "湖南省", "level": "province"})
    city, _ = Region.objects.get_or_create(
        code="431000", defaults={"name": "郴州市", "level": "city", "parent": province}
    )
    district, _ = Region.objects.get_or_create(
        code=settings.FUGONG_DISTRICT_CODE, defaults={"name": "苏仙区", "level": "district", "parent": city}
    )
    town, _ = Region.objects.get_or_create(
        code="431003104", defaults={"name": "栖凤渡镇", "level": "town", "parent": district}
    )
    n = 90_000_000 + Enterprise.objects.count()
    while Enterprise.objects.filter(uscc=make_uscc("431003", f"{n:08d}")).exists():
        n += 1
    data = {"uscc": make_uscc("431003", f"{n:08d}"), "name": f"基准测试企业{n}（{label}）", "town": town,
            "industry_section": "C", "industry_division": "39", "employees": 5000, "ownership": "private"}  # fmt: skip
    return services.do_create_enterprise(None, data)


def step_prepare(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - t
    ours = fresh_enterprise("xlsx")
    big = fresh_enterprise("csv")
    iex = fresh_enterprise("django-import-export")
    return {"database": f"{connection.vendor} {connection.settings_dict['NAME']}", "migrate_s": migrated,
            "xlsx_enterprise": ours.pk, "csv_enterprise": big.pk, "iex_enterprise": iex.pk}  # fmt: skip


def step_generate(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work)
    out: dict[str, Any] = {}
    t = time.perf_counter()
    generate_xlsx(work / "roster.xlsx", args.rows, args.seed)
    out["xlsx_s"] = time.perf_counter() - t
    out["xlsx_mb"] = (work / "roster.xlsx").stat().st_size / 2**20
    if args.csv_rows:
        t = time.perf_counter()
        generate_csv(work / "roster.csv", args.csv_rows, args.seed + 1)
        out["csv_s"] = time.perf_counter() - t
        out["csv_mb"] = (work / "roster.csv").stat().st_size / 2**20
    return out


def last_audit_id() -> int:
    from django.db.models import Max

    from fugong.core.models import AuditLog

    return AuditLog.objects.aggregate(n=Max("id"))["n"] or 0


def step_import(args: argparse.Namespace) -> dict[str, Any]:
    from fugong.enterprises.models import Enterprise
    from fugong.workforce.importers import EmployeeImporter

    enterprise = Enterprise.objects.get(pk=args.enterprise)
    path = Path(args.file)
    audit0 = last_audit_id()  # outside the timing
    cpu0 = cpu_seconds()
    t = time.perf_counter()
    importer = EmployeeImporter(None, enterprise, note="bench", max_bytes=2**40, max_rows=10**8)
    result = importer.run(path, path.name)
    elapsed = time.perf_counter() - t
    cpu1 = cpu_seconds()
    return {"rows": result.rows, "seconds": elapsed, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "rejected": result.rejected, "peak_rss_mb": peak_rss_mb(),
            "cpu_python": cpu1[0] - cpu0[0], "cpu_db": cpu1[1] - cpu0[1], "load": os.getloadavg()[0],
            "audit_rows": last_audit_id() - audit0}  # fmt: skip


def step_iex(args: argparse.Namespace) -> dict[str, Any]:
    """django-import-export in its fastest configuration, with validation equivalent to ours."""
    import tablib
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader

    from fugong.core.identifiers import IdentifierError, normalise_phone, validate_id_number
    from fugong.enterprises.models import Enterprise
    from fugong.workforce import services
    from fugong.workforce.models import ArrivalBatch, Employee, Transport

    enterprise = Enterprise.objects.get(pk=args.enterprise)
    today = dt.date.today()
    batches: dict[str, ArrivalBatch] = {}

    class YesNo(widgets.Widget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
            text = str(value or "").strip()
            if text not in ("是", "否", ""):
                raise ValueError("应填“是”或“否”")
            return text == "是"

    class Region(widgets.CharWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
            text = str(value or "").strip()
            if text and not (text.isdigit() and len(text) in (6, 9, 12)):
                raise ValueError("区划代码应为6、9或12位数字")
            return text

    class TransportWidget(widgets.Widget):
        labels = {str(label): value for value, label in Transport.choices}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
            text = str(value or "").strip()
            if text and text not in self.labels:
                raise ValueError("交通方式无效")
            return self.labels.get(text, "")

    class BatchWidget(widgets.Widget):
        numbers = {"第一批": 1, "第二批": 2, "第三批": 3}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> ArrivalBatch | None:
            text = str(value or "").strip()
            if not text:
                return None
            number = self.numbers[text]
            if number not in batches:
                batches[number], _ = ArrivalBatch.objects.get_or_create(enterprise=enterprise, number=number)
            return batches[number]

    date = widgets.DateWidget(format="%Y-%m-%d")

    def text(attr: str, header: str) -> fields.Field:
        return fields.Field(attribute=attr, column_name=header, widget=widgets.CharWidget())

    class EmployeeResource(resources.ModelResource):
        name = text("name", "姓名")
        id_number = text("id_number", "身份证号码")
        id_hash = text("id_hash", "id_hash")
        gender = text("gender", "gender")
        birth_date = fields.Field(attribute="birth_date", column_name="birth_date", widget=date)
        phone = text("phone", "手机号码")
        phone_hash = text("phone_hash", "phone_hash")
        resident = fields.Field(attribute="resident", column_name="常住人口", widget=YesNo())
        household_region_code = fields.Field(attribute="household_region_code", column_name="户籍地（区划代码）",
                                             widget=Region())  # fmt: skip
        returned_from_name = text("returned_from_name", "返岗出发地")
        returned_from_code = fields.Field(attribute="returned_from_code", column_name="出发地区划代码", widget=Region())
        returned_on = fields.Field(attribute="returned_on", column_name="返岗日期", widget=date)
        transport = fields.Field(attribute="transport", column_name="交通方式", widget=TransportWidget())
        transport_no = text("transport_no", "车次/航班/车牌")
        batch = fields.Field(attribute="batch", column_name="入企批次", widget=BatchWidget())
        workshop = text("workshop", "车间/部门")
        position = text("position", "岗位")
        shift = text("shift", "班次")
        dining_zone = text("dining_zone", "就餐分区")
        dormitory_room = text("dormitory_room", "宿舍号")
        employment_start = fields.Field(attribute="employment_start", column_name="入职日期", widget=date)
        social_insurance_since = fields.Field(attribute="social_insurance_since", column_name="社保缴纳起始",
                                              widget=date)  # fmt: skip
        first_job_in_district = fields.Field(attribute="first_job_in_district", column_name="首次在本区就业",
                                             widget=YesNo())  # fmt: skip
        introduction_batch = text("introduction_batch", "引进批次")
        training_attended_on = fields.Field(attribute="training_attended_on", column_name="防疫培训日期", widget=date)

        class Meta:
            model = Employee
            import_id_fields = ("id_hash",)
            fields = ("name", "id_number", "id_hash", "gender", "birth_date", "phone", "phone_hash", "resident",
                      "household_region_code", "returned_from_name", "returned_from_code", "returned_on", "transport",
                      "transport_no", "batch", "workshop", "position", "shift", "dining_zone", "dormitory_room",
                      "employment_start", "social_insurance_since", "first_job_in_district", "introduction_batch",
                      "training_attended_on")  # fmt: skip
            instance_loader_class = CachedInstanceLoader  # one query for every existing row, not one per row
            use_bulk = True
            batch_size = 5000
            skip_diff = True
            use_transactions = True

        def get_queryset(self) -> Any:
            return Employee.objects.filter(enterprise=enterprise)

        def before_import(self, dataset: Any, **kwargs: Any) -> None:
            # The same identity checks as ours: GB 11643 (with 15→18), keyed hashes, phone normalised.
            hashes, genders, births, phones, phone_hashes = [], [], [], [], []
            for i, row in enumerate(dataset.dict):
                try:
                    parsed = validate_id_number(row["身份证号码"], today=today)
                    phone = normalise_phone(row["手机号码"]) if row["手机号码"] else ""
                except IdentifierError as exc:
                    raise ValueError(f"row {i}: {exc.code}") from None
                hashes.append(services.id_hash(parsed.number))
                genders.append(parsed.gender)
                births.append(parsed.birth_date.isoformat())
                phones.append(phone)
                phone_hashes.append(services.phone_hash(phone))
            dataset.append_col(hashes, header="id_hash")
            dataset.append_col(genders, header="gender")
            dataset.append_col(births, header="birth_date")
            dataset.append_col(phone_hashes, header="phone_hash")

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.enterprise = enterprise

    path = Path(args.file)
    cpu0 = cpu_seconds()
    t = time.perf_counter()
    with open(path, "rb") as fh:
        dataset = tablib.Dataset().load(fh.read(), format="xlsx", skip_lines=1)
    load_s = time.perf_counter() - t
    result = EmployeeResource().import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - t
    cpu1 = cpu_seconds()
    totals = result.totals
    return {"rows": len(dataset), "seconds": elapsed, "load_s": load_s, "created": totals.get("new", 0),
            "updated": totals.get("update", 0), "errors": totals.get("error", 0), "peak_rss_mb": peak_rss_mb(),
            "stored": Employee.objects.filter(enterprise=enterprise).count(), "cpu_python": cpu1[0] - cpu0[0],
            "cpu_db": cpu1[1] - cpu0[1], "load": os.getloadavg()[0]}  # fmt: skip


STEPS = {"prepare": step_prepare, "generate": step_generate, "import": step_import, "iex": step_iex}


def run_step(name: str, **kwargs: Any) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--step", name]
    for key, value in kwargs.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"step {name} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cpu(r: dict[str, Any]) -> str:
    return f"CPU: Python {r['cpu_python']:.1f} s + database {r['cpu_db']:.1f} s; load average {r['load']:.1f}"


def total_cpu(r: dict[str, Any]) -> float:
    return r["cpu_python"] + (r["cpu_db"] if r["cpu_db"] == r["cpu_db"] else 0.0)


def rate(rows: int, seconds: float) -> str:
    return f"{rows:,} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--no-iex", action="store_true")
    parser.add_argument("--no-reimport", action="store_true")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--enterprise", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    tmp = setup_django()
    if args.step:  # a child process: one step, one JSON line
        import django

        django.setup()
        print(json.dumps(STEPS[args.step](args), ensure_ascii=False))
        return

    ensure_postgres_database()
    prep = run_step("prepare")
    print(f"database: {prep['database']} (migrated in {prep['migrate_s']:.1f} s); CPU cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="fugong-emp-bench-files-") as work:
        gen = run_step("generate", work=work, rows=args.rows, csv_rows=args.csv_rows, seed=args.seed)
        print(f"generated: {args.rows:,}-row .xlsx ({gen['xlsx_mb']:.1f} MB, {gen['xlsx_s']:.0f} s)", end="")
        if args.csv_rows:
            print(f", {args.csv_rows:,}-row CSV ({gen['csv_mb']:.0f} MB, {gen['csv_s']:.0f} s)")
        else:
            print()
        xlsx, big = Path(work) / "roster.xlsx", Path(work) / "roster.csv"
        runs = [("xlsx import (all new)", xlsx, prep["xlsx_enterprise"])]
        if not args.no_reimport:
            runs.append(("xlsx re-import (unchanged)", xlsx, prep["xlsx_enterprise"]))
        if args.csv_rows:
            runs.append(("CSV import (all new)", big, prep["csv_enterprise"]))
            if not args.no_reimport:
                runs.append(("CSV re-import (unchanged)", big, prep["csv_enterprise"]))
        figures: dict[str, dict[str, Any]] = {}
        for label, path, enterprise in runs:
            r = run_step("import", file=path, enterprise=enterprise)
            figures[label] = r
            print(
                f"{label}: {rate(r['rows'], r['seconds'])} (created {r['created']:,}, updated {r['updated']:,}, "
                f"unchanged {r['unchanged']:,}, rejected {r['rejected']:,}; {r['audit_rows']:,} audit rows); "
                f"peak RSS {r['peak_rss_mb']:.0f} MB; {cpu(r)}"
            )
        if not args.no_iex:
            try:
                import import_export  # noqa: F401
            except ImportError:
                print("django-import-export: not installed, skipped (pip install 'django-import-export[xlsx]')")
            else:
                r = run_step("iex", file=xlsx, enterprise=prep["iex_enterprise"])
                print(
                    f"django-import-export (use_bulk, batch_size=5000, skip_diff, CachedInstanceLoader): "
                    f"{rate(r['rows'], r['seconds'])} [tablib/openpyxl load {r['load_s']:.2f} s] "
                    f"(new {r['created']:,}, stored {r['stored']:,}); peak RSS {r['peak_rss_mb']:.0f} MB; {cpu(r)}"
                )
                ours = figures["xlsx import (all new)"]
                print(
                    f"ratio on the same {args.rows:,}-row file: ours is {r['seconds'] / ours['seconds']:.1f}x faster "
                    f"(wall clock), {total_cpu(r) / total_cpu(ours):.1f}x less CPU (Python + database)"
                )
    if tmp:
        print(f"(SQLite bench database left in {tmp}; delete it when done)")


if __name__ == "__main__":
    main()
