"""Forms parse and shape input; the rules (scope per role, last admin, password policy) live in services.py,
whose AccountValidationError the views put back on these forms field by field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from fugong.core.identifiers import normalise
from fugong.enterprises.models import Enterprise
from fugong.finance.models import Bank
from fugong.regions.selectors import towns

from .models import Department
from .roles import Role

GENERATE, SET = "generate", "set"
PASSWORD_MODES = [(GENERATE, _("系统生成随机密码（只显示一次）")), (SET, _("由我设置初始密码"))]


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates render `{{ field }}` as is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            kind = getattr(field.widget, "input_type", "")
            css = {"checkbox": "form-check-input", "radio": "form-check-input", "select": "form-select"}
            field.widget.attrs["class"] = css.get(kind, "form-control")


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确（区分大小写），请重新输入。"),
        "inactive": _("该账号已停用，请联系区复工办管理员。"),
    }


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    pass


class ServiceErrorsMixin:
    def add_service_errors(self, errors: Mapping[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)  # type: ignore[attr-defined]


class EnterpriseByUsccField(forms.CharField):
    """An enterprise picked by its 统一社会信用代码: a select of every enterprise would not fit the page."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Enterprise):
            return value.uscc
        if isinstance(value, int):
            found = Enterprise.objects.filter(pk=value).values_list("uscc", flat=True).first()
            return found or ""
        return value

    def clean(self, value: Any) -> Enterprise | None:
        code = normalise(super().clean(value))
        if not code:
            return None
        enterprise = Enterprise.objects.filter(uscc=code).first()
        if enterprise is None:
            raise forms.ValidationError(_("未找到统一社会信用代码为 %(code)s 的企业"), params={"code": code[:18]})
        return enterprise


class _ProfileFields(BootstrapMixin, ServiceErrorsMixin, forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=40, required=False)
    unit = forms.CharField(label=_("单位"), max_length=80, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=[("", "---------"), *Role.choices])
    town = forms.ModelChoiceField(
        label=_("所属镇（街道）"), queryset=towns(), required=False, help_text=_("仅镇（街道）账号填写")
    )
    department = forms.ModelChoiceField(
        label=_("所属部门"), queryset=Department.objects.all(), required=False, help_text=_("仅职能部门账号填写")
    )
    enterprise = EnterpriseByUsccField(
        label=_("所属企业（统一社会信用代码）"), max_length=40, required=False, help_text=_("仅企业管理员账号填写")
    )
    bank = forms.ModelChoiceField(
        label=_("所属银行"), queryset=Bank.objects.all(), required=False, help_text=_("仅银行账号填写")
    )

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith("password")}


class _PasswordChoice(BootstrapMixin, forms.Form):
    password_mode = forms.ChoiceField(
        label=_("密码"), choices=PASSWORD_MODES, initial=GENERATE, widget=forms.RadioSelect
    )
    password1 = forms.CharField(
        label=_("新密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少12位，不能全是数字，不能与用户名相近，不能是常见密码"),
    )
    password2 = forms.CharField(
        label=_("再次输入新密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password_mode") == SET:
            p1, p2 = cleaned.get("password1"), cleaned.get("password2")
            if not p1:
                self.add_error("password1", _("请输入密码，或选择系统生成"))
            elif p1 != p2:
                self.add_error("password2", _("两次输入的密码不一致"))
        return cleaned

    def chosen_password(self) -> str | None:
        """The password typed in, or None for a generated one."""
        return self.cleaned_data["password1"] if self.cleaned_data.get("password_mode") == SET else None


class UserCreateForm(_PasswordChoice, _ProfileFields):
    username = forms.CharField(
        label=_("用户名"), max_length=150, help_text=_("字母、数字和 @/./+/-/_，登录时使用，创建后不可修改")
    )

    field_order = ["username", "full_name", "unit", "role", "town", "department", "enterprise", "bank"]


class UserEditForm(_ProfileFields):
    is_active = forms.BooleanField(
        label=_("账号启用"), required=False, help_text=_("停用后不能登录；账号不会删除，操作记录保持完整")
    )

    @classmethod
    def for_user(cls, user: Any, data: Any = None) -> UserEditForm:
        initial = {
            "full_name": user.full_name,
            "unit": user.unit,
            "role": user.role,
            "town": user.town_id,
            "department": user.department_id,
            "enterprise": user.enterprise_id,
            "bank": user.bank_id,
            "is_active": user.is_active,
        }
        return cls(data=data, initial=initial, prefix="profile")


class SetPasswordForm(ServiceErrorsMixin, _PasswordChoice):
    pass


class OTPTokenForm(BootstrapMixin, forms.Form):
    token = forms.CharField(
        label=_("动态口令"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("手机验证器应用中显示的6位数字"),
    )

    def clean_token(self) -> str:
        token = normalise(self.cleaned_data["token"])
        if not token.isdigit() or len(token) != 6:
            raise forms.ValidationError(_("动态口令是6位数字"))
        return token
