"""The roster import: EmployeeImporter, roster_writer.do_bulk_import_employees, the import_employees command, the
upload, job, error-report and template pages. Every file is built by the test, with synthetic ID numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from unittest import mock

import openpyxl
import pytest
import xlsxwriter
from django.core.management import ManagementUtility
from django.db import connection, connections
from django.http import Http404
from django.test import override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from fugong.core.excel import UnreadableFile
from fugong.core.identifiers import IdentifierError, id_check_char, validate_id_number
from fugong.core.models import AccessLog, AuditLog
from fugong.core.models_jobs import ImportJob
from fugong.core.testing import assert_max_queries
from fugong.workforce import importers, records, roster_rows, roster_writer, services, tasks
from fugong.workforce.importers import EmployeeImporter
from fugong.workforce.models import ArrivalBatch, Employee

TODAY = dt.date(2020, 3, 2)
HEADERS = ["姓名", "身份证号码", "手机号码", "常住人口", "返岗日期", "交通方式", "入企批次", "车间/部门"]


def synthetic_id(seq: int, birth: str = "19900101", area: str = "431003") -> str:
    body = f"{area}{birth}{seq:03d}"
    return body + id_check_char(body)


def row(seq: int, **over) -> dict:
    base = {
        "姓名": f"测试{seq}",
        "身份证号码": synthetic_id(seq),
        "手机号码": f"1390000{seq:04d}",
        "常住人口": "否",
        "返岗日期": "2020-02-03",
        "交通方式": "火车",
        "入企批次": "第一批",
        "车间/部门": "一车间",
    }
    base.update(over)
    return base


def write_xlsx(path, rows, *, headers=None, title=True):
    """Header on row 3 below a merged two-row title (the first data row is 4), as towns send them."""
    headers = headers or HEADERS
    book = openpyxl.Workbook()
    sheet = book.active
    first = 1
    if title:
        sheet["A1"] = "某公司返岗员工花名册（测试）"
        sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=len(headers))
        first = 3
    for c, h in enumerate(headers, start=1):
        sheet.cell(row=first, column=c, value=h)
    for r, values in enumerate(rows, start=first + 1):
        for c, h in enumerate(headers, start=1):
            sheet.cell(row=r, column=c, value=values.get(h, ""))
    book.save(path)
    return str(path)


def write_csv(path, rows, *, encoding="utf-8", headers=None):
    headers = headers or HEADERS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for values in rows:
        writer.writerow([values.get(h, "") for h in headers])
    path.write_bytes(out.getvalue().encode(encoding))
    return str(path)


def run(path, enterprise, actor=None, **kwargs):
    return EmployeeImporter(actor, enterprise, **kwargs).run(path, os.path.basename(path))


def state():
    return (
        sorted(Employee.objects.values_list("enterprise_id", "id_hash", "name", "version", "workshop")),
        AuditLog.objects.count(),
        ArrivalBatch.objects.count(),
    )


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr(importers.timezone, "localdate", lambda: TODAY)


# --- reading ---------------------------------------------------------------------------------------------
def test_rows_below_a_merged_title_are_created_with_identity_derived_and_sealed(world, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [row(1), row(2, 常住人口="是", 入企批次="第2批")])
    result = run(path, world.x)
    assert result.as_json() == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    first = Employee.objects.get(id_hash=services.id_hash(synthetic_id(1)))
    assert (first.name, first.gender, first.birth_date) == ("测试1", "M", dt.date(1990, 1, 1))
    assert first.phone == "13900000001"
    assert (first.resident, first.returned_on, first.transport, first.workshop) == (
        False, dt.date(2020, 2, 3), "train", "一车间"
    )  # fmt: skip
    assert first.batch.number == 1 and Employee.objects.get(name="测试2").batch.number == 2
    with connection.cursor() as cursor:  # sealed at rest: no clear ID or phone in the table
        cursor.execute("SELECT id_number, phone FROM workforce_employee WHERE id = %s", [first.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert stored_id.startswith("a1:") and synthetic_id(1) not in stored_id and "13900000001" not in stored_phone


def test_sealed_in_bulk_each_value_gets_its_own_nonce_and_blank_phones_stay_blank(world, tmp_path):
    import base64

    rows = [row(5), row(6, 手机号码=""), row(7), row(8, 手机号码="13900000005")]  # 8 shares 5's phone
    run(write_xlsx(tmp_path / "seal.xlsx", rows), world.x)
    phones = {e.name: e.phone for e in Employee.objects.all()}
    assert phones == {"测试5": "13900000005", "测试6": "", "测试7": "13900000007", "测试8": "13900000005"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM workforce_employee")
        tokens = [t for pair in cursor.fetchall() for t in pair if t]
    nonces = {base64.urlsafe_b64decode(t.split(":", 1)[1])[:12] for t in tokens}
    assert len(tokens) == 7 and len(nonces) == 7  # the same phone twice is sealed twice, differently


def test_header_synonyms_are_recognised_and_unknown_columns_ignored(world, tmp_path):
    headers = ["员工姓名", "公民身份号码", "联系电话", "是否常住", "到岗日期", "批次", "车间", "备注"]
    values = {"员工姓名": "同义", "公民身份号码": synthetic_id(3), "联系电话": "13900000003", "是否常住": "是",
              "到岗日期": "2020/2/5", "批次": "第三批", "车间": "包装车间", "备注": "不导入"}  # fmt: skip
    result = run(write_xlsx(tmp_path / "syn.xlsx", [values], headers=headers, title=False), world.x)
    assert result.created == 1 and result.ignored_headers == ["备注"]
    e = Employee.objects.get(name="同义")
    assert (e.resident, e.returned_on, e.batch.number, e.workshop) == (True, dt.date(2020, 2, 5), 3, "包装车间")


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_a_csv_in_gbk_or_utf8_imports(world, tmp_path, encoding):
    path = write_csv(tmp_path / "r.csv", [row(4, 姓名="欧阳栖凤"), row(5)], encoding=encoding)
    result = run(path, world.x)
    assert (result.created, result.rejected) == (2, 0), result.errors
    assert Employee.objects.filter(name="欧阳栖凤").exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_roster_imports_tab_or_comma_separated(world, tmp_path, encoding):
    """Excel's "Unicode 文本" export: UTF-16 with its byte-order mark, tab-separated."""
    bom = b"\xfe\xff" if encoding == "utf-16-be" else b""  # the plain codec writes its own (little-endian) mark
    for delimiter, enterprise in ((",", world.x), ("\t", world.y)):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(["花名册（上海路车间）"])  # a title row above the header; 上 is 0A 4E in UTF-16
        writer.writerows([HEADERS, *([v.get(h, "") for h in HEADERS] for v in (row(4, 姓名="欧阳栖凤"), row(5)))])
        path = tmp_path / "unicode.csv"
        path.write_bytes(bom + out.getvalue().encode(encoding))
        result = run(str(path), enterprise)
        assert (result.rows, result.created, result.rejected) == (2, 2, 0), result.errors
        assert Employee.objects.filter(enterprise=enterprise, name="欧阳栖凤").exists()


