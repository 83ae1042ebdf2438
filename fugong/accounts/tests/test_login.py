"""Sign-in, sign-out, lockout and the password policy."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from fugong.core.models import AuditLog
from fugong.core.testing import TEST_PASSWORD

LOGIN = "/accounts/login/"
WRONG = "not-the-password-42"


def _rows(action: str):
    return AuditLog.objects.filter(action=action)


def test_the_login_page_is_in_chinese(client, db):
    body = client.get(LOGIN).content.decode()
    assert "登录复工复产服务平台" in body
    assert "连续输错密码 5 次" in body


def test_a_correct_password_signs_in_and_writes_a_login_audit_row(world):
    c = Client()
    response = c.post(LOGIN, {"username": "district_admin", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    row = _rows("auth.login").get()
    assert row.actor == world.district_admin
    assert row.ip == "127.0.0.1"
    assert c.get("/").status_code == 200


def test_a_wrong_password_shows_a_clear_message_and_logs_the_attempt_without_the_password(world):
    c = Client()
    response = c.post(LOGIN, {"username": "town_a_officer", "password": WRONG})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    row = _rows("auth.login_failed").get()
    assert row.actor is None
    assert row.object_repr == "town_a_officer"
    every_row = json.dumps(list(AuditLog.objects.values()), default=str, ensure_ascii=False)
    assert WRONG not in every_row
    assert not _rows("auth.login").exists()
    assert c.get("/").status_code == 302  # still anonymous


def test_an_unknown_username_fails_the_same_way(world):
    response = Client().post(LOGIN, {"username": "nobody-here", "password": WRONG})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert _rows("auth.login_failed").get().object_repr == "nobody-here"


def test_a_deactivated_account_cannot_sign_in(world):
    world.town_a_officer.is_active = False
    world.town_a_officer.save()
    response = Client().post(LOGIN, {"username": "town_a_officer", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert not _rows("auth.login").exists()


def test_an_empty_form_gives_field_errors_not_a_server_error(client, db):
    response = client.post(LOGIN, {})
    assert response.status_code == 200
    assert not AuditLog.objects.filter(action="auth.login").exists()


def test_logout_only_accepts_post_and_writes_an_audit_row(world):
    c = Client()
    c.post(LOGIN, {"username": "auditor", "password": TEST_PASSWORD})
    assert c.get("/accounts/logout/").status_code == 405
    response = c.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert _rows("auth.logout").get().actor == world.auditor
    assert c.get("/").status_code == 302


def test_a_signed_in_user_opening_the_login_page_goes_home(client_for):
    response = client_for("district_admin").get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_login_redirects_to_a_safe_next_page_only(world):
    ok = Client().post(LOGIN + "?next=/accounts/password/", {"username": "auditor", "password": TEST_PASSWORD})
    assert ok["Location"] == "/accounts/password/"
    evil = Client().post(LOGIN + "?next=https://evil.example/", {"username": "auditor", "password": TEST_PASSWORD})
    assert evil["Location"] == "/"


def test_repeated_failures_lock_the_account_with_a_friendly_chinese_page(world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    c = Client()
    statuses = [c.post(LOGIN, {"username": "town_a_officer", "password": WRONG}).status_code for _ in range(3)]
    assert statuses[:2] == [200, 200]
    # Locked now: even the right password is refused, with the lockout page.
    response = c.post(LOGIN, {"username": "town_a_officer", "password": TEST_PASSWORD})
    assert response.status_code == 429
    body = response.content.decode()
    assert "已临时锁定" in body
    assert "30 分钟" in body
    assert not _rows("auth.login").exists()
    assert _rows("auth.login_failed").count() >= 3
    # Another account from the same machine is not affected (lockout is per username and address).
    other = Client().post(LOGIN, {"username": "auditor", "password": TEST_PASSWORD})
    assert other.status_code == 302


def test_passwords_shorter_than_12_characters_are_refused_by_the_validators(world):
    with pytest.raises(ValidationError) as exc:
        validate_password("Kx8#mountai", world.auditor)  # 11 characters
    assert any("12" in m for m in exc.value.messages)
    validate_password("Kx8#mountain", world.auditor)  # 12 characters: fine


def test_changing_my_password_enforces_the_policy_and_writes_nothing_on_failure(client_for, world):
    c = client_for("town_a_officer")
    before = world.town_a_officer.password
    response = c.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": "Kx8#mountai", "new_password2": "Kx8#mountai"},
    )
    assert response.status_code == 200
    assert "12" in response.content.decode()
    world.town_a_officer.refresh_from_db()
    assert world.town_a_officer.password == before
    assert not AuditLog.objects.filter(action="user.change_own_password").exists()


def test_changing_my_password_keeps_me_signed_in_and_audits_without_the_hash(client_for, world):
    c = client_for("town_a_officer")
    response = c.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": "Kx8#mountain", "new_password2": "Kx8#mountain"},
    )
    assert response.status_code == 302
    world.town_a_officer.refresh_from_db()
    assert world.town_a_officer.check_password("Kx8#mountain")
    row = AuditLog.objects.get(action="user.change_own_password")
    assert row.actor == world.town_a_officer
    assert row.changes == {}
    assert world.town_a_officer.password not in json.dumps(row.changes) + row.note
    assert c.get("/").status_code == 200


def test_a_wrong_old_password_is_refused(client_for, world):
    response = client_for("town_a_officer").post(
        "/accounts/password/",
        {"old_password": WRONG, "new_password1": "Kx8#mountain", "new_password2": "Kx8#mountain"},
    )
    assert response.status_code == 200
    world.town_a_officer.refresh_from_db()
    assert world.town_a_officer.check_password(TEST_PASSWORD)


def test_switching_to_english_and_back(client_for):
    c = client_for("district_admin")
    assert '<html lang="zh-hans">' in c.get("/").content.decode()
    assert c.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert '<html lang="en">' in c.get("/").content.decode()
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in c.get("/").content.decode()


def test_an_unknown_language_is_ignored(client_for):
    c = client_for("district_admin")
    c.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert '<html lang="zh-hans">' in c.get("/").content.decode()
