"""/api/v1/enterprises/{id}/liaison, /api/v1/liaison/visits and /api/v1/liaison/teams: what they list, in which
order and pages, who sees which rows (out of scope: 404 or absent), masked phones, 401 and 422."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fugong.accounts.models import Department
from fugong.core.testing import assert_max_queries
from fugong.liaison.models import Cadre, HelpTeam, LiaisonAssignment, Visit

pytestmark = pytest.mark.django_db

PHONE = "13900001111"


def _visit(target, day: dt.date, n: int = 1, **kw) -> Visit:
    field = "project" if target.__class__.__name__ == "KeyProject" else "enterprise"
    return Visit.objects.create(**{field: target}, visited_on=day, person_times=n, purpose="复工指导", **kw)


def _cadre(world) -> Cadre:
    cadre = Cadre.objects.get(user=world.liaison_of_x)
    cadre.unit = "区工信局"
    cadre.rank = "副科长"
    cadre.phone = PHONE
    cadre.save()
    return cadre


# --- GET /api/v1/enterprises/{id}/liaison ---------------------------------------------------------------


def test_who_serves_an_enterprise_lists_the_liaison_the_leader_and_the_team_with_the_phone_masked(world, client_for):
    cadre = _cadre(world)
    # A posting that ended is history, not who serves the enterprise today.
    former = Cadre.objects.create(name="已调离联络员", phone="13711112222")
    LiaisonAssignment.objects.create(
        cadre=former, enterprise=world.x, start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 31)
    )
    department = Department.objects.get(code="hrss")
    team = HelpTeam.objects.create(
        enterprise=world.x,
        leader=world.leader_of_x,
        department=department,
        town_lead="栖凤渡镇长",
        liaison=cadre,
        formed_on=dt.date(2020, 2, 5),
    )
    _visit(world.x, dt.date(2020, 2, 20), n=3, team=team)

    response = client_for("district_admin").get(f"/api/v1/enterprises/{world.x.pk}/liaison")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["enterprise_id"] == world.x.pk and body["date"] == timezone.localdate().isoformat()
    assert [(p["name"], p["unit"], p["rank"], p["phone_masked"], p["since"]) for p in body["liaisons"]] == [
        ("测试联络员", "区工信局", "副科长", "139****1111", "2020-01-01")
    ]
    assert [(p["leader_id"], p["leader"], p["until"]) for p in body["leaders"]] == [
        (world.leader_of_x.pk, str(world.leader_of_x), None)
    ]
    [row] = body["teams"]
    assert (row["id"], row["leader"], row["department"], row["liaison"]) == (
        team.pk,
        str(world.leader_of_x),
        "区人社局",
        "测试联络员",
    )
    assert (row["visits"], row["person_times"], row["town"]) == (1, 3, world.town_a.code)
    # No clear phone anywhere in the answer, the current cadre's or the former one's.
    assert PHONE not in response.content.decode() and "13711112222" not in response.content.decode()


def test_an_enterprise_without_liaison_pairing_or_team_answers_empty_lists(world, client_for):
    body = client_for("district_admin").get(f"/api/v1/enterprises/{world.y.pk}/liaison").json()
    assert (body["liaisons"], body["leaders"], body["teams"]) == ([], [], [])


def test_who_serves_an_enterprise_is_scoped_first_then_the_role_decides(world, client_for):
    x, y = world.x.pk, world.y.pk
    assert client_for("leader_of_x").get(f"/api/v1/enterprises/{x}/liaison").status_code == 200
    assert client_for("town_a_officer").get(f"/api/v1/enterprises/{x}/liaison").status_code == 200
    # Out of scope is 404 whatever the role: another enterprise's admin, another town's officer, an unpaired leader.
    assert client_for("enterprise_admin_y").get(f"/api/v1/enterprises/{x}/liaison").status_code == 404
    assert client_for("town_a_officer").get(f"/api/v1/enterprises/{y}/liaison").status_code == 404
    assert client_for("leader_of_x").get(f"/api/v1/enterprises/{y}/liaison").status_code == 404
    # The enterprise's own admin and its liaison may be told who serves it (not the cadre pages, though).
    assert client_for("liaison_of_x").get(f"/api/v1/enterprises/{x}/liaison").status_code == 200
    assert client_for("enterprise_admin_x").get(f"/api/v1/enterprises/{x}/liaison").status_code == 200
    assert client_for("enterprise_admin_x").get("/liaison/cadres/").status_code == 403
    assert client_for("district_admin").get("/api/v1/enterprises/999999/liaison").status_code == 404
    assert client_for(None).get(f"/api/v1/enterprises/{x}/liaison").status_code == 401


@pytest.mark.parametrize("bad", ["0", "-1", "abc", str(2**63)])
def test_a_bad_enterprise_id_is_a_422(world, client_for, bad):
    response = client_for("district_admin").get(f"/api/v1/enterprises/{bad}/liaison")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "id"


def test_who_serves_an_enterprise_costs_a_fixed_number_of_queries(world, client_for):
    cadre = _cadre(world)
    for i in range(5):
        extra = Cadre.objects.create(name=f"联络员{i}", phone=f"1380000000{i}")
        LiaisonAssignment.objects.create(cadre=extra, enterprise=world.x, start=dt.date(2020, 1, 2))
    HelpTeam.objects.create(enterprise=world.x, liaison=cadre, leader=world.leader_of_x, formed_on=dt.date(2020, 2, 5))
    client = client_for("district_admin")
    with assert_max_queries(6):  # session + user, the enterprise, postings, pairings, the team
        body = client.get(f"/api/v1/enterprises/{world.x.pk}/liaison").json()
    assert len(body["liaisons"]) == 6 and all("****" in p["phone_masked"] for p in body["liaisons"])


# --- GET /api/v1/liaison/visits -------------------------------------------------------------------------


def test_the_visit_log_is_newest_first_and_paginated(world, client_for):
    cadre = _cadre(world)
    older = _visit(world.x, dt.date(2020, 2, 10), cadre=cadre)
    newer = _visit(world.x, dt.date(2020, 2, 20), n=4, cadre=cadre, difficulties="缺口罩")
    on_project = _visit(world.project, dt.date(2020, 2, 15), kind="help")
    in_town_b = _visit(world.y, dt.date(2020, 2, 18))
    client = client_for("district_admin")

    first = client.get("/api/v1/liaison/visits?page_size=2").json()
    assert first["count"] == 4 and [v["id"] for v in first["items"]] == [newer.pk, in_town_b.pk]
    second = client.get("/api/v1/liaison/visits?page_size=2&page=2").json()
    assert [v["id"] for v in second["items"]] == [on_project.pk, older.pk]
    assert client.get("/api/v1/liaison/visits?page=3&page_size=2").json() == {"count": 4, "items": []}

    row = first["items"][0]
    assert (row["target_kind"], row["enterprise_id"], row["target_name"], row["town_name"]) == (
        "enterprise",
        world.x.pk,
        world.x.name,
        world.town_a.name,
    )
    assert (row["person_times"], row["difficulties"], row["cadre"], row["kind_label"]) == (
        4,
        "缺口罩",
        "测试联络员",
        "走访",
    )
    project_row = second["items"][0]
    assert (project_row["target_kind"], project_row["project_id"], project_row["town"]) == (
        "project",
        world.project.pk,
        world.town_a.code,
    )


def test_the_visit_log_filters_by_town_and_kind(world, client_for):
    _visit(world.x, dt.date(2020, 2, 10))
    helped = _visit(world.project, dt.date(2020, 2, 15), kind="help")
    in_town_b = _visit(world.y, dt.date(2020, 2, 18))
    client = client_for("district_admin")
    by_town = client.get(f"/api/v1/liaison/visits?town={world.town_b.code}").json()
    assert [v["id"] for v in by_town["items"]] == [in_town_b.pk]
    by_kind = client.get("/api/v1/liaison/visits?kind=help").json()
    assert [v["id"] for v in by_kind["items"]] == [helped.pk]


def test_each_role_sees_only_the_visits_in_its_scope(world, client_for):
    at_x = _visit(world.x, dt.date(2020, 2, 10))
    at_project = _visit(world.project, dt.date(2020, 2, 11))
    at_y = _visit(world.y, dt.date(2020, 2, 12))

    def ids(persona: str) -> set[int]:
        response = client_for(persona).get("/api/v1/liaison/visits")
        assert response.status_code == 200, (persona, response.content)
        return {v["id"] for v in response.json()["items"]}

    assert ids("district_admin") == {at_x.pk, at_project.pk, at_y.pk}
    assert ids("town_a_officer") == {at_x.pk, at_project.pk}  # not town B's
    assert ids("liaison_of_x") == {at_x.pk, at_project.pk}  # the enterprise and project they are posted to
    assert ids("leader_of_x") == {at_x.pk}  # paired with X only, not with the project
    # Roles without the visit pages' action, and no credentials at all.
    assert client_for("enterprise_admin_x").get("/api/v1/liaison/visits").status_code == 403
    assert client_for("district_team_member").get("/api/v1/liaison/visits").status_code == 403
    assert client_for(None).get("/api/v1/liaison/visits").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=0", "page_size"),
        ("page_size=501", "page_size"),
        ("page_size=many", "page_size"),
        ("page=0", "page"),
        ("kind=party", "kind"),
        ("town=431003104%27", "town"),
        ("town=4310031040000", "town"),
    ],
)
def test_bad_visit_log_parameters_are_a_422_naming_the_field(world, client_for, query, field):
    response = client_for("district_admin").get(f"/api/v1/liaison/visits?{query}")
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}


def test_the_visit_log_costs_a_fixed_number_of_queries(world, client_for):
    cadre = _cadre(world)
    team = HelpTeam.objects.create(enterprise=world.x, formed_on=dt.date(2020, 2, 5))
    for day in range(1, 21):
        _visit(world.x if day % 2 else world.project, dt.date(2020, 2, day), cadre=cadre, team=team)
    client = client_for("district_admin")
    with assert_max_queries(4):  # session + user, the count, the page
        body = client.get("/api/v1/liaison/visits").json()
    assert body["count"] == 20 and all(v["cadre"] == "测试联络员" for v in body["items"])


# --- GET /api/v1/liaison/teams --------------------------------------------------------------------------


def test_help_teams_are_listed_with_their_help_in_scope_and_paginated(world, client_for):
    cadre = _cadre(world)
    team_x = HelpTeam.objects.create(enterprise=world.x, liaison=cadre, formed_on=dt.date(2020, 2, 5))
    team_y = HelpTeam.objects.create(enterprise=world.y, town_lead="白露塘镇副镇长", formed_on=dt.date(2020, 2, 6))
    _visit(world.x, dt.date(2020, 2, 10), n=2, team=team_x)
    _visit(world.x, dt.date(2020, 2, 11), n=5, team=team_x)

    everything = client_for("district_admin").get("/api/v1/liaison/teams").json()
    assert everything["count"] == 2
    by_id = {t["id"]: t for t in everything["items"]}
    assert (by_id[team_x.pk]["visits"], by_id[team_x.pk]["person_times"], by_id[team_x.pk]["liaison"]) == (
        2,
        7,
        "测试联络员",
    )
    assert (by_id[team_y.pk]["visits"], by_id[team_y.pk]["leader"], by_id[team_y.pk]["town_lead"]) == (
        0,
        None,
        "白露塘镇副镇长",
    )
    paged = client_for("district_admin").get("/api/v1/liaison/teams?page_size=1&page=2").json()
    assert paged["count"] == 2 and len(paged["items"]) == 1

    town_a = client_for("town_a_officer").get("/api/v1/liaison/teams").json()
    assert [t["id"] for t in town_a["items"]] == [team_x.pk]  # not town B's team
    liaison = client_for("liaison_of_x").get("/api/v1/liaison/teams").json()
    assert [t["id"] for t in liaison["items"]] == [team_x.pk]
    assert client_for("enterprise_admin_y").get("/api/v1/liaison/teams").status_code == 403
    assert client_for(None).get("/api/v1/liaison/teams").status_code == 401
    assert client_for("district_admin").get("/api/v1/liaison/teams?page_size=0").status_code == 422
