"""Sign-in, sign-out and failed sign-in leave audit rows (GB/T 22239 level 3: 安全审计 of 身份鉴别 events).

Receivers of Django's auth signals, so every way in (our login page, the admin login) is covered. The
password never reaches a row: a failed attempt records only the username that was tried.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from fugong.core import audit
from fugong.core.context import current_request

USER_TYPE = "accounts.user"


def _over_http() -> bool:
    # Logins outside a request (the test client's force_login, a shell) are not a person signing in.
    return current_request.get().via != "command"


@receiver(user_logged_in, dispatch_uid="fugong_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if _over_http():
        audit.record(user, "auth.login", user)


@receiver(user_logged_out, dispatch_uid="fugong_audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and _over_http():
        audit.record(user, "auth.logout", user)


@receiver(user_login_failed, dispatch_uid="fugong_audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Only the username: `credentials` also holds the (cleansed) password, which must never be stored.
    username = str(credentials.get("username") or "")[:150]
    audit.record(
        None,
        "auth.login_failed",
        object_type=USER_TYPE,
        object_repr=username,
        note=username,
    )
