"""Outreach teams: the jurisdiction rule, who sees which team, visits with topics and materials, the coverage
page, the visit plan over N days and its calendar, the plan rule, and the figures counted from records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from fugong.core import figures, scoping
from fugong.core.models import AuditLog
from fugong.core.testing import EnterpriseFactory, assert_max_queries
from fugong.outreach import selectors, services
from fugong.outreach.models import MaterialHandout, OutreachRule, OutreachTeam, OutreachVisit, PlanEntry

DAY = dt.date(2020, 3, 2)


def _teams():
    return OutreachTeam.objects.get(level="district"), OutreachTeam.objects.get(level="town")


def _small(world, name: str, town):
    return EnterpriseFactory(
        name=name, town=town, industry_section="F", employees=15, annual_revenue_wan=Decimal("200")
    )


def _visit(team, enterprise, day=dt.date(2020, 2, 12), **materials) -> OutreachVisit:
    visit = OutreachVisit.objects.create(team=team, enterprise=enterprise, visited_on=day, topics=["prevention"])
    for kind, count in materials.items():
        MaterialHandout.objects.create(visit=visit, kind=kind, count=count)
    return visit


def test_the_district_team_covers_the_above_scale_enterprises_and_a_town_team_the_rest_of_its_town(world):
    district, town_b = _teams()
    extra_b = _small(world, "白露塘小微企业", world.town_b)
    extra_a = _small(world, "栖凤渡小微企业", world.town_a)
    asi_b = EnterpriseFactory(name="白露塘规上企业", town=world.town_b, annual_revenue_wan=Decimal("9000"))
    assert set(selectors.team_targets(world.district_admin, district)) == {world.x, asi_b}
    assert set(selectors.team_targets(world.district_admin, town_b)) == {world.y, extra_b}
    assert extra_a not in selectors.team_targets(world.district_admin, town_b)


def test_a_member_sees_only_their_teams_targets_and_only_their_team(world, client_for):
    district, town_b = _teams()
    assert list(scoping.enterprises_for(world.town_b_team_member)) == [world.y]
    assert list(scoping.outreach_teams_for(world.town_b_team_member)) == [town_b]
    assert client_for("town_b_team_member").get(f"/outreach/teams/{district.pk}/").status_code == 404
    assert client_for("town_b_team_member").get(f"/outreach/teams/{town_b.pk}/").status_code == 200
    assert client_for("district_team_member").get(f"/outreach/teams/{town_b.pk}/plan/").status_code == 404


def test_a_member_records_a_visit_with_topics_materials_and_attendees(world, client_for):
    district, _town_b = _teams()
    response = client_for("district_team_member").post(
        f"/outreach/teams/{district.pk}/visits/new/",
        {
            "enterprise": world.x.pk,
            "visited_on": "2020-02-15",
            "topics": ["prevention", "policy", "jobs"],
            "attendees": 35,
            "material_booklet": 20,
            "material_leaflet": 40,
            "material_poster": 2,
        },
    )
    assert response.status_code == 302
    visit = OutreachVisit.objects.get()
    assert visit.topics == ["prevention", "policy", "jobs"] and visit.attendees == 35
    assert dict(visit.materials.values_list("kind", "count")) == {"booklet": 20, "leaflet": 40, "poster": 2}
    assert figures.compute(scoping.DISTRICT_WIDE, DAY, ["materials_distributed"]) == {"materials_distributed": 62}
    assert AuditLog.objects.filter(action="outreach.visit.create").count() == 1


def test_a_visit_outside_the_teams_jurisdiction_or_with_bad_counts_is_refused_and_writes_nothing(world):
    district, town_b = _teams()
    bad = [
        (town_b, world.x, {"visited_on": DAY, "topics": ["prevention"]}),  # 规上: the district team's
        (district, world.x, {"visited_on": DAY, "topics": []}),
        (district, world.x, {"visited_on": DAY, "topics": ["weather"]}),
        (district, world.x, {"visited_on": DAY, "topics": ["prevention"], "attendees": -3}),
        (district, world.x, {"visited_on": DAY, "topics": ["prevention"], "materials": {"leaflet": 10**9}}),
        (district, world.x, {"visited_on": DAY, "topics": ["prevention"], "materials": {"gold": 1}}),
        (district, world.x, {"visited_on": timezone.localdate() + dt.timedelta(days=2), "topics": ["prevention"]}),
    ]
    for team, enterprise, data in bad:
        try:
            services.check_record_visit(world.district_admin, team, enterprise, data)
        except services.OutreachValidationError as exc:
            assert exc.errors
        else:
            raise AssertionError(f"accepted: {data}")
    assert not OutreachVisit.objects.exists() and not MaterialHandout.objects.exists()


def test_the_coverage_page_counts_visited_and_not_yet_per_team(world, client_for):
    district, town_b = _teams()
    extra_b = _small(world, "白露塘小微企业", world.town_b)
    _visit(district, world.x, leaflet=10, booklet=5)
    _visit(town_b, world.y, leaflet=7)
    _visit(town_b, world.y, day=dt.date(2020, 2, 20), poster=1)
    rows = {r.team: r for r in selectors.team_coverage(world.district_admin, DAY)}
    assert (rows[district].targets, rows[district].visited, rows[district].not_yet) == (1, 1, 0)
    assert (rows[town_b].targets, rows[town_b].visited, rows[town_b].visits, rows[town_b].materials) == (2, 1, 2, 8)
    html = client_for("district_admin").get(f"/outreach/teams/{town_b.pk}/?status=not_yet").content.decode()
    assert f'data-enterprise="{extra_b.pk}"' in html and f'data-enterprise="{world.y.pk}"' not in html
    client = client_for("district_admin")
    with assert_max_queries(12):
        assert client.get("/outreach/").status_code == 200


def test_materials_count_only_what_the_viewer_may_see_and_only_up_to_the_day(world):
    district, town_b = _teams()
    _visit(district, world.x, leaflet=10)
    _visit(town_b, world.y, leaflet=7)
    _visit(town_b, world.y, day=dt.date(2020, 3, 10), leaflet=100)
    key = ["materials_distributed"]
    assert figures.compute(scoping.DISTRICT_WIDE, DAY, key)["materials_distributed"] == 17
    assert figures.compute(world.town_b_team_member, DAY, key)["materials_distributed"] == 7
    assert figures.compute(world.town_a_officer, DAY, key)["materials_distributed"] == 10


def test_outreach_teams_are_counted_over_the_viewers_teams(world):
    assert figures.compute(scoping.DISTRICT_WIDE, DAY, ["outreach_teams"]) == {"outreach_teams": 2}
    assert figures.compute(world.district_team_member, DAY, ["outreach_teams"]) == {"outreach_teams": 1}
    assert figures.compute(world.liaison_of_x, DAY, ["outreach_teams"]) == {"outreach_teams": 0}


def test_the_plan_covers_every_target_within_the_rules_days_evenly(world):
    _district, town_b = _teams()
    for i in range(30):
        _small(world, f"白露塘企业{i:02d}", world.town_b)
    OutreachRule.objects.create(effective_from=dt.date(2020, 2, 9), plan_days=7, source="测试")
    _visit(town_b, world.y)  # already visited: not planned again
    start = dt.date(2020, 2, 10)
    n = services.check_generate_plan(world.town_b_team_member, town_b, start)
    assert n == 30
    days = [d for d in PlanEntry.objects.filter(team=town_b).values_list("planned_on", flat=True)]
    assert min(days) == start and max(days) <= start + dt.timedelta(days=6)
    per_day = {d: days.count(d) for d in set(days)}
    assert max(per_day.values()) - min(per_day.values()) <= 1
    assert not PlanEntry.objects.filter(enterprise=world.y).exists()
    # Regenerating from a later day replaces only the entries from that day on.
    services.check_generate_plan(world.town_b_team_member, town_b, dt.date(2020, 2, 13))
    assert PlanEntry.objects.filter(team=town_b, planned_on__lt=dt.date(2020, 2, 13)).count() == sum(
        c for d, c in per_day.items() if d < dt.date(2020, 2, 13)
    )


def test_the_schedule_places_every_target_once_within_the_window():
    for n, days in ((0, 5), (1, 14), (13, 14), (14, 14), (100, 14), (7, 1)):
        placed = services.schedule(list(range(n)), dt.date(2020, 2, 10), days)
        assert sorted(t for t, _d in placed) == list(range(n))
        assert all(dt.date(2020, 2, 10) <= d < dt.date(2020, 2, 10) + dt.timedelta(days=days) for _t, d in placed)


def test_the_calendar_shows_the_planned_targets_with_a_tick_once_visited(world, client_for):
    district, _town_b = _teams()
    services.check_generate_plan(world.district_admin, district, dt.date(2020, 2, 10))
    _visit(district, world.x, day=dt.date(2020, 2, 11))
    client = client_for("district_team_member")
    with assert_max_queries(12):
        response = client.get(f"/outreach/teams/{district.pk}/plan/?month=2020-02")
    html = response.content.decode()
    assert 'data-date="2020-02-10"' in html and "✓ " + world.x.name[:8] in html
    assert client.get(f"/outreach/teams/{district.pk}/plan/?month=garbage").status_code == 200


def test_a_member_may_plan_but_a_department_officer_may_not(world, client_for):
    district, _town_b = _teams()
    url = f"/outreach/teams/{district.pk}/plan/"
    assert client_for("hrss_officer").post(url, {"start": "2020-02-10"}).status_code == 403
    assert client_for("district_team_member").post(url, {"start": "2020-02-10"}).status_code == 302
    assert client_for("district_team_member").post(url, {"start": "1999-01-01"}).status_code == 400


def test_the_plan_rule_is_versioned_and_only_the_district_admin_adds_versions(world, client_for):
    today = timezone.localdate().isoformat()
    data = {"effective_from": today, "plan_days": 10, "source": "区复工办通知"}
    assert client_for("town_a_officer").post("/outreach/rules/", data).status_code == 403
    assert client_for("district_admin").post("/outreach/rules/", data).status_code == 302
    assert client_for("district_admin").post("/outreach/rules/", data).status_code == 400  # same date again
    assert OutreachRule.objects.filter(plan_days=10).count() == 1
