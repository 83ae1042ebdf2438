"""The registry export: scope, filters, masking, formula neutralising, access log, constant queries,
and a clean re-import of what was exported."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from fugong.core.models import AccessLog, AuditLog
from fugong.core.testing import EnterpriseFactory, assert_max_queries
from fugong.enterprises.importers import SPEC, EnterpriseImporter
from fugong.enterprises.models import Enterprise

HEADERS = SPEC.headers()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def xlsx_rows(response, sheet="企业台账"):
    book = CalamineWorkbook.from_filelike(io.BytesIO(body(response)))
    return book, book.get_sheet_by_name(sheet).to_python()


def export(client, **params):
    return client.get(reverse("enterprises:export"), params)


def test_the_xlsx_export_has_the_template_headers_masked_phones_and_who_exported_it(world, client_for):
    response = export(client_for("district_admin"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    book, rows = xlsx_rows(response)
    assert rows[0] == HEADERS
    by_code = {r[0]: dict(zip(HEADERS, r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {world.x.uscc, world.y.uscc}
    x = by_code[world.x.uscc]
    assert x["联系电话"] == "138****1234"
    assert (x["所在镇（街道）"], x["行业门类"], x["经济类型"], x["所在工业园区"]) == (
        "栖凤渡镇",
        "C 制造业",
        "民营",
        "苏仙工业集中区",
    )
    assert x["从业人员"] == 700 and x["年营业收入（万元）"] == 30000
    assert b"13800001234" not in body(export(client_for("district_admin"), format="csv"))
    info = dict(book.get_sheet_by_name("导出信息").to_python())
    assert info["导出人"].startswith("district_admin") and info["记录数"] == "2"
    assert info["导出时间"]


def test_the_csv_export_is_utf8_with_bom_and_neutralises_formula_like_text(world, client_for):
    EnterpriseFactory(name="=cmd|' /C calc'!A0", town=world.town_a)
    response = export(client_for("district_admin"), format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    data = body(response)
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][0].startswith("导出人：district_admin")
    assert rows[1] == HEADERS
    names = [r[1] for r in rows[2:]]
    assert "'=cmd|' /C calc'!A0" in names
    assert "=cmd|' /C calc'!A0" not in names


def test_the_xlsx_export_neutralises_formula_like_text_too(world, client_for):
    EnterpriseFactory(name="@SUM(1+1)", address="+86 路", town=world.town_a)
    _book, rows = xlsx_rows(export(client_for("district_admin")))
    row = next(r for r in rows if r[1].endswith("SUM(1+1)"))
    assert (row[1], row[4]) == ("'@SUM(1+1)", "'+86 路")


@pytest.mark.parametrize(
    "persona,expected",
    [("district_admin", {"x", "y"}), ("hrss_officer", {"x", "y"}), ("leader_of_x", {"x"}),
     ("town_a_officer", {"x"}), ("enterprise_admin_x", {"x"}), ("enterprise_admin_y", {"y"})],
)  # fmt: skip
def test_the_export_holds_exactly_the_enterprises_in_the_users_scope(world, client_for, persona, expected):
    _book, rows = xlsx_rows(export(client_for(persona)))
    codes = {r[0] for r in rows[1:]}
    assert codes == {getattr(world, name).uscc for name in expected}


@pytest.mark.parametrize(
    "persona,status",
    [("liaison_of_x", 403), ("district_team_member", 403), ("bank_officer", 403), ("auditor", 403),
     ("no_role_user", 403), (None, 302)],
)  # fmt: skip
def test_roles_without_the_export_action_are_refused(client_for, persona, status):
    assert export(client_for(persona)).status_code == status
    assert not AccessLog.objects.filter(kind="export").exists()


def test_the_export_applies_the_list_filters_and_logs_them_in_the_access_log(world, client_for):
    response = export(client_for("district_admin"), format="csv", town=world.town_b.code, q="餐饮")
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[2:]] == [world.y.uscc]
    log = AccessLog.objects.get(kind="export")
    assert (log.subject_type, log.record_count, log.actor) == ("enterprise.list", 1, world.district_admin)
    assert "431003100" in log.purpose and "餐饮" in log.purpose


def test_the_export_runs_a_constant_number_of_queries(world, client_for):
    client = client_for("town_a_officer")
    export(client)  # warm up the session and the user
    with assert_max_queries(20) as few:
        assert export(client).status_code == 200
    for i in range(30):
        EnterpriseFactory(name=f"郴州市批量企业{i}", town=world.town_a, industrial_park=world.park)
    with assert_max_queries(len(few.captured_queries)) as many:
        _book, rows = xlsx_rows(export(client))
    assert len(rows) == 32
    assert len(many.captured_queries) == len(few.captured_queries)
    with assert_max_queries(len(few.captured_queries)):
        body(export(client, format="csv"))


def test_an_exported_file_reimports_with_nothing_changed(world, client_for, tmp_path):
    EnterpriseFactory(name="=1+1 公司", town=world.town_b, rents_state_premises=True, monthly_rent_yuan=3000)
    for fmt, name in (("xlsx", "export.xlsx"), ("csv", "export.csv")):
        path = tmp_path / name
        path.write_bytes(body(export(client_for("district_admin"), format=fmt)))
        audit_rows = AuditLog.objects.count()
        versions = dict(Enterprise.objects.values_list("uscc", "version"))
        result = EnterpriseImporter(world.district_admin).run(str(path), name)
        assert result.as_json() == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3, "rejected": 0, "errors": []}
        assert AuditLog.objects.count() == audit_rows
        assert dict(Enterprise.objects.values_list("uscc", "version")) == versions
    assert Enterprise.objects.get(name="=1+1 公司").contact_phone == "13800001234"