def test_a_utf16_roster_longer_than_the_header_search_reads_every_row(world, tmp_path, monkeypatch):
    """The header is looked for in the file's head (256 KB; 64 KB + 1 byte here, so the cut falls inside a
    UTF-16 character), the rows are streamed from the whole file, and the row count (the progress bar's
    total) is counted in characters, not in 0x0A bytes (each 上 holds one)."""
    monkeypatch.setattr(importers, "CSV_HEAD_BYTES", 64 * 1024 + 1)
    rows = [row(i, 姓名=f"上海路员工{i}", **{"车间/部门": "上" * 60}) for i in range(1, 1000)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([HEADERS, *([v.get(h, "") for h in HEADERS] for v in rows)])
    path = tmp_path / "long.csv"
    path.write_bytes(out.getvalue().encode("utf-16"))
    assert path.stat().st_size > importers.CSV_HEAD_BYTES
    seen: list[int] = []
    result = EmployeeImporter(None, world.x, progress=lambda stage, done, total: seen.append(total)).run(
        str(path), "long.csv"
    )
    assert (result.rows, result.created, result.rejected) == (999, 999, 0), result.errors[:3]
    assert seen[0] == 999
    assert Employee.objects.get(enterprise=world.x, name="上海路员工999").workshop == "上" * 60


def test_a_broken_utf16_roster_changes_nothing(world, tmp_path):
    path = tmp_path / "broken.csv"
    good = "\n".join([",".join(HEADERS), ",".join(row(4).get(h, "") for h in HEADERS)])
    path.write_bytes(good.encode("utf-16") + b"\x00\xd8\x41")  # a lone surrogate half and an odd byte
    with pytest.raises(UnreadableFile) as exc:
        run(str(path), world.x)
    assert exc.value.code == "encoding" and not Employee.objects.filter(enterprise=world.x).exists()


def test_excel_date_serials_date_cells_and_text_dates_are_all_read(world, tmp_path):
    path = tmp_path / "dates.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号码", "返岗日期", "入职日期", "防疫培训日期", "社保缴纳起始"])
    sheet.write_row(1, 0, ["日期", synthetic_id(6)])
    sheet.write_number(1, 2, 43864)  # a bare serial: 2020-02-03
    sheet.write_datetime(1, 3, dt.datetime(2018, 3, 1), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_string(1, 4, "2020年2月4日")
    sheet.write_string(1, 5, "20180401")
    book.close()
    assert run(str(path), world.x).created == 1
    e = Employee.objects.get(name="日期")
    assert (e.returned_on, e.employment_start, e.training_attended_on, e.social_insurance_since) == (
        dt.date(2020, 2, 3), dt.date(2018, 3, 1), dt.date(2020, 2, 4), dt.date(2018, 4, 1)
    )  # fmt: skip


def test_full_width_characters_and_stray_spaces_are_normalised(world, tmp_path):
    full_width = synthetic_id(7).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    values = row(7, 姓名="\u3000张　三 ", 身份证号码=f" {full_width}\u3000", 手机号码="１３９ ０００１ ２２２２",
                 常住人口=" 是 ", 入企批次="第１批")  # fmt: skip
    result = run(write_xlsx(tmp_path / "fw.xlsx", [values]), world.x)
    assert result.created == 1, result.errors
    e = Employee.objects.get(id_hash=services.id_hash(synthetic_id(7)))
    assert (e.name, e.phone, e.resident, e.batch.number) == ("张 三", "13900012222", True, 1)


def test_a_legacy_15_digit_number_is_upgraded_and_matches_its_18_digit_form(world, tmp_path):
    eighteen = synthetic_id(8, birth="19800101")
    fifteen = eighteen[:6] + eighteen[8:17]
    assert run(write_xlsx(tmp_path / "15.xlsx", [row(8, 身份证号码=fifteen)]), world.x).created == 1
    assert Employee.objects.get(id_hash=services.id_hash(eighteen)).id_number == eighteen
    again = run(write_xlsx(tmp_path / "18.xlsx", [row(8, 身份证号码=eighteen)]), world.x)
    assert (again.created, again.unchanged) == (0, 1)


def test_a_bad_check_digit_names_position_18_and_never_echoes_the_number(world, tmp_path):
    good = synthetic_id(9)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    result = run(write_xlsx(tmp_path / "bad.xlsx", [row(9, 身份证号码=bad), row(10, 手机号码="12345678901")]), world.x)
    assert (result.created, result.rejected) == (0, 2)
    by_row = {e["row"]: e for e in result.errors}
    assert by_row[4]["column"] == "身份证号码" and by_row[4]["code"] == "checksum" and "第18位" in by_row[4]["message"]
    assert by_row[5]["column"] == "手机号码" and by_row[5]["code"] == "phone"
    dumped = json.dumps(result.errors, ensure_ascii=False)
    assert bad not in dumped and bad[:17] not in dumped and "12345678901" not in dumped


def test_an_id_number_stored_as_an_excel_number_is_refused_as_truncated(world, tmp_path):
    path = write_xlsx(tmp_path / "num.xlsx", [row(11, 身份证号码=float(synthetic_id(11)[:17] + "1"))])
    result = run(path, world.x)
    assert result.rejected == 1 and result.errors[0]["code"] == "precision"
    assert "文本" in result.errors[0]["message"]


def test_a_duplicate_id_in_one_file_rejects_the_second_row_naming_the_first(world, tmp_path):
    path = write_xlsx(tmp_path / "dup.xlsx", [row(12), row(13), row(12, 姓名="重复的人")])
    result = run(path, world.x)
    assert (result.created, result.rejected) == (2, 1)
    assert result.errors == [
        {"row": 6, "column": "身份证号码", "code": "duplicate", "message": "身份证号码与第4行重复，本行未导入"}
    ]
    assert not Employee.objects.filter(name="重复的人").exists()


def test_a_missing_required_column_is_refused_and_nothing_is_written(world, tmp_path):
    path = write_xlsx(tmp_path / "miss.xlsx", [row(14)], headers=["姓名", "手机号码", "车间/部门"])
    before = state()
    with pytest.raises(UnreadableFile) as exc:
        run(path, world.x)
    assert exc.value.code == "missing_columns" and "身份证号码" in exc.value.message
    assert state() == before


def test_empty_and_non_spreadsheet_files_are_unreadable(world, tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableFile) as exc:
        run(str(empty), world.x)
    assert exc.value.code == "empty"
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01binary\x00")
    with pytest.raises(UnreadableFile):
        run(str(junk), world.x)


def test_formula_like_text_is_kept_as_text_and_a_formula_cell_gives_its_value(world, tmp_path):
    path = tmp_path / "formula.xlsx"
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号码", "车间/部门", "岗位", "宿舍号"])
    sheet.write_row(1, 0, ["公式", synthetic_id(15), '=HYPERLINK("http://x")', "'=1+1"])
    sheet.write_formula(1, 4, '="3-"&"101"', None, "3-101")
    book.close()
    assert run(str(path), world.x).created == 1
    e = Employee.objects.get(name="公式")
    assert (e.workshop, e.position, e.dormitory_room) == ('=HYPERLINK("http://x")', "=1+1", "3-101")


def test_bad_cells_are_reported_per_column_and_the_rest_of_the_file_imports(world, tmp_path):
    rows = [row(16, 返岗日期="2020-02-30"), row(17, 交通方式="骑马"), row(18, 入企批次="第一千批"), row(19, 姓名="")]
    result = run(write_xlsx(tmp_path / "cells.xlsx", [*rows, row(20)]), world.x)
    assert (result.created, result.rejected) == (1, 4)
    assert [(e["row"], e["column"], e["code"]) for e in result.errors] == [
        (4, "返岗日期", "date"), (5, "交通方式", "choice"), (6, "入企批次", "batch"), (7, "姓名", "required")
    ]  # fmt: skip


def test_size_and_row_limits_are_refused_with_a_clear_message(world, tmp_path, settings):
    path = write_xlsx(tmp_path / "many.xlsx", [row(21), row(22), row(23)])
    settings.FUGONG_MAX_IMPORT_ROWS = 2
    with pytest.raises(UnreadableFile) as exc:
        run(path, world.x)
    assert exc.value.code == "too_many_rows" and "2行" in exc.value.message
    csv_path = write_csv(tmp_path / "many.csv", [row(21), row(22), row(23)])
    with pytest.raises(UnreadableFile) as exc:
        run(csv_path, world.x)
    assert exc.value.code == "too_many_rows"
    settings.FUGONG_MAX_IMPORT_ROWS = 100
    settings.FUGONG_MAX_UPLOAD_BYTES = 100
    with pytest.raises(UnreadableFile) as exc:
        run(csv_path, world.x)
    assert exc.value.code == "too_large" and "文件过大" in exc.value.message
    assert not Employee.objects.exists()


# --- writing ---------------------------------------------------------------------------------------------
def test_strict_and_dry_run_write_nothing_but_count_what_they_would_do(world, tmp_path):
    path = write_xlsx(tmp_path / "mixed.xlsx", [row(30), row(31, 身份证号码="123")])
    before = state()
    strict = run(path, world.x, strict=True)
    assert (strict.created, strict.rejected, strict.written) == (1, 1, False)
    dry = run(path, world.x, dry_run=True)
    assert (dry.created, dry.rejected, dry.written) == (1, 1, False)
    assert state() == before


def test_strict_undoes_chunks_written_before_the_first_invalid_row(world, tmp_path):
    path = write_xlsx(tmp_path / "late.xlsx", [row(32), row(33), row(34), row(35, 身份证号码="bad")])
    before = state()
    result = run(path, world.x, strict=True, chunk_size=2)
    assert (result.rows, result.rejected, result.written) == (4, 1, False)
    assert state() == before


def test_reimporting_the_same_file_changes_nothing_and_writes_no_audit_rows(world, tmp_path):
    path = write_xlsx(tmp_path / "same.xlsx", [row(40), row(41), row(42, 入企批次="")])
    assert run(path, world.x).created == 3
    before = state()
    again = run(path, world.x)
    assert again.as_json() == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3, "rejected": 0, "errors": []}
    assert state() == before


