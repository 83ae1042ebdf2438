"""Role actions of pairing (包联), liaison cadres (驻企联络员) and help teams (一企一队), merged into
fugong.accounts.roles.can(). *What* a user sees stays with fugong.core.scoping."""

from __future__ import annotations

from fugong.accounts.roles import Role

VIEW_PAIRING = "liaison.pairing.view"  # the 全覆盖 page: 规上 enterprises and key projects and their leaders
MANAGE_PAIRING = "liaison.pairing.manage"  # pair a district leader with a target
VIEW_CADRES = "liaison.cadre.view"  # cadres, their postings and the visit coverage
MANAGE_CADRES = "liaison.cadre.manage"  # cadres, postings, the assignment proposal and the liaison rules
LOG_VISIT = "liaison.visit.log"  # visits and help activities (走访帮扶)
VIEW_VISITS = "liaison.visit.view"
MANAGE_TEAMS = "liaison.team.manage"  # form and change 一企一队 help teams
MY_PAGE = "liaison.my"  # the liaison's phone page
# Who serves one enterprise (its liaisons, paired leaders, help team), on its page and in the API: also for the
# enterprise's own admin and its liaison, who may not open the cadre pages.
VIEW_SERVICE = "liaison.service.view"

GRANTS: dict[str, set[str]] = {
    Role.DISTRICT_ADMIN: {
        VIEW_PAIRING,
        MANAGE_PAIRING,
        VIEW_CADRES,
        MANAGE_CADRES,
        LOG_VISIT,
        VIEW_VISITS,
        MANAGE_TEAMS,
        VIEW_SERVICE,
    },
    # A district leader leads the help teams of the enterprises paired to them and goes on their visits.
    Role.DISTRICT_LEADER: {VIEW_PAIRING, VIEW_CADRES, LOG_VISIT, VIEW_VISITS, VIEW_SERVICE},
    Role.DEPARTMENT: {VIEW_PAIRING, VIEW_CADRES, LOG_VISIT, VIEW_VISITS, VIEW_SERVICE},
    Role.TOWN: {VIEW_PAIRING, VIEW_CADRES, LOG_VISIT, VIEW_VISITS, MANAGE_TEAMS, VIEW_SERVICE},
    Role.LIAISON: {LOG_VISIT, VIEW_VISITS, MY_PAGE, VIEW_SERVICE},
    Role.ENTERPRISE: {VIEW_SERVICE},
}
