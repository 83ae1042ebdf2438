"""The pages and the API: forms post through the services, bad input is a 400/422 with the field named and
nothing written, actions are offered only to whoever may take them, files are served only in scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fugong.core.testing import assert_max_queries
from fugong.resumption import services, uploads
from fugong.resumption.models import Application, DailyReport, Evidence

from .helpers import PDF, PNG, filed, inspected, pdf, png, submitted, today

pytestmark = pytest.mark.django_db


def form_post(checklist, **extra):
    data = {"planned_date": today().isoformat(), "batch_workers": "470,238", "note": "第一批员工已建档"}
    for item in checklist.items.all():
        data[f"answer_{item.pk}"] = "done"
        data[f"note_{item.pk}"] = "已落实"
        data[f"files_{item.pk}"] = png() if item.evidence == "photo" else pdf("材料.pdf")
    data.update(prevention_plan=pdf("防控方案.pdf"), emergency_plan=pdf("应急预案.pdf"), **extra)
    return data


def test_the_enterprise_fills_in_and_submits_an_application_from_the_form(world, client_for):
    client = client_for("enterprise_admin_x")
    checklist = services.current_checklist()
    response = client.post("/resumption/applications/new/", form_post(checklist, submit="1"))
    app = Application.objects.get(enterprise=world.x)
    assert response.status_code == 302 and response["Location"] == f"/resumption/applications/{app.pk}/"
    assert app.state == "submitted" and app.batch_workers == [470, 238]
    assert Evidence.objects.filter(application=app).count() == 2 + checklist.items.count()
    page = client.get(response["Location"]).content.decode()
    assert "待现场核查" in page and "防控方案.pdf" in page


def test_saving_an_incomplete_draft_says_what_is_missing(world, client_for):
    client = client_for("liaison_of_x")
    data = form_post(services.current_checklist(), submit="1")
    del data["emergency_plan"]
    response = client.post(f"/resumption/applications/new/?enterprise={world.x.pk}", data, follow=True)
    app = Application.objects.get(enterprise=world.x)
    assert app.state == "draft"
    assert "应急处置预案" in response.content.decode()


def test_a_bad_upload_is_a_400_on_the_form_and_writes_nothing(world, client_for):
    data = form_post(services.current_checklist())
    data["prevention_plan"] = SimpleUploadedFile("方案.pdf", b"MZ\x90 not a pdf")
    response = client_for("enterprise_admin_x").post("/resumption/applications/new/", data)
    assert response.status_code == 400 and "内容与扩展名不符" in response.content.decode()
    assert not Application.objects.exists() and not Evidence.objects.exists()


def test_the_inspection_form_records_a_failed_item_with_its_deadline(world, client_for):
    app = submitted(world)
    client = client_for("town_a_officer")
    items = list(services.current_checklist().items.all())
    data = {"inspected_on": today().isoformat(), "notes": "现场核查"}
    for item in items:
        data[f"result_{item.pk}"] = "pass"
    item6 = items[5]
    data.update({f"result_{item6.pk}": "fail", f"note_{item6.pk}": "消毒记录不全"})
    response = client.post(f"/resumption/applications/{app.pk}/inspect/", data)
    assert response.status_code == 400 and "整改期限" in response.content.decode()
    data[f"rectify_by_{item6.pk}"] = (today() + dt.timedelta(days=3)).isoformat()
    data[f"files_{item6.pk}"] = png()
    response = client.post(f"/resumption/applications/{app.pk}/inspect/", data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == "rectifying"
    assert Evidence.objects.filter(application=app, purpose="inspection", item=item6).count() == 1


def test_actions_are_offered_only_to_whoever_may_take_them(world, client_for):
    app = inspected(world, submitted(world))
    url = f"/resumption/applications/{app.pk}/"
    assert 'data-testid="file"' in client_for("district_admin").get(url).content.decode()
    town_page = client_for("town_a_officer").get(url).content.decode()
    assert 'data-testid="file"' not in town_page and 'data-testid="inspect"' not in town_page
    assert 'data-testid="submit"' not in client_for("enterprise_admin_x").get(url).content.decode()


def test_a_post_by_the_applicant_to_approve_their_own_application_is_forbidden(world, client_for):
    app = submitted(world, world.town_a_officer)
    page = client_for("town_a_officer").get(f"/resumption/applications/{app.pk}/").content.decode()
    assert 'data-testid="inspect"' not in page
    response = client_for("town_a_officer").post(f"/resumption/applications/{app.pk}/reject/", {"reason": "自己退回"})
    assert response.status_code == 403
    assert Application.objects.get(pk=app.pk).state == "submitted"


def test_the_filing_form_validates_the_date(world, client_for):
    app = inspected(world, submitted(world))
    client = client_for("district_admin")
    url = f"/resumption/applications/{app.pk}/file/"
    bad = client.post(url, {"actual_date": (today() + dt.timedelta(days=2)).isoformat(), "resumed_as": "resumed"})
    assert bad.status_code == 400 and "不能晚于今天" in bad.content.decode()
    assert client.post(url, {"actual_date": today().isoformat(), "resumed_as": "partial"}).status_code == 302
    world.x.refresh_from_db()
    assert world.x.status == "partial"


def test_marking_status_from_the_enterprise_page(world, client_for):
    filed(world, on=today() - dt.timedelta(days=2))
    client = client_for("town_a_officer")
    url = f"/resumption/enterprise/{world.x.pk}/status/"
    assert client.post(url, {"to_status": "suspended", "on": today().isoformat(), "reason": ""}).status_code == 400
    assert (
        client.post(url, {"to_status": "suspended", "on": today().isoformat(), "reason": "停工消杀"}).status_code == 302
    )
    page = client.get(f"/resumption/enterprise/{world.x.pk}/").content.decode()
    assert "停工消杀" in page and "停工" in page


def test_evidence_is_served_in_scope_only_and_never_cached(world, client_for):
    app = submitted(world)
    evidence = Evidence.objects.filter(application=app, kind="image").first()
    response = client_for("town_a_officer").get(f"/resumption/files/{evidence.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Cache-Control"] == "private, no-store" and response["Content-Type"] == "image/png"
    assert client_for("enterprise_admin_y").get(f"/resumption/files/{evidence.pk}/").status_code == 404
    plan = Evidence.objects.filter(application=app, kind="pdf").first()
    assert b"".join(client_for("enterprise_admin_x").get(f"/resumption/files/{plan.pk}/").streaming_content) == PDF


def test_the_application_list_filters_and_keeps_to_scope(world, client_for):
    submitted(world)
    assert (
        client_for("town_a_officer")
        .get("/resumption/applications/", {"state": "submitted"})
        .context["page"]
        .paginator.count
        == 1
    )
    assert client_for("enterprise_admin_y").get("/resumption/applications/").context["page"].paginator.count == 0
    assert (
        client_for("district_admin")
        .get("/resumption/applications/", {"state": "filed"})
        .context["page"]
        .paginator.count
        == 0
    )


def test_the_application_list_runs_a_fixed_number_of_queries(world, client_for):
    from fugong.core.testing import EnterpriseFactory

    submitted(world)
    client = client_for("district_admin")
    client.get("/resumption/applications/")
    with assert_max_queries(10) as few:
        client.get("/resumption/applications/")
    for _ in range(5):
        e = EnterpriseFactory(town=world.town_a)
        checklist = services.current_checklist()
        items = list(checklist.items.all())
        services.do_create_application(
            world.district_admin, e, checklist, items, services.DraftData(today(), [5]), uploads.Uploads()
        )
    with assert_max_queries(len(few.captured_queries)):
        client.get("/resumption/applications/")


# --- API ------------------------------------------------------------------------------------------
def test_the_api_lists_applications_in_scope_with_their_history(world, client_for):
    app = filed(world)
    listing = client_for("town_a_officer").get("/api/v1/resumption/applications").json()
    assert listing["count"] == 1 and listing["items"][0]["state"] == "filed"
    detail = client_for("town_a_officer").get(f"/api/v1/resumption/applications/{app.pk}").json()
    assert [e["action"] for e in detail["events"]] == ["create", "submit", "inspect_pass", "file"]
    assert detail["inspections"][0]["passed"] is True and len(detail["inspections"][0]["results"]) == 10
    assert client_for("enterprise_admin_y").get(f"/api/v1/resumption/applications/{app.pk}").status_code == 404
    assert client_for("bank_officer").get(f"/api/v1/resumption/applications/{app.pk}").status_code == 403


def test_the_api_takes_a_daily_report_and_names_each_bad_field(world, client_for):
    filed(world)
    client = client_for("enterprise_admin_x")
    url = f"/api/v1/resumption/enterprises/{world.x.pk}/daily-reports"
    body = {
        "day": today().isoformat(),
        "registered": 360,
        "on_duty": 240,
        "daily_output": 30000,
        "normal_output": 40000,
    }
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201 and response.json()["capacity_rate"] == "0.7500"
    bad = client.post(url, {**body, "on_duty": 400}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "on_duty"
    extra = client.post(url, {**body, "hack": 1}, content_type="application/json")
    assert extra.status_code == 422
    assert DailyReport.objects.get().on_duty == 240
    assert client_for("town_a_officer").post(url, body, content_type="application/json").status_code == 403


def test_the_supplies_item_shows_the_days_of_supply_when_the_supplies_app_has_them(world, client_for, monkeypatch):
    from fugong.resumption import hooks

    app = submitted(world)
    url = f"/resumption/applications/{app.pk}/inspect/"
    monkeypatch.setattr(hooks, "supply_days", lambda enterprise, on: 9)
    assert "可保障 9 天" in client_for("town_a_officer").get(url).content.decode()
    monkeypatch.setattr(hooks, "supply_days", lambda enterprise, on: None)
    assert "暂无该企业的保障天数" in client_for("town_a_officer").get(url).content.decode()


def test_the_supply_hook_answers_none_without_the_supplies_app(world, monkeypatch):
    import sys

    from fugong.resumption import hooks

    monkeypatch.setitem(sys.modules, "fugong.supplies.selectors", None)  # as if the app were not installed
    assert hooks.supply_days(world.x, today()) is None
    assert hooks.supply_item_ids(services.current_checklist().items.all()) == {
        services.current_checklist().items.get(order=5).pk
    }
