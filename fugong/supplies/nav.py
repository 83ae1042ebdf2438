"""The supplies section of the side navigation (fugong.core.navigation)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fugong.core.navigation import NavItem, NavSection

from . import permissions as p

SECTION = NavSection(
    _("防疫物资"),
    (
        NavItem(_("物资台账"), "supplies:home", p.VIEW_SUPPLIES, "▣"),
        NavItem(_("物资保障概况"), "supplies:overview", p.VIEW_OVERVIEW, "▥"),
        NavItem(_("需求申报"), "supplies:requests", p.REQUEST_SUPPLIES, "✚"),
        NavItem(_("采购订单"), "supplies:orders", p.PROCURE, "⛟"),
        NavItem(_("送货上门"), "supplies:deliveries", p.CONFIRM_DELIVERY, "⇲"),
        NavItem(_("供应商"), "supplies:suppliers", p.PROCURE, "☏"),
        NavItem(_("定额与标准"), "supplies:norms", p.VIEW_SUPPLIES, "⚖"),
    ),
    order=30,
)
