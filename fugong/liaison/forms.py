"""Forms of the liaison pages. They parse what was typed; the rules (duplicates, the cap, dates, who may be a
team's leader) live in services, whose messages the views put back on these fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fugong.accounts.models import Department, User
from fugong.accounts.roles import Role
from fugong.regions.selectors import towns

from .models import Cadre, LiaisonRule, VisitKind


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget, `is-invalid` on every field an error lands on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(w, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            w.attrs["class"] = f"{w.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        if field and field not in self.fields:
            field = None
        super().add_error(field, error)
        if field and "is-invalid" not in self.fields[field].widget.attrs.get("class", ""):
            self.fields[field].widget.attrs["class"] = self.fields[field].widget.attrs.get("class", "") + " is-invalid"

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name, message)

    # self.fields is typed as plain Field; these narrow it to set per-request choices and querysets.
    def choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        if not isinstance(field, forms.ChoiceField):
            raise TypeError(f"{name!r} is not a choice field")
        return field

    def model_choice_field(self, name: str) -> forms.ModelChoiceField[Any]:
        field = self.fields[name]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError(f"{name!r} is not a model choice field")
        return field


class CadreForm(BootstrapForm):
    name = forms.CharField(label=_("姓名"), max_length=40)
    unit = forms.CharField(label=_("工作单位"), max_length=80, required=False)
    rank = forms.CharField(label=_("职务职级"), max_length=40, required=False)
    party_member = forms.BooleanField(label=_("中共党员"), required=False, initial=True)
    home_town = forms.ModelChoiceField(label=_("所在镇（街道）"), queryset=towns(), required=False)
    phone = forms.CharField(
        label=_("手机号码"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def __init__(self, *args: Any, instance: Cadre | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {k: getattr(instance, k) for k in ("name", "unit", "rank", "party_member", "home_town")},
            )
        super().__init__(*args, **kwargs)
        self.model_choice_field("home_town").queryset = towns()
        if instance is not None:
            # The number is never put back into the page in clear: blank keeps it.
            self.fields["phone"].help_text = _("当前：%(v)s；留空则不修改") % {"v": instance.phone_masked}

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("phone"):
            data.pop("phone", None)
        return data


class RevealForm(BootstrapForm):
    reason = forms.CharField(label=_("查看理由"), max_length=300, min_length=2)


class AssignForm(BootstrapForm):
    target = forms.ChoiceField(label=_("派驻到（企业或重点项目）"))
    start = forms.DateField(label=_("开始日期"), widget=_date())

    def __init__(self, *args: Any, targets: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.choice_field("target").choices = [("", "—"), *targets]


class EndForm(BootstrapForm):
    end = forms.DateField(label=_("结束日期"), widget=_date())


class PairForm(BootstrapForm):
    target = forms.CharField(widget=forms.HiddenInput)
    leader = forms.ModelChoiceField(label=_("区级包联领导"), queryset=User.objects.none())
    start = forms.DateField(label=_("开始日期"), widget=_date())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.model_choice_field("leader").queryset = leaders()


def leaders() -> Any:
    return User.objects.filter(role=Role.DISTRICT_LEADER, is_active=True).order_by("full_name", "username")


class TeamForm(BootstrapForm):
    leader = forms.ModelChoiceField(label=_("区级包联领导"), queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(label=_("行业主管部门"), queryset=Department.objects.all(), required=False)
    town_lead = forms.CharField(label=_("镇（街道）责任领导"), max_length=40, required=False)
    liaison = forms.ModelChoiceField(label=_("驻企联络员"), queryset=Cadre.objects.none(), required=False)
    formed_on = forms.DateField(label=_("组建日期"), widget=_date())
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, liaisons: Any = None, instance: Any = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault("initial", {k: getattr(instance, k) for k in self.base_fields})
        else:
            kwargs.setdefault("initial", {"formed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.model_choice_field("leader").queryset = leaders()
        self.model_choice_field("liaison").queryset = liaisons if liaisons is not None else Cadre.objects.none()


class VisitForm(BootstrapForm):
    """Few fields with sensible defaults: a liaison logs a visit on a phone in under a minute."""

    target = forms.ChoiceField(label=_("企业或项目"))
    visited_on = forms.DateField(label=_("日期"), widget=_date())
    kind = forms.ChoiceField(label=_("类型"), choices=VisitKind.choices, initial=VisitKind.VISIT)
    person_times = forms.IntegerField(
        label=_("人次"), min_value=1, max_value=500, initial=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    purpose = forms.CharField(label=_("事由"), max_length=200, initial=_("防疫督导、复工指导"))
    findings = forms.CharField(
        label=_("发现的情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    difficulties = forms.CharField(
        label=_("企业反映的困难问题"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("没有可留空"),
    )
    people = forms.CharField(label=_("参加人员"), max_length=200, required=False)

    def __init__(self, *args: Any, targets: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("target").choices = list(targets)
        self.fields["visited_on"].initial = timezone.localdate()

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "target"}


class RuleForm(BootstrapForm):
    effective_from = forms.DateField(label=_("生效日期"), widget=_date())
    max_load = forms.IntegerField(label=LiaisonRule._meta.get_field("max_load").verbose_name, min_value=1, max_value=50)
    visit_interval_days = forms.IntegerField(
        label=LiaisonRule._meta.get_field("visit_interval_days").verbose_name, min_value=1, max_value=60
    )
    source = forms.CharField(label=_("依据（文号）"), max_length=200)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
