"""FUGONG_REQUIRE_OTP: staff roles verify a TOTP token after signing in before reaching any page.

Runs after django_otp's OTPMiddleware (which gives request.user `is_verified()`). Off by default so the demo
works without phones; production turns it on.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .roles import STAFF_ROLES


class RequireOTPMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _exempt(self, path: str) -> bool:
        # The pages that get a user verified (or out), and the assets they need.
        names = ("accounts:otp_setup", "accounts:otp_verify", "accounts:logout", "accounts:login", "set_language")
        return path.startswith(settings.STATIC_URL) or path in {reverse(n) for n in names}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(settings, "FUGONG_REQUIRE_OTP", False):
            user = getattr(request, "user", None)
            needs_token = (
                user is not None and user.is_authenticated and user.role in STAFF_ROLES and not user.is_verified()
            )
            if needs_token and not self._exempt(request.path):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("需要先验证动态口令")}, status=403)
                return redirect(f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
