"""Every write to staff accounts. `check_*` validates (and checks the actor's role) then calls `do_*`;
`do_*` runs in one transaction and writes the audit row. Passwords never reach an audit row, not even hashed.

Accounts are never deleted: the audit history keeps pointing at its actor, so leaving staff are deactivated.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fugong.core import audit

from . import roles
from .models import User
from .roles import Role

# The one scope field each role needs; a role absent here needs none of them (it sees the district, or its
# pairings/assignments/teams, which are managed elsewhere).
SCOPE_FIELD_FOR_ROLE: dict[str, str] = {
    Role.TOWN: "town",
    Role.ENTERPRISE: "enterprise",
    Role.DEPARTMENT: "department",
    Role.BANK: "bank",
}
SCOPE_FIELDS = ("town", "department", "enterprise", "bank")
PROFILE_FIELDS = ("full_name", "unit", "role", *SCOPE_FIELDS, "is_active")
AUDITED_FIELDS = ("username", *PROFILE_FIELDS)

# No 0/O, 1/l/I: a generated password is read off a screen and typed on another device.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 — an alphabet
GENERATED_PASSWORD_LENGTH = 16


class AccountValidationError(Exception):
    """Bad input for an account; `errors` maps a form field ("" for the whole form) to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def generate_password() -> str:
    while True:
        candidate = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(GENERATED_PASSWORD_LENGTH))
        # Mixed classes so that no validator a district adds later trips over a generated password.
        if any(c.isdigit() for c in candidate) and any(c.isupper() for c in candidate):
            return candidate


