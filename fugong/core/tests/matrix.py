"""Permission-matrix fragment: core. See fugong/core/matrix.py."""

from __future__ import annotations

from typing import Any

from fugong.core.matrix import (  # noqa: F401
    ADMIN_ONLY,
    ALL,
    AUDIT,
    ENTERPRISE_VIEWERS,
    GOVERNMENT_FIGURES,
    REGISTRY_EDITORS,
    REVEAL_X,
    ROSTER_X,
    SEE_P,
    SEE_X,
    Case,
    api,
    page,
    record,
)


def objects(world: Any) -> dict[str, Any]:
    return {"u": world.town_a_officer.pk, "x": world.x.pk}


def cases(o: dict[str, Any]) -> dict[str, Case]:
    u = o["u"]
    return {
        "home": page("/", ALL),
        # Signed-in users are sent on from the login page; anonymous users get the form.
        "accounts:login": Case("/accounts/login/", ALL, ok_status=302, anonymous=200),
        "accounts:password_change": page("/accounts/password/", ALL),
        "accounts:user_list": page("/accounts/users/", ADMIN_ONLY),
        "accounts:user_create": page("/accounts/users/new/", ADMIN_ONLY),
        "accounts:user_edit": page(f"/accounts/users/{u}/", ADMIN_ONLY),
        "accounts:otp_setup": page("/accounts/otp/setup/", ALL),
        # Without FUGONG_REQUIRE_OTP there is nothing to verify: everyone is sent on.
        "accounts:otp_verify": Case("/accounts/otp/verify/", ALL, ok_status=302),
        "accounts:logout": Case("/accounts/logout/", ALL, method="post", ok_status=302),
        "core:audit_log": page("/audit/log/", AUDIT),
        "core:access_log": page("/audit/access/", AUDIT),
        "reports:brief": page("/reports/brief/", GOVERNMENT_FIGURES),
        # --- API ---
        "api:me": api(page("/api/v1/me", ALL)),
        "api:overview": api(page("/api/v1/stats/overview", GOVERNMENT_FIGURES)),
        "admin:core_auditlog_changelist": Case("/admin/core/auditlog/", AUDIT, overrides={p: 302 for p in ALL - AUDIT}),
    }


CASE_NAMES = [
    "home",
    "accounts:login",
    "accounts:password_change",
    "accounts:user_list",
    "accounts:user_create",
    "accounts:user_edit",
    "accounts:otp_setup",
    "accounts:otp_verify",
    "accounts:logout",
    "core:audit_log",
    "core:access_log",
    "reports:brief",
    "api:me",
    "api:overview",
    "admin:core_auditlog_changelist",
]