def test_changed_rows_are_updated_with_a_new_version_and_a_masked_audit_diff(world, tmp_path):
    run(write_xlsx(tmp_path / "v1.xlsx", [row(43), row(44)]), world.x)
    changed = row(43, **{"车间/部门": "二车间", "手机号码": "13700002222", "入企批次": "第二批"})
    result = run(write_xlsx(tmp_path / "v2.xlsx", [changed, row(44, 手机号码="")]), world.x)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    e = Employee.objects.get(id_hash=services.id_hash(synthetic_id(43)))
    assert (e.workshop, e.phone, e.batch.number, e.version) == ("二车间", "13700002222", 2, 2)
    # A blank phone keeps the stored one.
    assert Employee.objects.get(id_hash=services.id_hash(synthetic_id(44))).phone == "13900000044"
    entry = AuditLog.objects.get(action="employee.update", object_id=str(e.pk))
    assert entry.changes == {"workshop": ["一车间", "二车间"], "batch": [1, 2], "phone": ["***", "***"]}
    assert entry.object_repr == "测***" and "13700002222" not in json.dumps(entry.changes)


def covered(runs):
    return {pk for first, last in runs for pk in range(first, last + 1)}


def test_each_written_chunk_of_new_employees_gets_one_audit_row_naming_every_id(world, tmp_path):
    rows = [row(45, 姓名="欧阳小明"), row(46), row(47, 身份证号码="1"), row(48), row(49)]
    run(write_xlsx(tmp_path / "a.xlsx", rows), world.x, note="测试导入", chunk_size=2)
    entries = list(AuditLog.objects.filter(action=roster_writer.BULK_CREATE_ACTION).order_by("id"))
    # Four valid rows in chunks of two: two audit rows, each naming its own two employees.
    ids = set(Employee.objects.values_list("id", flat=True))
    assert len(ids) == 4 and [e.changes["created"] for e in entries] == [2, 2]
    assert covered(entries[0].changes["ids"]) | covered(entries[1].changes["ids"]) == ids
    assert not covered(entries[0].changes["ids"]) & covered(entries[1].changes["ids"])
    first = entries[0]
    assert (first.object_type, first.actor_label, first.note, first.via) == (
        "workforce.employee", "system", "测试导入", "command"
    )  # fmt: skip
    # Counts and ids only: no name, ID number or phone reaches the audit trail.
    text = json.dumps([e.changes for e in entries], ensure_ascii=False) + "".join(e.object_repr for e in entries)
    assert "欧阳" not in text and synthetic_id(45) not in text and "13900000045" not in text
    assert not AuditLog.objects.filter(action="employee.create").exists()


