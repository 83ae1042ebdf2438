"""Forms of the screening pages. They parse what was typed; the rules (history, ranges, identity) live in
services and checkin, whose messages the views map back onto these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fugong.workforce.forms import _BootstrapForm

from .models import RiskLevel


def _date(**attrs: Any) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


class RuleVersionForm(_BootstrapForm):
    effective_from = forms.DateField(label=_("生效日期"), widget=_date())
    source = forms.CharField(label=_("依据（文号）"), max_length=200)
    observation_days = forms.IntegerField(label=_("观察期（天）"), min_value=1, max_value=60)
    fever_threshold_c = forms.DecimalField(label=_("体温异常阈值（℃）"), max_digits=3, decimal_places=1)
    quarantine_levels = forms.MultipleChoiceField(
        label=_("到过以下风险等级地区须隔离观察"),
        choices=RiskLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    non_resident_test_required = forms.BooleanField(label=_("非常住人员须返岗后核酸检测阴性方可上岗"), required=False)
    red_code_days = forms.IntegerField(label=_("红码隔离天数"), min_value=0, max_value=60)
    yellow_code_days = forms.IntegerField(label=_("黄码隔离天数"), min_value=0, max_value=60)
    symptoms_abnormal = forms.BooleanField(label=_("申报有症状即判为异常"), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Checkboxes in a list keep Bootstrap's check style, not a text box's.
        self.fields["quarantine_levels"].widget.attrs["class"] = "form-check-input"


class RiskAreaForm(_BootstrapForm):
    region_code = forms.CharField(label=_("区划代码（6位县级）"), max_length=6, min_length=6)
    region_name = forms.CharField(
        label=_("地区名称"), max_length=60, required=False, help_text=_("留空则按区划代码自动填写")
    )
    level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices)
    effective_from = forms.DateField(label=_("生效日期"), widget=_date())
    source = forms.CharField(label=_("依据（文号）"), max_length=200)


class RiskImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx / .xls / .csv）"))
    source = forms.CharField(
        label=_("依据（文号）"), max_length=200, required=False, help_text=_("文件中没有“依据”列时使用")
    )


class TraceForm(_BootstrapForm):
    code = forms.CharField(label=_("区划代码（6位县级）"), max_length=6, min_length=6)
    as_of = forms.DateField(label=_("截至日期"), widget=_date(), required=False)
    days = forms.IntegerField(label=_("回溯天数"), min_value=1, max_value=60, required=False)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("区划代码应为6位数字"))
        return code


class ResolveAlertForm(_BootstrapForm):
    resolution = forms.CharField(label=_("处理情况"), max_length=200)


class RescreenForm(_BootstrapForm):
    as_of = forms.DateField(label=_("评估日期"), widget=_date())


class GateUploadForm(forms.Form):
    file = forms.FileField(label=_("门岗测温记录（.xlsx / .xls / .csv）"))
    taken_on = forms.DateField(
        label=_("测温日期"), widget=_date(), required=False, help_text=_("文件中没有“日期”列时使用")
    )
