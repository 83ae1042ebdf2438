"""包联全覆盖: every 规上 enterprise and key project, those without a district leader first; a new one shows
up at once; pairing a leader closes the gap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fugong.core.audit import AuditLog
from fugong.core.testing import EnterpriseFactory, assert_max_queries
from fugong.enterprises.models import KeyProject
from fugong.liaison import selectors
from fugong.liaison.models import LeaderPairing


def _rows(client) -> list[str]:
    html = client.get("/liaison/coverage/").content.decode()
    return [part.split('"')[0] for part in html.split('data-target="')[1:]]


def test_the_project_without_a_leader_is_listed_first_and_counted_as_a_gap(world, client_for):
    rows = selectors.pairing_coverage(world.district_admin)
    assert [r.target for r in rows] == [world.project, world.x]  # P has no leader, X has leader_of_x
    assert rows[1].leaders == [world.leader_of_x.full_name]
    response = client_for("district_admin").get("/liaison/coverage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="coverage-gaps">1<' in html
    assert _rows(client_for("district_admin")) == [f"p:{world.project.pk}", f"e:{world.x.pk}"]


def test_a_new_above_scale_enterprise_appears_among_the_gaps_at_once(world, client_for):
    new = EnterpriseFactory(name="郴州市新登记规上企业有限公司", town=world.town_a, annual_revenue_wan=Decimal("8000"))
    assert new.category == "above_scale_industrial"
    keys = _rows(client_for("district_admin"))
    assert keys.index(f"e:{new.pk}") < keys.index(f"e:{world.x.pk}")
    assert 'data-testid="coverage-gaps">2<' in client_for("district_admin").get("/liaison/coverage/").content.decode()


def test_smaller_enterprises_are_not_on_the_coverage_page(world):
    assert world.y.category != "above_scale_industrial"
    assert world.y not in [r.target for r in selectors.pairing_coverage(world.district_admin)]


def test_an_ended_pairing_is_a_gap_again(world):
    LeaderPairing.objects.filter(enterprise=world.x).update(end=dt.date(2020, 2, 1))
    rows = selectors.pairing_coverage(world.district_admin)
    assert all(not r.covered for r in rows)


def test_a_town_officer_sees_only_the_town_and_a_leader_only_their_pairings(world):
    other_town = EnterpriseFactory(name="白露塘规上企业", town=world.town_b, annual_revenue_wan=Decimal("9000"))
    town_rows = [r.target for r in selectors.pairing_coverage(world.town_a_officer)]
    assert other_town not in town_rows and world.x in town_rows
    assert [r.target for r in selectors.pairing_coverage(world.leader_of_x)] == [world.x]


def test_the_district_admin_pairs_a_leader_with_a_gap_and_it_is_audited(world, client_for):
    response = client_for("district_admin").post(
        "/liaison/coverage/pair/",
        {"target": f"p:{world.project.pk}", "leader": world.leader_of_x.pk, "start": "2020-02-03"},
    )
    assert response.status_code == 302
    assert LeaderPairing.objects.filter(project=world.project, leader=world.leader_of_x).exists()
    assert AuditLog.objects.filter(action="liaison.pair").count() == 1
    assert all(r.covered for r in selectors.pairing_coverage(world.district_admin))


def test_pairing_someone_who_is_not_a_district_leader_is_refused_and_writes_nothing(world, client_for):
    client_for("district_admin").post(
        "/liaison/coverage/pair/",
        {"target": f"p:{world.project.pk}", "leader": world.town_a_officer.pk, "start": "2020-02-03"},
    )
    assert not LeaderPairing.objects.filter(project=world.project).exists()


def test_a_forged_target_key_is_a_404_not_a_500(world, client_for):
    for key in ("x:1", "e:abc", "p:999999", "", "e:" + "9" * 30):
        response = client_for("district_admin").post(
            "/liaison/coverage/pair/", {"target": key, "leader": world.leader_of_x.pk, "start": "2020-02-03"}
        )
        assert response.status_code == 404


def test_the_coverage_page_stays_within_its_query_budget(world, client_for):
    for i in range(15):
        EnterpriseFactory(name=f"郴州市规上企业{i}", town=world.town_a, annual_revenue_wan=Decimal("6000"))
        KeyProject.objects.create(code=f"XM-{i}", name=f"项目{i}", town=world.town_a)
    client = client_for("district_admin")
    with assert_max_queries(14):
        assert client.get("/liaison/coverage/").status_code == 200