def test_a_failure_half_way_leaves_the_database_as_it_was(world, tmp_path, monkeypatch):
    run(write_xlsx(tmp_path / "base.xlsx", [row(50)]), world.x)
    before = state()
    real = roster_writer.do_bulk_import_employees
    calls = {"n": 0}

    def fail_on_second_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(roster_writer, "do_bulk_import_employees", fail_on_second_chunk)
    path = write_xlsx(tmp_path / "fail.xlsx", [row(50, **{"车间/部门": "二车间"}), row(51), row(52), row(53)])
    with pytest.raises(RuntimeError):
        run(path, world.x, chunk_size=2)
    assert calls["n"] == 2  # the first chunk was written, then undone
    assert state() == before


def test_a_stale_plan_is_refused_and_nothing_is_written(world, tmp_path):
    recs = [roster_rows.employee_record({"name": "并发", "id_number": synthetic_id(54)}, TODAY)]
    plan = roster_writer.plan_employee_upserts(world.x, recs, {}, lookup=False)
    services.do_upsert_employees(None, world.x, recs)  # someone files the same person meanwhile
    before = state()
    with pytest.raises(records.ConcurrentEditError):
        roster_writer.do_bulk_import_employees(None, world.x, plan.creates, plan.updates)
    assert state() == before


