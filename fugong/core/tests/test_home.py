"""The home page per role: scope in the title, figures equal to direct counts, links to the filtered list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fugong.core import audit, figure_store
from fugong.core.models import AuditLog
from fugong.core.testing import PERSONAS, EnterpriseFactory, RegionFactory, assert_max_queries
from fugong.enterprises.classification import Category
from fugong.enterprises.models import Enterprise, ResumptionStatus

RESUMED, PARTIAL, NOT_RESUMED = ResumptionStatus.RESUMED, ResumptionStatus.PARTIAL, ResumptionStatus.NOT_RESUMED
DAY = dt.date(2020, 2, 20)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing the persona passwords with PBKDF2 costs seconds per test and is not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def more(world):
    """A few enterprises in both towns with different statuses, so counts are not all 1."""
    for status in (RESUMED, RESUMED, PARTIAL, NOT_RESUMED):
        EnterpriseFactory(town=world.town_a, status=status, resumed_on=DAY if status != NOT_RESUMED else None)
    for status in (RESUMED, NOT_RESUMED, NOT_RESUMED):
        EnterpriseFactory(
            town=world.town_b,
            industry_section="H",
            industry_division="62",
            annual_revenue_wan=300,
            status=status,
            resumed_on=DAY if status == RESUMED else None,
        )
    return world


def cards(response) -> dict:
    return {c["key"]: c["value"] for c in response.context["cards"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_gets_a_home_page(client_for, more, persona):
    response = client_for(persona).get("/")
    assert response.status_code == 200
    assert response.context["title"]


def test_the_district_admin_sees_the_whole_district_by_town(client_for, more):
    response = client_for("district_admin").get("/")
    body = response.content.decode()
    assert "苏仙区 复工复产总览" in body
    figures = cards(response)
    assert figures["enterprises_total"] == Enterprise.objects.count() == 9
    resumed = Enterprise.objects.filter(status__in=[RESUMED, PARTIAL], resumed_on__lte=timezone.localdate())
    assert figures["enterprises_resumed"] == resumed.count() == 4
    asi = Enterprise.objects.filter(category=Category.ABOVE_SCALE_INDUSTRIAL)
    assert figures["above_scale_industrial_total"] == asi.count()

    rows = {r["label"]: r for r in response.context["breakdown"]["rows"]}
    assert set(rows) == {"栖凤渡镇", "白露塘镇"}
    town_a = rows["栖凤渡镇"]
    assert town_a["total"] == Enterprise.objects.filter(town=more.town_a).count() == 5
    by_status = {c["url"].rsplit("status=", 1)[1]: c["value"] for c in town_a["cells"]}
    assert by_status["resumed"] == Enterprise.objects.filter(town=more.town_a, status=RESUMED).count() == 2
    assert by_status["partial"] == 1
    assert response.context["breakdown"]["total"] == 9
    # Each number links to the enterprise list filtered by exactly that town and status.
    assert f'href="/enterprises/?town={more.town_a.pk}&amp;status=resumed"' in body
    assert f'href="/enterprises/?town={more.town_b.pk}"' in body


def test_the_town_officer_sees_only_their_town_grouped_by_category(client_for, more):
    response = client_for("town_a_officer").get("/")
    body = response.content.decode()
    assert "栖凤渡镇 复工复产总览" in body
    mine = Enterprise.objects.filter(town=more.town_a)
    figures = cards(response)
    assert figures["enterprises_total"] == mine.count() == 5
    assert figures["enterprises_resumed"] == mine.filter(status__in=[RESUMED, PARTIAL]).count() == 3
    assert figures["above_scale_industrial_total"] == mine.filter(category=Category.ABOVE_SCALE_INDUSTRIAL).count()
    breakdown = response.context["breakdown"]
    assert breakdown["group"] == "category"
    assert breakdown["total"] == 5
    for row in breakdown["rows"]:
        category = row["url"].split("category=", 1)[1]
        assert row["total"] == mine.filter(category=category).count()
    assert "白露塘镇" not in body
    assert more.y.name not in body


def test_a_leader_sees_only_the_paired_enterprise(client_for, more):
    response = client_for("leader_of_x").get("/")
    assert cards(response)["enterprises_total"] == 1
    assert [r["label"] for r in response.context["breakdown"]["rows"]] == ["栖凤渡镇"]
    assert "包联企业" in response.context["title"]


def test_a_liaison_sees_the_enterprises_assigned_to_them(client_for, more):
    response = client_for("liaison_of_x").get("/")
    assert cards(response)["enterprises_total"] == 1


def test_a_department_officer_sees_district_figures(client_for, more):
    assert cards(client_for("hrss_officer").get("/"))["enterprises_total"] == 9


def test_the_enterprise_admin_sees_their_own_enterprise_card(client_for, more):
    response = client_for("enterprise_admin_x").get("/")
    body = response.content.decode()
    assert response.context["enterprise"] == more.x
    assert more.x.name in body and more.x.uscc in body
    assert f'href="/enterprises/{more.x.pk}/"' in body
    assert more.y.name not in body and more.y.uscc not in body


def test_the_auditor_sees_links_to_the_logs_with_todays_counts(client_for, more):
    audit.record(more.district_admin, "test.today", more.x)
    audit.record(more.district_admin, "test.today2", more.y)
    audit.log_access(more.district_admin, "view", subject_type="enterprise", subject_id=str(more.x.pk))
    response = client_for("auditor").get("/")
    body = response.content.decode()
    assert response.context["audit_today"] == AuditLog.objects.count() >= 2
    assert response.context["access_today"] == 1
    assert 'href="/audit/log/"' in body and 'href="/audit/access/"' in body
    assert "cards" not in response.context


def test_the_bank_officer_sees_their_matched_enterprises_count(client_for, more):
    response = client_for("bank_officer").get("/")
    assert response.context["targets"] == 1
    assert more.bank.name in response.context["title"]


def test_the_district_outreach_team_sees_the_above_scale_industrial_enterprises(client_for, more):
    response = client_for("district_team_member").get("/")
    assert response.context["targets"] == Enterprise.objects.filter(category=Category.ABOVE_SCALE_INDUSTRIAL).count()


def test_a_user_without_a_role_is_told_to_ask_for_one(client_for, more):
    body = client_for("no_role_user").get("/").content.decode()
    assert "尚未分配角色" in body


def test_the_district_admin_home_runs_a_bounded_number_of_queries(client_for, world, settings):
    settings.FUGONG_FIGURES_MAX_AGE = 300  # the cards come from the figure snapshot, not a recount
    c = client_for("district_admin")
    c.get("/")  # warm caches that are not per request (ContentTypes and the like)
    with assert_max_queries(12) as before:
        c.get("/")
    towns = [RegionFactory(parent=world.district) for _ in range(4)]
    for i in range(40):
        EnterpriseFactory(town=towns[i % 4], status=RESUMED if i % 3 else NOT_RESUMED, resumed_on=DAY)
    figure_store.refresh()  # what the task worker does after the change (SQLite marked the snapshot dirty)
    with assert_max_queries(12) as after:
        response = c.get("/")
    assert len(after.captured_queries) == len(before.captured_queries)
    assert len(response.context["breakdown"]["rows"]) == 6
    assert response.context["breakdown"]["total"] == 42
