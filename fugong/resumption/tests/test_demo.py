"""The demo's February 2020 (fugong/demo/step_10_resumption.py): the records explain every status, with
consistent dates, and the figures of 2020-03-02 are the article's.

The demo is loaded once for the module inside a transaction rolled back at the end."""

from __future__ import annotations

import datetime as dt
import io
import os
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Min
from django.test.utils import override_settings

from fugong.core import figures, scoping
from fugong.demo.enterprises import FENGCHU, GOSPELL
from fugong.enterprises.models import Enterprise
from fugong.resumption.models import (
    Application,
    ApplicationEvent,
    DailyReport,
    InspectionResult,
    SnapshotDay,
    StatusChange,
)

AS_OF = dt.date(2020, 3, 2)


def load() -> str:
    out = io.StringIO()
    with mock.patch.dict(os.environ, {"FUGONG_DEMO_PASSWORD": "suxian-demo-2020"}):
        call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        with transaction.atomic():
            output = load()
            yield output
            transaction.set_rollback(True)


@pytest.fixture
def db_demo(demo, db):
    return demo


def test_on_2_march_all_68_above_scale_enterprises_had_resumed_from_the_snapshot_and_from_the_records(db_demo):
    assert SnapshotDay.objects.filter(day__gte=dt.date(2020, 2, 1), day__lte=AS_OF, stale=False).count() == 31
    keys = ["above_scale_industrial_total", "above_scale_industrial_resumed", "above_scale_industrial_resumption_rate"]
    from_snapshot = figures.compute(scoping.DISTRICT_WIDE, AS_OF, keys)
    assert from_snapshot == {keys[0]: 68, keys[1]: 68, keys[2]: 1.0}
    SnapshotDay.objects.update(stale=True)
    assert figures.compute(scoping.DISTRICT_WIDE, AS_OF, keys) == from_snapshot
    earlier = figures.compute(scoping.DISTRICT_WIDE, dt.date(2020, 2, 10), keys)
    assert 0 < earlier[keys[1]] < 68


def test_every_working_enterprise_has_a_filed_application_and_a_status_change_on_its_resumption_day(db_demo):
    working = Enterprise.objects.filter(status__in=["resumed", "partial"])
    assert working.count() > 400
    for e in working:
        app = Application.objects.get(enterprise=e, state="filed")
        assert app.actual_date == e.resumed_on and app.resumed_as == e.status
        change = StatusChange.objects.filter(enterprise=e, application=app).get()
        assert (change.from_status, change.to_status, change.effective_on) == ("not_resumed", e.status, e.resumed_on)


def test_each_applications_events_are_in_order_and_start_no_earlier_than_february(db_demo):
    span = ApplicationEvent.objects.aggregate(first=Min("at"), last=Max("at"))
    assert span["first"].date() >= dt.date(2020, 2, 1) and span["last"].date() <= AS_OF
    for app in Application.objects.prefetch_related("events", "inspections")[:200]:
        events = list(app.events.order_by("id"))
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert events[0].action == "create" and events[-1].to_state == app.state
        for inspection in app.inspections.all():
            assert app.submitted_at.date() <= inspection.inspected_on <= (app.actual_date or AS_OF)


def test_gospell_failed_one_item_rectified_and_passed_before_resuming_on_10_february(db_demo):
    app = Application.objects.get(enterprise__name=GOSPELL)
    assert app.actual_date == dt.date(2020, 2, 10) and app.batch_workers == [470, 238]
    first, second = app.inspections.order_by("number")
    assert not first.passed and second.passed
    failed = InspectionResult.objects.get(inspection=first, result="fail")
    assert failed.item.title == "错峰分区到位" and "6人" in failed.note
    report = DailyReport.objects.get(enterprise=app.enterprise, day=AS_OF)
    assert (report.on_duty, report.registered) == (708, 1200)  # both arrival batches on duty


def test_fengchu_on_2_march_has_two_thirds_back_30000_a_day_and_about_40000_in_orders(db_demo):
    report = DailyReport.objects.get(enterprise__name=FENGCHU, day=AS_OF)
    assert report.on_duty * 3 == report.registered * 2 == 720
    assert (report.daily_output, report.output_unit) == (30_000, "份")
    assert 38_000 <= report.orders_on_hand <= 40_000
    assert "4万" in report.note


def test_the_enterprises_not_working_have_applications_in_every_open_state(db_demo):
    states = dict(
        Application.objects.filter(enterprise__status="not_resumed").values_list("state").annotate(n=Count("id"))
    )
    for state in ("submitted", "rectifying", "reinspect", "passed", "rejected", "withdrawn", "draft"):
        assert states.get(state, 0) > 0, state
    assert Application.objects.filter(state="rectifying", inspections__results__rectify_by__lt=AS_OF).exists()


def test_three_enterprises_stopped_and_restarted_with_reasons_and_no_reports_while_stopped(db_demo):
    stops = StatusChange.objects.filter(to_status="suspended")
    assert stops.count() == 3
    for stop in stops:
        restart = StatusChange.objects.get(enterprise=stop.enterprise, from_status="suspended")
        assert restart.effective_on > stop.effective_on
        assert not DailyReport.objects.filter(
            enterprise=stop.enterprise, day__gte=stop.effective_on, day__lt=restart.effective_on
        ).exists()


def test_a_second_load_writes_no_resumption_record(db_demo):
    before = (Application.objects.count(), DailyReport.objects.count(), StatusChange.objects.count())
    output = load()
    assert "resumption." not in output.split("演示账号")[0]
    assert (Application.objects.count(), DailyReport.objects.count(), StatusChange.objects.count()) == before


def test_the_demo_town_officers_dashboard_shows_their_town(db_demo, client):
    from fugong.accounts.models import User

    client.force_login(User.objects.get(username="demo-town"))
    response = client.get("/resumption/dashboard/", {"date": AS_OF.isoformat()})
    assert response.status_code == 200
    town = User.objects.get(username="demo-town").town
    assert response.context["total"]["total"] == Enterprise.objects.filter(town=town).count()
    assert {r["label"] for r in response.context["towns"]} == {town.name}
