"""Permission-matrix fragment: pairing, liaison cadres, visits and help teams. See fugong/core/matrix.py."""

from __future__ import annotations

from typing import Any

from fugong.core.matrix import ADMIN_ONLY, SEE_X, Case, api, page, record

# Roles that may open the pairing, cadre and rule pages (and log visits): district-wide, leader, town.
GOVERNMENT = frozenset({"district_admin", "leader_of_x", "hrss_officer", "town_a_officer"})
VISITS = GOVERNMENT | {"liaison_of_x"}  # visit records, visit coverage, help teams
TEAM_EDITORS = frozenset({"district_admin", "town_a_officer"})
REVEAL_CADRE = frozenset({"district_admin", "town_a_officer"})
SERVICE = GOVERNMENT | {"liaison_of_x", "enterprise_admin_x"}  # who serves an enterprise (its page's panel, API)


def objects(world: Any) -> dict[str, Any]:
    import datetime as dt

    from fugong.core.testing import EnterpriseFactory
    from fugong.liaison.models import Cadre, HelpTeam, LiaisonAssignment

    cadre = Cadre.objects.get(user=world.liaison_of_x)
    cadre.phone = "13900001111"
    cadre.save()
    team = HelpTeam.objects.create(enterprise=world.x, leader=world.leader_of_x, formed_on=dt.date(2020, 2, 5))
    posting = LiaisonAssignment.objects.get(cadre=cadre, enterprise=world.x)
    # A small enterprise of town A: posting the cadre there widens nobody's view of the cadre.
    z = EnterpriseFactory(name="郴州市矩阵测试小微企业", town=world.town_a, employees=8, annual_revenue_wan=100)
    return {
        "z": z.pk,
        "x": world.x.pk,
        "cadre": cadre.pk,
        "team": team.pk,
        "posting": posting.pk,
        "leader": world.leader_of_x.pk,
    }


def cases(o: dict[str, Any]) -> dict[str, Case]:
    x, c = o["x"], o["cadre"]
    return {
        "liaison:coverage": page("/liaison/coverage/", GOVERNMENT),
        "liaison:pair": record(
            "/liaison/coverage/pair/",
            ADMIN_ONLY,
            SEE_X,
            method="post",
            data={"target": f"e:{x}", "leader": o["leader"], "start": "2020-02-03"},
            ok_status=302,
        ),
        "liaison:cadre_list": page("/liaison/cadres/", GOVERNMENT),
        "liaison:cadre_create": page("/liaison/cadres/new/", ADMIN_ONLY),
        "liaison:cadre_detail": record(f"/liaison/cadres/{c}/", GOVERNMENT, SEE_X),
        "liaison:cadre_edit": record(f"/liaison/cadres/{c}/edit/", ADMIN_ONLY, SEE_X),
        "liaison:cadre_reveal": record(
            f"/liaison/cadres/{c}/reveal/", REVEAL_CADRE, SEE_X, method="post", data={"reason": "联系联络员"}
        ),
        "liaison:assign": record(
            f"/liaison/cadres/{c}/assign/",
            ADMIN_ONLY,
            SEE_X,
            method="post",
            data={"target": f"e:{o['z']}", "start": "2020-02-03"},
            ok_status=302,
        ),
        "liaison:assignment_end": record(
            f"/liaison/assignments/{o['posting']}/end/",
            ADMIN_ONLY,
            SEE_X,
            method="post",
            data={"end": "2099-12-31"},  # still in force today: the liaison keeps seeing X
            ok_status=302,
        ),
        "liaison:proposal": page("/liaison/proposal/", ADMIN_ONLY),
        "liaison:rules": page("/liaison/rules/", GOVERNMENT),
        "liaison:my": page("/liaison/my/", {"liaison_of_x"}),
        "liaison:visit_list": page("/liaison/visits/", VISITS),
        "liaison:visit_new": record(f"/liaison/visits/new/?target=e:{x}", VISITS, SEE_X),
        "liaison:visit_coverage": page("/liaison/visits/coverage/", VISITS),
        "liaison:team_list": page("/liaison/teams/", VISITS),
        "liaison:team_create": record(f"/liaison/teams/new/?enterprise={x}", TEAM_EDITORS, SEE_X),
        "liaison:team_detail": record(f"/liaison/teams/{o['team']}/", VISITS, SEE_X),
        "liaison:team_edit": record(f"/liaison/teams/{o['team']}/edit/", TEAM_EDITORS, SEE_X),
        # The API asks for the same action as the page showing the same thing: cadres (and their masked phones)
        # as on /liaison/cadres/, visits as on /liaison/visits/, help teams as on /liaison/teams/.
        "api:get_enterprise_liaison": api(record(f"/api/v1/enterprises/{x}/liaison", SERVICE, SEE_X)),
        "api:list_liaison_visits": api(page("/api/v1/liaison/visits", VISITS)),
        "api:list_help_teams": api(page("/api/v1/liaison/teams", VISITS)),
    }


CASE_NAMES = [
    "liaison:coverage",
    "liaison:pair",
    "liaison:cadre_list",
    "liaison:cadre_create",
    "liaison:cadre_detail",
    "liaison:cadre_edit",
    "liaison:cadre_reveal",
    "liaison:assign",
    "liaison:assignment_end",
    "liaison:proposal",
    "liaison:rules",
    "liaison:my",
    "liaison:visit_list",
    "liaison:visit_new",
    "liaison:visit_coverage",
    "liaison:team_list",
    "liaison:team_create",
    "liaison:team_detail",
    "liaison:team_edit",
    "api:get_enterprise_liaison",
    "api:list_liaison_visits",
    "api:list_help_teams",
]
