"""The registry import: EnterpriseImporter, the import_enterprises command, the upload and job pages."""

from __future__ import annotations

import csv
import io
import json
import os
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
import xlsxwriter
from django.core.management import ManagementUtility, call_command
from django.db import connection, connections
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from fugong.core import audit
from fugong.core.excel import UnreadableFile, normalise_header
from fugong.core.identifiers import make_uscc
from fugong.core.models import AccessLog, AuditLog
from fugong.core.models_jobs import ImportJob
from fugong.enterprises import importers, services, tasks
from fugong.enterprises.importers import SPEC, EnterpriseImporter
from fugong.enterprises.models import Enterprise

HEADERS = SPEC.headers()
KEYS = [c.key for c in SPEC.columns]


def uscc(n: int) -> str:
    return make_uscc("431003", f"{70_000_000 + n:08d}")


def record(n: int, **over) -> dict:
    base = {
        "uscc": uscc(n),
        "name": f"郴州市导入测试企业{n}有限公司",
        "legal_representative": "赵六",
        "town": "栖凤渡镇",
        "address": f"栖凤渡镇测试路{n}号",
        "industry_section": "C",
        "industry_division": "39",
        "employees": 50,
        "annual_revenue_wan": 800,
        "total_assets_wan": 600.5,
        "ownership": "民营",
        "is_key_guarantee": "否",
        "industrial_park": "",
        "rents_state_premises": "否",
        "monthly_rent_yuan": "",
        "contact_name": "王五",
        "contact_phone": "13900001111",
    }
    base.update(over)
    return base


def write_xlsx(path, records, *, headers=None, title=True):
    """Header on row 3 below a merged title (so the first data row is 4), like the towns' sheets."""
    headers = headers or HEADERS
    lookup = SPEC.lookup()
    keys = [lookup.get(normalise_header(h), h) for h in headers]
    book = openpyxl.Workbook()
    sheet = book.active
    first = 1
    if title:
        sheet["A1"] = "苏仙区企业台账（测试）"
        sheet.merge_cells(start_row=1, start_column=1, end_row=2, end_column=len(headers))
        first = 3
    for c, h in enumerate(headers, start=1):
        sheet.cell(row=first, column=c, value=h)
    for r, rec in enumerate(records, start=first + 1):
        for c, key in enumerate(keys, start=1):
            sheet.cell(row=r, column=c, value=rec.get(key, ""))
    book.save(path)
    return str(path)


def write_csv(path, records, encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for rec in records:
        writer.writerow([rec.get(k, "") for k in KEYS])
    path.write_bytes(out.getvalue().encode(encoding))
    return str(path)


def run(path, actor=None, **kwargs):
    return EnterpriseImporter(actor, **kwargs).run(path, os.path.basename(path))


def db_state():
    return (
        sorted(Enterprise.objects.values_list("uscc", "name", "version", "employees")),
        AuditLog.objects.count(),
    )


# --- valid and invalid rows ---------------------------------------------------------------------------
def test_valid_rows_are_created_classified_and_audited_once_each(world, tmp_path):
    path = write_xlsx(
        tmp_path / "ok.xlsx",
        [record(1), record(2, annual_revenue_wan=2500, employees=400, contact_phone="0735-2345678")],
    )
    audit_before = AuditLog.objects.count()
    result = run(path)
    assert result.as_json() == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "rejected": 0, "errors": []}
    first, second = Enterprise.objects.get(uscc=uscc(1)), Enterprise.objects.get(uscc=uscc(2))
    assert first.town == world.town_a and first.ownership == "private" and first.total_assets_wan == Decimal("600.50")
    assert first.size_class == "small" and not first.is_above_scale
    assert second.is_above_scale and second.category == "above_scale_industrial"
    assert second.contact_phone == "07352345678"
    creates = AuditLog.objects.filter(action="enterprise.create")
    assert AuditLog.objects.count() - audit_before == 2
    assert creates.count() == 2 and creates.first().actor_label == "system"
    assert "13900001111" not in json.dumps(list(creates.values_list("changes", flat=True)))


