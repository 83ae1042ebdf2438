"""The screening section of the side navigation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fugong.core.navigation import NavItem, NavSection

from . import permissions

SECTION = NavSection(
    _("排查与健康监测"),
    (
        NavItem(_("排查总览"), "screening:overview", permissions.VIEW, "✚"),
        NavItem(_("预警"), "screening:alerts", permissions.VIEW_ALERTS, "⚠"),
        NavItem(_("途经人员查询"), "screening:trace", permissions.TRACE, "⌖"),
        NavItem(_("风险地区"), "screening:risk_areas", permissions.VIEW, "◉"),
        NavItem(_("排查规则"), "screening:rules", permissions.VIEW, "§"),
        NavItem(_("重新排查"), "screening:rescreen", permissions.MANAGE_RULES, "↻"),
    ),
    order=25,
)