def test_an_import_into_an_empty_enterprise_seals_ahead_and_writes_what_the_plan_would(world, tmp_path, monkeypatch):
    """Into an empty enterprise the reader thread seals each chunk (every row is new); the planner then takes
    those tokens as they are. Into one with employees it looks them up and seals only the new ones."""
    sealed_ahead: list[int] = []
    real = roster_writer.seal_new_employees

    def counting(chunk):
        sealed_ahead.append(len(chunk))
        return real(chunk)

    monkeypatch.setattr(roster_writer, "seal_new_employees", counting)
    path = write_xlsx(tmp_path / "empty.xlsx", [row(70), row(71), row(72, 手机号码="")])
    result = run(path, world.x, chunk_size=2)
    assert (result.created, sealed_ahead) == (3, [2, 1])
    stored = {e.id_number: e.phone for e in Employee.objects.filter(enterprise=world.x)}
    assert stored == {synthetic_id(70): "13900000070", synthetic_id(71): "13900000071", synthetic_id(72): ""}
    # A planner handed tokens for records it must look up ignores them.
    recs = [roster_rows.employee_record({"name": "已有", "id_number": synthetic_id(70)}, TODAY)]
    plan = roster_writer.plan_employee_upserts(world.x, recs, {}, lookup=True, sealed=real(recs))
    assert (plan.created, plan.creates) == (0, [])


@pytest.mark.parametrize(
    "data",
    [
        {"name": "甲", "id_number": synthetic_id(60), "phone": "13900000060", "workshop": "一车间"},
        {"name": "乙", "id_number": synthetic_id(61).lower(), "phone": "+86 139-0000-0061"},
        {"name": "丙", "id_number": synthetic_id(62, birth="19800101")[:6] + "800101062"},  # 15 digits
        {"name": "", "id_number": "43100319900101006X", "phone": "123"},
        {"name": "丁" * 41, "id_number": "431003199002300011"},
        {"name": "戊", "id_number": synthetic_id(63, birth="20300101")},  # born in the future
        {"name": "己", "id_number": "4310031990010100１"},
    ],
)
def test_the_fast_row_check_decides_exactly_as_clean_employee(data):
    def outcome(fn):
        try:
            rec = fn()
        except records.EmployeeValidationError as exc:
            return {k: c for k, (c, _m) in exc.errors.items()}
        return (rec.id_number, rec.id_hash, rec.gender, rec.birth_date, rec.phone, rec.phone_hash, rec.fields)

    hashers = (records.keyed_hasher(records.ID_PURPOSE), records.keyed_hasher(records.PHONE_PURPOSE))
    fast = outcome(lambda: roster_rows.employee_record(dict(data), TODAY, hashers))
    assert fast == outcome(lambda: records.clean_employee(dict(data), today=TODAY))


def _id_outcome(fn):
    try:
        parsed = fn()
    except IdentifierError as exc:
        return exc.code
    return (parsed.number, parsed.birth_date, parsed.gender)


ID_BODIES = st.builds(
    lambda county, birth, seq: f"{county}{birth:%Y%m%d}{seq:03d}",
    st.sampled_from(["431003", "110105", "999999"]),
    st.dates(dt.date(1800, 1, 1), dt.date(2035, 12, 31)),
    st.integers(0, 999),
)


@given(body=ID_BODIES, check=st.sampled_from([None, *"0123456789Xx"]))
def test_the_fast_id_check_decides_exactly_as_validate_id_number(body, check):
    # None: the right check character; otherwise any character, right or wrong (x as typed in lower case).
    text = body + (id_check_char(body) if check is None else check)
    fast = _id_outcome(lambda: roster_rows._id_number(text, TODAY))
    assert fast == _id_outcome(lambda: validate_id_number(text, today=TODAY))


# --- scope -----------------------------------------------------------------------------------------------
def test_an_enterprise_outside_the_users_scope_is_not_found(world):
    with pytest.raises(Http404):
        EmployeeImporter(world.enterprise_admin_y, world.x)
    with pytest.raises(Http404):
        EmployeeImporter(world.town_a_officer, world.y)
    assert EmployeeImporter(world.town_a_officer, world.x).enterprise == world.x


def test_roles_without_the_import_action_cannot_import(world):
    with pytest.raises(Exception) as exc:
        EmployeeImporter(world.hrss_officer, world.x)
    assert type(exc.value).__name__ == "PermissionDenied"


# --- the command -----------------------------------------------------------------------------------------
def run_command(*argv, capsys):
    """Run as `manage.py import_employees …` would, returning (exit code, stdout, stderr)."""
    # run_from_argv closes every connection when it ends; the test database must outlive it.
    with mock.patch.object(connections, "close_all"), pytest.raises(SystemExit) as exc:
        ManagementUtility(["manage.py", "import_employees", *argv]).execute()
        raise SystemExit(0)
    out = capsys.readouterr()
    return exc.value.code or 0, out.out, out.err


