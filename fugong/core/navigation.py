"""The side navigation, by capability. Each entry names the action that shows it, so a user sees exactly
the pages their role can open. Later issues add their sections here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fugong.accounts import roles


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    action: str | None  # None: every signed-in user
    icon: str = "•"


@dataclass(frozen=True)
class NavSection:
    label: str | Promise
    items: tuple[NavItem, ...]
    order: int = 50  # position in the side bar; capability apps add theirs in `fugong/<app>/nav.py`


SECTIONS: tuple[NavSection, ...] = (
    NavSection(_("工作台"), (NavItem(_("首页"), "home", None, "⌂"),), order=0),
    NavSection(
        _("企业台账"),
        (
            NavItem(_("企业列表"), "enterprises:list", roles.VIEW_ENTERPRISES, "▤"),
            NavItem(_("重点项目"), "enterprises:project_list", roles.VIEW_PROJECTS, "◫"),
            NavItem(_("Excel导入"), "enterprises:import", roles.IMPORT_ENTERPRISES, "⇪"),
        ),
        order=10,
    ),
    NavSection(
        _("员工档案"),
        (
            NavItem(_("员工花名册"), "workforce:roster_home", roles.VIEW_EMPLOYEES, "☷"),
            NavItem(_("花名册导入"), "workforce:import", roles.IMPORT_EMPLOYEES, "⇪"),
            NavItem(_("全区员工统计"), "workforce:district_totals", roles.VIEW_DISTRICT_FIGURES, "▦"),
        ),
        order=20,
    ),
    NavSection(
        _("报表"),
        (NavItem(_("每日简报"), "reports:brief", roles.VIEW_DISTRICT_FIGURES, "✎"),),
        order=90,
    ),
    NavSection(
        _("系统管理"),
        (
            NavItem(_("账号管理"), "accounts:user_list", roles.MANAGE_ACCOUNTS, "☺"),
            NavItem(_("操作日志"), "core:audit_log", roles.VIEW_AUDIT, "☰"),
            NavItem(_("个人信息访问日志"), "core:access_log", roles.VIEW_AUDIT, "◎"),
        ),
        order=100,
    ),
)


@lru_cache(maxsize=1)
def all_sections() -> tuple[NavSection, ...]:
    """The core sections plus each app's `fugong/<app>/nav.py` SECTION, in `order`."""
    from django.apps import apps as django_apps

    sections = list(SECTIONS)
    for config in django_apps.get_app_configs():
        if not config.name.startswith("fugong."):
            continue
        try:
            module = import_module(f"{config.name}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.nav":
                raise
            continue
        sections.append(module.SECTION)
    return tuple(sorted(sections, key=lambda s: s.order))


def for_user(user: Any, current_path: str = "") -> list[dict[str, Any]]:
    out = []
    for section in all_sections():
        items = []
        for item in section.items:
            if item.action is not None and not roles.can(user, item.action):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            active = current_path == url if url == "/" else current_path.startswith(url)
            items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
        if items:
            out.append({"label": section.label, "items": items})
    return out
