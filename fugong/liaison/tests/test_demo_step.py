"""The demo step of issue #6 (fugong/demo/step_20_liaison.py): the article's figures come from records, the
records are consistent with the rules, and a second load creates nothing. The demo is loaded once for the
module inside a transaction rolled back at the end."""

from __future__ import annotations

import datetime as dt
import io
import os
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Sum
from django.test.utils import override_settings

from fugong.core import figures, scoping
from fugong.enterprises.models import Enterprise
from fugong.liaison.models import HelpTeam, Visit
from fugong.outreach.models import MaterialHandout, OutreachTeam, OutreachVisit, TcmDelivery

AS_OF = dt.date(2020, 3, 2)
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STEP_LABELS = (
    "liaison.HelpTeam",
    "liaison.Visit",
    "outreach.OutreachVisit",
    "outreach.TcmDelivery",
    "outreach.PlanEntry",
)


def run_load_demo(*args: str) -> str:
    out = io.StringIO()
    with mock.patch.dict(os.environ, {"FUGONG_DEMO_PASSWORD": ""}):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        with transaction.atomic():
            output = run_load_demo()
            yield output
            transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    return demo_output


def test_the_district_figures_of_2_march_are_the_articles(demo):
    keys = [
        "outreach_teams",
        "liaisons",
        "liaison_targets",
        "materials_distributed",
        "tcm_batches",
        "tcm_enterprises",
        "tcm_workers",
    ]
    assert figures.compute(scoping.DISTRICT_WIDE, AS_OF, keys) == {
        "outreach_teams": 16,
        "liaisons": 109,
        "liaison_targets": 179,
        "materials_distributed": 18_436,
        "tcm_batches": 5,
        "tcm_enterprises": 70,
        "tcm_workers": 6_759,
    }
    help_times = figures.compute(scoping.DISTRICT_WIDE, AS_OF, ["help_person_times"])["help_person_times"]
    assert 4_000 <= help_times < 5_000  # 累计投入帮扶力量4000余人次
    assert help_times == Visit.objects.filter(visited_on__lte=AS_OF).aggregate(n=Sum("person_times"))["n"]


def test_the_figures_are_sums_of_the_records(demo):
    assert MaterialHandout.objects.aggregate(n=Sum("count"))["n"] == 18_436
    assert TcmDelivery.objects.aggregate(n=Sum("workers"))["n"] == 6_759
    assert TcmDelivery.objects.values("enterprise").distinct().count() == 70


def test_every_help_team_has_a_liaison_posted_to_its_enterprise_and_goes_out_weekly(demo):
    teams = HelpTeam.objects.select_related("liaison")
    assert teams.count() == 164  # every enterprise among the 179 targets (the other 15 are key projects)
    assert not teams.filter(liaison__isnull=True).exists()
    assert not teams.exclude(liaison__assignments__enterprise=F("enterprise")).exists()
    assert Visit.objects.filter(kind__in=("help", "coordination")).values("team").distinct().count() == 164


def test_every_liaison_target_was_visited_in_february(demo):
    visited = set(Visit.objects.filter(kind="visit").values_list("enterprise_id", "project_id").distinct())
    assert len(visited) == 179


def test_the_district_team_toured_every_above_scale_enterprise_and_town_teams_stayed_in_their_town(demo):
    district = OutreachTeam.objects.get(level="district")
    assert OutreachVisit.objects.filter(team=district).values("enterprise").distinct().count() == 68
    for team in OutreachTeam.objects.filter(level="town"):
        visits = OutreachVisit.objects.filter(team=team)
        assert not visits.exclude(enterprise__town_id=team.town_id).exists()
        assert not visits.filter(enterprise__category="above_scale_industrial").exists()
    assert not OutreachVisit.objects.filter(visited_on__gt=AS_OF).exists()


def test_tcm_reached_resumed_enterprises_after_they_resumed_and_never_more_workers_than_staff(demo):
    for d in TcmDelivery.objects.select_related("batch", "enterprise"):
        assert d.workers <= d.enterprise.employees
        assert d.enterprise.resumed_on is not None and d.enterprise.resumed_on <= d.batch.supplied_on
        assert d.doses == d.workers * 3
    assert not Enterprise.objects.filter(pk__in=TcmDelivery.objects.values("enterprise"), status="not_resumed").exists()


def test_the_output_states_the_figures(demo):
    assert "发放防疫宣传资料 18,436 份" in demo
    assert "中药汤剂 5 批次，惠及 70 家企业、6,759 名一线员工" in demo


def test_a_second_load_creates_nothing_of_this_step(demo):
    output = run_load_demo()
    assert not any(label in output for label in STEP_LABELS)
