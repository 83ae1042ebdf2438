"""Forms of the resumption pages. They parse what was typed (dates, numbers, choices) and build one field per
checklist item; the rules — completeness for submission, mandatory items, deadlines, self-approval — live in
services, whose messages the views put back onto these fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fugong.enterprises.models import Enterprise

from .models import ChecklistItem, EvidenceKind, ItemResult, ResumedAs, SelfCheckAnswer
from .services import MARK_LABELS


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget, and `is-invalid` where an error lands (form or service)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        if field is not None and field not in self.fields:
            field = None
        super().add_error(field, error)
        if field and "is-invalid" not in self.fields[field].widget.attrs.get("class", ""):
            self.fields[field].widget.attrs["class"] = f"{self.fields[field].widget.attrs.get('class', '')} is-invalid"

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            self.add_error(None if field == "__all__" else field, message)


class EnterpriseChoiceForm(BootstrapForm):
    enterprise = forms.ModelChoiceField(label=_("企业"), queryset=Enterprise.objects.none())

    def __init__(self, *args: Any, enterprises: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = enterprises if enterprises is not None else Enterprise.objects.none()


class ApplicationForm(BootstrapForm):
    planned_date = forms.DateField(label=_("计划复工日期"), widget=_date())
    batch_workers = forms.CharField(
        label=_("各批次预计返岗人数"),
        max_length=200,
        help_text=_("按批次填写，用逗号分隔，如：470,238"),
    )
    note = forms.CharField(
        label=_("申请说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, items: Iterable[ChecklistItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        answers = [("", "—"), *SelfCheckAnswer.choices]
        for item in self.items:
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=item.title,
                choices=answers,
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "item": item,
                "answer": self[f"answer_{item.pk}"],
                "note": self[f"note_{item.pk}"],
                "photo": item.evidence == EvidenceKind.PHOTO,
            }
            for item in self.items
        ]

    def answers(self) -> dict[int, tuple[str, str]]:
        return {
            item.pk: (self.cleaned_data.get(f"answer_{item.pk}") or "", self.cleaned_data.get(f"note_{item.pk}") or "")
            for item in self.items
        }


class InspectionForm(BootstrapForm):
    inspected_on = forms.DateField(label=_("核查日期"), widget=_date())
    notes = forms.CharField(
        label=_("核查意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, items: Iterable[ChecklistItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            choices = (
                ItemResult.choices if not item.mandatory else [c for c in ItemResult.choices if c[0] != ItemResult.NA]
            )
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=item.title, choices=choices, required=False, widget=forms.RadioSelect
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"rectify_by_{item.pk}"] = forms.DateField(
                label=_("整改期限"),
                required=False,
                widget=forms.DateInput(
                    attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
                ),
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "item": item,
                "result": self[f"result_{item.pk}"],
                "note": self[f"note_{item.pk}"],
                "rectify_by": self[f"rectify_by_{item.pk}"],
            }
            for item in self.items
        ]

    def results(self) -> dict[int, tuple[str, str, Any]]:
        data = self.cleaned_data
        return {
            item.pk: (
                data.get(f"result_{item.pk}") or "",
                data.get(f"note_{item.pk}") or "",
                data.get(f"rectify_by_{item.pk}"),
            )
            for item in self.items
        }


class RectificationForm(BootstrapForm):
    def __init__(self, *args: Any, failed: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failed = list(failed)
        for result in self.failed:
            self.fields[f"note_{result.item_id}"] = forms.CharField(
                label=result.item.title, required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
            )

    def rows(self) -> list[dict[str, Any]]:
        return [{"result": r, "note": self[f"note_{r.item_id}"]} for r in self.failed]

    def notes(self) -> dict[int, str]:
        return {r.item_id: self.cleaned_data.get(f"note_{r.item_id}") or "" for r in self.failed}


class ReasonForm(BootstrapForm):
    reason = forms.CharField(label=_("原因"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FilingForm(BootstrapForm):
    actual_date = forms.DateField(label=_("实际复工日期"), widget=_date())
    resumed_as = forms.ChoiceField(label=_("复工情况"), choices=ResumedAs.choices, initial=ResumedAs.RESUMED)
    note = forms.CharField(label=_("备案说明"), required=False, max_length=500)


class MarkStatusForm(BootstrapForm):
    to_status = forms.ChoiceField(label=_("标记为"), choices=list(MARK_LABELS.items()))
    on = forms.DateField(label=_("生效日期"), widget=_date())
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.TextInput)


class DailyReportForm(BootstrapForm):
    day = forms.DateField(label=_("日期"), widget=_date())
    registered = forms.IntegerField(label=_("在册职工（人）"), min_value=0, max_value=1_000_000)
    on_duty = forms.IntegerField(label=_("到岗人数（人）"), min_value=0, max_value=1_000_000)
    daily_output = forms.IntegerField(label=_("日产量"), min_value=0, required=False)
    normal_output = forms.IntegerField(label=_("正常日产能"), min_value=0, required=False)
    output_unit = forms.CharField(label=_("计量单位"), max_length=10, required=False, help_text=_("如：件、份、吨"))
    capacity_percent = forms.DecimalField(
        label=_("产能恢复率（%）"),
        min_value=0,
        max_value=300,
        decimal_places=2,
        required=False,
        help_text=_("填写了日产量和正常日产能时自动计算"),
    )
    orders_on_hand = forms.IntegerField(label=_("在手订单"), min_value=0, required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class ChecklistForm(BootstrapForm):
    effective_from = forms.DateField(label=_("生效日期"), widget=_date())
    source = forms.CharField(label=_("依据（文号）"), max_length=200)
    note = forms.CharField(label=_("修订说明"), max_length=300, required=False)

    def __init__(self, *args: Any, rows: int = 13, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_count = rows
        for i in range(1, rows + 1):
            self.fields[f"title_{i}"] = forms.CharField(label=_("检查项"), max_length=60, required=False)
            self.fields[f"description_{i}"] = forms.CharField(label=_("要求"), max_length=500, required=False)
            self.fields[f"mandatory_{i}"] = forms.BooleanField(label=_("必备"), required=False)
            self.fields[f"evidence_{i}"] = forms.ChoiceField(
                label=_("佐证"), choices=EvidenceKind.choices, initial=EvidenceKind.NOTE, required=False
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "n": i,
                "title": self[f"title_{i}"],
                "description": self[f"description_{i}"],
                "mandatory": self[f"mandatory_{i}"],
                "evidence": self[f"evidence_{i}"],
            }
            for i in range(1, self.row_count + 1)
        ]
