"""Visits and help activities: the liaison's phone page, logging a visit (defaults, bad input, scope), help
teams (一企一队), person-times per team, town and district, and the figures counted from the records."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fugong.core import figures, scoping
from fugong.core.models import AuditLog
from fugong.core.testing import assert_max_queries
from fugong.liaison import due, selectors
from fugong.liaison.models import Cadre, HelpTeam, LiaisonAssignment, Visit

DAY = dt.date(2020, 3, 2)


def _visit(target, n: int, day: dt.date = dt.date(2020, 2, 20), **kw) -> Visit:
    field = "project" if target.__class__.__name__ == "KeyProject" else "enterprise"
    return Visit.objects.create(**{field: target}, visited_on=day, person_times=n, purpose="测试", **kw)


def test_the_phone_page_lists_the_liaisons_targets_with_both_due_today(world, client_for):
    response = client_for("liaison_of_x").get("/liaison/my/")
    assert response.status_code == 200
    html = response.content.decode()
    assert world.x.name in html and world.project.name in html and world.y.name not in html
    assert 'data-testid="due-count">2<' in html


def test_a_liaison_logs_a_visit_with_the_defaults_and_it_is_no_longer_due(world, client_for):
    client = client_for("liaison_of_x")
    form = client.get(f"/liaison/visits/new/?target=e:{world.x.pk}").content.decode()
    assert 'value="1"' in form and timezone.localdate().isoformat() in form  # person-times and today pre-filled
    response = client.post(
        "/liaison/visits/new/",
        {
            "target": f"e:{world.x.pk}",
            "visited_on": timezone.localdate().isoformat(),
            "kind": "visit",
            "person_times": 1,
            "purpose": "防疫督导、复工指导",
        },
    )
    assert response.status_code == 302 and response.url == "/liaison/my/"
    visit = Visit.objects.get()
    assert visit.enterprise == world.x and visit.cadre == Cadre.objects.get(user=world.liaison_of_x)
    assert visit.recorded_by == world.liaison_of_x
    assert AuditLog.objects.filter(action="liaison.visit.create", object_id=str(visit.pk)).exists()
    targets = {t.target: t for t in selectors.my_targets(world.liaison_of_x)}
    assert not targets[world.x].due and targets[world.project].due


def test_bad_visit_input_is_refused_with_a_message_and_nothing_is_written(world, client_for):
    client = client_for("liaison_of_x")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    cases = [
        {"visited_on": tomorrow, "person_times": 1, "purpose": "x"},
        {"visited_on": "2019-12-31", "person_times": 1, "purpose": "x"},
        {"visited_on": "2020-02-10", "person_times": 0, "purpose": "x"},
        {"visited_on": "2020-02-10", "person_times": 1, "purpose": " "},
        {"visited_on": "不是日期", "person_times": "abc", "purpose": "x\x00"},
    ]
    for data in cases:
        response = client.post("/liaison/visits/new/", {"target": f"e:{world.x.pk}", "kind": "visit", **data})
        assert response.status_code == 400, data
        assert 'data-testid="form-errors"' in response.content.decode()
    assert not Visit.objects.exists()


def test_a_liaison_cannot_log_a_visit_at_an_enterprise_they_are_not_posted_to(world, client_for):
    response = client_for("liaison_of_x").post(
        "/liaison/visits/new/",
        {"target": f"e:{world.y.pk}", "visited_on": "2020-02-10", "kind": "visit", "person_times": 1, "purpose": "x"},
    )
    assert response.status_code == 400  # Y is not among the form's choices: refused, nothing written
    assert not Visit.objects.exists()
    assert client_for("town_a_officer").get(f"/liaison/visits/new/?target=e:{world.y.pk}").status_code == 404


def test_a_visit_to_an_enterprise_with_a_help_team_counts_for_the_team(world, client_for):
    team = HelpTeam.objects.create(enterprise=world.x, leader=world.leader_of_x, formed_on=dt.date(2020, 2, 5))
    response = client_for("leader_of_x").post(
        f"/liaison/visits/new/?target=e:{world.x.pk}",
        {
            "target": f"e:{world.x.pk}",
            "visited_on": "2020-02-21",
            "kind": "help",
            "person_times": 4,
            "purpose": "协调物流",
        },
    )
    assert response.status_code == 302
    assert Visit.objects.get().team == team
    page = client_for("district_admin").get(f"/liaison/teams/{team.pk}/").content.decode()
    assert "4 人次" in page


def test_help_person_times_add_up_per_team_town_and_district(world):
    team = HelpTeam.objects.create(enterprise=world.x, formed_on=dt.date(2020, 2, 5), town_lead="镇领导")
    _visit(world.x, 4, team=team)
    _visit(world.x, 3, team=team)
    _visit(world.project, 2)
    _visit(world.y, 5)
    _visit(world.y, 9, day=dt.date(2020, 3, 5))  # after the day asked about
    assert figures.compute(scoping.DISTRICT_WIDE, DAY, ["help_person_times"]) == {"help_person_times": 14}
    assert figures.compute(world.town_a_officer, DAY, ["help_person_times"])["help_person_times"] == 9
    assert figures.compute(world.liaison_of_x, DAY, ["help_person_times"])["help_person_times"] == 9
    rows, totals = selectors.help_by_town(world.district_admin, DAY)
    assert {r["town_name"]: r["person_times"] for r in rows} == {"栖凤渡镇": 9, "白露塘镇": 5}
    assert totals["person_times"] == 14
    listed = selectors.team_list(world.district_admin, day=DAY).get()
    assert (listed.visits_n, listed.person_times) == (2, 7)


def test_liaisons_and_their_targets_are_counted_from_the_postings_in_force(world):
    other = Cadre.objects.create(name="另一名联络员", home_town=world.town_b, phone="13900000009")
    LiaisonAssignment.objects.create(cadre=other, enterprise=world.y, start=dt.date(2020, 2, 3))
    LiaisonAssignment.objects.create(cadre=other, enterprise=world.x, start=dt.date(2020, 2, 3))  # N:M
    ended = Cadre.objects.create(name="已撤回联络员", phone="13900000010")
    LiaisonAssignment.objects.create(
        cadre=ended, enterprise=world.y, start=dt.date(2020, 2, 3), end=dt.date(2020, 2, 20)
    )
    keys = ["liaisons", "liaison_targets"]
    assert figures.compute(scoping.DISTRICT_WIDE, DAY, keys) == {"liaisons": 2, "liaison_targets": 3}
    assert figures.compute(scoping.DISTRICT_WIDE, dt.date(2020, 2, 10), keys) == {"liaisons": 3, "liaison_targets": 3}
    assert figures.compute(world.town_a_officer, DAY, keys) == {"liaisons": 2, "liaison_targets": 2}
    assert figures.compute(world.enterprise_admin_y, DAY, keys) == {"liaisons": 1, "liaison_targets": 1}


def test_the_visit_coverage_page_shows_what_was_visited_in_the_window(world, client_for):
    _visit(world.x, 1, day=timezone.localdate())
    html = client_for("district_admin").get("/liaison/visits/coverage/").content.decode()
    assert 'data-testid="cov-visited">1<' in html and 'data-testid="cov-not-yet">1<' in html
    not_yet = client_for("district_admin").get("/liaison/visits/coverage/?status=not_yet").content.decode()
    assert f'data-target="p:{world.project.pk}"' in not_yet and f'data-target="e:{world.x.pk}"' not in not_yet
    assert client_for("district_admin").get("/liaison/visits/coverage/?days=abc").status_code == 200


def test_the_town_officer_forms_a_help_team_with_the_enterprises_liaison(world, client_for):
    cadre = Cadre.objects.get(user=world.liaison_of_x)
    response = client_for("town_a_officer").post(
        "/liaison/teams/new/",
        {
            "enterprise": world.x.pk,
            "leader": world.leader_of_x.pk,
            "town_lead": "栖凤渡镇副镇长",
            "liaison": cadre.pk,
            "formed_on": "2020-02-05",
        },
    )
    assert response.status_code == 302
    team = HelpTeam.objects.get(enterprise=world.x)
    assert (team.leader, team.liaison, team.town_lead) == (world.leader_of_x, cadre, "栖凤渡镇副镇长")
    # One team per enterprise: a second is refused with a message.
    again = client_for("district_admin").post(
        "/liaison/teams/new/", {"enterprise": world.x.pk, "town_lead": "另一位", "formed_on": "2020-02-06"}
    )
    assert again.status_code == 400 and HelpTeam.objects.count() == 1


def test_a_help_team_needs_a_district_leader_not_any_account(world, client_for):
    response = client_for("district_admin").post(
        "/liaison/teams/new/", {"enterprise": world.x.pk, "leader": world.town_a_officer.pk, "formed_on": "2020-02-05"}
    )
    assert response.status_code == 400 and not HelpTeam.objects.exists()


def test_other_apps_can_add_what_is_due_today(world, client_for, monkeypatch):
    import types

    hook = types.SimpleNamespace(
        due_today=lambda user, day, ids: [due.DueItem(i, f"复工检查待整改 #{i}", level="danger") for i in ids]
    )
    monkeypatch.setattr(due, "contributors", lambda: (hook,))
    html = client_for("liaison_of_x").get("/liaison/my/").content.decode()
    assert f"复工检查待整改 #{world.x.pk}" in html
    assert 'data-testid="due-count">3<' in html


def test_visit_and_team_lists_stay_within_their_query_budgets(world, client_for):
    for i in range(20):
        _visit(world.x, 1, day=dt.date(2020, 2, 1) + dt.timedelta(days=i))
        _visit(world.project, 2, day=dt.date(2020, 2, 1) + dt.timedelta(days=i))
    HelpTeam.objects.create(enterprise=world.x, formed_on=dt.date(2020, 2, 5), town_lead="镇领导")
    client = client_for("district_admin")
    for url, budget in (("/liaison/visits/", 12), ("/liaison/teams/", 14), ("/liaison/visits/coverage/", 12)):
        with assert_max_queries(budget):
            assert client.get(url).status_code == 200
    phone = client_for("liaison_of_x")
    with assert_max_queries(10):
        assert phone.get("/liaison/my/").status_code == 200
