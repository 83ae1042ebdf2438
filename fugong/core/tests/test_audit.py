"""The audit and access logs: append-only at every layer, and the pages that read and export them."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import openpyxl
import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from fugong.core import audit
from fugong.core.models import AccessLog, AppendOnlyError, AuditLog
from fugong.core.testing import assert_max_queries
from fugong.enterprises import services

AUDIT_URL = reverse("core:audit_log")
ACCESS_URL = reverse("core:access_log")
AUDIT_READERS = {"district_admin", "auditor"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The persona world hashes a dozen passwords per test; the production hasher makes that seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def audit_row_at(when: dt.datetime, actor=None, action: str = "enterprise.update", **kwargs) -> AuditLog:
    # `at` is auto_now_add; the clock is the only way to put a row on a given day.
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit.record(actor, action, object_type=kwargs.pop("object_type", "enterprises.enterprise"), **kwargs)


def access_row_at(when: dt.datetime, actor=None, kind: str = "view", **kwargs) -> AccessLog:
    kwargs.setdefault("subject_type", "enterprise.contact")
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit.log_access(actor, kind, **kwargs)


def sheets(response) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


# --- append-only ---------------------------------------------------------------------------------------
def test_an_audit_row_cannot_be_saved_again_or_deleted_through_the_model(db):
    row = audit.record(None, "test.write", object_type="x")
    row.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert AuditLog.objects.get(pk=row.pk).action == "test.write"


def test_an_access_row_cannot_be_saved_again_or_deleted_through_the_model(db):
    row = audit.log_access(None, "view", subject_type="x")
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()


@pytest.mark.parametrize("table", ["core_auditlog", "core_accesslog"])
def test_the_database_refuses_a_raw_update_of_a_log_row(db, table):
    audit.record(None, "test.write", object_type="x")
    audit.log_access(None, "view", subject_type="x", purpose="original")
    column = "action" if table == "core_auditlog" else "purpose"
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s", ["rewritten"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")
        assert [r[0] for r in cursor.fetchall()] in (["test.write"], ["original"])


@pytest.mark.parametrize("table", ["core_auditlog", "core_accesslog"])
def test_the_database_refuses_a_raw_delete_of_a_log_row(db, table):
    audit.record(None, "test.write", object_type="x")
    audit.log_access(None, "view", subject_type="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == 1


def test_a_queryset_bulk_update_of_the_audit_log_is_refused_too(db):
    audit.record(None, "test.write", object_type="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.update(action="rewritten")
    assert AuditLog.objects.get().action == "test.write"


# --- diff masks what is sensitive ------------------------------------------------------------------------
def test_diff_masks_phones_and_id_numbers_and_keeps_only_changed_fields():
    before = {"phone": "13800001234", "id": "43100319900101123X", "name": "旧名", "same": 1}
    after = {"phone": "13900005678", "id": "43100319900101456X", "name": "新名", "same": 1}
    changes = audit.diff(before, after, {"phone": "phone", "id": "id_number"})
    assert changes == {
        "id": ["431003********123X", "431003********456X"],
        "name": ["旧名", "新名"],
        "phone": ["138****1234", "139****5678"],
    }


def test_diff_hides_a_sensitive_field_of_unknown_kind_entirely():
    changes = audit.diff({"secret": "abc"}, {"secret": "xyz"}, {"secret": "password"})
    assert changes == {"secret": ["***", "***"]}


def test_an_enterprise_phone_change_is_audited_masked_never_in_clear(world):
    services.do_update_enterprise(world.district_admin, world.x, {"contact_phone": "13900005678"})
    row = AuditLog.objects.get(action="enterprise.update")
    assert row.changes["contact_phone"] == ["138****1234", "139****5678"]
    assert "13900005678" not in str(row.changes) and "13800001234" not in str(row.changes)


# --- the audit log page ----------------------------------------------------------------------------------
def test_only_the_district_admin_and_the_auditor_may_open_the_audit_log(client_for, persona):
    response = client_for(persona).get(AUDIT_URL)
    assert response.status_code == (200 if persona in AUDIT_READERS else 403)


def test_only_the_district_admin_and_the_auditor_may_open_the_access_log(client_for, persona):
    response = client_for(persona).get(ACCESS_URL)
    assert response.status_code == (200 if persona in AUDIT_READERS else 403)


def test_an_anonymous_visitor_is_sent_to_log_in(client_for):
    for url in (AUDIT_URL, ACCESS_URL, AUDIT_URL + "?format=xlsx"):
        response = client_for(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_audit_log_lists_rows_newest_first(world, client_for):
    old = audit_row_at(at(2020, 2, 1), action="a.old")
    new = audit_row_at(at(2020, 2, 3), action="a.new")
    mid = audit_row_at(at(2020, 2, 2), action="a.mid")
    page = client_for("auditor").get(AUDIT_URL + "?action=a.").context["page"]
    assert [r.pk for r in page] == [new.pk, mid.pk, old.pk]


def test_the_audit_log_filters_by_actor_action_prefix_object_and_dates(world, client_for):
    admin, town = world.district_admin, world.town_a_officer
    a = audit_row_at(at(2020, 2, 1), admin, "enterprise.update", object_id="7")
    b = audit_row_at(at(2020, 2, 5), town, "enterprise.create", object_id="8")
    c = audit_row_at(at(2020, 2, 9), town, "project.update", object_type="enterprises.keyproject", object_id="7")
    client = client_for("auditor")

    def ids(query: str) -> set[int]:
        return {r.pk for r in client.get(AUDIT_URL + query).context["page"]}

    assert ids("?actor=town_a") == {b.pk, c.pk}
    assert ids("?action=enterprise.") == {a.pk, b.pk}
    assert ids("?object_type=enterprises.keyproject") == {c.pk}
    assert ids("?object_id=7") == {a.pk, c.pk}
    assert ids("?date_from=2020-02-05") == {b.pk, c.pk}
    assert ids("?date_to=2020-02-05") == {a.pk, b.pk}
    assert ids("?date_from=2020-02-02&date_to=2020-02-08") == {b.pk}
    assert ids("?actor=town_a&action=enterprise.&object_id=8") == {b.pk}


def test_a_day_filter_uses_the_districts_local_day(world, client_for):
    # 23:30 in Beijing on 2 Feb is 15:30 UTC; it belongs to 2 Feb, not to the next day.
    late = audit_row_at(timezone.make_aware(dt.datetime(2020, 2, 2, 23, 30)), action="a.late")
    page = client_for("auditor").get(AUDIT_URL + "?date_from=2020-02-02&date_to=2020-02-02").context["page"]
    assert [r.pk for r in page] == [late.pk]


@pytest.mark.parametrize(
    "query",
    ["?date_from=2020-13-40", "?date_to=yesterday", "?date_from=2020-03-01&date_to=2020-02-01", "?page=abc"],
)
def test_bad_filter_input_is_reported_and_ignored_not_an_error(world, client_for, query):
    audit_row_at(at(2020, 2, 1))
    response = client_for("auditor").get(AUDIT_URL + query)
    assert response.status_code == 200
    assert len(response.context["page"]) == 1
    if "date" in query:
        assert response.context["filters"].errors
        assert 'data-testid="filter-error"' in response.content.decode()


def test_the_audit_log_pages_by_one_hundred(world, client_for):
    AuditLog.objects.bulk_create(
        [AuditLog(actor_label="bulk", action=f"bulk.{i}", object_type="x", object_id=str(i)) for i in range(250)]
    )
    client = client_for("auditor")
    first = client.get(AUDIT_URL).context["page"]
    assert len(first) == 100 and first.paginator.count == 250 and first.paginator.num_pages == 3
    assert len(client.get(AUDIT_URL + "?page=3").context["page"]) == 50
    assert client.get(AUDIT_URL + "?page=999").context["page"].number == 3
    # The next-page link keeps the filters.
    body = client.get(AUDIT_URL + "?actor=bulk").content.decode()
    assert "actor=bulk" in body.split('data-testid="next-page"')[0].rsplit("href=", 1)[1]


def test_each_row_shows_its_changes_before_and_after(world, client_for):
    services.do_update_enterprise(
        world.district_admin, world.x, {"contact_phone": "13900005678", "name": "郴州市改名科技有限公司"}
    )
    body = client_for("auditor").get(AUDIT_URL).content.decode()
    assert "联系电话" in body and "企业名称" in body  # field labels, not column names
    assert "138****1234" in body and "139****5678" in body
    assert "郴州市测试数码科技股份有限公司" in body and "郴州市改名科技有限公司" in body
    assert "13900005678" not in body and "13800001234" not in body


def test_the_change_labels_follow_each_readers_language(world, client_for, settings):
    services.do_update_enterprise(world.district_admin, world.x, {"name": "郴州市改名科技有限公司"})
    assert "企业名称" in client_for("auditor").get(AUDIT_URL).content.decode()  # labelled (and cached) in Chinese
    english = client_for("auditor")
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = english.get(AUDIT_URL).content.decode()
    assert "Enterprise name" in body and "企业名称" not in body  # not the label the first reader's language left


def test_the_audit_log_page_runs_a_constant_number_of_queries(world, client_for):
    client = client_for("auditor")
    for i in range(5):
        audit_row_at(at(2020, 2, 1), world.district_admin, object_id=str(i), changes={"name": ["a", "b"]})
    with assert_max_queries(8) as few:
        assert client.get(AUDIT_URL).status_code == 200
    for i in range(150):
        audit_row_at(at(2020, 2, 2), world.town_a_officer, object_id=str(i), changes={"name": ["a", "b"]})
    with assert_max_queries(8) as many:
        assert client.get(AUDIT_URL).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# --- exports -------------------------------------------------------------------------------------------
def test_the_audit_log_exports_to_xlsx_with_the_exporter_named_and_formulas_neutralised(world, client_for):
    audit_row_at(at(2020, 2, 1), world.district_admin, "enterprise.update", object_repr="=HYPERLINK(1)", note="@SUM")
    audit_row_at(at(2020, 2, 2), world.district_admin, "other.thing", object_repr="plain")
    response = client_for("auditor").get(AUDIT_URL + "?format=xlsx&action=enterprise.")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = sheets(response)
    rows = book["操作日志"]
    assert rows[0][:4] == ["编号", "时间", "操作人", "操作"]
    assert len(rows) == 2  # column names and the one matching row
    data = rows[1]
    assert data[3] == "enterprise.update"
    assert data[6] == "'=HYPERLINK(1)" and data[8] == "'@SUM"
    info = dict((r[0], r[1]) for r in book["导出信息"])
    assert info["导出人"].startswith("auditor") and "enterprise." in info["说明"] and info["记录数"] == "1"


def test_exporting_the_audit_log_is_itself_logged(world, client_for):
    for i in range(3):
        audit_row_at(at(2020, 2, 1), object_id=str(i))
    client_for("auditor").get(AUDIT_URL + "?format=xlsx")
    row = AccessLog.objects.get(kind="export")
    assert row.actor == world.auditor and row.subject_type == "core.auditlog" and row.record_count == 3


def test_a_user_without_the_audit_role_can_not_export_and_nothing_is_logged(client_for):
    response = client_for("town_a_officer").get(AUDIT_URL + "?format=xlsx")
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_the_audit_export_runs_a_constant_number_of_queries(world, client_for):
    client = client_for("auditor")
    for i in range(3):
        audit_row_at(at(2020, 2, 1), object_id=str(i))
    with assert_max_queries(10) as few:
        client.get(AUDIT_URL + "?format=xlsx")
    for i in range(60):
        audit_row_at(at(2020, 2, 1), object_id=str(i))
    with assert_max_queries(10) as many:
        client.get(AUDIT_URL + "?format=xlsx")
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the access log page ---------------------------------------------------------------------------------
def test_the_access_log_answers_who_revealed_whose_data(world, client_for):
    services.do_reveal_contact_phone(world.town_a_officer, world.x, "电话核实复工情况")
    response = client_for("auditor").get(ACCESS_URL + "?kind=reveal")
    rows = list(response.context["page"])
    assert len(rows) == 1
    body = response.content.decode()
    assert "town_a_officer" in body and world.x.name in body and "电话核实复工情况" in body
    assert "13800001234" not in body


def test_the_access_log_filters_by_actor_kind_subject_and_dates(world, client_for):
    v = access_row_at(at(2020, 2, 1), world.town_a_officer, "view", subject_id="1")
    r = access_row_at(at(2020, 2, 5), world.district_admin, "reveal", subject_id="2")
    e = access_row_at(at(2020, 2, 9), world.district_admin, "export", subject_type="workforce.employee")
    client = client_for("district_admin")

    def ids(query: str) -> set[int]:
        return {row.pk for row in client.get(ACCESS_URL + query).context["page"]}

    assert ids("?actor=district_admin") == {r.pk, e.pk}
    assert ids("?kind=view") == {v.pk}
    assert ids("?subject_type=workforce.employee") == {e.pk}
    assert ids("?subject_id=2") == {r.pk}
    assert ids("?date_from=2020-02-02&date_to=2020-02-09") == {r.pk, e.pk}


def test_an_unknown_access_kind_is_reported_and_ignored(world, client_for):
    access_row_at(at(2020, 2, 1))
    response = client_for("auditor").get(ACCESS_URL + "?kind=delete")
    assert response.status_code == 200 and len(response.context["page"]) == 1
    assert response.context["filters"].errors


def test_the_access_log_page_runs_a_constant_number_of_queries(world, client_for):
    client = client_for("auditor")
    access_row_at(at(2020, 2, 1), world.district_admin)
    with assert_max_queries(8) as few:
        client.get(ACCESS_URL)
    for i in range(120):
        access_row_at(at(2020, 2, 1), world.town_a_officer, subject_id=str(i))
    with assert_max_queries(8) as many:
        client.get(ACCESS_URL)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_access_log_exports_and_the_export_is_logged(world, client_for):
    access_row_at(at(2020, 2, 1), world.town_a_officer, "reveal", subject_repr="+86 reveal", fields=["contact_phone"])
    response = client_for("district_admin").get(ACCESS_URL + "?format=xlsx&kind=reveal")
    rows = sheets(response)["个人信息访问日志"]
    assert rows[0][:4] == ["编号", "时间", "访问人", "类型"]
    assert rows[1][2] == "town_a_officer" and rows[1][3] == "查看明文"
    assert rows[1][6] == "'+86 reveal" and rows[1][7] == "contact_phone"
    logged = AccessLog.objects.get(kind="export")
    assert logged.subject_type == "core.accesslog" and logged.record_count == 1
    assert logged.actor == world.district_admin


def test_an_export_past_the_row_limit_is_cut_and_says_so(world, client_for, monkeypatch):
    from fugong.core import selectors

    monkeypatch.setattr(selectors, "EXPORT_ROW_LIMIT", 2)
    for i in range(5):
        audit_row_at(at(2020, 2, 1), object_id=str(i))
    book = sheets(client_for("auditor").get(AUDIT_URL + "?format=xlsx"))
    assert len(book["操作日志"]) == 3  # column names + 2 rows
    info = dict((r[0], r[1]) for r in book["导出信息"])
    assert "仅导出前 2 条" in info["说明"]
    assert AccessLog.objects.get(kind="export").record_count == 2


def test_the_log_tables_carry_only_the_indexes_their_queries_use(db):
    """Every audited write pays for each index: no *_like twins, no single-column index the composite covers."""
    from django.db import connection

    with connection.cursor() as cursor:
        audit = connection.introspection.get_constraints(cursor, "core_auditlog")
        access = connection.introspection.get_constraints(cursor, "core_accesslog")
    audit_indexes = {tuple(c["columns"]) for c in audit.values() if c["index"] and not c["primary_key"]}
    access_indexes = {tuple(c["columns"]) for c in access.values() if c["index"] and not c["primary_key"]}
    assert audit_indexes == {("at",), ("actor_id",), ("object_type", "object_id", "at"), ("object_id",), ("action",)}
    assert access_indexes == {("at",), ("actor_id",), ("kind",), ("subject_id",)}
    assert not [name for name in [*audit, *access] if name.endswith("_like")]