def test_invalid_rows_are_rejected_with_row_column_and_a_message_naming_the_problem(world, tmp_path):
    bad_check = uscc(11)[:17] + ("0" if uscc(11)[17] != "0" else "1")
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        [
            record(10),
            record(11, uscc=bad_check),
            record(12, town="火星镇"),
            record(13, contact_phone="12345"),
            record(14, industry_division="62"),
        ],
    )
    result = run(path)
    assert (result.rows, result.created, result.rejected) == (5, 1, 4)
    by_row = {e["row"]: e for e in result.errors}
    assert sorted(by_row) == [5, 6, 7, 8]  # header on row 3, first data row 4
    assert by_row[5]["column"] == "统一社会信用代码" and by_row[5]["code"] == "checksum"
    assert "第18位" in by_row[5]["message"]
    assert by_row[6]["column"] == "所在镇（街道）" and "火星镇" in by_row[6]["message"]
    assert by_row[7]["column"] == "联系电话" and by_row[7]["code"] == "phone"
    assert "12345" not in by_row[7]["message"]  # no personal data in messages
    assert by_row[8]["code"] == "division_mismatch"
    assert list(Enterprise.objects.filter(uscc__startswith="9143100370").values_list("uscc", flat=True)) == [uscc(10)]


def test_a_code_stored_as_a_number_is_refused_with_a_hint_to_format_the_column_as_text(world, tmp_path):
    code = make_uscc("431003", "12345681")  # all digits: Excel turns it into 9.14e17 and drops digits
    assert code.isdigit()
    result = run(write_xlsx(tmp_path / "num.xlsx", [record(0, uscc=int(code))]))
    assert result.errors[0]["code"] == "number_format" and "文本格式" in result.errors[0]["message"]


def test_a_gbk_csv_imports(world, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [record(20, name="郴州市栖凤渡镇腊味食品厂")], encoding="gbk")
    result = run(path)
    assert result.created == 1
    assert Enterprise.objects.get(uscc=uscc(20)).name == "郴州市栖凤渡镇腊味食品厂"


def test_header_synonyms_and_extra_columns_are_accepted(world, tmp_path):
    headers = ["信用代码", "单位名称", "镇(街道)", "所属行业", "所有制", "备注"]
    rec = {"uscc": uscc(21), "name": "同义词公司", "town": "431003104", "industry_section": "制造业",
           "ownership": "私营企业", "备注": "不导入"}  # fmt: skip
    path = write_xlsx(tmp_path / "syn.xlsx", [rec], headers=headers, title=False)
    result = run(path)
    assert result.created == 1 and result.ignored_headers == ["备注"]
    e = Enterprise.objects.get(uscc=uscc(21))
    assert (e.name, e.town_id, e.industry_section, e.ownership) == ("同义词公司", "431003104", "C", "private")


def test_missing_required_columns_are_refused_and_nothing_is_written(world, tmp_path):
    path = write_xlsx(tmp_path / "miss.xlsx", [record(22)], headers=["统一社会信用代码", "企业名称", "地址"])
    before = db_state()
    with pytest.raises(UnreadableFile) as exc:
        run(path)
    assert "所在镇（街道）" in exc.value.message and "行业门类" in exc.value.message
    assert "地址" in exc.value.message  # the headers it did find
    assert db_state() == before


def test_full_width_characters_and_stray_spaces_are_normalised(world, tmp_path):
    full_width = uscc(23).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"})
    rec = record(23, uscc="\u3000" + full_width.lower(), town=" 栖凤渡\u3000", employees="１２０",
                 contact_phone="１３９ ０００１ ２２２２", name="郴州市全角（测试）有限公司")  # fmt: skip
    result = run(write_xlsx(tmp_path / "fw.xlsx", [rec]))
    assert result.created == 1, result.errors
    e = Enterprise.objects.get(uscc=uscc(23))
    assert (e.employees, e.contact_phone, e.town_id) == (120, "13900012222", "431003104")


def test_text_that_looks_like_a_formula_is_imported_as_text(world, tmp_path):
    path = tmp_path / "formula.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for c, key in enumerate(KEYS):
        value = record(24)[key]
        sheet.write_string(1, c, str(value)) if not isinstance(value, (int, float)) else sheet.write_number(1, c, value)
    sheet.write_string(1, KEYS.index("address"), "=1+1")
    sheet.write_formula(1, KEYS.index("employees"), "=100+20", None, 120)
    book.close()
    assert run(str(path)).created == 1
    e = Enterprise.objects.get(uscc=uscc(24))
    assert (e.address, e.employees) == ("=1+1", 120)


