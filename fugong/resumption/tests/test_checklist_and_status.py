"""The checklist as versioned data; enterprise status marks and their history; daily reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fugong.core.models import AuditLog
from fugong.enterprises.models import Enterprise
from fugong.resumption import history, services, uploads
from fugong.resumption.defaults import CHECKLIST_ITEMS
from fugong.resumption.models import Checklist, ChecklistItem, DailyReport, Inspection, StatusChange

from .helpers import filed, inspected, inspection_data, submitted, today

pytestmark = pytest.mark.django_db


def items_of(checklist: Checklist) -> list[services.ItemData]:
    return [services.ItemData(i.title, i.description, i.mandatory, i.evidence) for i in checklist.items.all()]


# --- the checklist -----------------------------------------------------------------------------------
def test_the_default_checklist_is_the_ten_items_of_the_domain_rules():
    checklist = services.current_checklist()
    assert checklist.version == 1 and checklist.source
    titles = list(checklist.items.values_list("title", flat=True))
    assert titles == [t for _o, t, _d, _m, _e in CHECKLIST_ITEMS] and len(titles) == 10
    assert titles[0] == "组织机构到位" and titles[-1] == "安全生产到位"


def test_publishing_a_new_version_leaves_the_old_one_and_its_inspections_untouched(world):
    app = inspected(world, submitted(world))
    old = services.current_checklist()
    old_items = list(old.items.values_list("pk", "title", "mandatory"))
    edited = items_of(old)
    edited[3].mandatory = True  # 检测到位 becomes mandatory
    edited.append(services.ItemData("通勤管理到位", "班车消毒、乘车登记", True, "note"))
    new = services.check_publish_checklist(world.district_admin, edited, today(), "苏仙疫防〔2020〕12号", "增加通勤项")
    assert new.version == 2 and new.items.count() == 11
    assert list(old.items.values_list("pk", "title", "mandatory")) == old_items
    inspection = Inspection.objects.get(application=app)
    assert inspection.checklist_id == old.pk
    assert services.current_checklist() == new
    assert services.current_checklist(today() - dt.timedelta(days=1)) == old
    assert AuditLog.objects.filter(action="resumption.checklist.publish", object_id=str(new.pk)).exists()


def test_an_inspection_after_a_new_version_uses_the_new_items(world):
    app = submitted(world)  # self-check against version 1
    edited = items_of(services.current_checklist())
    edited.append(services.ItemData("通勤管理到位", "", True, "note"))
    new = services.check_publish_checklist(world.district_admin, edited, today(), "苏仙疫防〔2020〕12号")
    services.check_inspect(world.town_a_officer, app, inspection_data(app), uploads.Uploads())
    inspection = Inspection.objects.get(application=app)
    assert inspection.checklist_id == new.pk and inspection.results.count() == 11
    assert app.checklist.version == 1  # the application keeps the version its self-check used


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"effective_from": dt.date(2020, 1, 5)}, "effective_from"),  # no backdating
        ({"source": ""}, "source"),
        ({"items": []}, "__all__"),
        ({"items": [services.ItemData("物资到位"), services.ItemData("物资到位")]}, "title_2"),
        ({"items": [services.ItemData("物资到位", evidence="video")]}, "evidence_1"),
    ],
)
def test_a_bad_checklist_version_is_refused_and_nothing_is_published(world, change, field):
    args = {
        "items": items_of(services.current_checklist()),
        "effective_from": today(),
        "source": "苏仙疫防〔2020〕12号",
    }
    args.update(change)
    with pytest.raises(services.ResumptionError) as exc:
        services.check_publish_checklist(world.district_admin, args["items"], args["effective_from"], args["source"])
    assert field in exc.value.errors
    assert Checklist.objects.count() == 1


def test_only_the_district_admin_publishes_a_checklist(world):
    with pytest.raises(PermissionDenied):
        services.check_publish_checklist(world.town_a_officer, [services.ItemData("x")], today(), "文号")
    assert ChecklistItem.objects.count() == 10


def test_the_checklist_pages_show_versions_and_the_form_publishes_one(world, client_for):
    client = client_for("district_admin")
    form = client.get("/resumption/checklist/new/")
    assert form.status_code == 200 and "组织机构到位" in form.content.decode()
    data = {"effective_from": today().isoformat(), "source": "苏仙疫防〔2020〕12号", "note": "调整"}
    for i, item in enumerate(items_of(services.current_checklist()), 1):
        data.update({f"title_{i}": item.title, f"description_{i}": item.description, f"evidence_{i}": item.evidence})
        if item.mandatory:
            data[f"mandatory_{i}"] = "on"
    data.update({"title_11": "通勤管理到位", "evidence_11": "note", "mandatory_11": "on"})
    response = client.post("/resumption/checklist/new/", data)
    assert response.status_code == 302
    page = client.get("/resumption/checklist/").content.decode()
    assert "第2版" in page and "通勤管理到位" in page
    assert "通勤管理到位" not in client.get("/resumption/checklist/1/").content.decode()


# --- status marks and history ------------------------------------------------------------------------
def test_a_resumed_enterprise_can_be_marked_suspended_then_resumed_with_reasons(world):
    filed(world, on=today() - dt.timedelta(days=5))
    x = Enterprise.objects.get(pk=world.x.pk)
    services.check_mark_status(
        world.town_a_officer, x, "suspended", today() - dt.timedelta(days=3), "员工发热，停工消杀"
    )
    services.check_mark_status(world.town_a_officer, x, "resumed", today() - dt.timedelta(days=1), "消杀完成")
    rows = list(
        StatusChange.objects.filter(enterprise=x).order_by("effective_on").values_list("from_status", "to_status")
    )
    assert rows == [("not_resumed", "resumed"), ("resumed", "suspended"), ("suspended", "resumed")]
    qs = Enterprise.objects.filter(pk=x.pk)
    on = {d: dict(history.statuses_on(qs, today() - dt.timedelta(days=d)))[x.category] for d in range(7)}
    assert on[6] == "not_resumed" and on[4] == "resumed" and on[2] == "suspended" and on[0] == "resumed"


@pytest.mark.parametrize(
    ("to", "message"),
    [("partial", "尚未复工"), ("suspended", "尚未复工"), ("resumed", "尚未复工"), ("not_resumed", "请选择")],
)
def test_an_enterprise_that_never_resumed_cannot_be_marked_by_hand(world, to, message):
    with pytest.raises(services.ResumptionError) as exc:
        services.check_mark_status(world.town_a_officer, world.x, to, today(), "测试原因")
    assert message in exc.value.message
    assert not StatusChange.objects.exists()


def test_a_status_change_cannot_predate_the_last_one_nor_lack_a_reason(world):
    filed(world, on=today())
    x = Enterprise.objects.get(pk=world.x.pk)
    with pytest.raises(services.ResumptionError) as exc:
        services.check_mark_status(world.town_a_officer, x, "suspended", today() - dt.timedelta(days=1), "停工")
    assert "不能早于上一次" in exc.value.message
    with pytest.raises(services.ResumptionError) as exc:
        services.check_mark_status(world.town_a_officer, x, "suspended", today(), "")
    assert "reason" in exc.value.errors
    with pytest.raises(services.ResumptionError):
        services.check_mark_status(world.town_a_officer, x, "resumed", today(), "已是全面复工")
    assert StatusChange.objects.filter(enterprise=x).count() == 1


def test_marking_status_is_for_towns_and_the_district_only(world):
    filed(world)
    with pytest.raises(PermissionDenied):
        services.check_mark_status(world.liaison_of_x, world.x, "partial", today(), "减产")


def test_an_enterprise_without_history_counts_by_its_fields():
    assert history.status_on((), "resumed", dt.date(2020, 2, 20), dt.date(2020, 2, 19)) == "not_resumed"
    assert history.status_on((), "resumed", dt.date(2020, 2, 20), dt.date(2020, 2, 20)) == "resumed"
    assert history.status_on((), "not_resumed", None, dt.date(2020, 2, 20)) == "not_resumed"


# --- daily reports -----------------------------------------------------------------------------------
def report(**kw):
    values = {
        "day": today(),
        "registered": 360,
        "on_duty": 240,
        "daily_output": 30000,
        "normal_output": 40000,
        "output_unit": "份",
        "orders_on_hand": 39600,
    }
    values.update(kw)
    return services.ReportData(**values)


def test_a_daily_report_computes_capacity_from_output_and_a_second_one_corrects_it(world):
    filed(world)
    saved, created = services.check_report(world.enterprise_admin_x, world.x, report())
    assert created and saved.capacity_rate == Decimal("0.7500")
    saved, created = services.check_report(world.liaison_of_x, world.x, report(on_duty=250))
    assert not created and DailyReport.objects.get(enterprise=world.x).on_duty == 250
    audit = AuditLog.objects.filter(action="resumption.report.update").get()
    assert audit.changes["on_duty"] == [240, 250]


def test_a_typed_capacity_rate_is_used_when_there_is_no_output(world):
    filed(world)
    saved, _ = services.check_report(
        world.enterprise_admin_x,
        world.x,
        report(daily_output=None, normal_output=None, capacity_percent=Decimal("62.5")),
    )
    assert saved.capacity_rate == Decimal("0.6250")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"on_duty": 400}, "on_duty"),
        ({"registered": 0}, "registered"),
        ({"registered": None}, "registered"),
        ({"normal_output": 0}, "normal_output"),
        ({"day": dt.date(2019, 12, 31)}, "day"),
        ({"daily_output": 10**9, "normal_output": 1}, "daily_output"),
        ({"daily_output": None, "normal_output": None, "capacity_percent": Decimal("500")}, "capacity_percent"),
    ],
)
def test_a_bad_daily_report_is_refused_with_the_field_named(world, change, field):
    filed(world)
    with pytest.raises(services.ResumptionError) as exc:
        services.check_report(world.enterprise_admin_x, world.x, report(**change))
    assert field in exc.value.errors
    assert not DailyReport.objects.exists()


def test_no_report_for_a_day_the_enterprise_was_not_working(world):
    with pytest.raises(services.ResumptionError) as exc:
        services.check_report(world.enterprise_admin_x, world.x, report())
    assert "未处于复工状态" in exc.value.message


def test_reports_come_from_the_enterprise_or_its_liaison_only(world):
    filed(world)
    for persona in ("town_a_officer", "district_admin", "leader_of_x"):
        with pytest.raises(PermissionDenied):
            services.check_report(world.users[persona], world.x, report())


def test_the_report_form_posts_and_shows_on_the_enterprise_page(world, client_for):
    filed(world)
    client = client_for("enterprise_admin_x")
    url = f"/resumption/enterprise/{world.x.pk}/report/"
    data = {
        "day": today().isoformat(),
        "registered": 700,
        "on_duty": 350,
        "daily_output": 800,
        "normal_output": 1000,
        "output_unit": "件",
    }
    assert client.post(url, {**data, "on_duty": 900}).status_code == 400
    assert client.post(url, data).status_code == 302
    page = client.get(f"/resumption/enterprise/{world.x.pk}/").content.decode()
    assert "80%" in page and "350" in page
