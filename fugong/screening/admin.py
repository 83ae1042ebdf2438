"""Admin for screening. Rule versions and risk levels are history: shown here, changed only through their
pages (a new version or level, never an edit in place). Alerts and declarations are shown within scope."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fugong.core.admin_base import ReadOnlyAdmin, ScopedModelAdmin

from . import permissions
from .models import Alert, Declaration, RiskArea, ScreeningRuleSet


@admin.register(ScreeningRuleSet)
class ScreeningRuleSetAdmin(ReadOnlyAdmin):
    view_action = permissions.VIEW
    list_display = ("version", "effective_from", "effective_to", "observation_days", "fever_threshold_c", "source")


@admin.register(RiskArea)
class RiskAreaAdmin(ReadOnlyAdmin):
    view_action = permissions.VIEW
    list_display = ("region_code", "region_name", "level", "effective_from", "effective_to", "source")
    list_filter = ("level",)
    search_fields = ("region_code", "region_name")


class _ScopedReadOnly(ScopedModelAdmin):
    scope_path = "enterprise"
    allow_add = allow_change = allow_delete = False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Alert)
class AlertAdmin(_ScopedReadOnly):
    view_action = permissions.VIEW_ALERTS
    list_display = ("kind", "day", "enterprise", "message", "resolved_at")
    list_filter = ("kind",)
    list_select_related = ("enterprise",)


@admin.register(Declaration)
class DeclarationAdmin(_ScopedReadOnly):
    view_action = permissions.VIEW_ALERTS
    list_display = ("declared_at", "enterprise", "employee", "status_after", "statement_version")
    list_select_related = ("enterprise", "employee")
    exclude = ("device_hash",)