def test_a_duplicate_code_in_one_file_rejects_the_second_row_naming_the_first(world, tmp_path):
    path = write_xlsx(tmp_path / "dup.xlsx", [record(25), record(26), record(25, name="重复的企业")])
    result = run(path)
    assert (result.created, result.rejected) == (2, 1)
    assert result.errors == [
        {
            "row": 6,
            "column": "统一社会信用代码",
            "code": "duplicate",
            "message": "统一社会信用代码与第4行重复，本行未导入",
        }
    ]
    assert Enterprise.objects.get(uscc=uscc(25)).name == "郴州市导入测试企业25有限公司"


def test_strict_and_dry_run_write_nothing(world, tmp_path):
    path = write_xlsx(tmp_path / "mixed.xlsx", [record(27), record(28, town="火星镇")])
    before = db_state()
    strict = run(path, strict=True)
    assert (strict.created, strict.rejected, strict.written) == (1, 1, False)
    dry = run(path, dry_run=True)
    assert (dry.created, dry.rejected, dry.written) == (1, 1, False)
    assert db_state() == before


# --- upserts ------------------------------------------------------------------------------------------
def test_reimporting_the_same_file_changes_nothing_and_writes_no_audit_rows(world, tmp_path):
    path = write_xlsx(tmp_path / "same.xlsx", [record(30), record(31, industrial_park="苏仙工业集中区")])
    assert run(path).created == 2
    before = db_state()
    again = run(path)
    assert again.as_json() == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2, "rejected": 0, "errors": []}
    assert db_state() == before


def test_changed_rows_are_updated_with_a_new_version_and_a_masked_audit_diff(world, tmp_path):
    run(write_xlsx(tmp_path / "v1.xlsx", [record(32), record(33)]))
    e = Enterprise.objects.get(uscc=uscc(32))
    result = run(write_xlsx(tmp_path / "v2.xlsx", [record(32, employees=77, contact_phone="13700002222"), record(33)]))
    assert (result.updated, result.unchanged) == (1, 1)
    e.refresh_from_db()
    assert (e.employees, e.version, e.contact_phone) == (77, 2, "13700002222")
    entry = AuditLog.objects.filter(action="enterprise.update", object_id=str(e.pk)).get()
    assert entry.changes["employees"] == [50, 77]
    assert entry.changes["contact_phone"] == ["139****1111", "137****2222"]


def test_an_existing_enterprise_is_updated_in_place_keyed_on_its_code(world, tmp_path):
    rec = record(0, uscc=world.x.uscc, name=world.x.name, town="栖凤渡镇", employees=701,
                 annual_revenue_wan=30000, industrial_park="苏仙工业集中区", contact_phone="13800001234")  # fmt: skip
    result = run(write_xlsx(tmp_path / "x.xlsx", [rec]))
    assert result.updated == 1
    world.x.refresh_from_db()
    assert world.x.employees == 701 and Enterprise.objects.filter(uscc=world.x.uscc).count() == 1


def test_a_masked_phone_keeps_the_registered_number_but_cannot_create_one(world, tmp_path):
    rec_x = record(0, uscc=world.x.uscc, name=world.x.name, employees=700, annual_revenue_wan=30000,
                   industrial_park="苏仙工业集中区", contact_phone="138****1234", total_assets_wan="")  # fmt: skip
    result = run(write_xlsx(tmp_path / "masked.xlsx", [rec_x, record(34, contact_phone="139****1111")]))
    assert result.rejected == 1 and result.errors[0]["code"] == "masked" and result.errors[0]["row"] == 5
    world.x.refresh_from_db()
    assert world.x.contact_phone == "13800001234"


def test_a_failure_half_way_leaves_the_database_as_it_was(world, tmp_path, monkeypatch):
    run(write_xlsx(tmp_path / "base.xlsx", [record(40)]))
    before = db_state()
    real = services.do_bulk_upsert_enterprises
    calls = {"n": 0}

    def fail_on_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "do_bulk_upsert_enterprises", fail_on_second_batch)
    path = write_xlsx(tmp_path / "fail.xlsx", [record(40, employees=99), record(41), record(42), record(43)])
    with pytest.raises(RuntimeError):
        run(path, batch_size=2, write_batch_size=2)
    assert calls["n"] == 2  # the first batch was written, then undone
    assert db_state() == before


