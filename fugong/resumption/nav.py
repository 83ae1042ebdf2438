from django.utils.translation import gettext_lazy as _

from fugong.core.navigation import NavItem, NavSection

from . import permissions

SECTION = NavSection(
    _("复工复产"),
    (
        NavItem(_("复工看板"), "resumption:dashboard", permissions.DASHBOARD, "▥"),
        NavItem(_("复工申请"), "resumption:applications", permissions.VIEW, "✓"),
        NavItem(_("“十到位”检查表"), "resumption:checklist", permissions.VIEW, "☑"),
    ),
    order=15,
)
