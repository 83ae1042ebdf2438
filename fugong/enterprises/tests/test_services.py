"""Writes to the registry: validated, classified, audited with personal data masked, refused when stale."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fugong.core.identifiers import make_uscc
from fugong.core.models import AccessLog, AuditLog
from fugong.enterprises import services
from fugong.enterprises.classification import Category, SizeClass
from fugong.enterprises.models import Enterprise, KeyProject, Ownership

VALID_USCC = make_uscc("431003", "55667788")


def new_data(world, **overrides):
    data = {
        "uscc": VALID_USCC,
        "name": "郴州市新登记制造有限公司",
        "town": world.town_a,
        "industry_section": "C",
        "industry_division": "39",
        "employees": 300,
        "annual_revenue_wan": Decimal("2000"),
        "ownership": Ownership.PRIVATE,
        "contact_name": "王测试",
        "contact_phone": "139 0000 5678",
    }
    data.update(overrides)
    return data


def audit_rows(obj):
    return AuditLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def test_creating_an_enterprise_classifies_it_and_audits_with_the_phone_masked(world):
    e = services.check_create_enterprise(world.district_admin, new_data(world))
    e.refresh_from_db()
    assert e.contact_phone == "13900005678"  # normalised, stored (encrypted) in full
    assert (e.size_class, e.is_above_scale, e.category) == (SizeClass.MEDIUM, True, Category.ABOVE_SCALE_INDUSTRIAL)
    row = audit_rows(e).get()
    assert row.action == "enterprise.create"
    assert row.actor == world.district_admin
    assert row.changes["contact_phone"] == ["", "139****5678"]
    assert "13900005678" not in str(row.changes)
    assert row.changes["size_class"] == [None, SizeClass.MEDIUM]


def test_a_lower_case_full_width_uscc_is_normalised_before_it_is_stored(world):
    raw = "".join(chr(ord(c) + 0xFEE0) for c in VALID_USCC.lower())
    e = services.check_create_enterprise(world.district_admin, new_data(world, uscc=raw))
    assert e.uscc == VALID_USCC


def test_a_wrong_check_character_names_position_18_and_writes_nothing(world):
    bad = VALID_USCC[:17] + ("0" if VALID_USCC[17] != "0" else "1")
    before = Enterprise.objects.count(), AuditLog.objects.count()
    with pytest.raises(services.EnterpriseValidationError) as exc:
        services.check_create_enterprise(world.district_admin, new_data(world, uscc=bad))
    assert "第18位" in exc.value.errors["uscc"]
    assert (Enterprise.objects.count(), AuditLog.objects.count()) == before


def test_a_uscc_already_registered_is_refused(world):
    with pytest.raises(services.EnterpriseValidationError) as exc:
        services.check_create_enterprise(world.district_admin, new_data(world, uscc=world.x.uscc))
    assert "已登记" in exc.value.errors["uscc"]


def test_renting_state_premises_requires_the_monthly_rent(world):
    with pytest.raises(services.EnterpriseValidationError) as exc:
        services.check_create_enterprise(world.district_admin, new_data(world, rents_state_premises=True))
    assert set(exc.value.errors) == {"monthly_rent_yuan"}


def test_an_enterprise_admin_may_not_create_an_enterprise(world):
    with pytest.raises(PermissionDenied):
        services.check_create_enterprise(world.enterprise_admin_x, new_data(world))


def test_an_update_reclassifies_bumps_the_version_and_audits_before_and_after(world):
    x = world.x
    assert x.size_class == SizeClass.MEDIUM
    changed = services.check_update_enterprise(
        world.town_a_officer, x, {"employees": 250, "contact_phone": "13700009999"}, x.version
    )
    assert changed is True
    x.refresh_from_db()
    assert (x.size_class, x.version) == (SizeClass.SMALL, 2)
    row = audit_rows(x).get()
    assert row.changes["employees"] == [700, 250]
    assert row.changes["size_class"] == [SizeClass.MEDIUM, SizeClass.SMALL]
    assert row.changes["contact_phone"] == ["138****1234", "137****9999"]


def test_an_update_that_changes_nothing_writes_no_audit_row(world):
    assert services.check_update_enterprise(world.district_admin, world.x, {"employees": 700}, 1) is False
    assert not audit_rows(world.x).exists()


def test_an_edit_based_on_an_old_version_is_refused_and_changes_nothing(world):
    x = world.x
    services.check_update_enterprise(world.district_admin, x, {"employees": 800}, 1)
    stale = Enterprise.objects.get(pk=x.pk)
    stale.version = 1
    with pytest.raises(services.ConcurrentEditError):
        services.check_update_enterprise(world.town_a_officer, stale, {"employees": 900}, 1)
    x.refresh_from_db()
    assert (x.employees, x.version) == (800, 2)
    assert audit_rows(x).count() == 1


def test_an_enterprise_admin_may_update_figures_but_not_the_uscc(world):
    x = world.x
    with pytest.raises(PermissionDenied):
        services.check_update_enterprise(world.enterprise_admin_x, x, {"uscc": VALID_USCC}, x.version)
    with pytest.raises(PermissionDenied):
        services.check_update_enterprise(world.enterprise_admin_x, x, {"name": "改名"}, x.version)
    assert services.check_update_enterprise(world.enterprise_admin_x, x, {"employees": 710}, x.version)
    x.refresh_from_db()
    assert (x.uscc, x.employees) == (world.x.uscc, 710)


def test_a_liaison_may_not_update_an_enterprise(world):
    with pytest.raises(PermissionDenied):
        services.check_update_enterprise(world.liaison_of_x, world.x, {"employees": 1}, 1)


def test_revealing_the_contact_phone_needs_a_reason_and_is_logged(world):
    with pytest.raises(services.EnterpriseValidationError):
        services.do_reveal_contact_phone(world.district_admin, world.x, "  ")
    assert not AccessLog.objects.exists()
    phone = services.do_reveal_contact_phone(world.district_admin, world.x, "电话通知复工核查")
    assert phone == "13800001234"
    log = AccessLog.objects.get()
    assert (log.actor, log.kind, log.subject_id, log.fields) == (
        world.district_admin,
        "reveal",
        str(world.x.pk),
        ["contact_phone"],
    )
    assert log.purpose == "电话通知复工核查"


def test_a_liaison_cannot_reveal_the_contact_phone(world):
    with pytest.raises(PermissionDenied):
        services.do_reveal_contact_phone(world.liaison_of_x, world.x, "想看看")
    assert not AccessLog.objects.exists()


def project_data(world, **overrides):
    data = {"code": "XM-2020-007", "name": "测试厂房项目", "town": world.town_a, "owner": world.x, "stage": "building"}
    data.update(overrides)
    return data


def test_creating_a_project_is_audited_and_a_duplicate_code_is_refused(world):
    p = services.check_create_project(world.town_a_officer, project_data(world, code="  XM-2020-007 "))
    assert p.code == "XM-2020-007"
    assert audit_rows(p).get().action == "project.create"
    with pytest.raises(services.EnterpriseValidationError) as exc:
        services.check_create_project(world.district_admin, project_data(world))
    assert set(exc.value.errors) == {"code"}
    assert KeyProject.objects.filter(code="XM-2020-007").count() == 1


def test_a_liaison_may_not_create_or_edit_a_project(world):
    with pytest.raises(PermissionDenied):
        services.check_create_project(world.liaison_of_x, project_data(world))
    with pytest.raises(PermissionDenied):
        services.check_update_project(world.liaison_of_x, world.project, {"name": "改名"}, 1)


def test_a_stale_project_edit_is_refused(world):
    p = world.project
    assert services.check_update_project(world.district_admin, p, {"stage": "done"}, 1) is True
    with pytest.raises(services.ConcurrentEditError):
        services.check_update_project(world.town_a_officer, p, {"stage": "paused"}, 1)
    p.refresh_from_db()
    assert (p.stage, p.version) == ("done", 2)
