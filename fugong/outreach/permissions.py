"""Role actions of the outreach teams (宣传小分队) and the TCM decoction batches (中药汤剂), merged into
fugong.accounts.roles.can(). Which teams and enterprises a user sees stays with fugong.core.scoping."""

from __future__ import annotations

from fugong.accounts.roles import Role

VIEW_TEAMS = "outreach.view"  # teams, their targets, plans, visits and the coverage page
LOG_VISIT = "outreach.visit.log"  # record a visit with topics, attendees and materials
PLAN = "outreach.plan"  # (re)generate a team's visit plan
MANAGE_RULES = "outreach.rules.manage"  # the plan rule (N days)
VIEW_TCM = "outreach.tcm.view"
MANAGE_TCM = "outreach.tcm.manage"  # batches and their deliveries

GRANTS: dict[str, set[str]] = {
    Role.DISTRICT_ADMIN: {VIEW_TEAMS, LOG_VISIT, PLAN, MANAGE_RULES, VIEW_TCM, MANAGE_TCM},
    Role.DEPARTMENT: {VIEW_TEAMS, VIEW_TCM},
    Role.TOWN: {VIEW_TEAMS, LOG_VISIT, PLAN, VIEW_TCM},
    Role.OUTREACH: {VIEW_TEAMS, LOG_VISIT, PLAN},
}
