"""Admin for 防疫宣传小分队. Team membership decides what a member sees (scoping.py), so the teams are
configuration the district admin alone opens and edits; changes, members included, are audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from fugong.accounts import roles
from fugong.core.admin_base import RoleGatedAdmin, ScopedModelAdmin

from . import permissions as perms
from .models import MaterialHandout, OutreachRule, OutreachTeam, OutreachVisit, TcmBatch, TcmDelivery


@admin.register(OutreachTeam)
class OutreachTeamAdmin(ScopedModelAdmin):
    view_action = roles.MANAGE_ACCOUNTS
    list_display = ("name", "level", "town")
    list_filter = ("level",)
    list_select_related = ("town",)
    search_fields = ("name",)
    filter_horizontal = ("members",)


class OutreachRuleForm(forms.ModelForm):
    class Meta:
        model = OutreachRule
        fields = ("effective_from", "plan_days", "source", "note")

    def clean(self) -> dict[str, Any]:
        from . import services

        data = super().clean() or {}
        try:
            services.validate_rule(data)
        except services.OutreachValidationError as exc:
            for field, message in exc.errors.items():
                self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(OutreachRule)
class OutreachRuleAdmin(RoleGatedAdmin):
    """Rule versions are only ever added (from today on, after every earlier version), never changed or
    deleted. The same check as the rules page."""

    view_action = perms.VIEW_TEAMS
    allow_change = allow_delete = False
    form = OutreachRuleForm
    list_display = ("effective_from", "plan_days", "source", "created_by")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from . import services

        saved = services.do_add_rule(request.user, form.cleaned_data)
        obj.pk = saved.pk


class MaterialInline(admin.TabularInline):
    model = MaterialHandout
    extra = 0


@admin.register(OutreachVisit)
class OutreachVisitAdmin(ScopedModelAdmin):
    view_action = perms.VIEW_TEAMS
    scope_path = "enterprise"
    list_display = ("visited_on", "team", "enterprise", "attendees")
    list_filter = ("team", "visited_on")
    list_select_related = ("team", "enterprise")
    search_fields = ("enterprise__name",)
    inlines = (MaterialInline,)


@admin.register(TcmBatch)
class TcmBatchAdmin(ScopedModelAdmin):
    view_action = perms.MANAGE_TCM
    list_display = ("number", "supplied_on", "supplier", "doses")


@admin.register(TcmDelivery)
class TcmDeliveryAdmin(ScopedModelAdmin):
    view_action = perms.VIEW_TCM
    scope_path = "enterprise"
    list_display = ("batch", "enterprise", "workers", "doses")
    list_select_related = ("batch", "enterprise")
    search_fields = ("enterprise__name",)
