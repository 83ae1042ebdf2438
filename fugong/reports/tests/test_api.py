"""GET /api/v1/stats/overview: every figure, counted over the caller's scope, equal to a direct count."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db.models import Q

from fugong.core.figures import REGISTRY
from fugong.core.testing import EnterpriseFactory
from fugong.enterprises.classification import Category
from fugong.enterprises.models import Enterprise, ResumptionStatus

URL = "/api/v1/stats/overview"
DAY = dt.date(2020, 3, 2)


@pytest.fixture
def district(world):
    """Town A: X (规上, resumed) + 2 more 规上 (one resumed, one not) + 1 service firm resumed after DAY.
    Town B: Y (not resumed) + 1 规上 resumed."""
    resumed = {"status": ResumptionStatus.RESUMED, "resumed_on": dt.date(2020, 2, 20)}
    Enterprise.objects.filter(pk=world.x.pk).update(**resumed)
    EnterpriseFactory(town=world.town_a, **resumed)
    EnterpriseFactory(town=world.town_a)
    EnterpriseFactory(
        town=world.town_a,
        industry_section="H",
        industry_division="62",
        annual_revenue_wan=400,
        status=ResumptionStatus.PARTIAL,
        resumed_on=dt.date(2020, 3, 5),
    )
    EnterpriseFactory(town=world.town_b, **resumed)
    return world


def direct_counts(qs, day):
    resumed = Q(status__in=[ResumptionStatus.RESUMED, ResumptionStatus.PARTIAL], resumed_on__lte=day)
    asi = qs.filter(category=Category.ABOVE_SCALE_INDUSTRIAL)
    return {
        "above_scale_industrial_total": asi.count(),
        "above_scale_industrial_resumed": asi.filter(resumed).count(),
        "enterprises_total": qs.count(),
        "enterprises_resumed": qs.filter(resumed).count(),
    }


def test_the_overview_for_the_district_admin_equals_direct_counts(client_for, district):
    response = client_for("district_admin").get(f"{URL}?date={DAY}")
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2020-03-02"
    assert body["district"] == "苏仙区"
    assert body["scope"] == "苏仙区"
    expected = direct_counts(Enterprise.objects.all(), DAY)
    assert expected == {
        "above_scale_industrial_total": 4,
        "above_scale_industrial_resumed": 3,
        "enterprises_total": 6,
        "enterprises_resumed": 3,
    }
    figures = body["figures"]
    assert {k: figures[k] for k in expected} == expected
    assert figures["above_scale_industrial_resumption_rate"] == 0.75
    assert set(figures) == set(REGISTRY)


def test_the_overview_for_a_town_officer_counts_town_a_only(client_for, district):
    body = client_for("town_a_officer").get(f"{URL}?date={DAY}").json()
    assert body["scope"] == "栖凤渡镇"
    expected = direct_counts(Enterprise.objects.filter(town=district.town_a), DAY)
    assert expected["enterprises_total"] == 4
    assert {k: body["figures"][k] for k in expected} == expected


def test_the_date_moves_the_counts(client_for, district):
    later = client_for("district_admin").get(f"{URL}?date=2020-03-06").json()["figures"]
    assert later["enterprises_resumed"] == 4


def test_daily_brief_json_equals_the_overview_for_the_district_admin(client_for, district, capsys):
    call_command("daily_brief", "--date", "2020-03-02", "--format", "json")
    printed = json.loads(capsys.readouterr().out)
    api = client_for("district_admin").get(f"{URL}?date=2020-03-02").json()
    assert printed == {"date": api["date"], "district": api["district"], "figures": api["figures"]}


@pytest.mark.parametrize("value", ["2020-02-30", "02/03/2020", "yesterday", "2020-3-2", "9" * 30])
def test_a_bad_date_is_422_naming_the_date(client_for, world, value):
    response = client_for("district_admin").get(URL, {"date": value})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["date"]


def test_without_a_date_the_overview_is_for_today(client_for, world):
    from django.utils import timezone

    assert client_for("district_admin").get(URL).json()["date"] == timezone.localdate().isoformat()


@pytest.mark.parametrize("persona", ["auditor", "enterprise_admin_x", "bank_officer", "district_team_member"])
def test_roles_without_figures_view_get_403(client_for, world, persona):
    assert client_for(persona).get(URL).status_code == 403
