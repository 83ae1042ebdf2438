"""Forms of the registry pages. They only parse what was typed (numbers, choices, references); the rules —
identifier checks, uniqueness, who may change which field — live in services, whose messages the views map
back onto these fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fugong.accounts.roles import Role
from fugong.core import scoping
from fugong.core.masking import mask_phone
from fugong.regions.models import IndustrialPark, Region
from fugong.regions.selectors import towns

from . import services
from .models import Enterprise, KeyProject

TWO_PLACES = Decimal("0.01")


def towns_for(user: Any) -> QuerySet[Region]:
    """The towns a user may file a record under: a town officer only their own (their scope in scoping.py)."""
    qs = towns()
    if getattr(user, "role", "") == Role.TOWN:
        return qs.filter(code=user.town_id) if user.town_id else qs.none()
    return qs


class _ServiceValidatedForm(forms.ModelForm):
    """A ModelForm that does not validate the model instance itself.

    Services write the model and own its validation (with the messages a clerk can act on, e.g. which USCC
    position is wrong); model-level checks here would run first with vaguer messages and mutate the instance
    the page is showing.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(field, forms.TypedChoiceField):
                choices = list(field.choices)  # type: ignore[arg-type]
                if choices and choices[0][0] == "":
                    field.choices = [("", _("请选择")), *choices[1:]]

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # Bootstrap shows a field as invalid through its class; every error path passes through here.
        for name in [field] if field else []:
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs.get("class", ""):
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def _post_clean(self) -> None:
        pass

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Stored with two decimals; "5000" and "5000.00" must not show up as a change in the history.
        for name, field in self.fields.items():
            if isinstance(field, forms.DecimalField) and isinstance(cleaned.get(name), Decimal):
                cleaned[name] = cleaned[name].quantize(TWO_PLACES)
        return cleaned

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    def choice_field(self, name: str) -> forms.ModelChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        return field


class EnterpriseForm(_ServiceValidatedForm):
    # Plain text fields: normalisation (full-width, spaces, +86) and the position-naming messages come from
    # fugong.core.identifiers via the service, so the form must not reject on length first.
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=60)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)

    class Meta:
        model = Enterprise
        fields = services.EDITABLE_FIELDS
        widgets = {"address": forms.TextInput}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        allowed = services.editable_fields_for(user)
        for name in list(self.fields):
            if name != "version" and name not in allowed:
                del self.fields[name]
        if "town" in self.fields:
            self.choice_field("town").queryset = towns_for(user)
            self.choice_field("town").empty_label = _("请选择镇（街道）")
        if "industrial_park" in self.fields:
            self.choice_field("industrial_park").queryset = IndustrialPark.objects.all()
            self.choice_field("industrial_park").empty_label = _("不在园区")
        if "size_sector" in self.fields:
            self.fields["size_sector"].help_text = _("留空则按行业门类和大类自动判定")
        for name in ("employees", "annual_revenue_wan", "total_assets_wan", "monthly_rent_yuan"):
            if name in self.fields:
                self.fields[name].validators.append(MinValueValidator(0))
                self.fields[name].widget.attrs["min"] = "0"
        if "contact_phone" in self.fields and editing:
            # The edit page never carries the number in clear (PIPL masking): blank keeps the current one.
            self.initial["contact_phone"] = ""
            current = mask_phone(self.instance.contact_phone)
            if current:
                self.fields["contact_phone"].help_text = _("当前：%(phone)s；留空则不修改") % {"phone": current}
        if editing:
            self.fields["version"].required = True
            self.initial["version"] = self.instance.version
        else:
            del self.fields["version"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Check the identifiers now too, so a clerk sees "第18位校验码错误" together with any other mistake
        # instead of only after fixing those; the service checks them again when it writes.
        for name in ("uscc", "contact_phone"):
            if cleaned.get(name):
                try:
                    services.clean_enterprise_data({name: cleaned[name]})
                except services.EnterpriseValidationError as exc:
                    self.add_error(name, exc.errors.get(name, ""))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if self.instance.pk is not None and not data.get("contact_phone"):
            data.pop("contact_phone", None)
        return data


class ProjectForm(_ServiceValidatedForm):
    class Meta:
        model = KeyProject
        fields = services.PROJECT_FIELDS

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("town").queryset = towns_for(user)
        self.choice_field("town").empty_label = _("请选择镇（街道）")
        # An owner the editor cannot see would leak through the choice list, so offer only in-scope ones.
        owners = scoping.enterprises_for(user)
        if self.instance.owner_id:  # keep the current owner selectable even if the editor cannot see it
            owners = owners | Enterprise.objects.filter(pk=self.instance.owner_id)
        self.choice_field("owner").queryset = owners.only("id", "name").order_by("name")
        self.choice_field("owner").empty_label = _("无")
        self.fields["total_investment_yuan"].validators.append(MinValueValidator(0))
        if self.instance.pk is not None:
            self.fields["version"].required = True
            self.initial["version"] = self.instance.version
        else:
            del self.fields["version"]
