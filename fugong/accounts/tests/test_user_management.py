"""Staff account management by the district admin: permissions, scope per role, passwords, deactivation."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fugong.accounts import services
from fugong.accounts.models import Department, User
from fugong.accounts.roles import Role
from fugong.accounts.services import AccountValidationError
from fugong.core.models import AuditLog
from fugong.core.testing import PERSONAS, UserFactory, assert_max_queries
from fugong.liaison.models import Cadre

LIST, NEW = "/accounts/users/", "/accounts/users/new/"
GOOD_PASSWORD = "Kx8#mountain-river"


def edit_url(user: User) -> str:
    return f"/accounts/users/{user.pk}/"


def _no_secrets_in_audit() -> None:
    dump = json.dumps(list(AuditLog.objects.values("changes", "note", "object_repr")), ensure_ascii=False)
    assert "pbkdf2" not in dump and "md5$" not in dump
    assert GOOD_PASSWORD not in dump


# --- permissions --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "district_admin"])
def test_account_pages_are_forbidden_to_everyone_but_the_district_admin(client_for, world, persona):
    c = client_for(persona)
    assert c.get(LIST).status_code == 403
    assert c.get(NEW).status_code == 403
    assert c.get(edit_url(world.auditor)).status_code == 403
    assert c.post(NEW, {"username": "sneaky", "role": Role.DISTRICT_ADMIN}).status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_account_pages_open_for_the_district_admin(client_for, world):
    c = client_for("district_admin")
    assert c.get(LIST).status_code == 200
    assert c.get(NEW).status_code == 200
    assert c.get(edit_url(world.town_a_officer)).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_editing_a_missing_account_is_404(client_for, world):
    assert client_for("district_admin").get("/accounts/users/999999/").status_code == 404


def test_services_refuse_an_actor_without_the_manage_accounts_action(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.check_create_user(world.town_a_officer, {"username": "x1", "role": Role.AUDITOR}, None)
    with pytest.raises(PermissionDenied):
        services.check_update_user(world.auditor, world.town_a_officer, {"is_active": False})
    with pytest.raises(PermissionDenied):
        services.check_set_password(world.auditor, world.town_a_officer, None)


# --- list ---------------------------------------------------------------------------------------------


def test_the_list_shows_role_scope_status_and_last_login(client_for, world):
    world.auditor.is_active = False
    world.auditor.save()
    body = client_for("district_admin").get(LIST).content.decode()
    assert "town_a_officer" in body and "栖凤渡镇" in body
    assert world.bank.name in body and "区人社局" in body and world.x.name in body
    assert "已停用" in body
    assert "从未登录" in body


def test_the_list_filters_by_role(client_for, world):
    response = client_for("district_admin").get(LIST, {"role": Role.TOWN})
    users = list(response.context["page"])
    assert users == [world.town_a_officer]


def test_the_list_can_show_accounts_without_a_role(client_for, world):
    response = client_for("district_admin").get(LIST, {"role": "none"})
    assert list(response.context["page"]) == [world.no_role_user]


def test_an_unknown_role_filter_is_ignored(client_for, world):
    response = client_for("district_admin").get(LIST, {"role": "<script>", "active": "maybe", "page": "x"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == len(PERSONAS)


def test_the_list_runs_a_bounded_number_of_queries(client_for, world):
    c = client_for("district_admin")
    for i in range(30):
        UserFactory(username=f"bulk_town_{i}", role=Role.TOWN, town=world.town_b)
        UserFactory(username=f"bulk_ent_{i}", role=Role.ENTERPRISE, enterprise=world.y)
    with assert_max_queries(8):
        response = c.get(LIST)
    assert response.status_code == 200
    assert len(response.context["page"]) == 50


# --- create -------------------------------------------------------------------------------------------


def test_creating_a_town_officer_with_a_generated_password_shows_it_once(client_for, world):
    response = client_for("district_admin").post(
        NEW,
        {
            "username": "qfd_staff",
            "full_name": "测试人员",
            "role": Role.TOWN,
            "town": world.town_a.pk,
            "password_mode": "generate",
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert len(password) == services.GENERATED_PASSWORD_LENGTH
    assert password in response.content.decode()
    user = User.objects.get(username="qfd_staff")
    assert (user.role, user.town, user.is_active) == (Role.TOWN, world.town_a, True)
    assert Client().login(username="qfd_staff", password=password)
    row = AuditLog.objects.get(action="user.create")
    assert row.actor == world.district_admin
    assert row.changes["town"] == [None, "栖凤渡镇"]
    assert password not in json.dumps(row.changes, ensure_ascii=False)
    _no_secrets_in_audit()


def test_creating_with_a_chosen_password_validates_it(client_for, world):
    c = client_for("district_admin")
    data = {
        "username": "auditor2",
        "role": Role.AUDITOR,
        "password_mode": "set",
        "password1": "short1A!",
        "password2": "short1A!",
    }
    response = c.post(NEW, data)
    assert response.status_code == 200
    assert "12" in response.content.decode()
    assert not User.objects.filter(username="auditor2").exists()

    data |= {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    response = c.post(NEW, data)
    assert response.status_code == 302
    assert User.objects.get(username="auditor2").check_password(GOOD_PASSWORD)
    _no_secrets_in_audit()


def test_mismatched_passwords_are_refused(client_for, world):
    response = client_for("district_admin").post(
        NEW,
        {
            "username": "auditor3",
            "role": Role.AUDITOR,
            "password_mode": "set",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD + "x",
        },
    )
    assert "两次输入的密码不一致" in response.content.decode()
    assert not User.objects.filter(username="auditor3").exists()


def test_a_taken_username_is_refused_case_insensitively(client_for, world):
    response = client_for("district_admin").post(
        NEW, {"username": "Auditor", "role": Role.AUDITOR, "password_mode": "generate"}
    )
    assert "该用户名已被使用" in response.content.decode()
    assert User.objects.filter(username__iexact="auditor").count() == 1


def test_garbage_input_gives_messages_not_a_server_error(client_for, world):
    response = client_for("district_admin").post(
        NEW, {"username": "bad name!", "role": "emperor", "town": "nope", "bank": "x", "password_mode": "??"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert User.objects.count() == len(PERSONAS)
    assert not AuditLog.objects.filter(action="user.create").exists()


def test_an_enterprise_admin_is_linked_by_the_enterprise_uscc(client_for, world):
    c = client_for("district_admin")
    unknown = c.post(
        NEW,
        {
            "username": "ent_x2",
            "role": Role.ENTERPRISE,
            "enterprise": "91350100M000100Y43",
            "password_mode": "generate",
        },
    )
    assert "未找到统一社会信用代码" in unknown.content.decode()
    assert not User.objects.filter(username="ent_x2").exists()
    ok = c.post(
        NEW,
        {
            "username": "ent_x2",
            "role": Role.ENTERPRISE,
            "enterprise": world.x.uscc.lower(),
            "password_mode": "generate",
        },
    )
    assert ok.status_code == 200
    assert User.objects.get(username="ent_x2").enterprise == world.x


def test_a_liaison_account_gets_a_cadre_record(client_for, world):
    client_for("district_admin").post(
        NEW, {"username": "liaison2", "full_name": "联络员乙", "role": Role.LIAISON, "password_mode": "generate"}
    )
    cadre = Cadre.objects.get(user__username="liaison2")
    assert cadre.name == "联络员乙"
    assert AuditLog.objects.filter(action="cadre.create", object_id=str(cadre.pk)).exists()


def test_changing_an_account_to_liaison_reuses_its_existing_cadre(world):
    services.check_update_user(world.district_admin, world.liaison_of_x, {"full_name": "改名"})
    assert Cadre.objects.filter(user=world.liaison_of_x).count() == 1


# --- scope field per role -----------------------------------------------------------------------------


def _scope(world, *names):
    hrss = Department.objects.get(code="hrss")
    values = {"town": world.town_a, "department": hrss, "enterprise": world.x, "bank": world.bank}
    return {n: values[n] for n in names}


VALID = [
    (Role.TOWN, ("town",)),
    (Role.ENTERPRISE, ("enterprise",)),
    (Role.DEPARTMENT, ("department",)),
    (Role.BANK, ("bank",)),
    (Role.DISTRICT_ADMIN, ()),
    (Role.DISTRICT_LEADER, ()),
    (Role.AUDITOR, ()),
    (Role.LIAISON, ()),
    (Role.OUTREACH, ()),
]
INVALID = [
    (Role.TOWN, (), "town"),
    (Role.TOWN, ("town", "enterprise"), "enterprise"),
    (Role.ENTERPRISE, (), "enterprise"),
    (Role.ENTERPRISE, ("enterprise", "town"), "town"),
    (Role.DEPARTMENT, (), "department"),
    (Role.BANK, (), "bank"),
    (Role.BANK, ("bank", "department"), "department"),
    (Role.DISTRICT_ADMIN, ("town",), "town"),
    (Role.DISTRICT_LEADER, ("bank",), "bank"),
    (Role.AUDITOR, ("department",), "department"),
    (Role.LIAISON, ("enterprise",), "enterprise"),
    (Role.OUTREACH, ("town",), "town"),
]


@pytest.mark.parametrize(("role", "fields"), VALID)
def test_each_role_is_created_with_exactly_its_scope_field(world, role, fields):
    user, _pw = services.check_create_user(
        world.district_admin, {"username": f"new_{role}", "role": role, **_scope(world, *fields)}, None
    )
    assert user.role == role
    for name in services.SCOPE_FIELDS:
        assert (getattr(user, f"{name}_id") is not None) == (name in fields)


@pytest.mark.parametrize(("role", "fields", "bad_field"), INVALID)
def test_a_scope_field_that_does_not_match_the_role_is_refused(world, role, fields, bad_field):
    with pytest.raises(AccountValidationError) as exc:
        services.check_create_user(
            world.district_admin, {"username": "new_user", "role": role, **_scope(world, *fields)}, None
        )
    assert bad_field in exc.value.errors
    assert not User.objects.filter(username="new_user").exists()


def test_the_form_shows_the_scope_error_on_the_field(client_for, world):
    response = client_for("district_admin").post(
        NEW, {"username": "t2", "role": Role.TOWN, "bank": world.bank.pk, "password_mode": "generate"}
    )
    errors = response.context["form"].errors
    assert "town" in errors and "bank" in errors
    assert not User.objects.filter(username="t2").exists()


def test_changing_a_role_requires_the_new_scope_field(client_for, world):
    c = client_for("district_admin")
    response = c.post(
        edit_url(world.town_a_officer),
        {"action": "save", "profile-role": Role.BANK, "profile-town": world.town_a.pk, "profile-is_active": "on"},
    )
    assert response.status_code == 200
    world.town_a_officer.refresh_from_db()
    assert world.town_a_officer.role == Role.TOWN
    response = c.post(
        edit_url(world.town_a_officer),
        {"action": "save", "profile-role": Role.BANK, "profile-bank": world.bank.pk, "profile-is_active": "on"},
    )
    assert response.status_code == 302
    world.town_a_officer.refresh_from_db()
    assert (world.town_a_officer.role, world.town_a_officer.town, world.town_a_officer.bank) == (
        Role.BANK,
        None,
        world.bank,
    )
    row = AuditLog.objects.get(action="user.update")
    assert row.changes["role"] == [Role.TOWN, Role.BANK]
    assert row.changes["town"] == ["栖凤渡镇", None]


# --- deactivation and the last admin ------------------------------------------------------------------


def test_deactivating_and_reactivating_an_account(client_for, world):
    c = client_for("district_admin")
    form = {"action": "save", "profile-role": Role.AUDITOR}
    assert c.post(edit_url(world.auditor), form).status_code == 302
    world.auditor.refresh_from_db()
    assert not world.auditor.is_active
    assert not Client().login(username="auditor", password="correct-horse-battery-9")
    c.post(edit_url(world.auditor), form | {"profile-is_active": "on"})
    world.auditor.refresh_from_db()
    assert world.auditor.is_active
    actions = list(AuditLog.objects.filter(object_id=str(world.auditor.pk)).values_list("action", flat=True))
    assert set(actions) >= {"user.deactivate", "user.reactivate"}
    assert User.objects.filter(pk=world.auditor.pk).exists()  # never deleted


def test_an_admin_cannot_deactivate_themselves(client_for, world):
    UserFactory(username="admin2", role=Role.DISTRICT_ADMIN)
    response = client_for("district_admin").post(
        edit_url(world.district_admin), {"action": "save", "profile-role": Role.DISTRICT_ADMIN}
    )
    assert "不能停用自己的账号" in response.content.decode()
    world.district_admin.refresh_from_db()
    assert world.district_admin.is_active


def test_the_last_active_district_admin_cannot_be_demoted(world):
    with pytest.raises(AccountValidationError) as exc:
        services.check_update_user(world.district_admin, world.district_admin, {"role": Role.AUDITOR})
    assert "唯一" in exc.value.errors[""]
    world.district_admin.refresh_from_db()
    assert world.district_admin.role == Role.DISTRICT_ADMIN


def test_an_inactive_second_admin_does_not_count_as_a_replacement(world):
    UserFactory(username="admin2", role=Role.DISTRICT_ADMIN, is_active=False)
    with pytest.raises(AccountValidationError):
        services.check_update_user(world.district_admin, world.district_admin, {"role": Role.AUDITOR})


def test_with_two_active_admins_one_may_be_demoted_but_not_the_other_after_it(world):
    admin2 = UserFactory(username="admin2", role=Role.DISTRICT_ADMIN)
    assert services.check_update_user(world.district_admin, admin2, {"role": Role.AUDITOR})
    with pytest.raises(AccountValidationError):
        services.check_update_user(world.district_admin, world.district_admin, {"role": Role.AUDITOR})


def test_the_last_admin_error_is_shown_on_the_page(client_for, world):
    response = client_for("district_admin").post(
        edit_url(world.district_admin), {"action": "save", "profile-role": Role.AUDITOR, "profile-is_active": "on"}
    )
    assert response.status_code == 200
    assert "唯一在用的区复工办管理员" in response.content.decode()


def test_saving_without_changes_writes_no_audit_row(world):
    assert (
        services.check_update_user(world.district_admin, world.auditor, {"full_name": world.auditor.full_name}) is False
    )
    assert not AuditLog.objects.filter(action="user.update").exists()


# --- passwords set by the admin -----------------------------------------------------------------------


def test_the_admin_resets_a_password_to_a_generated_one_shown_once(client_for, world):
    response = client_for("district_admin").post(
        edit_url(world.town_a_officer), {"action": "set_password", "pw-password_mode": "generate"}
    )
    password = response.context["password"]
    assert Client().login(username="town_a_officer", password=password)
    row = AuditLog.objects.get(action="user.set_password")
    assert row.actor == world.district_admin
    assert password not in row.note and row.changes == {}
    _no_secrets_in_audit()


def test_the_admin_sets_a_chosen_password_that_must_pass_the_validators(client_for, world):
    c = client_for("district_admin")
    bad = c.post(
        edit_url(world.town_a_officer),
        {
            "action": "set_password",
            "pw-password_mode": "set",
            "pw-password1": "123456789012",
            "pw-password2": "123456789012",
        },
    )
    assert bad.status_code == 200
    assert bad.context["password_form"].errors
    assert not AuditLog.objects.filter(action="user.set_password").exists()
    ok = c.post(
        edit_url(world.town_a_officer),
        {
            "action": "set_password",
            "pw-password_mode": "set",
            "pw-password1": GOOD_PASSWORD,
            "pw-password2": GOOD_PASSWORD,
        },
    )
    assert ok.status_code == 302
    world.town_a_officer.refresh_from_db()
    assert world.town_a_officer.check_password(GOOD_PASSWORD)
    _no_secrets_in_audit()


def test_generated_passwords_pass_the_validators(world):
    from django.contrib.auth.password_validation import validate_password

    for _ in range(20):
        validate_password(services.generate_password(), world.auditor)
