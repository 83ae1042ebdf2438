"""The Django admin follows the one scoping mechanism, the roles, and the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from fugong.accounts.models import ApiToken, User
from fugong.accounts.roles import Role
from fugong.core import audit
from fugong.core.identifiers import make_uscc
from fugong.core.models import AccessLog, AuditLog
from fugong.core.testing import assert_max_queries
from fugong.enterprises.models import Enterprise, SizeThreshold
from fugong.finance.models import Bank, BankMatchmaking
from fugong.liaison.models import Cadre, LiaisonAssignment


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:{name}", args=args)


def staff(world, persona: str) -> User:
    user = world.users[persona]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def staff_client(world, client_for):
    def make(persona: str):
        staff(world, persona)
        return client_for(persona)

    return make


def form_data(response) -> dict[str, Any]:
    """What the admin change form would post back unchanged."""
    data: dict[str, Any] = {}
    for bound in response.context["adminform"].form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            data[bound.name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bound.name] = [v.pk if isinstance(v, Model) else v for v in value]
        else:
            data[bound.name] = str(value)
    data["_save"] = "保存"
    return data


def test_the_admin_carries_the_platform_header(staff_client):
    body = staff_client("district_admin").get(url("index")).content.decode()
    assert "复工复产服务平台 管理后台" in body


def test_a_user_who_is_not_staff_is_sent_to_the_admin_login(client_for):
    response = client_for("town_a_officer").get(url("enterprises_enterprise_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- audit and access logs -------------------------------------------------------------------------------
def test_the_auditor_can_view_the_audit_log_in_the_admin_but_not_change_it(world, staff_client):
    row = audit.record(world.district_admin, "enterprise.update", world.x, changes={"name": ["甲", "乙"]})
    client = staff_client("auditor")
    assert client.get(url("core_auditlog_changelist")).status_code == 200
    page = client.get(url("core_auditlog_change", row.pk))
    assert page.status_code == 200
    assert "甲" in page.content.decode() and "乙" in page.content.decode()
    assert client.get(url("core_auditlog_add")).status_code == 403
    assert client.get(url("core_auditlog_delete", row.pk)).status_code == 403
    client.post(url("core_auditlog_change", row.pk), {"action": "rewritten"})
    assert AuditLog.objects.get(pk=row.pk).action == "enterprise.update"


@pytest.mark.parametrize("persona", ["auditor", "district_admin"])
def test_nobody_gets_a_bulk_delete_action_on_the_logs(world, staff_client, persona):
    row = audit.record(world.district_admin, "x.y", object_type="x")
    client = staff_client(persona)
    response = client.get(url("core_auditlog_changelist"))
    assert "delete_selected" not in response.content.decode()
    response = client.post(url("core_auditlog_changelist"), {"action": "delete_selected", "_selected_action": [row.pk]})
    assert AuditLog.objects.filter(pk=row.pk).exists()
    assert client.get(url("core_accesslog_add")).status_code == 403


def test_the_district_admin_can_not_delete_an_access_row_in_the_admin(world, staff_client):
    row = audit.log_access(world.auditor, "view", subject_type="x")
    client = staff_client("district_admin")
    assert client.get(url("core_accesslog_change", row.pk)).status_code == 200
    assert client.post(url("core_accesslog_delete", row.pk), {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_staff_whose_role_may_not_audit_can_not_see_the_logs_in_the_admin(world, staff_client):
    client = staff_client("town_a_officer")
    assert client.get(url("core_auditlog_changelist")).status_code == 403
    assert client.get(url("core_accesslog_changelist")).status_code == 403
    assert "core_auditlog" not in client.get(url("index")).content.decode()


def test_the_auditor_sees_only_the_logs_in_the_admin_index(staff_client):
    body = staff_client("auditor").get(url("index")).content.decode()
    assert "/admin/core/auditlog/" in body and "/admin/core/accesslog/" in body
    assert "/admin/enterprises/enterprise/" not in body and "/admin/accounts/user/" not in body


# --- scoping in the admin --------------------------------------------------------------------------------
def test_a_town_officer_made_staff_sees_only_their_towns_enterprise(world, staff_client):
    client = staff_client("town_a_officer")
    response = client.get(url("enterprises_enterprise_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [world.x]
    assert client.get(url("enterprises_enterprise_change", world.x.pk)).status_code == 200


def test_a_town_officer_made_staff_gets_404_for_another_towns_enterprise(world, staff_client):
    client = staff_client("town_a_officer")
    assert client.get(url("enterprises_enterprise_change", world.y.pk)).status_code == 404
    assert client.get(url("enterprises_enterprise_history", world.y.pk)).status_code == 404


@pytest.mark.parametrize("pk", ["999999", "abc"])
def test_a_missing_or_malformed_id_in_the_admin_is_the_same_404(world, staff_client, pk):
    response = staff_client("district_admin").get(f"/admin/enterprises/enterprise/{pk}/change/")
    assert response.status_code == 404


def test_a_town_officer_sees_enterprises_read_only_in_the_admin(world, staff_client):
    client = staff_client("town_a_officer")
    page = client.get(url("enterprises_enterprise_change", world.x.pk))
    assert page.context["has_change_permission"] is False
    assert "new_contact_phone" not in page.content.decode()
    client.post(url("enterprises_enterprise_change", world.x.pk), {"name": "改名"})
    world.x.refresh_from_db()
    assert world.x.name != "改名"
    assert client.get(url("enterprises_enterprise_add")).status_code == 403


def test_another_towns_key_project_is_404_in_the_admin(world, staff_client):
    client = staff_client("town_a_officer")
    assert client.get(url("enterprises_keyproject_change", world.project.pk)).status_code == 200
    staff(world, "enterprise_admin_y")
    other = staff_client("enterprise_admin_y")
    assert other.get(url("enterprises_keyproject_change", world.project.pk)).status_code == 404


def test_the_liaison_made_staff_sees_their_assignments_and_cadre_only(world, staff_client):
    other = Cadre.objects.create(name="其他联络员")
    LiaisonAssignment.objects.create(cadre=other, enterprise=world.y, start=dt.date(2020, 1, 1))
    client = staff_client("liaison_of_x")
    assignments = client.get(url("liaison_liaisonassignment_changelist")).context["cl"].queryset
    assert {a.enterprise_id or a.project_id for a in assignments} == {world.x.pk, world.project.pk}
    cadres = client.get(url("liaison_cadre_changelist")).context["cl"].queryset
    assert [c.name for c in cadres] == ["测试联络员"]  # listed once though posted twice


def test_a_town_b_officer_sees_no_cadre_or_assignment_of_town_a(world, staff_client):
    town_b = User.objects.create(username="town_b_officer", role=Role.TOWN, town=world.town_b, is_staff=True)
    client = Client()
    client.force_login(town_b)
    assert client.get(url("liaison_cadre_changelist")).context["cl"].queryset.count() == 0
    assert client.get(url("liaison_leaderpairing_changelist")).context["cl"].queryset.count() == 0
    cadre = Cadre.objects.get(name="测试联络员")
    assert client.get(url("liaison_cadre_change", cadre.pk)).status_code == 404


def test_the_bank_officer_made_staff_sees_only_their_matchmaking(world, staff_client):
    other = Bank.objects.create(name="其他测试银行")
    BankMatchmaking.objects.create(bank=other, enterprise=world.y, since=dt.date(2020, 1, 1))
    client = staff_client("bank_officer")
    rows = client.get(url("finance_bankmatchmaking_changelist")).context["cl"].queryset
    assert [m.enterprise_id for m in rows] == [world.x.pk]


def test_the_enterprise_changelist_shows_phones_masked_within_a_query_budget(world, staff_client):
    client = staff_client("district_admin")
    with assert_max_queries(12):
        body = client.get(url("enterprises_enterprise_changelist")).content.decode()
    assert "138****1234" in body and "13800001234" not in body


def test_the_enterprise_change_form_never_puts_the_phone_in_the_page(world, staff_client):
    body = staff_client("district_admin").get(url("enterprises_enterprise_change", world.x.pk)).content.decode()
    assert "13800001234" not in body and "138****1234" in body


# --- writes in the admin are the district admin's, and audited -----------------------------------------
def test_an_admin_edit_of_an_enterprise_goes_through_the_service_and_is_audited(world, staff_client):
    client = staff_client("district_admin")
    data = form_data(client.get(url("enterprises_enterprise_change", world.x.pk)))
    data["address"] = "栖凤渡镇测试路1号"
    data["new_contact_phone"] = "+86 139-0000-5678"
    response = client.post(url("enterprises_enterprise_change", world.x.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    world.x.refresh_from_db()
    assert world.x.address == "栖凤渡镇测试路1号"
    assert world.x.contact_phone == "13900005678"  # normalised by the service's rules
    assert world.x.version == 2
    row = AuditLog.objects.get(object_type="enterprises.enterprise", object_id=str(world.x.pk))
    assert row.action == "enterprise.update" and row.actor == world.district_admin
    assert row.changes["address"][1] == "栖凤渡镇测试路1号"
    assert row.changes["contact_phone"] == ["138****1234", "139****5678"]


def test_an_unchanged_admin_save_writes_no_audit_row(world, staff_client):
    client = staff_client("district_admin")
    data = form_data(client.get(url("enterprises_enterprise_change", world.x.pk)))
    assert client.post(url("enterprises_enterprise_change", world.x.pk), data).status_code == 302
    assert not AuditLog.objects.exists()


def test_a_bad_uscc_in_the_admin_is_a_form_error_and_nothing_is_written(world, staff_client):
    client = staff_client("district_admin")
    data = form_data(client.get(url("enterprises_enterprise_change", world.x.pk)))
    data["uscc"] = data["uscc"][:17] + ("0" if data["uscc"][17] != "0" else "1")
    response = client.post(url("enterprises_enterprise_change", world.x.pk), data)
    assert response.status_code == 200
    assert "第18位" in str(response.context["adminform"].form.errors["uscc"])
    assert not AuditLog.objects.exists()


def test_an_admin_created_enterprise_is_classified_and_audited(world, staff_client):
    client = staff_client("district_admin")
    data = form_data(client.get(url("enterprises_enterprise_change", world.y.pk)))
    data.update(name="郴州新建测试有限公司", new_contact_phone="13700001111")
    data["uscc"] = make_uscc("431003", "MA4L0001")
    response = client.post(url("enterprises_enterprise_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Enterprise.objects.get(name="郴州新建测试有限公司")
    assert created.category and created.size_class  # computed by the service's classifier
    row = AuditLog.objects.get(action="enterprise.create")
    assert row.object_id == str(created.pk) and row.changes["contact_phone"] == ["", "137****1111"]


def test_enterprises_can_not_be_deleted_in_the_admin(world, staff_client):
    client = staff_client("district_admin")
    assert client.get(url("enterprises_enterprise_delete", world.x.pk)).status_code == 403
    body = client.get(url("enterprises_enterprise_changelist")).content.decode()
    assert "delete_selected" not in body
    assert Enterprise.objects.filter(pk=world.x.pk).exists()


def test_a_district_admin_edit_of_a_size_threshold_is_audited(world, staff_client):
    threshold = SizeThreshold.objects.get(sector="industry", size_class="large")
    client = staff_client("district_admin")
    data = form_data(client.get(url("enterprises_sizethreshold_change", threshold.pk)))
    data["min_employees"] = "1200"
    assert client.post(url("enterprises_sizethreshold_change", threshold.pk), data).status_code == 302
    threshold.refresh_from_db()
    assert threshold.min_employees == 1200
    row = AuditLog.objects.get(object_type="enterprises.sizethreshold")
    assert row.action == "sizethreshold.admin_update" and row.changes["min_employees"] == [1000, 1200]


def test_only_the_district_admin_may_edit_thresholds(world, staff_client):
    threshold = SizeThreshold.objects.get(sector="industry", size_class="large")
    client = staff_client("town_a_officer")
    assert client.get(url("enterprises_sizethreshold_change", threshold.pk)).status_code == 200
    client.post(url("enterprises_sizethreshold_change", threshold.pk), {"min_employees": "5"})
    threshold.refresh_from_db()
    assert threshold.min_employees == 1000 and not AuditLog.objects.exists()


def test_an_admin_delete_of_reference_data_is_audited(world, staff_client):
    bank = Bank.objects.create(name="待删除测试银行")
    client = staff_client("district_admin")
    assert client.post(url("finance_bank_delete", bank.pk), {"post": "yes"}).status_code == 302
    assert not Bank.objects.filter(pk=bank.pk).exists()
    row = AuditLog.objects.get(action="bank.admin_delete")
    assert row.changes["name"] == ["待删除测试银行", None]


def test_a_cadre_phone_is_masked_in_the_list_and_its_change_is_audited_masked(world, staff_client):
    cadre = Cadre.objects.get()
    client = staff_client("district_admin")
    data = form_data(client.get(url("liaison_cadre_change", cadre.pk)))
    data["new_phone"] = "13600002222"
    assert client.post(url("liaison_cadre_change", cadre.pk), data).status_code == 302
    cadre.refresh_from_db()
    assert cadre.phone == "13600002222"
    body = client.get(url("liaison_cadre_changelist")).content.decode()
    assert "136****2222" in body and "13600002222" not in body
    assert AuditLog.objects.get(action="cadre.admin_update").changes["phone"] == ["", "136****2222"]


# --- accounts --------------------------------------------------------------------------------------------
def test_only_the_district_admin_opens_accounts_in_the_admin(world, staff_client):
    assert staff_client("auditor").get(url("accounts_user_changelist")).status_code == 403
    assert staff_client("town_a_officer").get(url("accounts_user_changelist")).status_code == 403
    assert staff_client("district_admin").get(url("accounts_user_changelist")).status_code == 200


def test_an_admin_role_change_goes_through_the_account_service_and_is_audited(world, staff_client):
    client = staff_client("district_admin")
    target = world.town_a_officer
    data = form_data(client.get(url("accounts_user_change", target.pk)))
    data["town"] = world.town_b.pk
    data["is_staff"] = "on"
    response = client.post(url("accounts_user_change", target.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    target.refresh_from_db()
    assert target.town_id == world.town_b.pk and target.is_staff
    actions = set(AuditLog.objects.filter(object_id=str(target.pk)).values_list("action", flat=True))
    assert actions == {"user.update", "user.admin_access"}


def test_an_admin_role_without_its_scope_field_is_refused(world, staff_client):
    client = staff_client("district_admin")
    target = world.auditor
    data = form_data(client.get(url("accounts_user_change", target.pk)))
    data["role"] = Role.TOWN  # a town officer needs a town
    response = client.post(url("accounts_user_change", target.pk), data)
    assert response.status_code == 200
    assert "town" in response.context["adminform"].form.errors
    target.refresh_from_db()
    assert target.role == Role.AUDITOR and not AuditLog.objects.exists()


def test_the_last_district_admin_can_not_demote_themselves_in_the_admin(world, staff_client):
    client = staff_client("district_admin")
    me = world.district_admin
    data = form_data(client.get(url("accounts_user_change", me.pk)))
    data["role"] = Role.AUDITOR
    response = client.post(url("accounts_user_change", me.pk), data)
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.role == Role.DISTRICT_ADMIN


def test_an_admin_password_change_is_audited_without_the_password(world, staff_client):
    client = staff_client("district_admin")
    target = world.town_a_officer
    secret = "A-new-long-password-42"
    response = client.post(url("auth_user_password_change", target.pk), {"password1": secret, "password2": secret})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(secret)
    row = AuditLog.objects.get(object_id=str(target.pk))
    assert row.action == "user.set_password"
    assert secret not in str(row.changes) and target.password not in str(row.changes)


def test_api_tokens_are_read_only_in_the_admin_and_never_show_their_digest(world, staff_client):
    token = ApiToken.objects.create(user=world.hrss_officer, prefix="abc123", digest="f" * 64)
    client = staff_client("district_admin")
    page = client.get(url("accounts_apitoken_change", token.pk))
    assert page.status_code == 200 and "f" * 64 not in page.content.decode()
    assert client.get(url("accounts_apitoken_add")).status_code == 403
    assert client.post(url("accounts_apitoken_delete", token.pk), {"post": "yes"}).status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_an_admin_created_threshold_value_is_a_decimal_not_a_float(world, staff_client):
    # Sanity check of the form round trip used above: amounts stay Decimal end to end.
    threshold = SizeThreshold.objects.get(sector="industry", size_class="medium")
    client = staff_client("district_admin")
    data = form_data(client.get(url("enterprises_sizethreshold_change", threshold.pk)))
    data["min_revenue_wan"] = "2500.5"
    client.post(url("enterprises_sizethreshold_change", threshold.pk), data)
    threshold.refresh_from_db()
    assert threshold.min_revenue_wan == Decimal("2500.50")


# --- every registered page renders ---------------------------------------------------------------------
FUGONG_APPS = ("core", "accounts", "regions", "enterprises", "liaison", "outreach", "finance")
READ_ONLY = {"core.auditlog", "core.accesslog", "accounts.apitoken"}


def registered_models() -> list[str]:
    from django.contrib import admin

    return sorted(m._meta.label_lower for m in admin.site._registry if m._meta.app_label in FUGONG_APPS)


def test_every_model_the_brief_names_is_registered():
    assert set(registered_models()) >= {
        "core.auditlog",
        "core.accesslog",
        "accounts.user",
        "accounts.apitoken",
        "accounts.department",
        "regions.region",
        "regions.industrialpark",
        "enterprises.enterprise",
        "enterprises.keyproject",
        "enterprises.sizethreshold",
        "liaison.cadre",
        "liaison.liaisonassignment",
        "liaison.leaderpairing",
        "outreach.outreachteam",
        "finance.bank",
        "finance.bankmatchmaking",
    }


@pytest.mark.parametrize("label", registered_models())
def test_the_district_admin_can_open_every_list_and_add_page(world, staff_client, label):
    app, model = label.split(".")
    client = staff_client("district_admin")
    assert client.get(url(f"{app}_{model}_changelist")).status_code == 200
    expected = 403 if label in READ_ONLY else 200
    assert client.get(url(f"{app}_{model}_add")).status_code == expected


def test_the_enterprise_form_offers_only_the_districts_towns(world, staff_client):
    form = staff_client("district_admin").get(url("enterprises_enterprise_add")).context["adminform"].form
    assert set(form.fields["town"].queryset) == {world.town_a, world.town_b}


@pytest.mark.parametrize("label", sorted(set(registered_models()) - READ_ONLY))
def test_an_id_too_large_for_any_key_is_a_form_error_not_a_500(world, staff_client, label):
    """Found by fuzzing the admin: a 40-digit id in a select (outreach team members) reached the database,
    where SQLite raised OverflowError. Every choice field of every add form now says "invalid choice"."""
    app, model = label.split(".")
    client = staff_client("district_admin")
    page = client.get(url(f"{app}_{model}_add"))
    form = page.context["adminform"].form
    choices = [
        name
        for name, field in form.fields.items()
        if hasattr(field, "queryset") and isinstance(field.queryset.model._meta.pk, models.IntegerField)
    ]
    for name in choices:
        huge = "9" * 40
        response = client.post(url(f"{app}_{model}_add"), {name: [huge]})
        assert response.status_code == 200, (name, response.status_code)  # the form again, with its errors
        assert name in response.context["adminform"].form.errors
    assert not form.instance.pk
