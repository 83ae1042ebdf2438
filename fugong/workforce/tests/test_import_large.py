"""The roster import's paths for large files: a workbook read in row bands (fugong.core.xlsx_bands) and the
bulk write (roster_writer: binary COPY on PostgreSQL, executemany elsewhere). Each must store exactly what
the ordinary paths store. Thresholds are lowered so that the files built here take the large-file paths."""

from __future__ import annotations

import datetime as dt

import pytest

from fugong.core import xlsx_bands
from fugong.core.excel import UnreadableFile
from fugong.workforce import importers, services
from fugong.workforce.models import Employee

from .test_import import HEADERS, TODAY, row, run, state, synthetic_id, write_xlsx

# Every column of the roster template, as a district enterprise fills it in.
ALL_HEADERS = ["姓名", "身份证号码", "手机号码", "常住人口", "户籍地（区划代码）", "返岗出发地", "出发地区划代码",
               "返岗日期", "交通方式", "车次/航班/车牌", "入企批次", "车间/部门", "岗位", "班次", "就餐分区", "宿舍号",
               "入职日期", "社保缴纳起始", "首次在本区就业", "引进批次", "防疫培训日期"]  # fmt: skip
# What the stored employee must agree on, whichever path wrote it (ids, owner and time stamps aside).
COMPARED = [f.attname for f in Employee._meta.concrete_fields
            if f.attname not in ("id", "enterprise_id", "batch_id", "created_at", "updated_at")]  # fmt: skip


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr(importers.timezone, "localdate", lambda: TODAY)


def full_row(seq: int) -> dict:
    return {
        "姓名": f"全列{seq}",
        "身份证号码": synthetic_id(seq, birth="19851231"),
        "手机号码": f"1380000{seq:04d}",
        "常住人口": "否" if seq % 2 else "是",
        "户籍地（区划代码）": "431021",
        "返岗出发地": "广东省深圳市福田区",
        "出发地区划代码": "440304",
        "返岗日期": dt.date(2020, 2, 10),
        "交通方式": "火车",
        "车次/航班/车牌": f"G{6000 + seq}",
        "入企批次": "第二批",
        "车间/部门": "包装车间",
        "岗位": "质检员",
        "班次": "晚班",
        "就餐分区": "B区",
        "宿舍号": f"3-{seq:03d}",
        "入职日期": "2019-03-01",
        "社保缴纳起始": 43525,  # an Excel date serial: 2019-03-01
        "首次在本区就业": "是",
        "引进批次": "2020年第1批",
        "防疫培训日期": "2020/2/12",
    }


def stored(enterprise) -> list[tuple]:
    out = []
    for e in Employee.objects.filter(enterprise=enterprise).select_related("batch").order_by("id_hash"):
        out.append((*(getattr(e, k) for k in COMPARED), e.batch.number if e.batch else None))
    return out


def test_every_column_written_in_bulk_is_stored_as_the_services_store_it(world, tmp_path):
    """The bulk path (binary COPY on PostgreSQL: each value dumped as its column's type) against
    services.do_upsert_employees (the ORM) for the same rows, column by column, decrypted."""
    rows = [full_row(s) for s in range(80, 84)]
    result = run(write_xlsx(tmp_path / "all.xlsx", rows, headers=ALL_HEADERS), world.x)
    assert (result.created, result.rejected) == (4, 0)
    table = importers.open_roster(write_xlsx(tmp_path / "all2.xlsx", rows, headers=ALL_HEADERS), "all2.xlsx")
    recs = [rec for rec in importers.EmployeeImporter(None, world.y)._records(table, 100, importers.ImportResult())]
    services.do_upsert_employees(None, world.y, recs)
    bulk, orm = stored(world.x), stored(world.y)
    assert bulk == orm
    first = Employee.objects.filter(enterprise=world.x).order_by("id_hash").first()
    assert first.social_insurance_since == dt.date(2019, 3, 1) and first.first_job_in_district is True
    assert first.created_at.tzinfo is not None and first.created_at == first.updated_at


def test_a_roster_read_in_bands_imports_exactly_as_one_read_whole(world, tmp_path, small_bands, monkeypatch):
    bands: list[int] = []
    real = xlsx_bands._load
    monkeypatch.setattr(xlsx_bands, "_load", lambda *a: bands.append(1) or real(*a))
    rows = [row(n) for n in range(100, 400)]
    rows[200] = row(110)  # a duplicate of a row in another band
    rows[290] = row(390, 返岗日期="2020-02-30")  # a bad cell near the end
    path = write_xlsx(tmp_path / "banded.xlsx", rows)
    banded = run(path, world.x, chunk_size=40)
    assert len(bands) > 5
    monkeypatch.setattr(xlsx_bands, "MIN_SHEET_BYTES", 1 << 40)
    whole = run(path, world.y, chunk_size=40)
    assert banded.as_json() == whole.as_json()
    assert banded.failed == whole.failed
    assert (banded.created, banded.rejected) == (298, 2)
    assert [(e["row"], e["code"]) for e in banded.errors] == [(204, "duplicate"), (294, "date")]
    assert stored(world.x) == stored(world.y)


def test_a_broken_band_near_the_end_changes_nothing(world, tmp_path, small_bands):
    run(write_xlsx(tmp_path / "base.xlsx", [row(1)]), world.x)
    before = state()
    path = write_xlsx(tmp_path / "broken.xlsx", [row(n) for n in range(2, 300)], headers=HEADERS)
    import io
    import zipfile

    broken = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = content.replace(b'<row r="280"', b'<row r="280"><c r="A280" t="s"><v>', 1)
            dst.writestr(info.filename, content)
    target = tmp_path / "broken2.xlsx"
    target.write_bytes(broken.getvalue())
    with pytest.raises(UnreadableFile) as caught:
        run(str(target), world.x, chunk_size=20)
    assert caught.value.code == "not_spreadsheet"
    assert state() == before


def test_too_many_rows_in_a_banded_sheet_is_refused_and_nothing_is_written(world, tmp_path, small_bands, settings):
    settings.FUGONG_MAX_IMPORT_ROWS = 150
    path = write_xlsx(tmp_path / "many.xlsx", [row(n) for n in range(500, 700)])
    with pytest.raises(UnreadableFile) as caught:
        run(path, world.x, chunk_size=20)
    assert caught.value.code == "too_many_rows"
    assert not Employee.objects.exists()


def test_a_large_import_hands_the_gil_over_often_while_it_runs_and_not_after(world, tmp_path, monkeypatch):
    import sys

    from fugong.core import runtime
    from fugong.workforce import roster_writer

    seen: list[float] = []
    real = roster_writer.do_bulk_import_employees

    def recording(*args, **kwargs):
        seen.append(sys.getswitchinterval())
        return real(*args, **kwargs)

    monkeypatch.setattr(roster_writer, "do_bulk_import_employees", recording)
    before = sys.getswitchinterval()
    run(write_xlsx(tmp_path / "large.xlsx", [row(n) for n in range(100, 130)]), world.x, chunk_size=10)
    assert seen == [pytest.approx(runtime.BULK_SWITCH_INTERVAL)] * 3
    assert sys.getswitchinterval() == before
    seen.clear()
    run(write_xlsx(tmp_path / "small.xlsx", [row(n) for n in range(200, 205)]), world.x, chunk_size=10)
    assert seen == [before]  # a file within one chunk: left alone
