"""TOTP enrolment and the FUGONG_REQUIRE_OTP gate for staff roles, with real tokens from django_otp.oath."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fugong.core.models import AuditLog

SETUP, VERIFY = "/accounts/otp/setup/", "/accounts/otp/verify/"


def token_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


def wrong_token_for(device: TOTPDevice) -> str:
    # Not any token the device accepts within its tolerance window.
    valid = {token_for(device, d) for d in range(-2, 3)}
    return next(t for t in (f"{n:06d}" for n in range(1000000)) if t not in valid)


@pytest.fixture
def require_otp(settings):
    settings.FUGONG_REQUIRE_OTP = True
    # Verify right after a deliberate failure without waiting out the throttle delay.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_the_setup_page_shows_a_qr_code_and_the_secret(client_for, world):
    response = client_for("town_a_officer").get(SETUP)
    assert response.status_code == 200
    body = response.content.decode()
    device = TOTPDevice.objects.get(user=world.town_a_officer)
    assert not device.confirmed
    assert "<svg" in body
    assert response.context["secret"] in body
    assert len(response.context["secret"]) >= 16
    # Reloading keeps the same pending secret (the phone may already have scanned it).
    client_for("town_a_officer").get(SETUP)
    assert TOTPDevice.objects.filter(user=world.town_a_officer).count() == 1


def test_enrolling_with_a_real_token_confirms_the_device_and_verifies_the_session(client_for, world, settings):
    settings.FUGONG_REQUIRE_OTP = True
    c = client_for("town_a_officer")
    c.get(SETUP)
    device = TOTPDevice.objects.get(user=world.town_a_officer)
    response = c.post(SETUP, {"token": token_for(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditLog.objects.filter(action="otp.enrol", actor=world.town_a_officer).exists()
    assert c.get("/").status_code == 200  # verified in this session


def test_a_wrong_token_does_not_confirm_the_device(client_for, world):
    c = client_for("town_a_officer")
    c.get(SETUP)
    device = TOTPDevice.objects.get(user=world.town_a_officer)
    for bad in (wrong_token_for(device), "12ab56", "", "1234567890"):
        response = c.post(SETUP, {"token": bad})
        assert response.status_code == 200
        assert response.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed


def test_without_the_setting_staff_reach_pages_without_a_token(client_for, world):
    assert client_for("town_a_officer").get("/").status_code == 200


def test_with_the_setting_a_staff_member_must_verify_before_any_page(client_for, world, require_otp):
    device = TOTPDevice.objects.create(user=world.town_a_officer, name="phone", confirmed=True)
    c = client_for("town_a_officer")
    for path in ("/", "/accounts/users/", "/enterprises/"):
        response = c.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
    assert c.get(VERIFY).status_code == 200

    response = c.post(VERIFY, {"token": wrong_token_for(device), "next": "/"})
    assert response.status_code == 200
    assert "动态口令不正确" in response.content.decode()
    assert AuditLog.objects.filter(action="otp.verify_failed").exists()
    assert c.get("/").status_code == 302

    response = c.post(VERIFY, {"token": token_for(device), "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert AuditLog.objects.filter(action="otp.verify", actor=world.town_a_officer).exists()
    assert c.get("/").status_code == 200


def test_a_used_token_cannot_be_replayed(client_for, world, require_otp):
    device = TOTPDevice.objects.create(user=world.town_a_officer, name="phone", confirmed=True)
    token = token_for(device)
    assert client_for("town_a_officer").post(VERIFY, {"token": token}).status_code == 302
    second = client_for("town_a_officer")
    assert second.post(VERIFY, {"token": token}).status_code == 200
    assert second.get("/").status_code == 302


def test_a_staff_member_without_a_device_is_sent_to_enrol(client_for, world, require_otp):
    c = client_for("district_admin")
    response = c.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(SETUP)
    assert response.status_code == 200


def test_the_gate_answers_api_calls_with_403_json(client_for, world, require_otp):
    response = client_for("district_admin").get("/api/v1/enterprises")
    assert response.status_code == 403
    assert "动态口令" in response.json()["detail"]


def test_the_next_parameter_cannot_leave_the_site(client_for, world, require_otp):
    device = TOTPDevice.objects.create(user=world.town_a_officer, name="phone", confirmed=True)
    response = client_for("town_a_officer").post(VERIFY, {"token": token_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("persona", ["enterprise_admin_x", "bank_officer"])
def test_non_staff_roles_are_not_asked_for_a_token(client_for, world, require_otp, persona):
    assert client_for(persona).get("/").status_code == 200


def test_re_enrolling_needs_a_verified_session(client_for, world, require_otp):
    TOTPDevice.objects.create(user=world.town_a_officer, name="phone", confirmed=True)
    response = client_for("town_a_officer").get(SETUP + "?renew=1")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=world.town_a_officer).count() == 1


def test_the_district_admin_can_reset_a_lost_device(client_for, world):
    TOTPDevice.objects.create(user=world.town_a_officer, name="phone", confirmed=True)
    c = client_for("district_admin")
    assert "解除动态口令绑定" in c.get(f"/accounts/users/{world.town_a_officer.pk}/").content.decode()
    response = c.post(f"/accounts/users/{world.town_a_officer.pk}/", {"action": "reset_otp"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.town_a_officer).exists()
    assert AuditLog.objects.filter(action="otp.reset", object_id=str(world.town_a_officer.pk)).exists()
