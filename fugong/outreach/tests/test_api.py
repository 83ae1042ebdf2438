"""/api/v1/outreach/teams and /api/v1/outreach/visits: the coverage numbers per team and the visit records,
their order and pages, who sees which teams and visits, 401 and 422."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fugong.core.testing import EnterpriseFactory, assert_max_queries
from fugong.outreach.models import MaterialHandout, OutreachTeam, OutreachVisit

pytestmark = pytest.mark.django_db


def _teams() -> tuple[OutreachTeam, OutreachTeam]:
    return OutreachTeam.objects.get(level="district"), OutreachTeam.objects.get(level="town")


def _visit(team, enterprise, day: dt.date, attendees: int = 0, **materials: int) -> OutreachVisit:
    visit = OutreachVisit.objects.create(
        team=team, enterprise=enterprise, visited_on=day, topics=["prevention", "policy"], attendees=attendees
    )
    for kind, count in materials.items():
        MaterialHandout.objects.create(visit=visit, kind=kind, count=count)
    return visit


def _ids(client, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


# --- GET /api/v1/outreach/teams -------------------------------------------------------------------------


def test_teams_come_with_the_coverage_pages_numbers(world, client_for):
    district, town_b = _teams()
    EnterpriseFactory(
        name="白露塘小微企业", town=world.town_b, industry_section="F", employees=15, annual_revenue_wan=Decimal("200")
    )
    _visit(district, world.x, dt.date(2020, 2, 12), attendees=40, booklet=30, poster=2)
    _visit(district, world.x, dt.date(2020, 2, 20), attendees=10)

    body = client_for("district_admin").get("/api/v1/outreach/teams").json()
    assert body["count"] == 2
    rows = {row["id"]: row for row in body["items"]}
    d = rows[district.pk]
    assert (d["name"], d["level"], d["town"], d["members"]) == ("区防疫宣传小分队", "district", None, 1)
    assert (d["targets"], d["visited"], d["not_yet"], d["rate"]) == (1, 1, 0, 1.0)
    assert (d["visits"], d["attendees"], d["materials"]) == (2, 50, 32)
    t = rows[town_b.pk]
    assert (t["level_label"], t["town"], t["town_name"]) == ("镇（街道）级", world.town_b.code, world.town_b.name)
    assert (t["targets"], t["visited"], t["not_yet"], t["rate"]) == (2, 0, 2, 0.0)


def test_teams_are_paginated(world, client_for):
    client = client_for("district_admin")
    first = client.get("/api/v1/outreach/teams?page_size=1").json()
    second = client.get("/api/v1/outreach/teams?page_size=1&page=2").json()
    assert first["count"] == second["count"] == 2
    assert len(first["items"]) == len(second["items"]) == 1 and first["items"][0]["id"] != second["items"][0]["id"]
    assert client.get("/api/v1/outreach/teams?page_size=1&page=3").json() == {"count": 2, "items": []}


def test_each_role_sees_only_its_teams(world, client_for):
    district, town_b = _teams()
    assert set(_ids(client_for("hrss_officer"), "/api/v1/outreach/teams")) == {district.pk, town_b.pk}
    assert _ids(client_for("district_team_member"), "/api/v1/outreach/teams") == [district.pk]
    assert _ids(client_for("town_b_team_member"), "/api/v1/outreach/teams") == [town_b.pk]
    assert _ids(client_for("town_a_officer"), "/api/v1/outreach/teams") == []  # town A has no team of its own
    # Roles without the coverage page's action, and no credentials at all.
    assert client_for("enterprise_admin_x").get("/api/v1/outreach/teams").status_code == 403
    assert client_for("liaison_of_x").get("/api/v1/outreach/teams").status_code == 403
    assert client_for(None).get("/api/v1/outreach/teams").status_code == 401


# --- GET /api/v1/outreach/visits ------------------------------------------------------------------------


def test_visits_are_newest_first_with_topics_and_materials_and_paginated(world, client_for):
    district, town_b = _teams()
    older = _visit(district, world.x, dt.date(2020, 2, 12), attendees=40, booklet=30, poster=2)
    newer = _visit(town_b, world.y, dt.date(2020, 2, 20), attendees=12)
    client = client_for("district_admin")

    first = client.get("/api/v1/outreach/visits?page_size=1").json()
    assert first["count"] == 2 and [v["id"] for v in first["items"]] == [newer.pk]
    second = client.get("/api/v1/outreach/visits?page_size=1&page=2").json()
    [row] = second["items"]
    assert row["id"] == older.pk
    assert (row["team_id"], row["team_name"], row["enterprise_id"], row["town"]) == (
        district.pk,
        "区防疫宣传小分队",
        world.x.pk,
        world.town_a.code,
    )
    assert (row["topics"], row["topic_labels"], row["attendees"]) == (
        ["prevention", "policy"],
        ["防控常识", "惠企政策"],
        40,
    )
    assert sorted((m["kind"], m["kind_label"], m["count"]) for m in row["materials"]) == [
        ("booklet", "宣传手册", 30),
        ("poster", "海报挂图", 2),
    ]


def test_each_role_sees_only_the_visits_to_enterprises_in_its_scope(world, client_for):
    district, town_b = _teams()
    at_x = _visit(district, world.x, dt.date(2020, 2, 12))
    at_y = _visit(town_b, world.y, dt.date(2020, 2, 13))
    assert set(_ids(client_for("district_admin"), "/api/v1/outreach/visits")) == {at_x.pk, at_y.pk}
    assert _ids(client_for("district_team_member"), "/api/v1/outreach/visits") == [at_x.pk]
    assert _ids(client_for("town_b_team_member"), "/api/v1/outreach/visits") == [at_y.pk]
    assert _ids(client_for("town_a_officer"), "/api/v1/outreach/visits") == [at_x.pk]  # X is in town A
    assert client_for("enterprise_admin_y").get("/api/v1/outreach/visits").status_code == 403
    assert client_for("bank_officer").get("/api/v1/outreach/visits").status_code == 403
    assert client_for(None).get("/api/v1/outreach/visits").status_code == 401


def test_the_visit_list_costs_a_fixed_number_of_queries(world, client_for):
    district, _town_b = _teams()
    for day in range(1, 21):
        _visit(district, world.x, dt.date(2020, 2, day), booklet=day)
    client = client_for("district_admin")
    with assert_max_queries(5):  # session + user, the count, the page, its materials
        body = client.get("/api/v1/outreach/visits").json()
    assert body["count"] == 20 and all(len(v["materials"]) == 1 for v in body["items"])


@pytest.mark.parametrize("url", ["/api/v1/outreach/teams", "/api/v1/outreach/visits"])
@pytest.mark.parametrize(
    ("query", "field"), [("page_size=0", "page_size"), ("page_size=501", "page_size"), ("page=x", "page")]
)
def test_bad_paging_is_a_422_naming_the_field(world, client_for, url, query, field):
    response = client_for("district_admin").get(f"{url}?{query}")
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
