"""Admin for liaison cadres (驻企联络员), their postings and the district leaders' pairings (包联).

Each is scoped through its target: an assignment or pairing is visible when its enterprise or its project
is in the user's scope; a cadre when any of their postings is. Phones stay masked and are replaced, not shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fugong.accounts import roles
from fugong.accounts.roles import Role
from fugong.core import scoping
from fugong.core.admin_base import RoleGatedAdmin, ScopedModelAdmin, any_of, masked_phone_column
from fugong.core.identifiers import IdentifierError, normalise_phone

from . import permissions as perms
from .models import Cadre, HelpTeam, LeaderPairing, LiaisonAssignment, LiaisonRule, Visit


def target_q(request: HttpRequest, prefix: str = "") -> Q:
    user = request.user
    return any_of(
        scoping.enterprise_q(user, f"{prefix}enterprise__"),
        scoping.project_q(user, f"{prefix}project__"),
    )


class CadreAdminForm(forms.ModelForm):
    new_phone = forms.CharField(
        label=_("新手机号码"), max_length=40, required=False, help_text=_("留空则保持原号码不变")
    )

    class Meta:
        model = Cadre
        fields = ("user", "name", "unit", "rank", "party_member", "home_town", "new_phone")

    def clean_new_phone(self) -> str:
        raw = self.cleaned_data.get("new_phone") or ""
        if not raw.strip():
            return ""
        try:
            return normalise_phone(raw)
        except IdentifierError as exc:
            raise forms.ValidationError(exc.message) from None

    def save(self, commit: bool = True) -> Any:
        if self.cleaned_data.get("new_phone"):
            self.instance.phone = self.cleaned_data["new_phone"]
        return super().save(commit)


class _TargetAdmin(ScopedModelAdmin):
    view_action = roles.VIEW_ENTERPRISES
    list_filter = ("start", "end")

    def scope_q(self, request: HttpRequest) -> Q:
        return target_q(request)


@admin.register(Cadre)
class CadreAdmin(ScopedModelAdmin):
    view_action = roles.VIEW_ENTERPRISES
    scope_distinct = True  # a cadre with several postings in scope is listed once
    form = CadreAdminForm
    list_display = ("name", "unit", "rank", "home_town", masked_phone_column("phone", _("手机号码")))
    list_select_related = ("home_town",)
    search_fields = ("name", "unit")

    def scope_q(self, request: HttpRequest) -> Q:
        return target_q(request, "assignments__")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            fields = [f for f in fields if f != "new_phone"]
        return fields


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(_TargetAdmin):
    list_display = ("cadre", "enterprise", "project", "start", "end")
    list_select_related = ("cadre", "enterprise", "project")
    search_fields = ("cadre__name", "enterprise__name", "project__name")


@admin.register(LeaderPairing)
class LeaderPairingAdmin(_TargetAdmin):
    list_display = ("leader", "enterprise", "project", "start", "end")
    list_select_related = ("leader", "enterprise", "project")
    search_fields = ("leader__full_name", "enterprise__name", "project__name")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "leader":
            kwargs["queryset"] = db_field.related_model.objects.filter(role=Role.DISTRICT_LEADER)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- issue #6 ---------------------------------------------------------------------------------------------


class LiaisonRuleForm(forms.ModelForm):
    class Meta:
        model = LiaisonRule
        fields = ("effective_from", "max_load", "visit_interval_days", "source", "note")

    def clean(self) -> dict[str, Any]:
        from . import services

        data = super().clean() or {}
        try:
            services.validate_rule(data)
        except services.LiaisonValidationError as exc:
            for field, message in exc.errors.items():
                self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(LiaisonRule)
class LiaisonRuleAdmin(RoleGatedAdmin):
    """Rule versions are only ever added (from today on, after every earlier version), never changed or
    deleted: history stays as it was applied. The same check as the rules page."""

    view_action = perms.VIEW_CADRES
    allow_change = allow_delete = False
    form = LiaisonRuleForm
    list_display = ("effective_from", "max_load", "visit_interval_days", "source", "created_by")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from . import services

        saved = services.do_add_rule(request.user, form.cleaned_data)
        obj.pk = saved.pk


@admin.register(HelpTeam)
class HelpTeamAdmin(ScopedModelAdmin):
    view_action = perms.VIEW_VISITS
    scope_path = "enterprise"
    list_display = ("enterprise", "leader", "department", "town_lead", "liaison", "formed_on")
    list_select_related = ("enterprise", "leader", "department", "liaison")
    search_fields = ("enterprise__name", "town_lead")


@admin.register(Visit)
class VisitAdmin(ScopedModelAdmin):
    view_action = perms.VIEW_VISITS
    list_display = ("visited_on", "enterprise", "project", "kind", "person_times", "purpose", "cadre")
    list_filter = ("kind", "visited_on")
    list_select_related = ("enterprise", "project", "cadre")
    search_fields = ("enterprise__name", "project__name", "purpose")

    def scope_q(self, request: HttpRequest) -> Q:
        return target_q(request)
