"""Roles and what each may do. Data, not scattered `if role == …` checks.

*What* a user may see is decided by `fugong.core.scoping`; *which actions* their role may take on what they
see is decided here. A view asks `can(user, action)`; an action outside the role is 403, an object outside
the scope is 404.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区复工办管理员")
    DISTRICT_LEADER = "district_leader", _("区级包联领导")
    DEPARTMENT = "department", _("职能部门")
    TOWN = "town", _("镇（街道）")
    LIAISON = "liaison", _("驻企联络员")
    OUTREACH = "outreach", _("宣传小分队")
    ENTERPRISE = "enterprise", _("企业管理员")
    BANK = "bank", _("银行")
    AUDITOR = "auditor", _("审计员")


# Roles that belong to government staff: TOTP can be required for them (django-otp).
STAFF_ROLES = frozenset(
    {Role.DISTRICT_ADMIN, Role.DISTRICT_LEADER, Role.DEPARTMENT, Role.TOWN, Role.LIAISON, Role.OUTREACH, Role.AUDITOR}
)

VIEW_ENTERPRISES = "enterprise.view"
EDIT_ENTERPRISE = "enterprise.edit"
CREATE_ENTERPRISE = "enterprise.create"
IMPORT_ENTERPRISES = "enterprise.import"
EXPORT_ENTERPRISES = "enterprise.export"
VIEW_PROJECTS = "project.view"
EDIT_PROJECT = "project.edit"
REVEAL_PERSONAL_DATA = "pii.reveal"
VIEW_AUDIT = "audit.view"
MANAGE_ACCOUNTS = "accounts.manage"
VIEW_DISTRICT_FIGURES = "figures.view"
VIEW_EMPLOYEES = "employee.view"  # the roster and archive cards (masked)
EDIT_EMPLOYEES = "employee.edit"  # archive entries: trajectory, tests, quarantine, readings
IMPORT_EMPLOYEES = "employee.import"
EXPORT_EMPLOYEES = "employee.export"

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset(
        {
            VIEW_ENTERPRISES,
            EDIT_ENTERPRISE,
            CREATE_ENTERPRISE,
            IMPORT_ENTERPRISES,
            EXPORT_ENTERPRISES,
            VIEW_PROJECTS,
            EDIT_PROJECT,
            REVEAL_PERSONAL_DATA,
            VIEW_AUDIT,
            MANAGE_ACCOUNTS,
            VIEW_DISTRICT_FIGURES,
            VIEW_EMPLOYEES,
            EDIT_EMPLOYEES,
            IMPORT_EMPLOYEES,
            EXPORT_EMPLOYEES,
        }
    ),
    Role.DISTRICT_LEADER: frozenset({VIEW_ENTERPRISES, EXPORT_ENTERPRISES, VIEW_PROJECTS, VIEW_DISTRICT_FIGURES}),
    Role.DEPARTMENT: frozenset({VIEW_ENTERPRISES, EXPORT_ENTERPRISES, VIEW_PROJECTS, VIEW_DISTRICT_FIGURES}),
    Role.TOWN: frozenset(
        {
            VIEW_ENTERPRISES,
            EDIT_ENTERPRISE,
            CREATE_ENTERPRISE,
            IMPORT_ENTERPRISES,
            EXPORT_ENTERPRISES,
            VIEW_PROJECTS,
            EDIT_PROJECT,
            REVEAL_PERSONAL_DATA,
            VIEW_DISTRICT_FIGURES,
            VIEW_EMPLOYEES,
            EDIT_EMPLOYEES,
            IMPORT_EMPLOYEES,
            EXPORT_EMPLOYEES,
        }
    ),
    # Liaisons helped enterprises build archive cards and screen trajectories (the article), but don't export
    # or reveal full identifiers.
    Role.LIAISON: frozenset(
        {VIEW_ENTERPRISES, VIEW_PROJECTS, VIEW_DISTRICT_FIGURES, VIEW_EMPLOYEES, EDIT_EMPLOYEES, IMPORT_EMPLOYEES}
    ),
    Role.OUTREACH: frozenset({VIEW_ENTERPRISES}),
    # An enterprise's HR collected its workers' data in the first place: it keeps full access to its own roster.
    Role.ENTERPRISE: frozenset(
        {
            VIEW_ENTERPRISES,
            EDIT_ENTERPRISE,
            EXPORT_ENTERPRISES,
            VIEW_PROJECTS,  # the key projects it owns
            REVEAL_PERSONAL_DATA,
            VIEW_EMPLOYEES,
            EDIT_EMPLOYEES,
            IMPORT_EMPLOYEES,
            EXPORT_EMPLOYEES,
        }
    ),
    Role.BANK: frozenset({VIEW_ENTERPRISES}),
    Role.AUDITOR: frozenset({VIEW_AUDIT}),
}


def _app_grants() -> dict[str, frozenset[str]]:
    """ROLE_ACTIONS plus what each capability's app grants in `fugong/<app>/permissions.py`:
    `GRANTS: dict[Role, set[str]]`. Apps own their actions; this module owns the roles."""
    from django.apps import apps as django_apps

    merged = {role: set(actions) for role, actions in ROLE_ACTIONS.items()}
    for config in django_apps.get_app_configs():
        if not config.name.startswith("fugong."):
            continue
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for role, actions in getattr(module, "GRANTS", {}).items():
            merged.setdefault(role, set()).update(actions)
    return {role: frozenset(actions) for role, actions in merged.items()}


@lru_cache(maxsize=1)
def effective_actions() -> dict[str, frozenset[str]]:
    return _app_grants()


def can(user: Any, action: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return action in effective_actions().get(getattr(user, "role", ""), frozenset())