# --- scope --------------------------------------------------------------------------------------------
def test_a_town_officer_imports_only_their_own_town_and_cannot_touch_others(world, tmp_path):
    y = world.y
    rows = [
        record(50),
        record(51, town="白露塘镇"),
        record(0, uscc=y.uscc, name="改名", town="栖凤渡镇", industry_section="H", industry_division="62"),
    ]
    result = run(write_xlsx(tmp_path / "town.xlsx", rows), actor=world.town_a_officer)
    assert (result.created, result.rejected) == (1, 2)
    by_row = {e["row"]: e for e in result.errors}
    assert by_row[5]["code"] == "out_of_scope" and by_row[5]["message"] == "只能导入本镇（街道）的企业"
    assert by_row[6] == {"row": 6, "column": "统一社会信用代码", "code": "forbidden", "message": "无权修改该企业"}
    y.refresh_from_db()
    assert y.name == "郴州测试餐饮服务有限公司" and y.version == 1
    assert AuditLog.objects.filter(action="enterprise.create").get().actor_label == "town_a_officer"


def test_roles_without_the_import_action_cannot_import(world):
    with pytest.raises(Exception) as exc:
        EnterpriseImporter(world.enterprise_admin_x)
    assert type(exc.value).__name__ == "PermissionDenied"


# --- the command --------------------------------------------------------------------------------------
def run_command(*argv, capsys):
    """Run as `manage.py import_enterprises …` would, returning (exit code, stdout, stderr)."""
    # run_from_argv closes every connection when it ends; the test database must outlive it.
    with mock.patch.object(connections, "close_all"), pytest.raises(SystemExit) as exc:
        ManagementUtility(["manage.py", "import_enterprises", *argv]).execute()
        raise SystemExit(0)
    out = capsys.readouterr()
    return exc.value.code or 0, out.out, out.err


def test_the_command_prints_the_contract_json_and_exits_0(world, tmp_path, capsys):
    path = write_xlsx(tmp_path / "cmd.xlsx", [record(60), record(61, contact_phone="bad")])
    code, out, _err = run_command(path, "--json", capsys=capsys)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["rows", "created", "updated", "unchanged", "rejected", "errors"]
    assert (data["rows"], data["created"], data["rejected"]) == (2, 1, 1)
    assert data["errors"][0].keys() == {"row", "column", "code", "message"}
    assert data["errors"][0]["row"] == 5


def test_the_command_exits_1_on_strict_with_invalid_rows_and_writes_nothing(world, tmp_path, capsys):
    path = write_xlsx(tmp_path / "strict.xlsx", [record(62), record(63, town="火星镇")])
    before = db_state()
    code, out, err = run_command(path, "--strict", "--json", capsys=capsys)
    assert code == 1
    assert json.loads(out)["rejected"] == 1
    assert "--strict" in err
    assert db_state() == before


def test_the_command_exits_2_on_a_random_bytes_xlsx_with_the_reason_on_stderr(world, tmp_path, capsys):
    path = tmp_path / "random.xlsx"
    path.write_bytes(os.urandom(10 * 2**20))
    before = db_state()
    code, out, err = run_command(str(path), "--json", capsys=capsys)
    assert code == 2
    assert out == ""
    assert "不是有效的Excel文件" in err
    assert db_state() == before


def test_the_command_exits_2_on_an_empty_file(world, tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    code, _out, err = run_command(str(path), capsys=capsys)
    assert code == 2 and "空文件" in err


def test_the_command_dry_run_reports_what_it_would_do(world, tmp_path):
    out = io.StringIO()
    call_command("import_enterprises", write_xlsx(tmp_path / "dry.xlsx", [record(64)]), "--dry-run", stdout=out)
    assert "新增 1" in out.getvalue() and "未写入任何数据" in out.getvalue()
    assert not Enterprise.objects.filter(uscc=uscc(64)).exists()


def test_the_command_can_run_as_a_user_in_their_scope(world, tmp_path):
    out = io.StringIO()
    path = write_xlsx(tmp_path / "as.xlsx", [record(65), record(66, town="白露塘镇")])
    call_command("import_enterprises", path, "--json", "--user", "town_a_officer", stdout=out)
    assert json.loads(out.getvalue())["rejected"] == 1


# --- the pages ----------------------------------------------------------------------------------------
@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, path, **data):
    with open(path, "rb") as fh:
        return client.post(reverse("enterprises:import"), {"file": fh, **data})


