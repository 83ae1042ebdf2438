"""The snapshots and the dashboard: figures equal a direct count over the records, for every scope, from the
snapshot and live; stale snapshots are noticed; the pages keep their query budgets; each number links to its
records."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test.utils import override_settings

from fugong.core import figures, scoping
from fugong.core.testing import EnterpriseFactory, assert_max_queries
from fugong.enterprises.models import Enterprise
from fugong.resumption import snapshots, stats
from fugong.resumption.models import EnterpriseDay, SnapshotDay, SnapshotRun

from .helpers import filed, inspected, submitted, today

pytestmark = pytest.mark.django_db

YESTERDAY = dt.timedelta(days=1)
KEYS = ["above_scale_industrial_total", "above_scale_industrial_resumed", "enterprises_total", "enterprises_resumed"]


@pytest.fixture
def district(world):
    """X filed (resumed today); in town A two more 规上 (one resumed since yesterday by its fields), one service
    firm partly resumed; in town B Y and one 规上 not resumed; a snapshot of yesterday and today."""
    filed(world)
    EnterpriseFactory(town=world.town_a, status="resumed", resumed_on=today() - YESTERDAY)
    EnterpriseFactory(town=world.town_a)
    EnterpriseFactory(
        town=world.town_a,
        industry_section="H",
        industry_division="62",
        annual_revenue_wan=300,
        status="partial",
        resumed_on=today() - dt.timedelta(days=10),
    )
    EnterpriseFactory(town=world.town_b)
    snapshots.refresh([today() - YESTERDAY, today()])
    return world


def direct_counts(user, day: dt.date) -> dict[str, int]:
    """What the figures must say, counted straight from the registry (no history other than `filed` today)."""
    qs = scoping.enterprises_for(user)
    resumed = Q(status__in=["resumed", "partial"], resumed_on__lte=day)
    asi = qs.filter(category="above_scale_industrial")
    return {
        "above_scale_industrial_total": asi.count(),
        "above_scale_industrial_resumed": asi.filter(resumed).count(),
        "enterprises_total": qs.count(),
        "enterprises_resumed": qs.filter(resumed).count(),
    }


@pytest.mark.parametrize("persona", ["district_admin", "town_a_officer", "leader_of_x", "liaison_of_x", "hrss_officer"])
@pytest.mark.parametrize("days_back", [0, 1])
def test_the_figures_equal_a_direct_count_over_the_records_for_every_scope(district, persona, days_back):
    user = district.users[persona]
    day = today() - dt.timedelta(days=days_back)
    assert snapshots.fresh_day(day) is not None
    from_snapshot = figures.compute(user, day, KEYS)
    assert from_snapshot == direct_counts(user, day)
    SnapshotDay.objects.update(stale=True)  # the live path counts the same
    assert figures.compute(user, day, KEYS) == from_snapshot


def test_the_dashboard_tables_equal_the_records_by_category_and_town(district, client_for):
    response = client_for("district_admin").get("/resumption/dashboard/", {"date": today().isoformat()})
    assert response.status_code == 200
    rows = {r["label"]: r for r in response.context["categories"]}
    asi = Enterprise.objects.filter(category="above_scale_industrial")
    assert rows["规上工业"]["total"] == asi.count() == 4
    assert rows["规上工业"]["resumed"] == asi.filter(status="resumed").count() == 2
    towns = {r["label"]: r for r in response.context["towns"]}
    assert (
        towns["栖凤渡镇"]["resumed"]
        == Enterprise.objects.filter(town=district.town_a, status__in=["resumed", "partial"]).count()
    )
    assert towns["白露塘镇"]["resumed"] == 0 and towns["白露塘镇"]["total"] == 2
    assert response.context["categories"][0]["label"] == "规上工业"  # 规上工业 first
    # Yesterday X had not resumed yet: the series says so.
    series = json.loads(
        response.content.decode().split('id="fg-charts" type="application/json">')[1].split("</script>")[0]
    )
    asi_line = next(s for s in series["rate_series"]["series"] if s["name"] == "规上工业")
    assert asi_line["data"] == [25.0, 50.0] and "{date}" in asi_line["url"]


def test_a_town_officer_sees_only_their_town(district, client_for):
    response = client_for("town_a_officer").get("/resumption/dashboard/", {"date": today().isoformat()})
    total = response.context["total"]
    assert total["total"] == Enterprise.objects.filter(town=district.town_a).count() == 4
    assert {r["label"] for r in response.context["towns"]} == {"栖凤渡镇"}
    assert district.y.name not in response.content.decode()


def test_every_number_links_to_exactly_the_records_behind_it(district, client_for):
    client = client_for("district_admin")
    response = client.get("/resumption/dashboard/", {"date": today().isoformat()})
    row = next(r for r in response.context["categories"] if r["label"] == "规上工业")
    listed = client.get(row["url_resumed"])
    assert listed.context["page"].paginator.count == row["resumed"] == 2
    names = {r.enterprise.name for r in listed.context["rows"]}
    assert district.x.name in names
    card = next(c for c in response.context["cards"] if c["key"] == "asi_rate")
    assert client.get(card["url"]).context["page"].paginator.count == 2
    funnel = {s["name"]: s for s in response.context["funnel"]}
    assert funnel["已备案"]["value"] == 1
    assert client.get(funnel["已备案"]["url"]).context["page"].paginator.count == 1


def test_the_records_page_keeps_to_the_viewers_scope(district, client_for):
    page = client_for("town_a_officer").get("/resumption/dashboard/records/", {"date": today().isoformat()})
    assert {r.enterprise.town_id for r in page.context["rows"]} == {district.town_a.code}
    assert client_for("leader_of_x").get("/resumption/dashboard/records/").context["page"].paginator.count == 1


@pytest.mark.parametrize("persona", ["district_admin", "town_a_officer", "leader_of_x"])
def test_the_dashboard_runs_a_fixed_number_of_queries_however_many_enterprises(district, client_for, persona):
    from django.core.cache import cache

    client = client_for(persona)
    url = f"/resumption/dashboard/?date={today().isoformat()}"
    client.get(url)
    cache.clear()
    with assert_max_queries(9) as few:  # session, user, district, snapshot days, aggregates, town names…
        client.get(url)
    for i in range(30):
        EnterpriseFactory(
            town=district.town_a if i % 2 else district.town_b, status="resumed", resumed_on=today() - YESTERDAY
        )
    snapshots.refresh([today() - YESTERDAY, today()])
    cache.clear()
    with assert_max_queries(len(few.captured_queries)):
        client.get(url)
    if persona != "leader_of_x":  # a district or town body is cached per snapshot version
        with assert_max_queries(len(few.captured_queries) - 2):
            page = client.get(url)
        assert 'data-card="asi_rate"' in page.content.decode()


def test_the_big_screen_and_the_api_read_the_same_snapshot(district, client_for):
    client = client_for("district_admin")
    screen = client.get("/resumption/dashboard/screen/", {"date": today().isoformat()})
    assert screen.status_code == 200 and "指挥大屏" in screen.content.decode()
    api = client.get("/api/v1/resumption/dashboard", {"date": today().isoformat()}).json()
    cats = {c["key"]: c for c in api["by_category"]}
    assert cats["above_scale_industrial"]["resumed"] == 2 and api["total"]["enterprises"] == 6
    assert api["fresh"] is True and api["funnel"]["filed"] == 1
    assert client.get("/api/v1/resumption/dashboard", {"date": "2019-01-01"}).status_code == 422
    assert client.get("/api/v1/resumption/dashboard", {"date": "x"}).status_code == 422


def test_the_overview_api_and_the_daily_brief_give_the_same_resumption_figures(district, client_for):
    out = StringIO()
    call_command("daily_brief", "--date", today().isoformat(), "--format", "json", stdout=out)
    brief = json.loads(out.getvalue())["figures"]
    overview = (
        client_for("district_admin").get("/api/v1/stats/overview", {"date": today().isoformat()}).json()["figures"]
    )
    assert (
        {k: brief[k] for k in KEYS} == {k: overview[k] for k in KEYS} == direct_counts(scoping.DISTRICT_WIDE, today())
    )


# --- freshness --------------------------------------------------------------------------------------
def test_a_write_marks_its_days_stale_and_queues_one_refresh(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        from fugong.resumption import services

        y = Enterprise.objects.get(pk=district.y.pk)
        app = services.check_create_application(district.enterprise_admin_y, y, _draft(), _files())
        services.check_submit(district.enterprise_admin_y, app)
    assert SnapshotDay.objects.get(day=today()).stale
    assert not SnapshotDay.objects.get(day=today() - YESTERDAY).stale
    assert SnapshotRun.objects.filter(status="queued").count() == 1  # two writes, one queued run
    run = SnapshotRun.objects.get()
    snapshots.run(run.pk)
    run.refresh_from_db()
    assert run.status == "done" and snapshots.fresh_day(today()) is not None
    assert stats.breakdown(district.district_admin, today(), "all")[""]["applied"] == 2


def _draft():
    from fugong.resumption import services

    from .helpers import draft_data

    return draft_data(services.current_checklist())


def _files():
    from fugong.resumption import services

    from .helpers import draft_files

    return draft_files(services.current_checklist())


def test_an_enterprise_added_outside_the_app_makes_the_snapshot_outdated(district):
    assert snapshots.fresh_day(today()) is not None
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                uscc="91350100M000100Y43",
                name="导入企业",
                town=district.town_b,
                industry_section="F",
                ownership="private",
                category="trade",
            )
        ]
    )
    assert snapshots.fresh_day(today()) is None
    assert figures.compute(scoping.DISTRICT_WIDE, today(), ["enterprises_total"])["enterprises_total"] == 7
    assert today() in snapshots.due_days()


def test_an_edit_of_an_enterprises_classification_marks_every_day_stale(district):
    x = Enterprise.objects.get(pk=district.x.pk)
    x.save()  # a full save (the admin site, a script): it may have changed anything
    assert not SnapshotDay.objects.filter(stale=False).exists()


def test_a_registry_edit_outdates_the_snapshots_only_when_it_moves_figures(district):
    from fugong.enterprises import services as registry

    x = Enterprise.objects.get(pk=district.x.pk)
    version = x.version
    assert registry.do_update_enterprise(None, x, {"contact_phone": "13800000000", "address": "新地址1号"})
    assert not SnapshotDay.objects.filter(stale=True).exists()  # a phone and an address move no figure
    x.refresh_from_db()
    assert x.contact_phone == "13800000000" and x.address == "新地址1号" and x.version == version + 1
    assert registry.do_update_enterprise(None, x, {"town": district.town_b})
    assert not SnapshotDay.objects.filter(stale=False).exists()  # another town: every day is outdated
    assert Enterprise.objects.get(pk=x.pk).town_id == district.town_b.pk


def test_the_dashboard_shows_that_an_update_is_under_way(district, client_for):
    SnapshotDay.objects.update(stale=True)
    SnapshotRun.objects.create(trigger="change", status="running", days_total=2, days_done=1)
    page = client_for("district_admin").get("/resumption/dashboard/").content.decode()
    assert 'data-testid="snapshot-running"' in page and "1/2" in page
    poll = client_for("district_admin").get("/resumption/dashboard/status/", {"poll": "1"}).content.decode()
    assert "hx-get" in poll


def test_without_any_snapshot_the_dashboard_says_so(world, client_for):
    page = client_for("district_admin").get("/resumption/dashboard/")
    assert page.status_code == 200 and 'data-testid="no-snapshot"' in page.content.decode()


def test_the_refresh_button_queues_a_run_for_the_task_worker(district, client_for, django_capture_on_commit_callbacks):
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for("district_admin").post("/resumption/dashboard/refresh/")
    assert response.status_code == 302
    assert SnapshotRun.objects.filter(trigger="manual", status="queued").exists()


def test_the_snapshot_command_recomputes_a_range_and_refuses_bad_dates(district):
    EnterpriseDay.objects.all().delete()
    out = StringIO()
    call_command(
        "snapshot_resumption", "--from", (today() - YESTERDAY).isoformat(), "--to", today().isoformat(), stdout=out
    )
    assert "已汇总 2 天" in out.getvalue()
    assert EnterpriseDay.objects.filter(day=today()).count() == Enterprise.objects.count()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("snapshot_resumption", "--date", "2020-02-30")
    with pytest.raises(CommandError):
        call_command("snapshot_resumption", "--from", "2020-03-02", "--to", "2020-02-01")


def test_the_figures_for_a_day_before_any_history_come_from_the_records(district):
    before = today() - dt.timedelta(days=30)
    counts = figures.compute(scoping.DISTRICT_WIDE, before, KEYS)
    assert counts["enterprises_resumed"] == 0 and counts["enterprises_total"] == 6


def test_attendance_and_capacity_come_from_reports_else_the_roster(district):
    from fugong.core.identifiers import id_check_char
    from fugong.resumption import services
    from fugong.workforce import services as workforce

    services.check_report(
        district.enterprise_admin_x,
        district.x,
        services.ReportData(day=today(), registered=700, on_duty=350, daily_output=600, normal_output=1000),
    )
    body = "43100319900101001"
    record = workforce.clean_employee(
        {"name": "返岗员工", "id_number": body + id_check_char(body), "returned_on": today() - YESTERDAY}
    )
    workforce.do_upsert_employees(None, district.x, [record])
    snapshots.refresh([today() - YESTERDAY, today()])
    x_today = EnterpriseDay.objects.get(enterprise=district.x, day=today())
    assert (x_today.on_duty, x_today.registered, x_today.on_duty_source, x_today.reported) == (350, 700, "report", True)
    x_before = EnterpriseDay.objects.get(enterprise=district.x, day=today() - YESTERDAY)
    assert (x_before.on_duty, x_before.on_duty_source, x_before.reported) == (1, "roster", False)
    total = stats.breakdown(district.district_admin, today(), "all")[""]
    assert total.capacity_rate == 0.6
    assert total["expected_reports"] == 3 and total.missing_reports == 2


def test_the_inspected_and_passed_stages_feed_the_funnel(world):
    inspected(world, submitted(world), fail=(6,))
    snapshots.refresh([today()])
    total = stats.breakdown(world.district_admin, today(), "all")[""]
    assert (total["applied"], total["inspected"], total["passed"], total["rectifying"]) == (1, 1, 0, 1)


@pytest.mark.parametrize("persona", ["district_admin", "hrss_officer", "town_a_officer", "leader_of_x", "bank_officer"])
def test_a_pre_aggregated_area_is_exactly_the_viewers_scope(world, persona):
    user = world.users[persona]
    area = scoping.aggregate_area(user)
    in_scope = set(scoping.enterprises_for(user).values_list("id", flat=True))
    if area is None:
        assert persona in ("leader_of_x", "bank_officer")
        return
    in_area = Enterprise.objects.all() if area == scoping.DISTRICT_AREA else Enterprise.objects.filter(town_id=area)
    assert set(in_area.values_list("id", flat=True)) == in_scope
