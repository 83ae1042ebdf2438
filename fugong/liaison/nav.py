from django.utils.translation import gettext_lazy as _

from fugong.core.navigation import NavItem, NavSection

from . import permissions as perms

SECTION = NavSection(
    _("包联与联络员"),
    (
        NavItem(_("我的企业"), "liaison:my", perms.MY_PAGE, "☎"),
        NavItem(_("包联全覆盖"), "liaison:coverage", perms.VIEW_PAIRING, "◎"),
        NavItem(_("驻企联络员"), "liaison:cadre_list", perms.VIEW_CADRES, "☺"),
        NavItem(_("走访覆盖"), "liaison:visit_coverage", perms.VIEW_VISITS, "✓"),
        NavItem(_("走访帮扶记录"), "liaison:visit_list", perms.VIEW_VISITS, "✎"),
        NavItem(_("一企一队"), "liaison:team_list", perms.VIEW_VISITS, "⚑"),
        NavItem(_("自动派驻方案"), "liaison:proposal", perms.MANAGE_CADRES, "⇄"),
        NavItem(_("派驻规则"), "liaison:rules", perms.VIEW_CADRES, "⚙"),
    ),
    order=30,
)
