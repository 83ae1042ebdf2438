"""Forms of the supplies pages. They only parse what was typed; the rules (whole pieces, stock never below zero
without an adjustment, versions only forward in time…) live in services, whose messages the views map back
onto these fields. Quantities are text here so the service's message — not a generic one — explains them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fugong.core.excel import ACCEPTED_EXTENSIONS

from .models import ItemKind, NormBasis, Supplier, SupplyItem
from .services.ledger import RECORDABLE_KINDS
from .services.rules import ENTERPRISE_BASES


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapForm(forms.Form):
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
        if field is not None and field not in self.fields:
            field = None
        super().add_error(field, error)
        if field and "is-invalid" not in self.fields[field].widget.attrs["class"]:
            self.fields[field].widget.attrs["class"] += " is-invalid"

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for key, message in errors.items():
            self.add_error(None if key == "__all__" else key, message)


class MovementForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("类型"), choices=[(k.value, k.label) for k in RECORDABLE_KINDS])
    item = forms.ModelChoiceField(label=_("物资"), queryset=SupplyItem.objects.filter(active=True), empty_label=None)
    quantity = forms.CharField(
        label=_("数量"),
        max_length=20,
        help_text=_("消耗、采购填正数；盘点调整：盘盈填正数，盘亏填负数"),
    )
    on_date = forms.DateField(label=_("业务日期"), widget=_date())
    reason = forms.CharField(label=_("原因/说明"), max_length=200, required=False, help_text=_("盘点调整必填"))


class DayForm(BootstrapForm):
    day = forms.DateField(label=_("日期"), widget=_date())


class ImportForm(BootstrapForm):
    file = forms.FileField(
        label=_("文件"),
        help_text=_("支持 .xlsx、.xls、.csv / .txt（UTF-8、GBK 或 UTF-16）"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
    )
    dry_run = forms.BooleanField(label=_("仅预检，不写入"), required=False)


class ProfileForm(BootstrapForm):
    entrances = forms.IntegerField(label=_("出入口数"), min_value=1, max_value=50)
    shift_hours = forms.IntegerField(
        label=_("每人每天在岗小时"), min_value=1, max_value=24, help_text=_("超过8小时按两个班次计口罩")
    )
    on_duty_reported = forms.IntegerField(
        label=_("填报在岗人数"),
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text=_("未建立员工花名册时使用；留空则用企业台账中的从业人员数"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class EnterpriseNormForm(BootstrapForm):
    item = forms.ModelChoiceField(
        label=_("物资"), queryset=SupplyItem.objects.filter(active=True, kind=ItemKind.CONSUMABLE), empty_label=None
    )
    basis = forms.ChoiceField(label=_("定额口径"), choices=[(b.value, b.label) for b in ENTERPRISE_BASES])
    quantity = forms.DecimalField(label=_("定额（物资单位）"), max_digits=12, decimal_places=5)
    valid_from = forms.DateField(label=_("生效日期"), widget=_date())
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


class RequestForm(BootstrapForm):
    needed_by = forms.DateField(label=_("需要日期"), widget=_date(), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class OrderForm(BootstrapForm):
    supplier = forms.ModelChoiceField(
        label=_("供应商"), queryset=Supplier.objects.filter(active=True), empty_label=_("请选择")
    )
    placed_on = forms.DateField(label=_("下单日期"), widget=_date())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ConfirmForm(BootstrapForm):
    delivered_on = forms.DateField(label=_("签收日期"), widget=_date())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class CancelRequestForm(BootstrapForm):
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


class CancelOrderForm(BootstrapForm):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class SupplierForm(BootstrapForm):
    name = forms.CharField(label=_("供应商名称"), max_length=120)
    contact_name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    note = forms.CharField(label=_("供应品种/说明"), max_length=200, required=False)


class NormVersionForm(BootstrapForm):
    item = forms.ModelChoiceField(label=_("物资"), queryset=SupplyItem.objects.filter(active=True), empty_label=None)
    basis = forms.ChoiceField(label=_("定额口径"), choices=NormBasis.choices)
    quantity = forms.DecimalField(
        label=_("定额（物资单位）"),
        max_digits=12,
        decimal_places=5,
        required=False,
        help_text=_("按体积折算时留空，由毫升数×密度计算"),
    )
    volume_ml = forms.DecimalField(label=_("按体积（毫升）"), max_digits=8, decimal_places=2, required=False)
    density_kg_per_l = forms.DecimalField(label=_("密度（千克/升）"), max_digits=6, decimal_places=3, required=False)
    spare = forms.IntegerField(label=_("另加备用"), min_value=0, max_value=100, required=False, initial=0)
    source = forms.CharField(label=_("依据（文号）"), max_length=200)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    valid_from = forms.DateField(label=_("生效日期"), widget=_date())


class ThresholdForm(BootstrapForm):
    days = forms.IntegerField(label=_("保障天数下限"), min_value=1, max_value=90)
    critical_days = forms.IntegerField(label=_("紧急天数"), min_value=0, max_value=89)
    source = forms.CharField(label=_("依据（文号）"), max_length=200)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    valid_from = forms.DateField(label=_("生效日期"), widget=_date())
