"""Admin for resumption, under the same scope and role rules as the pages (fugong.core.admin_base).

Everything here is read-only: the checklist changes only by publishing a new version on its page (so past
inspections keep theirs), the transition table is the workflow's definition, and applications, status changes
and daily reports change only through the services (validated, audited, snapshots refreshed).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fugong.core.admin_base import ReadOnlyAdmin, ScopedModelAdmin

from . import permissions
from .models import Application, Checklist, ChecklistItem, DailyReport, SnapshotRun, StatusChange, Transition


class _Items(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    can_delete = False
    fields = ("order", "title", "description", "mandatory", "evidence")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Checklist)
class ChecklistAdmin(ReadOnlyAdmin):
    view_action = permissions.VIEW
    list_display = ("version", "title", "effective_from", "source", "note")
    inlines = (_Items,)


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    view_action = permissions.VIEW
    list_display = ("action", "from_state", "to_state", "approval", "source")
    list_filter = ("action", "approval")


class _ScopedReadOnly(ScopedModelAdmin):
    scope_path = "enterprise"
    view_action = permissions.VIEW
    allow_add = allow_change = allow_delete = False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Application)
class ApplicationAdmin(_ScopedReadOnly):
    list_display = ("id", "enterprise", "state", "planned_date", "submitted_at", "actual_date")
    list_filter = ("state",)
    list_select_related = ("enterprise",)
    search_fields = ("enterprise__name", "enterprise__uscc")


@admin.register(StatusChange)
class StatusChangeAdmin(_ScopedReadOnly):
    list_display = ("enterprise", "effective_on", "from_status", "to_status", "reason", "actor_label")
    list_filter = ("to_status",)
    list_select_related = ("enterprise",)


@admin.register(DailyReport)
class DailyReportAdmin(_ScopedReadOnly):
    list_display = ("enterprise", "day", "registered", "on_duty", "capacity_rate", "orders_on_hand")
    list_select_related = ("enterprise",)
    date_hierarchy = "day"


@admin.register(SnapshotRun)
class SnapshotRunAdmin(ReadOnlyAdmin):
    view_action = permissions.REFRESH
    list_display = ("id", "status", "trigger", "days_total", "days_done", "created_at", "seconds", "message")
