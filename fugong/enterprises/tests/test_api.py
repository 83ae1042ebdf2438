"""/api/v1/enterprises: scoped reads, masked personal data, optimistic-concurrency edits, logged reveals."""

from __future__ import annotations

import pytest

from fugong.core.models import AccessLog, AuditLog
from fugong.core.testing import EnterpriseFactory, assert_max_queries
from fugong.enterprises.models import Enterprise

URL = "/api/v1/enterprises"


def patch(client, pk, data):
    return client.patch(f"{URL}/{pk}", data=data, content_type="application/json")


# --- reading -------------------------------------------------------------------------------------


def test_the_list_is_paginated_as_count_and_items(client_for, world):
    response = client_for("district_admin").get(URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "items"}
    assert body["count"] == 2
    assert {e["id"] for e in body["items"]} == {world.x.pk, world.y.pk}


def test_page_and_page_size_slice_the_list(client_for, world):
    for _ in range(5):
        EnterpriseFactory(town=world.town_a)
    client = client_for("district_admin")
    first = client.get(f"{URL}?page=1&page_size=3").json()
    second = client.get(f"{URL}?page=2&page_size=3").json()
    assert first["count"] == second["count"] == 7
    assert len(first["items"]) == 3 and len(second["items"]) == 3
    assert not {e["id"] for e in first["items"]} & {e["id"] for e in second["items"]}
    assert client.get(f"{URL}?page=99&page_size=3").json()["items"] == []


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("district_admin", {"x", "y"}),
        ("hrss_officer", {"x", "y"}),
        ("town_a_officer", {"x"}),
        ("leader_of_x", {"x"}),
        ("liaison_of_x", {"x"}),
        ("district_team_member", {"x"}),
        ("town_b_team_member", {"y"}),
        ("enterprise_admin_x", {"x"}),
        ("enterprise_admin_y", {"y"}),
        ("bank_officer", {"x"}),
    ],
)
def test_the_list_is_scoped_to_the_caller(client_for, world, persona, expected):
    ids = {e["id"] for e in client_for(persona).get(URL).json()["items"]}
    assert ids == {getattr(world, name).pk for name in expected}


@pytest.mark.parametrize("persona", ["auditor", "no_role_user"])
def test_roles_that_may_not_view_enterprises_get_403_on_the_list_and_404_on_a_record(client_for, world, persona):
    client = client_for(persona)
    assert client.get(URL).status_code == 403
    # Their scope holds no enterprise: a record is out of scope, which is 404 like a missing one.
    assert client.get(f"{URL}/{world.x.pk}").status_code == 404


def test_the_list_filters_like_the_list_page(client_for, world):
    client = client_for("district_admin")
    by_town = client.get(f"{URL}?town={world.town_b.code}").json()
    assert [e["id"] for e in by_town["items"]] == [world.y.pk]
    by_category = client.get(f"{URL}?category=above_scale_industrial").json()
    assert [e["id"] for e in by_category["items"]] == [world.x.pk]
    by_name = client.get(f"{URL}?q=餐饮").json()
    assert [e["id"] for e in by_name["items"]] == [world.y.pk]
    assert client.get(f"{URL}?key_guarantee=true").json()["count"] == 0
    assert client.get(f"{URL}?in_park=1").json()["count"] == 1


def test_the_list_runs_a_constant_number_of_queries(client_for, world):
    client = client_for("district_admin")
    with assert_max_queries(4) as few:  # session, user, count, page
        client.get(URL)
    for _ in range(20):
        EnterpriseFactory(town=world.town_a, industrial_park=world.park)
    with assert_max_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert response.json()["count"] == 22


