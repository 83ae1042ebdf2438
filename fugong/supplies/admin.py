"""Admin for prevention supplies, under the same scope and role rules as the pages (fugong.core.admin_base).

- The catalogue: the district admin edits it (audited by ScopedModelAdmin); others with the supplies view read.
- Norms and the threshold are versions: the district admin *adds* a version (validated and audited by the
  service, which closes the version in force); existing versions are never changed or deleted here.
- The ledger, balances, requests, orders and deliveries are read-only: they change only through services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fugong.core.admin_base import ReadOnlyAdmin, ScopedModelAdmin, masked_phone_column

from . import permissions as p
from .models import (
    Delivery,
    DemandRequest,
    EnterpriseNorm,
    ProcurementOrder,
    StockBalance,
    StockMovement,
    Supplier,
    SupplyItem,
    SupplyNorm,
    SupplyProfile,
    SupplyThreshold,
)
from .services import SupplyValidationError
from .services.rules import (
    do_add_norm_version,
    do_add_threshold_version,
    validate_norm_version,
    validate_threshold_version,
)


@admin.register(SupplyItem)
class SupplyItemAdmin(ScopedModelAdmin):
    view_action = p.VIEW_SUPPLIES
    allow_delete = False  # movements PROTECT their item; retire one with `active`
    list_display = ("name", "unit", "kind", "report_group", "decimals", "sort", "active")
    list_filter = ("kind", "active")


class _VersionForm(forms.ModelForm):
    """Runs the service's validation, so the admin refuses exactly what the rules page refuses."""

    validated: dict[str, Any]

    def _validate(self, cleaned: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover - subclasses
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            self.validated = self._validate(cleaned)
        except SupplyValidationError as exc:
            for key, message in exc.errors.items():
                self.add_error(key if key in self.fields else None, message)
        return cleaned


class NormForm(_VersionForm):
    class Meta:
        model = SupplyNorm
        fields = ("item", "basis", "quantity", "volume_ml", "density_kg_per_l", "spare", "source", "note", "valid_from")

    def _validate(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        item = cleaned.get("item")
        if item is None:
            raise SupplyValidationError({"item": str(_("请选择物资"))})
        return validate_norm_version(item, cleaned)


class ThresholdForm(_VersionForm):
    class Meta:
        model = SupplyThreshold
        fields = ("days", "critical_days", "source", "note", "valid_from")

    def _validate(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        return validate_threshold_version(cleaned)


class _VersionAdmin(ScopedModelAdmin):
    view_action = p.VIEW_SUPPLIES
    allow_change = False
    allow_delete = False

    def _copy(self, obj: Any, created: Any) -> None:
        for f in type(created)._meta.concrete_fields:
            setattr(obj, f.attname, getattr(created, f.attname))
        obj._state.adding = False


@admin.register(SupplyNorm)
class SupplyNormAdmin(_VersionAdmin):
    form = NormForm
    list_display = ("item", "basis", "quantity", "spare", "valid_from", "valid_to", "source")
    list_filter = ("item",)
    list_select_related = ("item",)

    def save_model(self, request: HttpRequest, obj: SupplyNorm, form: Any, change: bool) -> None:
        data = dict(form.validated)
        self._copy(obj, do_add_norm_version(request.user, form.cleaned_data["item"], data))


@admin.register(SupplyThreshold)
class SupplyThresholdAdmin(_VersionAdmin):
    form = ThresholdForm
    list_display = ("days", "critical_days", "valid_from", "valid_to", "source")

    def save_model(self, request: HttpRequest, obj: SupplyThreshold, form: Any, change: bool) -> None:
        self._copy(obj, do_add_threshold_version(request.user, form.validated))


class _ScopedReadOnly(ScopedModelAdmin):
    """Rows of enterprises in the viewer's scope, shown and never written here."""

    view_action = p.VIEW_SUPPLIES
    scope_path: str | None = "enterprise"
    allow_add = allow_change = allow_delete = False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(SupplyProfile)
class SupplyProfileAdmin(_ScopedReadOnly):
    list_display = ("enterprise", "entrances", "shift_hours", "on_duty_reported", "updated_at")
    list_select_related = ("enterprise",)


@admin.register(EnterpriseNorm)
class EnterpriseNormAdmin(_ScopedReadOnly):
    list_display = ("enterprise", "item", "basis", "quantity", "valid_from", "valid_to")
    list_select_related = ("enterprise", "item")


@admin.register(StockMovement)
class StockMovementAdmin(_ScopedReadOnly):
    list_display = ("on_date", "enterprise", "item", "kind", "quantity", "reason", "source", "created_by")
    list_filter = ("kind", "item", "source")
    list_select_related = ("enterprise", "item", "created_by")
    date_hierarchy = "on_date"
    search_fields = ("enterprise__name",)


@admin.register(StockBalance)
class StockBalanceAdmin(_ScopedReadOnly):
    list_display = ("enterprise", "item", "quantity", "updated_at")
    list_filter = ("item",)
    list_select_related = ("enterprise", "item")
    search_fields = ("enterprise__name",)


@admin.register(DemandRequest)
class DemandRequestAdmin(_ScopedReadOnly):
    list_display = ("id", "enterprise", "status", "needed_by", "order", "created_at")
    list_filter = ("status",)
    list_select_related = ("enterprise", "order")


@admin.register(Delivery)
class DeliveryAdmin(_ScopedReadOnly):
    list_display = ("order", "enterprise", "status", "delivered_on", "confirmed_by")
    list_filter = ("status",)
    list_select_related = ("order", "enterprise", "confirmed_by")


@admin.register(ProcurementOrder)
class ProcurementOrderAdmin(ReadOnlyAdmin):
    view_action = p.PROCURE
    list_display = ("number", "supplier", "status", "placed_on", "created_by")
    list_filter = ("status",)
    list_select_related = ("supplier", "created_by")


@admin.register(Supplier)
class SupplierAdmin(ScopedModelAdmin):
    """Suppliers' phones are shown masked and replaced rather than edited in clear (like enterprises')."""

    view_action = p.PROCURE
    allow_delete = False  # orders PROTECT their supplier; retire one with `active`
    list_display = ("name", "contact_name", masked_phone_column("contact_phone"), "active")
    exclude = ("contact_phone",)
    readonly_fields = ("contact_phone_masked",)

    @admin.display(description=_("联系电话"))
    def contact_phone_masked(self, obj: Supplier) -> str:
        return obj.contact_phone_masked or "—"