def test_the_upload_page_imports_a_small_file_inline_and_shows_the_job(world, client_for, tmp_path, media):
    client = client_for("district_admin")
    assert client.get(reverse("enterprises:import")).status_code == 200
    path = write_xlsx(tmp_path / "page.xlsx", [record(70), record(71, contact_phone="12345")])
    response = upload(client, path)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("enterprises:import_job", args=[job.pk])
    assert (job.status, job.created, job.rejected, job.created_by) == ("done", 1, 1, world.district_admin)
    assert job.file_name == "page.xlsx" and job.stored_file == ""
    assert not any((media / "imports").iterdir())  # the upload is deleted once the job ends
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and 'data-status="done"' in html and "hx-trigger" not in html
    assert "电话号码格式不正确" in html and reverse("enterprises:import_errors", args=[job.pk]) in html
    assert Enterprise.objects.filter(uscc=uscc(70)).exists()
    assert AuditLog.objects.get(action="enterprise.create", object_repr__contains="70有限公司").via == "web"


def test_the_upload_page_dry_run_writes_nothing(world, client_for, tmp_path, media):
    path = write_xlsx(tmp_path / "dry.xlsx", [record(72)])
    client = client_for("district_admin")
    response = upload(client, path, dry_run="on")
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.message) == ("done", 1, "仅预检：未写入任何数据")
    assert not Enterprise.objects.filter(uscc=uscc(72)).exists()
    assert "将新增" in client.get(response["Location"]).content.decode()


def test_the_upload_page_strict_mode_writes_nothing_when_a_row_is_bad(world, client_for, tmp_path, media):
    path = write_xlsx(tmp_path / "strict.xlsx", [record(82), record(83, town="火星镇")])
    client = client_for("district_admin")
    html = client.get(upload(client, path, strict="on")["Location"]).content.decode()
    job = ImportJob.objects.get()
    assert (job.status, job.rejected, job.message) == ("done", 1, "严格模式：存在无效行，未写入任何数据")
    assert "将新增" in html and not Enterprise.objects.filter(uscc=uscc(82)).exists()


def test_an_unreadable_upload_ends_as_a_failed_job_with_the_reason(world, client_for, tmp_path, media):
    path = tmp_path / "random.xlsx"
    path.write_bytes(os.urandom(200_000))
    upload(client_for("district_admin"), path)
    job = ImportJob.objects.get()
    assert job.status == "failed" and "不是有效的Excel文件" in job.message
    assert not any((media / "imports").iterdir())


def test_the_upload_form_refuses_other_file_types_and_oversized_files(world, client_for, tmp_path, media, settings):
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4")
    response = upload(client_for("district_admin"), path)
    assert response.status_code == 400 and "请上传 .xlsx、.xls、.csv 或 .txt 文件" in response.content.decode()
    settings.FUGONG_MAX_UPLOAD_BYTES = 100
    response = upload(client_for("district_admin"), write_xlsx(tmp_path / "big.xlsx", [record(73)]))
    assert response.status_code == 400 and "文件过大" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "persona,status",
    [("district_admin", 200), ("town_a_officer", 200), ("hrss_officer", 403), ("enterprise_admin_x", 403),
     ("liaison_of_x", 403), ("auditor", 403), ("no_role_user", 403), (None, 302)],
)  # fmt: skip
def test_who_may_open_the_import_page_and_the_template(client_for, persona, status):
    client = client_for(persona)
    assert client.get(reverse("enterprises:import")).status_code == status
    assert client.get(reverse("enterprises:import_template")).status_code == status


def test_a_job_is_visible_to_its_creator_and_the_district_admin_only(world, client_for, tmp_path, media):
    upload(client_for("town_a_officer"), write_xlsx(tmp_path / "t.xlsx", [record(74, town="火星镇")]))
    job = ImportJob.objects.get()
    for persona, status in [("town_a_officer", 200), ("district_admin", 200), ("hrss_officer", 404),
                            ("enterprise_admin_x", 404), ("auditor", 404)]:  # fmt: skip
        client = client_for(persona)
        assert client.get(reverse("enterprises:import_job", args=[job.pk])).status_code == status, persona
        assert client.get(reverse("enterprises:import_errors", args=[job.pk])).status_code == status, persona
    assert client_for("district_admin").get(reverse("enterprises:import_job", args=[job.pk + 99])).status_code == 404


