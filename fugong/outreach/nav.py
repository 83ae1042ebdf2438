from django.utils.translation import gettext_lazy as _

from fugong.core.navigation import NavItem, NavSection

from . import permissions as perms

SECTION = NavSection(
    _("宣传与中药汤剂"),
    (
        NavItem(_("宣传小分队覆盖"), "outreach:coverage", perms.VIEW_TEAMS, "◉"),
        NavItem(_("中药汤剂"), "outreach:tcm_list", perms.VIEW_TCM, "☕"),
        NavItem(_("走访计划规则"), "outreach:rules", perms.VIEW_TEAMS, "⚙"),
    ),
    order=35,
)
