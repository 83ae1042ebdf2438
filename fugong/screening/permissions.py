"""Screening's role actions, merged into fugong.accounts.roles.can(). Scope (which enterprises and employees)
is still fugong.core.scoping's; these say what a role may do with what it sees."""

from __future__ import annotations

from fugong.accounts.roles import Role

VIEW = "screening.view"  # the screening overview, risk areas and rule versions (read)
MANAGE_RULES = "screening.manage_rules"  # new rule versions, risk levels (form and Excel), district rescreen
TRACE = "screening.trace"  # "who passed through X?" and its masked export
VIEW_ALERTS = "screening.alerts"
RESOLVE_ALERTS = "screening.resolve_alerts"
CHECKIN = "screening.checkin"  # an enterprise's QR poster and the gate-reading upload

_GOVERNMENT_READ = {VIEW, TRACE, VIEW_ALERTS}

GRANTS: dict[str, set[str]] = {
    Role.DISTRICT_ADMIN: {VIEW, MANAGE_RULES, TRACE, VIEW_ALERTS, RESOLVE_ALERTS, CHECKIN},
    # 卫健 and the other departments read district-wide; rule data stays with the command office.
    Role.DEPARTMENT: {VIEW, TRACE, VIEW_ALERTS},
    Role.DISTRICT_LEADER: {VIEW, VIEW_ALERTS},
    Role.TOWN: {*_GOVERNMENT_READ, RESOLVE_ALERTS, CHECKIN},
    # Liaisons screened trajectories with their enterprises (the article) and follow up their alerts.
    Role.LIAISON: {*_GOVERNMENT_READ, RESOLVE_ALERTS, CHECKIN},
    # An enterprise sees its own statuses (the overview sends it to its page) and the district's risk areas.
    Role.ENTERPRISE: {VIEW, VIEW_ALERTS, RESOLVE_ALERTS, CHECKIN},
}
