"""Sign-in, own password, staff account management and TOTP. Thin: parse with a form, call one service or
selector, render. Sign-in/out audit rows come from signals.py, so the admin login is covered too."""

from __future__ import annotations

import base64
from typing import Any, cast
from urllib.parse import urlencode

import segno
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp import verify_token as otp_verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles, selectors, services
from .forms import LoginForm, OTPTokenForm, PasswordChangeForm, SetPasswordForm, UserCreateForm, UserEditForm
from .models import User
from .services import AccountValidationError

USERS_PER_PAGE = 50


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        # The form validated the old password and the policy; the write and its audit row go through services.
        me = _me(self.request)
        services.do_set_password(me, me, form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, me)
        messages.success(self.request, _("密码已修改"))
        return redirect(self.get_success_url())


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): in Chinese, saying how long to wait."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    return render(
        request, "registration/lockout.html", context, status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    )


def _me(request: HttpRequest) -> User:
    # Only called behind login_required, where request.user is a real account.
    return cast(User, request.user)


def _require(request: HttpRequest, action: str) -> None:
    if not roles.can(request.user, action):
        raise PermissionDenied


def _show_password_once(request: HttpRequest, account: Any, password: str, created: bool) -> HttpResponse:
    # Rendered, never redirected: a password must not travel through the session's message store.
    response = render(
        request, "accounts/password_shown_once.html", {"account": account, "password": password, "created": created}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require(request, roles.MANAGE_ACCOUNTS)
    filters = selectors.UserFilters.from_query(request.GET)
    page = Paginator(selectors.users_for_user(request.user, filters), USERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "filters": filters, "role_choices": roles.Role.choices, "query": query.urlencode()},
    )


@login_required
@sensitive_post_parameters("password1", "password2")
@never_cache
def user_create(request: HttpRequest) -> HttpResponse:
    _require(request, roles.MANAGE_ACCOUNTS)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account, generated = services.check_create_user(request.user, form.service_data(), form.chosen_password())
        except AccountValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            if generated:
                return _show_password_once(request, account, generated, created=True)
            messages.success(request, _("账号 %(name)s 已创建") % {"name": account.username})
            return redirect("accounts:user_edit", pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
@sensitive_post_parameters("pw-password1", "pw-password2")
@never_cache
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, roles.MANAGE_ACCOUNTS)
    account = selectors.get_user_for_user(request.user, pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = UserEditForm.for_user(account, request.POST if action == "save" else None)
    password_form = SetPasswordForm(request.POST if action == "set_password" else None, prefix="pw")
    if action == "save" and form.is_valid():
        try:
            changed = services.check_update_user(request.user, account, form.service_data())
        except AccountValidationError as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("已保存") if changed else _("没有修改"))
            return redirect("accounts:user_edit", pk=account.pk)
    elif action == "set_password" and password_form.is_valid():
        try:
            generated = services.check_set_password(request.user, account, password_form.chosen_password())
        except AccountValidationError as exc:
            password_form.add_service_errors(exc.errors)
        else:
            if generated:
                return _show_password_once(request, account, generated, created=False)
            messages.success(request, _("密码已重置"))
            return redirect("accounts:user_edit", pk=account.pk)
    elif action == "reset_otp":
        services.check_reset_otp(request.user, account)
        messages.success(request, _("已解除动态口令绑定，该账号下次登录时需重新绑定"))
        return redirect("accounts:user_edit", pk=account.pk)
    context = {
        "account": account,
        "form": form,
        "password_form": password_form,
        "has_otp": user_has_device(account),
        "is_self": account.pk == request.user.pk,
    }
    return render(request, "accounts/user_edit.html", context)


# --- TOTP (django-otp) ------------------------------------------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


@login_required
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP device: scan the QR code (or type the secret), then prove it with one token."""
    enrolled = user_has_device(request.user)
    verified = request.user.is_verified()  # type: ignore[union-attr]
    # Re-enrolling an existing device needs a verified session, or a stolen password could replace it.
    if enrolled and not verified:
        return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': reverse('accounts:otp_setup')})}")
    if enrolled and request.method != "POST" and "renew" not in request.GET:
        return render(request, "accounts/otp_setup.html", {"enrolled": True})
    device = services.pending_totp_device(_me(request))
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp_verify_token(request.user, device.persistent_id, form.cleaned_data["token"]):
            services.do_confirm_totp_device(request.user, device)
            otp_login(request, device)
            messages.success(request, _("动态口令已绑定"))
            return redirect(_safe_next(request))
        form.add_error("token", _("动态口令不正确或已过期，请输入验证器中当前显示的数字"))
    secret = base64.b32encode(device.bin_key).decode()
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#212529")
    context = {"enrolled": False, "form": form, "secret": secret, "qr_svg": qr_svg, "next": _safe_next(request)}
    return render(request, "accounts/otp_setup.html", context)


@login_required
@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    """After sign-in, a staff member with FUGONG_REQUIRE_OTP proves possession of their device."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('accounts:otp_setup')}?{urlencode({'next': _safe_next(request)})}")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if otp_verify_token(request.user, device.persistent_id, form.cleaned_data["token"]):
            otp_login(request, device)
            services.record_otp_check(_me(request), ok=True)
            return redirect(_safe_next(request))
        services.record_otp_check(_me(request), ok=False)
        form.add_error("token", _("动态口令不正确或已过期"))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})
