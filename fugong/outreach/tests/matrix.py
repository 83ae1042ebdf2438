"""Permission-matrix fragment: outreach teams and TCM decoction. See fugong/core/matrix.py."""

from __future__ import annotations

from typing import Any

from fugong.core.matrix import ADMIN_ONLY, SEE_X, Case, api, page, record

VIEWERS = frozenset({"district_admin", "hrss_officer", "town_a_officer", "district_team_member", "town_b_team_member"})
# Who sees the district team: the district-wide roles and its member (town A has no team of its own here).
SEE_DISTRICT_TEAM = frozenset({"district_admin", "hrss_officer", "district_team_member"})
TCM_VIEWERS = frozenset({"district_admin", "hrss_officer", "town_a_officer"})


def objects(world: Any) -> dict[str, Any]:
    import datetime as dt

    from fugong.outreach.models import OutreachTeam, TcmBatch, TcmDelivery

    batch = TcmBatch.objects.create(number=1, supplied_on=dt.date(2020, 2, 14), supplier="测试煎药室", doses=300)
    TcmDelivery.objects.create(batch=batch, enterprise=world.x, workers=100, doses=300)
    return {"team": OutreachTeam.objects.get(level="district").pk, "batch": batch.pk}


def cases(o: dict[str, Any]) -> dict[str, Case]:
    t = o["team"]
    return {
        "outreach:coverage": page("/outreach/", VIEWERS),
        "outreach:team_detail": record(f"/outreach/teams/{t}/", SEE_DISTRICT_TEAM, SEE_DISTRICT_TEAM),
        "outreach:plan": record(f"/outreach/teams/{t}/plan/", SEE_DISTRICT_TEAM, SEE_DISTRICT_TEAM),
        "outreach:visit_new": record(
            f"/outreach/teams/{t}/visits/new/", {"district_admin", "district_team_member"}, SEE_DISTRICT_TEAM
        ),
        "outreach:rules": page("/outreach/rules/", VIEWERS),
        "outreach:tcm_list": page("/outreach/tcm/", TCM_VIEWERS),
        "outreach:tcm_create": page("/outreach/tcm/new/", ADMIN_ONLY),
        "outreach:tcm_detail": record(f"/outreach/tcm/{o['batch']}/", TCM_VIEWERS, SEE_X),
        # Teams with their numbers as on the coverage page; visits as on the team pages (the same action).
        "api:list_outreach_teams": api(page("/api/v1/outreach/teams", VIEWERS)),
        "api:list_outreach_visits": api(page("/api/v1/outreach/visits", VIEWERS)),
    }


CASE_NAMES = [
    "outreach:coverage",
    "outreach:team_detail",
    "outreach:plan",
    "outreach:visit_new",
    "outreach:rules",
    "outreach:tcm_list",
    "outreach:tcm_create",
    "outreach:tcm_detail",
    "api:list_outreach_teams",
    "api:list_outreach_visits",
]