def scope_errors(role: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The scope field must match the role: the one it needs is set, every other is empty."""
    needed = SCOPE_FIELD_FOR_ROLE.get(role)
    errors: dict[str, str] = {}
    role_label = Role(role).label if role in Role.values else role
    for name in SCOPE_FIELDS:
        present = values.get(name) is not None
        if name == needed and not present:
            errors[name] = _("%(role)s账号必须指定此项") % {"role": role_label}
        elif name != needed and present:
            errors[name] = _("%(role)s账号不应指定此项，请留空") % {"role": role_label}
    return errors


def _require_manager(actor: Any) -> None:
    if not roles.can(actor, roles.MANAGE_ACCOUNTS):
        raise PermissionDenied


def _password_errors(password: str, user: User) -> dict[str, str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {"password1": " ".join(str(m) for m in exc.messages)}
    return {}


def _locked_active_admin_ids() -> list[int]:
    # Locking the active admins serialises two admins demoting each other at once (PostgreSQL).
    return list(
        User.objects.select_for_update()
        .filter(role=Role.DISTRICT_ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- liaison cadres ---------------------------------------------------------------------------------


def do_ensure_cadre(actor: Any, user: User) -> Any:
    """A liaison account works through its Cadre record (assignments hang off it); create it if missing."""
    from fugong.liaison.models import Cadre

    cadre = Cadre.objects.filter(user=user).first()
    if cadre is not None:
        return cadre
    cadre = Cadre.objects.create(user=user, name=user.full_name or user.username, unit=user.unit)
    audit.record(actor, "cadre.create", cadre, changes=audit.diff({}, audit.snapshot(cadre, ("name", "unit"))))
    return cadre


# --- create -----------------------------------------------------------------------------------------


@transaction.atomic
def do_create_user(actor: Any, data: Mapping[str, Any], password: str) -> User:
    user = User(username=data["username"], **{k: data.get(k) for k in PROFILE_FIELDS if k in data})
    user.set_password(password)
    user.save()
    audit.record(actor, "user.create", user, changes=audit.diff({}, audit.snapshot(user, AUDITED_FIELDS)))
    if user.role == Role.LIAISON:
        do_ensure_cadre(actor, user)
    return user


def check_create_user(actor: Any, data: Mapping[str, Any], password: str | None) -> tuple[User, str | None]:
    """Create an account. With `password` None one is generated and returned (to be shown once)."""
    _require_manager(actor)
    data = {k: v for k, v in data.items() if k in AUDITED_FIELDS}
    data.setdefault("is_active", True)
    errors: dict[str, str] = {}
    username = (data.get("username") or "").strip()
    data["username"] = username
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        errors["username"] = " ".join(str(m) for m in exc.messages)
    if not username:
        errors["username"] = _("请填写用户名")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("该用户名已被使用")
    role = data.get("role") or ""
    if role not in Role.values:
        errors["role"] = _("请选择角色")
    else:
        errors.update(scope_errors(role, data))
    generated = None
    if password is None:
        password = generated = generate_password()
    else:
        errors.update(_password_errors(password, User(**{k: data.get(k) for k in ("username", "full_name")})))
    if errors:
        raise AccountValidationError(errors)
    return do_create_user(actor, data, password), generated


# --- update -----------------------------------------------------------------------------------------


@transaction.atomic
def do_update_user(actor: Any, user: User, data: Mapping[str, Any]) -> bool:
    """Apply profile `data`; return whether anything changed."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(locked, AUDITED_FIELDS)
    for key, value in data.items():
        if key in PROFILE_FIELDS:
            setattr(locked, key, value)
    after = audit.snapshot(locked, AUDITED_FIELDS)
    changes = audit.diff(before, after)
    if not changes:
        return False
    locked.save(update_fields=[k for k in PROFILE_FIELDS if k in data])
    for key in PROFILE_FIELDS:
        setattr(user, key, getattr(locked, key))
    action = "user.update"
    if "is_active" in changes:
        action = "user.reactivate" if locked.is_active else "user.deactivate"
    audit.record(actor, action, locked, changes=changes)
    if locked.role == Role.LIAISON:
        do_ensure_cadre(actor, locked)
    return True


def check_update_user(actor: Any, user: User, data: Mapping[str, Any]) -> bool:
    _require_manager(actor)
    data = {k: v for k, v in data.items() if k in PROFILE_FIELDS}
    merged = {k: getattr(user, k) for k in PROFILE_FIELDS} | data
    errors: dict[str, str] = {}
    if merged["role"] not in Role.values:
        errors["role"] = _("请选择角色")
    else:
        errors.update(scope_errors(merged["role"], merged))
    if user.pk == getattr(actor, "pk", None) and not merged["is_active"]:
        errors["is_active"] = _("不能停用自己的账号")
    if errors:
        raise AccountValidationError(errors)
    with transaction.atomic():
        admins = _locked_active_admin_ids()
        stays_admin = merged["role"] == Role.DISTRICT_ADMIN and merged["is_active"]
        if user.pk in admins and not stays_admin and len(admins) <= 1:
            raise AccountValidationError({"": _("这是唯一在用的区复工办管理员账号，不能停用或更改其角色")})
        return do_update_user(actor, user, data)


# --- passwords --------------------------------------------------------------------------------------


@transaction.atomic
def do_set_password(actor: Any, user: User, password: str, *, generated: bool = False) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        action, note = "user.change_own_password", ""
    else:
        action, note = "user.set_password", _("系统生成") if generated else _("管理员设置")
    # The audit row says that the password changed and by whom — never the password or its hash.
    audit.record(actor, action, user, note=note)


def check_set_password(actor: Any, user: User, password: str | None) -> str | None:
    """An administrator sets another account's password; None generates one and returns it (shown once)."""
    _require_manager(actor)
    generated = None
    if password is None:
        password = generated = generate_password()
    else:
        errors = _password_errors(password, user)
        if errors:
            raise AccountValidationError(errors)
    do_set_password(actor, user, password, generated=generated is not None)
    return generated


# --- one-time passwords (TOTP) ----------------------------------------------------------------------


def pending_totp_device(user: User) -> Any:
    """The unconfirmed device the user is enrolling, created on first visit (its secret shown until confirmed)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("动态口令"), confirmed=False)
    return device


@transaction.atomic
def do_confirm_totp_device(actor: Any, device: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # One confirmed device per user: a re-enrolment replaces the old phone.
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(actor, "otp.enrol", device.user)


@transaction.atomic
def do_reset_otp(actor: Any, user: User) -> int:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    audit.record(actor, "otp.reset", user)
    return removed


def check_reset_otp(actor: Any, user: User) -> int:
    _require_manager(actor)
    return do_reset_otp(actor, user)


def record_otp_check(user: User, *, ok: bool) -> None:
    # A failed token is worth an audit row: repeated failures after a correct password mean a stolen password.
    audit.record(user, "otp.verify" if ok else "otp.verify_failed", user)