def test_the_command_prints_the_contract_json_and_exits_0(world, tmp_path, capsys):
    path = write_xlsx(tmp_path / "cmd.xlsx", [row(70), row(71, 手机号码="bad")])
    code, out, _err = run_command("--enterprise", world.x.uscc, path, "--json", capsys=capsys)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["rows", "created", "updated", "unchanged", "rejected", "errors"]
    assert (data["rows"], data["created"], data["rejected"]) == (2, 1, 1)
    assert [{k: e[k] for k in ("row", "column", "code")} for e in data["errors"]] == [
        {"row": 5, "column": "手机号码", "code": "phone"}
    ]
    assert list(data["errors"][0]) == ["row", "column", "code", "message"]


def test_the_command_exits_1_on_strict_with_invalid_rows_and_writes_nothing(world, tmp_path, capsys):
    path = write_xlsx(tmp_path / "strict.xlsx", [row(72), row(73, 身份证号码="1")])
    before = state()
    code, out, err = run_command("--enterprise", world.x.uscc, path, "--strict", "--json", capsys=capsys)
    assert code == 1 and json.loads(out)["rejected"] == 1 and "--strict" in err
    assert state() == before


def test_the_command_exits_2_on_a_random_bytes_xlsx_with_the_reason_on_stderr(world, tmp_path, capsys):
    path = tmp_path / "random.xlsx"
    path.write_bytes(os.urandom(10 * 2**20))
    before = state()
    code, out, err = run_command("--enterprise", world.x.uscc, str(path), "--json", capsys=capsys)
    assert (code, out) == (2, "") and "不是有效的Excel文件" in err
    assert state() == before


def test_the_command_exits_2_for_an_unknown_or_out_of_scope_enterprise(world, tmp_path, capsys):
    path = write_xlsx(tmp_path / "e.xlsx", [row(74)])
    code, _out, err = run_command("--enterprise", "91350100M000100Y43", path, capsys=capsys)
    assert code == 2 and "企业不存在或无权访问" in err
    code, _out, err = run_command("--enterprise", world.x.uscc, path, "--user", "enterprise_admin_y", capsys=capsys)
    assert code == 2 and "企业不存在或无权访问" in err
    code, _out, err = run_command("--enterprise", "not-a-code", path, capsys=capsys)
    assert code == 2
    assert not Employee.objects.exists()


def test_the_command_dry_run_reports_and_writes_nothing(world, tmp_path, capsys):
    path = write_xlsx(tmp_path / "dry.xlsx", [row(75)])
    code, out, _err = run_command("--enterprise", world.x.uscc, path, "--dry-run", capsys=capsys)
    assert code == 0 and "新增 1" in out and "未写入任何数据" in out
    assert not Employee.objects.exists()


# --- the pages -------------------------------------------------------------------------------------------
@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, path, enterprise=None, **data):
    with open(path, "rb") as fh:
        payload = {"file": fh, **data}
        if enterprise is not None:
            payload["enterprise"] = enterprise.pk
        return client.post(reverse("workforce:import"), payload)


def test_the_upload_page_imports_a_small_file_inline_and_links_to_the_batch_summary(world, client_for, tmp_path, media):
    client = client_for("town_a_officer")
    page = client.get(reverse("workforce:import") + f"?enterprise={world.x.pk}")
    assert page.status_code == 200 and f'value="{world.x.pk}" selected' in page.content.decode()
    assert world.y.name not in page.content.decode()  # town B's enterprise is not offered
    response = upload(client, write_xlsx(tmp_path / "page.xlsx", [row(80), row(81, 手机号码="123")]), world.x)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("workforce:import_job", args=[job.pk])
    assert (job.kind, job.status, job.created, job.rejected, job.options["enterprise"]) == (
        "employees", "done", 1, 1, world.x.pk
    )  # fmt: skip
    assert job.stored_file == "" and not any((media / "imports").iterdir())
    html = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in html and "hx-trigger" not in html and "手机号码格式不正确" in html
    assert reverse("workforce:batch_summary", args=[world.x.pk]) in html
    assert AuditLog.objects.get(action=roster_writer.BULK_CREATE_ACTION).via == "web"