def test_the_error_report_holds_the_failed_rows_as_uploaded_with_the_reason_and_a_masked_phone(
    world, client_for, tmp_path, media
):
    path = write_xlsx(tmp_path / "err.xlsx", [record(75), record(76, town="火星镇", contact_phone="13911112222")])
    client = client_for("district_admin")
    upload(client, path)
    job = ImportJob.objects.get()
    with connection.cursor() as cursor:  # sealed at rest: the column holds ciphertext
        cursor.execute("SELECT failed_rows FROM core_importjob WHERE id = %s", [job.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("a1:") and "13911112222" not in stored and "13911112222" in job.failed_rows
    response = client.get(reverse("enterprises:import_errors", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_name("错误行").to_python()
    assert rows[0] == [*HEADERS, "错误原因", "原行号"]
    assert len(rows) == 2
    failed = dict(zip(rows[0], rows[1], strict=True))
    assert failed["统一社会信用代码"] == uscc(76) and failed["所在镇（街道）"] == "火星镇"
    assert failed["联系电话"] == "139****2222"
    assert "火星镇" in failed["错误原因"] and failed["原行号"] == 5
    assert "导出信息" in book.sheet_names
    assert AccessLog.objects.filter(kind="export", subject_type="core.importjob.errors", record_count=1).exists()


def test_a_large_file_is_queued_for_the_worker_and_the_page_polls_until_done(
    world, client_for, tmp_path, media, monkeypatch
):
    monkeypatch.setattr(importers, "INLINE_MAX_ROWS", 2)
    client = client_for("district_admin")
    upload(client, write_xlsx(tmp_path / "big.xlsx", [record(77), record(78), record(79)]))
    job = ImportJob.objects.get()
    assert job.status == "queued" and job.task_id and DBTaskResult.objects.filter(id=job.task_id).exists()
    assert not Enterprise.objects.filter(uscc=uscc(77)).exists()
    partial = client.get(reverse("enterprises:import_job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial and "progress-bar" in partial
    queued = DBTaskResult.objects.get(id=job.task_id)
    assert queued.task.func is tasks.run_import_job_task.func  # the worker finds the task by its path
    assert queued.args_kwargs == {"args": [job.pk], "kwargs": {}}
    tasks.run_import_job_task.call(job.pk)  # what `manage.py db_worker` does with it
    job.refresh_from_db()
    assert (job.status, job.created, job.rows_done) == ("done", 3, 3)
    assert not any((media / "imports").iterdir())
    assert AuditLog.objects.filter(action="enterprise.create", via="task").count() == 3
    partial = client.get(reverse("enterprises:import_job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial and 'data-testid="count-created">3<' in partial


def test_the_template_has_the_headers_a_valid_example_and_instructions(world, client_for, tmp_path):
    response = client_for("district_admin").get(reverse("enterprises:import_template"))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names == ["企业台账", "填写说明"]
    rows = book.get_sheet_by_name("企业台账").to_python()
    assert rows[0] == HEADERS and len(rows) == 2
    notes = book.get_sheet_by_name("填写说明").to_python()
    assert [r[0] for r in notes[1 : len(HEADERS) + 1]] == HEADERS
    path = tmp_path / "template.xlsx"
    path.write_bytes(data)
    result = run(str(path))
    assert (result.created, result.rejected) == (1, 0), result.errors


def test_bulk_audit_rows_match_what_the_single_record_services_write(world, tmp_path):
    run(write_xlsx(tmp_path / "a.xlsx", [record(80, industrial_park="苏仙工业集中区"), record(81, contact_phone="")]))
    for code in (uscc(80), uscc(81)):
        e = Enterprise.objects.select_related("town", "industrial_park").get(uscc=code)
        entry = AuditLog.objects.get(action="enterprise.create", object_id=str(e.pk))
        expected = audit.diff({}, audit.snapshot(e, services.AUDITED_FIELDS), services.SENSITIVE)
        assert entry.changes == expected
        assert (entry.object_type, entry.object_repr, entry.via) == ("enterprises.enterprise", e.name, "command")


def test_a_running_job_records_its_stage_and_progress_for_the_polling_page(
    world, client_for, tmp_path, media, monkeypatch
):
    seen = []
    real = tasks._progress_writer

    def spy(job_id):
        write = real(job_id)

        def record_progress(stage, done, total):
            write(stage, done, total)
            job = ImportJob.objects.get(pk=job_id)
            seen.append((job.status, job.stage, job.rows_done, job.rows_total, job.percent))

        return record_progress

    monkeypatch.setattr(tasks, "_progress_writer", spy)
    upload(client_for("district_admin"), write_xlsx(tmp_path / "p.xlsx", [record(84), record(85), record(86)]))
    assert seen[0] == ("running", "validating", 0, 3, 0)
    assert ("running", "validating", 3, 3, 90) in seen
    assert ("running", "writing", 0, 3, 95) in seen
    assert ImportJob.objects.get().percent == 100
