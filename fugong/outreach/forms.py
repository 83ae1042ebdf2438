"""Forms of the outreach pages: they parse; services decide (jurisdiction, dates, counts, doses)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fugong.liaison.forms import BootstrapForm

from .models import MaterialKind, Topic


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _count(label: Any, required: bool = False, minimum: int = 0) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=minimum,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class VisitForm(BootstrapForm):
    enterprise = forms.ChoiceField(label=_("企业"))
    visited_on = forms.DateField(label=_("走访日期"), widget=_date())
    topics = forms.MultipleChoiceField(
        label=_("宣讲内容"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple, initial=[Topic.PREVENTION]
    )
    attendees = _count(_("听讲人数"))
    speakers = forms.CharField(label=_("宣讲人"), max_length=120, required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args: Any, enterprises: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("enterprise").choices = [("", "—"), *enterprises]
        self.fields["visited_on"].initial = timezone.localdate()
        for kind, label in MaterialKind.choices:
            field = _count(_("发放%(kind)s（份）") % {"kind": label})
            field.widget.attrs["class"] = "form-control"
            self.fields[f"material_{kind}"] = field

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "visited_on": data["visited_on"],
            "topics": list(data["topics"]),
            "attendees": data.get("attendees") or 0,
            "speakers": data.get("speakers", ""),
            "note": data.get("note", ""),
            "materials": {k: data.get(f"material_{k}") or 0 for k in MaterialKind.values},
        }


class PlanForm(BootstrapForm):
    start = forms.DateField(label=_("计划开始日期"), widget=_date())


class RuleForm(BootstrapForm):
    effective_from = forms.DateField(label=_("生效日期"), widget=_date())
    plan_days = forms.IntegerField(label=_("走访计划周期（天）"), min_value=1, max_value=90)
    source = forms.CharField(label=_("依据（文号）"), max_length=200)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class BatchForm(BootstrapForm):
    number = forms.IntegerField(
        label=_("批次"), min_value=1, max_value=999, required=False, help_text=_("留空则自动编号")
    )
    supplied_on = forms.DateField(label=_("发放日期"), widget=_date())
    supplier = forms.CharField(label=_("供应单位"), max_length=120)
    doses = _count(_("剂数（份）"), required=True, minimum=1)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class DeliveryForm(BootstrapForm):
    enterprise = forms.ChoiceField(label=_("企业"))
    workers = _count(_("惠及一线员工（人）"), required=True, minimum=1)
    doses = _count(_("剂数（份）"), required=True, minimum=1)

    def __init__(self, *args: Any, enterprises: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("enterprise").choices = [("", "—"), *enterprises]
