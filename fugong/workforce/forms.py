"""Forms of the workforce pages. They only parse what was typed (dates, numbers, choices); the rules — ID
number checks, duplicates, date order, the fever threshold — live in services, whose messages the views map
back onto these fields. Sealed values (ID number, phone) are never put back into an edit form in clear."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Field
from django.utils.translation import gettext_lazy as _

from .models import Employee, HealthCode, HealthTest, Quarantine, Stay, Transport
from .services import EDITABLE_FIELDS


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _label(name: str) -> Any:
    field = Employee._meta.get_field(name)
    if not isinstance(field, Field):  # a reverse relation has no verbose name of its own
        raise TypeError(f"{name!r} is not a column of Employee")
    return field.verbose_name


def _blank_choice(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class _BootstrapForm(forms.Form):
    """Bootstrap classes on every widget, and `is-invalid` on every field an error lands on (form or service)."""

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

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if field and field in self.fields and "is-invalid" not in self.fields[field].widget.attrs["class"]:
            self.fields[field].widget.attrs["class"] += " is-invalid"

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class EmployeeForm(_BootstrapForm):
    name = forms.CharField(label=_label("name"), max_length=40)
    # Plain text: full-width digits, spaces, a lower-case x and 15-digit numbers are the service's to normalise,
    # and its message names the wrong position.
    id_number = forms.CharField(label=_label("id_number"), max_length=40)
    phone = forms.CharField(label=_label("phone"), max_length=30, required=False)
    resident = forms.BooleanField(label=_("常住人口（本地常住，非返乡返岗）"), required=False)
    batch_number = forms.IntegerField(label=_("入企批次（第几批）"), required=False, min_value=1, max_value=999)
    household_region_code = forms.CharField(label=_label("household_region_code"), max_length=12, required=False)
    returned_from_code = forms.CharField(label=_label("returned_from_code"), max_length=12, required=False)
    returned_from_name = forms.CharField(label=_label("returned_from_name"), max_length=60, required=False)
    returned_on = forms.DateField(label=_label("returned_on"), required=False, widget=_date())
    transport = forms.ChoiceField(label=_label("transport"), choices=_blank_choice(Transport.choices), required=False)
    transport_no = forms.CharField(label=_label("transport_no"), max_length=30, required=False)
    workshop = forms.CharField(label=_label("workshop"), max_length=60, required=False)
    position = forms.CharField(label=_label("position"), max_length=60, required=False)
    shift = forms.CharField(label=_label("shift"), max_length=30, required=False)
    dining_zone = forms.CharField(label=_label("dining_zone"), max_length=30, required=False)
    dormitory_room = forms.CharField(label=_label("dormitory_room"), max_length=30, required=False)
    employment_start = forms.DateField(label=_label("employment_start"), required=False, widget=_date())
    social_insurance_since = forms.DateField(label=_label("social_insurance_since"), required=False, widget=_date())
    first_job_in_district = forms.BooleanField(label=_label("first_job_in_district"), required=False)
    introduction_batch = forms.CharField(label=_label("introduction_batch"), max_length=40, required=False)
    training_attended_on = forms.DateField(label=_label("training_attended_on"), required=False, widget=_date())
    commute_route = forms.CharField(
        label=_label("commute_route"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, instance: Employee | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None:
            initial = {k: getattr(instance, k) for k in EDITABLE_FIELDS}
            initial.update(batch_number=instance.batch.number if instance.batch else None, version=instance.version)
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if instance is None:
            del self.fields["version"]
            return
        self.fields["version"].required = True
        # The edit page never carries the sealed numbers in clear (PIPL masking): blank keeps the current one.
        for name, current in (("id_number", instance.id_number_masked), ("phone", instance.phone_masked)):
            self.fields[name].required = False
            self.initial[name] = ""
            if current:
                self.fields[name].help_text = _("当前：%(value)s；留空则不修改") % {"value": current}


class StayForm(_BootstrapForm):
    kind = forms.ChoiceField(label=_("类型"), choices=Stay.Kind.choices)
    region_code = forms.CharField(
        label=_("区划代码"), max_length=12, help_text=_("县级6位代码，如 420106；也可填9位乡镇代码")
    )
    region_name = forms.CharField(label=_("地点"), max_length=60, required=False)
    date_from = forms.DateField(label=_("起始日期"), widget=_date())
    date_to = forms.DateField(label=_("结束日期"), widget=_date())
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class HealthTestForm(_BootstrapForm):
    kind = forms.ChoiceField(label=_("检测类型"), choices=HealthTest.Kind.choices)
    sample_date = forms.DateField(label=_("采样日期"), widget=_date())
    result = forms.ChoiceField(label=_("结果"), choices=HealthTest.Result.choices)
    institution = forms.CharField(label=_("检测机构"), max_length=100, required=False)


class QuarantineForm(_BootstrapForm):
    kind = forms.ChoiceField(label=_("隔离方式"), choices=Quarantine.Kind.choices)
    place = forms.CharField(label=_("隔离地点"), max_length=100, required=False)
    start = forms.DateField(label=_("开始日期"), widget=_date())
    end = forms.DateField(label=_("结束日期"), required=False, widget=_date(), help_text=_("尚未结束可留空"))


class ReadingForm(_BootstrapForm):
    taken_on = forms.DateField(label=_("日期"), widget=_date())
    # Text, not a DecimalField: the service names the plausible range in its message.
    temperature = forms.CharField(
        label=_("体温（℃）"), max_length=6, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    symptoms = forms.CharField(label=_("症状"), max_length=200, required=False, help_text=_("无症状可留空"))
    health_code = forms.ChoiceField(label=_("健康码"), choices=_blank_choice(HealthCode.choices), required=False)


class ExportPurposeForm(_BootstrapForm):
    purpose = forms.CharField(
        label=_("导出用途"),
        max_length=300,
        min_length=2,
        help_text=_("导出含完整身份证号码和手机号码的花名册，用途将记入个人信息访问日志"),
    )