def test_the_detail_masks_the_contact_phone(client_for, world):
    response = client_for("district_admin").get(f"{URL}/{world.x.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["contact_phone_masked"] == "138****1234"
    assert "contact_phone" not in body
    assert "13800001234" not in response.content.decode()
    assert body["town"] == world.town_a.code and body["town_name"] == "栖凤渡镇"
    assert body["version"] == 1


def test_an_enterprise_outside_the_scope_is_404_like_a_missing_one(client_for, world):
    client = client_for("enterprise_admin_y")
    hidden = client.get(f"{URL}/{world.x.pk}")
    missing = client.get(f"{URL}/{world.x.pk + world.y.pk + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


# --- editing -------------------------------------------------------------------------------------


def test_a_town_officer_updates_an_enterprise_and_the_version_moves_on(client_for, world):
    response = patch(client_for("town_a_officer"), world.x.pk, {"version": 1, "address": "栖凤渡镇工业路1号"})
    assert response.status_code == 200, response.content
    assert response.json()["address"] == "栖凤渡镇工业路1号"
    assert response.json()["version"] == 2
    world.x.refresh_from_db()
    assert world.x.address == "栖凤渡镇工业路1号"
    assert AuditLog.objects.filter(action="enterprise.update", object_id=str(world.x.pk)).exists()


def test_a_stale_version_is_409_and_writes_nothing(client_for, world):
    client = client_for("district_admin")
    assert patch(client, world.x.pk, {"version": 1, "address": "第一次"}).status_code == 200
    response = patch(client, world.x.pk, {"version": 1, "address": "基于旧版本"})
    assert response.status_code == 409
    assert "重新读取" in response.json()["detail"]
    world.x.refresh_from_db()
    assert world.x.address == "第一次"


def test_a_liaison_may_see_but_not_edit_so_patch_is_403(client_for, world):
    client = client_for("liaison_of_x")
    assert client.get(f"{URL}/{world.x.pk}").status_code == 200
    response = patch(client, world.x.pk, {"version": 1, "address": "联络员改的"})
    assert response.status_code == 403
    world.x.refresh_from_db()
    assert world.x.address != "联络员改的"


def test_an_enterprise_admin_may_not_change_registry_identity(client_for, world):
    response = patch(client_for("enterprise_admin_x"), world.x.pk, {"version": 1, "name": "改名公司"})
    assert response.status_code == 403
    ok = patch(client_for("enterprise_admin_x"), world.x.pk, {"version": 1, "employees": 800})
    assert ok.status_code == 200 and ok.json()["employees"] == 800


def test_patching_an_enterprise_outside_the_scope_is_404(client_for, world):
    response = patch(client_for("enterprise_admin_y"), world.x.pk, {"version": 1, "employees": 1})
    assert response.status_code == 404


def test_invalid_values_are_422_with_an_error_per_field(client_for, world):
    response = patch(
        client_for("district_admin"),
        world.x.pk,
        {"version": 1, "uscc": "91350100M000100Y44", "contact_phone": "12345"},
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {"uscc", "contact_phone"}
    assert all(fields.values())
    world.x.refresh_from_db()
    assert world.x.version == 1


@pytest.mark.parametrize(
    "data, field",
    [
        ({"address": "x"}, "version"),
        ({"version": 1, "employees": -5}, "employees"),
        ({"version": 1, "employees": "many"}, "employees"),
        ({"version": 1, "name": None}, "name"),
        ({"version": 1, "name": "a" * 121}, "name"),
        ({"version": 1, "town": "999999999"}, "town"),
        ({"version": 1, "industrial_park": 424242}, "industrial_park"),
        ({"version": 1, "ownership": "martian"}, "ownership"),
        ({"version": 1, "status": "resumed"}, "status"),
        ({"version": 1, "annual_revenue_wan": "1e20"}, "annual_revenue_wan"),
        ({"version": 1, "address": "bad\x00byte"}, "address"),
        ({"version": 1, "rents_state_premises": True}, "monthly_rent_yuan"),
    ],
)
def test_bad_patch_input_is_422_naming_the_field(client_for, world, data, field):
    response = patch(client_for("district_admin"), world.x.pk, data)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    world.x.refresh_from_db()
    assert world.x.version == 1


def test_moving_an_enterprise_to_another_town_resolves_the_code(client_for, world):
    response = patch(client_for("district_admin"), world.y.pk, {"version": 1, "town": world.town_a.code})
    assert response.status_code == 200, response.content
    assert response.json()["town_name"] == "栖凤渡镇"
    assert Enterprise.objects.get(pk=world.y.pk).town_id == world.town_a.code


# --- revealing -----------------------------------------------------------------------------------


def reveal(client, pk, body):
    return client.post(f"{URL}/{pk}/reveal", data=body, content_type="application/json")


def test_a_permitted_role_reveals_the_phone_with_a_reason_and_it_is_logged(client_for, world):
    response = reveal(client_for("town_a_officer"), world.x.pk, {"fields": ["contact_phone"], "reason": "核实复工申请"})
    assert response.status_code == 200
    assert response.json() == {"id": world.x.pk, "fields": {"contact_phone": "13800001234"}}
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get(kind="reveal")
    assert log.actor == world.town_a_officer
    assert log.purpose == "核实复工申请"
    assert log.fields == ["contact_phone"]


def test_revealing_without_a_reason_is_422_and_not_logged(client_for, world):
    response = reveal(client_for("district_admin"), world.x.pk, {"fields": ["contact_phone"], "reason": " "})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    assert not AccessLog.objects.exists()


def test_revealing_without_permission_is_403(client_for, world):
    response = reveal(client_for("liaison_of_x"), world.x.pk, {"fields": ["contact_phone"], "reason": "想看看"})
    assert response.status_code == 403
    assert "13800001234" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_revealing_outside_the_scope_is_404(client_for, world):
    response = reveal(client_for("town_a_officer"), world.y.pk, {"fields": ["contact_phone"], "reason": "核实"})
    assert response.status_code == 404


def test_revealing_an_unknown_field_is_422(client_for, world):
    response = reveal(client_for("district_admin"), world.x.pk, {"fields": ["id_number"], "reason": "核实"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("fields")
