"""Admin for the registry. Writes go through enterprises.services so they are validated, classified and
audited exactly as on the registry pages; enterprises are never deleted here (their history must stay)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fugong.accounts import roles
from fugong.core import scoping
from fugong.core.admin_base import ScopedModelAdmin, masked_phone_column
from fugong.core.masking import mask_name
from fugong.regions.selectors import towns

from . import services
from .models import Enterprise, KeyProject, SizeThreshold

TWO_PLACES = Decimal("0.01")
# The form edits everything a person types except the phone, which is replaced rather than shown (below).
FORM_FIELDS = tuple(f for f in services.EDITABLE_FIELDS if f != "contact_phone")


class EnterpriseAdminForm(forms.ModelForm):
    # The stored phone is never put into the page; a new one replaces it (blank keeps it).
    new_contact_phone = forms.CharField(
        label=_("新联系电话"), max_length=40, required=False, help_text=_("留空则保持原号码不变")
    )

    class Meta:
        model = Enterprise
        fields = (*FORM_FIELDS, "new_contact_phone")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name, field in self.fields.items():
            # 5000 and 5000.00 are the same amount; keep them from showing up as a change in the audit row.
            if isinstance(field, forms.DecimalField) and isinstance(cleaned.get(name), Decimal):
                cleaned[name] = cleaned[name].quantize(TWO_PLACES)
        data: dict[str, Any] = {
            k: cleaned.get(k) for k in ("uscc", "rents_state_premises", "monthly_rent_yuan") if k in cleaned
        }
        if cleaned.get("new_contact_phone"):
            data["contact_phone"] = cleaned["new_contact_phone"]
        try:
            normalised, _warnings = services.clean_enterprise_data(data)
        except services.EnterpriseValidationError as exc:
            for key, message in exc.errors.items():
                name = "new_contact_phone" if key == "contact_phone" else key
                self.add_error(name if name in self.fields else None, message)
            return cleaned
        cleaned["uscc"] = normalised.get("uscc", cleaned.get("uscc"))
        if "contact_phone" in normalised:
            cleaned["new_contact_phone"] = normalised["contact_phone"]
        return cleaned


class _InTownAdmin(ScopedModelAdmin):
    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Enterprises and projects sit in a town of this district, not in a province or a village.
        if db_field.name == "town":
            kwargs["queryset"] = towns()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Enterprise)
class EnterpriseAdmin(_InTownAdmin):
    scope_path = ""
    view_action = roles.VIEW_ENTERPRISES
    allow_delete = False  # an enterprise's records and history hang off it; status changes, rows stay
    form = EnterpriseAdminForm
    list_display = (
        "name",
        "uscc",
        "town",
        "category",
        "size_class",
        "status",
        "contact_name_masked",
        masked_phone_column("contact_phone"),
    )
    list_filter = ("category", "size_class", "status", "is_key_guarantee")
    list_select_related = ("town",)
    search_fields = ("name", "uscc")
    readonly_fields = (
        "contact_phone_masked",
        "size_class",
        "is_above_scale",
        "category",
        "is_non_public",
        "status",
        "version",
        "created_at",
        "updated_at",
    )

    @admin.display(description=_("联系人"))
    def contact_name_masked(self, obj: Enterprise) -> str:
        return mask_name(obj.contact_name) or "—"

    @admin.display(description=_("联系电话"))
    def contact_phone_masked(self, obj: Enterprise) -> str:
        return obj.contact_phone_masked or "—"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            fields = [f for f in fields if f != "new_contact_phone"]
        return fields

    def save_model(self, request: HttpRequest, obj: Enterprise, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data[k] for k in FORM_FIELDS if k in form.cleaned_data}
        if form.cleaned_data.get("new_contact_phone"):
            data["contact_phone"] = form.cleaned_data["new_contact_phone"]
        if change:
            # The service reads the row under lock, applies, reclassifies and audits ("enterprise.update").
            services.do_update_enterprise(request.user, obj, data)
        else:
            created = services.do_create_enterprise(request.user, data)
            for f in Enterprise._meta.concrete_fields:
                setattr(obj, f.attname, getattr(created, f.attname))
            obj._state.adding = False


@admin.register(KeyProject)
class KeyProjectAdmin(_InTownAdmin):
    view_action = roles.VIEW_PROJECTS
    list_display = ("code", "name", "town", "owner", "stage", "status")
    list_filter = ("stage", "status")
    list_select_related = ("town", "owner")
    search_fields = ("code", "name")
    readonly_fields = ("version", "created_at", "updated_at")

    def scope_q(self, request: HttpRequest) -> Q:
        return scoping.project_q(request.user)

    def save_model(self, request: HttpRequest, obj: KeyProject, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data[k] for k in services.PROJECT_FIELDS if k in form.cleaned_data}
        if change:
            services.do_update_project(request.user, obj, data, expected_version=None)
            obj.refresh_from_db()
        else:
            created = services.do_create_project(request.user, data)
            for f in KeyProject._meta.concrete_fields:
                setattr(obj, f.attname, getattr(created, f.attname))
            obj._state.adding = False


@admin.register(SizeThreshold)
class SizeThresholdAdmin(ScopedModelAdmin):
    """工信部联企业〔2011〕300号 thresholds as data; the district admin's edits are audited (save_related)."""

    view_action = roles.VIEW_ENTERPRISES
    list_display = ("sector", "size_class", "min_employees", "min_revenue_wan", "min_assets_wan", "source")
    list_filter = ("sector",)
