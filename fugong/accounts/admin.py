"""Admin for accounts: only the district admin opens it (roles.MANAGE_ACCOUNTS).

Writes go through accounts.services (create, profile update, password), so the role/scope rules and the audit
rows are the same as on the account pages. Admin-site access (is_staff), which those services do not manage,
gets its own audit row here. API tokens are shown read-only: they are issued by `manage.py issue_token`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from fugong.core import audit
from fugong.core.admin_base import ReadOnlyAdmin, ScopedModelAdmin

from . import roles, services
from .models import ApiToken, Department, User
from .roles import Role

ROLE_FIELDS = ("role", "department", "town", "enterprise", "bank")


class _AccountRulesMixin(forms.ModelForm):
    """The account rules of accounts.services, checked before anything is written."""

    actor: Any = None  # set per request by FugongUserAdmin.get_form

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        role = cleaned.get("role") or ""
        if role not in Role.values:
            self.add_error("role", gettext("请选择角色"))
            return cleaned
        for name, message in services.scope_errors(role, cleaned).items():
            if name in self.fields:
                self.add_error(name, message)
        user = self.instance
        if user.pk is not None:
            active = cleaned.get("is_active", user.is_active)
            if self.actor is not None and user.pk == self.actor.pk and not active:
                self.add_error("is_active", gettext("不能停用自己的账号"))
            stays_admin = role == Role.DISTRICT_ADMIN and active
            was_admin = user.role == Role.DISTRICT_ADMIN and user.is_active
            others = User.objects.filter(role=Role.DISTRICT_ADMIN, is_active=True).exclude(pk=user.pk)
            if was_admin and not stays_admin and not others.exists():
                self.add_error(None, gettext("这是唯一在用的区复工办管理员账号，不能停用或更改其角色"))
        return cleaned


class UserAdminChangeForm(_AccountRulesMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class UserAdminCreationForm(_AccountRulesMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)


class PasswordForm(AdminPasswordChangeForm):
    # Leaving staff are deactivated, never left with an unusable password: always a real new password.
    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = True
        self.fields["password2"].required = True


@admin.register(User)
class FugongUserAdmin(ScopedModelAdmin, UserAdmin):
    view_action = roles.MANAGE_ACCOUNTS
    allow_delete = False  # audit rows keep pointing at their actor; accounts are deactivated instead
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    change_password_form = PasswordForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "unit", "email")}),
        (_("角色与范围"), {"fields": ROLE_FIELDS}),
        (_("状态"), {"fields": ("is_active", "is_staff")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("个人信息"), {"fields": ("full_name", "unit")}),
        (_("角色与范围"), {"fields": ROLE_FIELDS}),
        (_("状态"), {"fields": ("is_staff",)}),
    )
    readonly_fields = ("username", "last_login", "date_joined")
    list_display = ("username", "full_name", "role", "town", "enterprise", "bank", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")
    list_select_related = ("town", "enterprise", "bank")
    search_fields = ("username", "full_name", "unit")
    ordering = ("username",)
    filter_horizontal = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form: Any = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # a fresh class per call, so this stays with this request
        return form

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        cleaned = form.cleaned_data
        data = {k: cleaned[k] for k in services.PROFILE_FIELDS if k in cleaned}
        staff_before = False
        if change:
            staff_before = User.objects.only("is_staff").get(pk=obj.pk).is_staff
            services.do_update_user(request.user, obj, data)
        else:
            data["username"] = cleaned["username"]
            created = services.do_create_user(request.user, data, cleaned["password1"])
            for f in User._meta.concrete_fields:
                setattr(obj, f.attname, getattr(created, f.attname))
            obj._state.adding = False
        staff_after = bool(cleaned.get("is_staff", staff_before))
        if staff_after != staff_before:
            User.objects.filter(pk=obj.pk).update(is_staff=staff_after)
            obj.is_staff = staff_after
            audit.record(request.user, "user.admin_access", obj, changes={"is_staff": [staff_before, staff_after]})

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # No many-to-many here (groups and permissions are not used: roles decide), and the services audited.
        admin.ModelAdmin.save_related(self, request, form, formsets, change)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        if request.method == "POST":
            user = self.get_object(request, unquote(id))
            if not self.has_change_permission(request, user):
                raise PermissionDenied
            form = self.change_password_form(user, request.POST)
            if form.is_valid():
                with transaction.atomic():
                    services.do_set_password(request.user, user, form.cleaned_data["password1"])
                if user.pk == request.user.pk:
                    update_session_auth_hash(request, user)
                messages.success(request, gettext("密码已修改"))
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=(user.pk,)))
        # GET, or invalid input: Django's view renders the form and its errors.
        return super().user_change_password(request, id, form_url)


@admin.register(Department)
class DepartmentAdmin(ScopedModelAdmin):
    view_action = roles.MANAGE_ACCOUNTS
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    view_action = roles.MANAGE_ACCOUNTS
    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    list_select_related = ("user",)
    search_fields = ("prefix", "user__username")
    # The digest is never shown: with it a stolen database copy could be matched against guessed tokens.
    fields = ("prefix", "user", "created_at", "last_used_at", "revoked")
    readonly_fields = fields


# Roles decide what a user may do (roles.py); Django groups and per-model permissions are not used.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