def test_excels_unicode_text_export_uploads_as_txt(world, client_for, tmp_path, media):
    """Excel's 另存为 → "Unicode 文本(*.txt)": UTF-16 with its byte-order mark, tab-separated, named .txt."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t").writerows([HEADERS, [row(85).get(h, "") for h in HEADERS]])
    path = tmp_path / "花名册.txt"
    path.write_bytes(out.getvalue().encode("utf-16"))
    response = upload(client_for("district_admin"), path, world.x)
    assert response.status_code == 302, response.content.decode()[:500]
    assert ImportJob.objects.get().created == 1 and Employee.objects.get().name == "测试85"


def test_an_officer_on_the_english_pages_imports_the_districts_chinese_roster(world, client_for, tmp_path, media):
    from django.conf import settings as django_settings

    client = client_for("district_admin")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = upload(client, write_xlsx(tmp_path / "zh.xlsx", [row(86), row(87)]), world.x)
    assert response.status_code == 302, response.content.decode()[-800:]
    assert (ImportJob.objects.get().created, Employee.objects.count()) == (2, 2)


def test_an_enterprise_admin_imports_into_their_own_enterprise_only(world, client_for, tmp_path, media):
    client = client_for("enterprise_admin_y")
    page = client.get(reverse("workforce:import")).content.decode()
    assert world.y.name in page and world.x.name not in page
    assert client.get(reverse("workforce:import") + f"?enterprise={world.x.pk}").status_code == 404
    path = write_xlsx(tmp_path / "y.xlsx", [row(82)])
    assert upload(client, path, world.x).status_code == 404
    assert not ImportJob.objects.exists() and not Employee.objects.exists()
    assert upload(client, path).status_code == 302  # no enterprise named: their own
    assert Employee.objects.get().enterprise == world.y


def test_the_upload_form_refuses_bad_files_and_a_missing_enterprise(world, client_for, tmp_path, media, settings):
    client = client_for("district_admin")
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    response = upload(client, pdf, world.x)
    assert response.status_code == 400 and "请上传 .xlsx、.xls、.csv 或 .txt 文件" in response.content.decode()
    response = upload(client, write_xlsx(tmp_path / "ok.xlsx", [row(83)]))
    assert response.status_code == 400 and "请选择要导入的企业" in response.content.decode()
    settings.FUGONG_MAX_UPLOAD_BYTES = 100
    response = upload(client, write_xlsx(tmp_path / "big.xlsx", [row(84)]), world.x)
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_unreadable_upload_ends_as_a_failed_job_and_writes_nothing(world, client_for, tmp_path, media):
    path = tmp_path / "random.xlsx"
    path.write_bytes(os.urandom(100_000))
    upload(client_for("district_admin"), path, world.x)
    job = ImportJob.objects.get()
    assert job.status == "failed" and "不是有效的Excel文件" in job.message
    assert not Employee.objects.exists() and not any((media / "imports").iterdir())


def test_a_large_file_runs_as_a_task_and_the_page_polls_until_done(world, client_for, tmp_path, media, monkeypatch):
    monkeypatch.setattr(importers, "INLINE_MAX_ROWS", 2)
    client = client_for("district_admin")
    upload(client, write_xlsx(tmp_path / "big.xlsx", [row(85), row(86), row(87)]), world.x, dry_run="on")
    job = ImportJob.objects.get()
    assert job.status == "queued" and job.task_id and job.rows_total == 3
    partial = client.get(reverse("workforce:import_job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial and "progress-bar" in partial
    tasks.run_import_job_task.call(job.pk)  # what `manage.py db_worker` does
    job.refresh_from_db()
    assert (job.status, job.created, job.rows_done, job.message) == ("done", 3, 3, "仅预检：未写入任何数据")
    assert not Employee.objects.exists()  # a dry run
    partial = client.get(reverse("workforce:import_job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and 'data-testid="count-created">3<' in partial


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_the_task_writes_as_the_uploader_via_the_task_channel(world, client_for, tmp_path, media, monkeypatch):
    monkeypatch.setattr(importers, "INLINE_MAX_ROWS", 1)
    upload(client_for("liaison_of_x"), write_xlsx(tmp_path / "t.xlsx", [row(88), row(89)]), world.x)
    job = ImportJob.objects.get()
    assert (job.status, job.created) == ("done", 2)
    entries = AuditLog.objects.filter(action=roster_writer.BULK_CREATE_ACTION)
    assert {(e.actor_label, e.via, e.actor_id) for e in entries} == {
        ("liaison_of_x", "task", world.users["liaison_of_x"].pk)
    }


def test_a_job_is_seen_by_its_creator_and_the_district_admin_only(world, client_for, tmp_path, media):
    upload(client_for("town_a_officer"), write_xlsx(tmp_path / "j.xlsx", [row(90, 身份证号码="1")]), world.x)
    job = ImportJob.objects.get()
    for persona, status in [("town_a_officer", 200), ("district_admin", 200), ("liaison_of_x", 404),
                            ("enterprise_admin_x", 404), ("auditor", 404)]:  # fmt: skip
        client = client_for(persona)
        assert client.get(reverse("workforce:import_job", args=[job.pk])).status_code == status, persona
        assert client.get(reverse("workforce:import_errors", args=[job.pk])).status_code == status, persona


def test_the_error_report_gives_back_the_failed_rows_as_uploaded_and_logs_the_export(
    world, client_for, tmp_path, media
):
    bad = row(91, 交通方式="骑马", 手机号码="13911112222")
    client = client_for("district_admin")
    upload(client, write_xlsx(tmp_path / "err.xlsx", [row(92), bad]), world.x)
    job = ImportJob.objects.get()
    with connection.cursor() as cursor:  # sealed at rest: the failed rows hold ID numbers
        cursor.execute("SELECT failed_rows FROM core_importjob WHERE id = %s", [job.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("a1:") and synthetic_id(91) not in stored
    response = client.get(reverse("workforce:import_errors", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_name("错误行").to_python()
    assert rows[0] == [*HEADERS, "错误原因", "原行号"] and len(rows) == 2
    failed = dict(zip(rows[0], rows[1], strict=True))
    assert (failed["身份证号码"], failed["手机号码"], failed["原行号"]) == (synthetic_id(91), "13911112222", 5)
    assert "交通方式" in failed["错误原因"] and "骑马" in failed["错误原因"]
    assert "导出信息" in book.sheet_names
    log = AccessLog.objects.get(kind="export", subject_type="workforce.import_errors")
    assert (log.record_count, log.actor, sorted(log.fields)) == (1, world.district_admin, ["id_number", "phone"])


def test_the_template_has_headers_a_synthetic_valid_example_and_instructions(world, client_for, tmp_path):
    response = client_for("enterprise_admin_x").get(reverse("workforce:import_template"))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["员工花名册", "填写说明"]
    rows = book.get_sheet_by_name("员工花名册").to_python()
    assert rows[0] == roster_rows.SPEC.headers() and len(rows) == 2
    assert rows[1][1].startswith("999999")  # no such county: nobody's real number
    notes = book.get_sheet_by_name("填写说明").to_python()
    assert [r[0] for r in notes[1 : len(roster_rows.COLUMNS) + 1]] == roster_rows.SPEC.headers()
    path = tmp_path / "template.xlsx"
    path.write_bytes(data)
    result = run(str(path), world.x)
    assert (result.created, result.rejected) == (1, 0), result.errors


@pytest.mark.parametrize(
    "persona,status",
    [("district_admin", 200), ("town_a_officer", 200), ("liaison_of_x", 200), ("enterprise_admin_y", 200),
     ("hrss_officer", 403), ("bank_officer", 403), ("auditor", 403), ("no_role_user", 403), (None, 302)],
)  # fmt: skip
def test_who_may_open_the_import_page_and_the_template(client_for, persona, status):
    client = client_for(persona)
    assert client.get(reverse("workforce:import")).status_code == status
    assert client.get(reverse("workforce:import_template")).status_code == status


def test_the_import_page_lists_recent_jobs_within_a_query_budget(world, client_for):
    for i in range(12):
        ImportJob.objects.create(kind="employees", created_by=world.district_admin, file_name=f"{i}.xlsx")
    client = client_for("district_admin")
    with assert_max_queries(8):
        response = client.get(reverse("workforce:import"))
    assert response.content.decode().count(reverse("workforce:import_job", args=[1])[:-2]) >= 10


def test_a_file_object_is_read_and_left_open_for_its_owner(world, tmp_path):
    data = open(write_csv(tmp_path / "f.csv", [row(95)], encoding="gbk"), "rb").read()
    source = io.BytesIO(data)
    result = EmployeeImporter(None, world.x).run(source, "f.csv")
    assert result.created == 1 and not source.closed


def test_a_town_officer_cannot_upload_into_another_towns_enterprise(world, client_for, tmp_path, media):
    client = client_for("town_a_officer")
    assert client.get(reverse("workforce:import") + f"?enterprise={world.y.pk}").status_code == 404
    assert upload(client, write_xlsx(tmp_path / "b.xlsx", [row(96)]), world.y).status_code == 404
    assert not ImportJob.objects.exists() and not Employee.objects.exists()


def test_a_tab_or_semicolon_separated_csv_is_read_with_its_own_delimiter(world, tmp_path):
    for n, delimiter in ((97, "\t"), (98, ";")):
        lines = [
            delimiter.join(["姓名", "身份证号码", "车间/部门"]),
            delimiter.join([f"分隔{n}", synthetic_id(n), "一,二车间"]),
        ]
        path = tmp_path / f"d{n}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert run(str(path), world.x).created == 1
        assert Employee.objects.get(name=f"分隔{n}").workshop == "一,二车间"


def test_a_large_import_leaves_statistics_so_the_next_lookup_probes_the_unique_index(world, tmp_path):
    """SQLite without statistics scans the whole enterprise for `enterprise_id = ? AND id_hash IN (…)` (a
    1,000,000-row re-import took longer than the first import); an import that added many rows runs ANALYZE."""
    path = tmp_path / "roster.csv"
    write_csv(path, [row(i) for i in range(1, 501)])
    result = run(path, world.x, chunk_size=100)
    assert result.created == 500
    hashes = list(Employee.objects.filter(enterprise=world.x).values_list("id_hash", flat=True)[:20])
    lookup = Employee.objects.filter(enterprise=world.x, id_hash__in=hashes).values_list("id")
    sql, params = lookup.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}" if connection.vendor != "sqlite" else f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(part) for line in cursor.fetchall() for part in line)
    if connection.vendor == "sqlite":
        assert "sqlite_autoindex_workforce_employee" in plan, plan  # the unique (enterprise, id_hash) index
    else:  # PostgreSQL keeps its own statistics; the look-up still finds every row
        assert len(list(lookup)) == 20


def test_a_rejected_rows_reasons_read_as_the_uploaders_language_writes_them(world, tmp_path):
    from django.utils import translation

    path = write_xlsx(tmp_path / "bad.xlsx", [row(88, 身份证号码="123", 手机号码="12")])
    with translation.override("en"):
        result = run(path, world.x)
    reasons = result.failed[0][2]
    assert reasons.startswith("ID number: ") and "; Mobile number: " in reasons and "：" not in reasons
    assert "身份证号码：" in run(path, world.y).failed[0][2]
