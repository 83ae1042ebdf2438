"""/api/v1/enterprises/{id}/employees, /api/v1/employees/{id} and its reveal: scoped reads (404), masked
identity, logged views and reveals, 403/422 for the wrong role or input."""

from __future__ import annotations

import datetime as dt

import pytest

from fugong.core.models import AccessLog
from fugong.core.testing import assert_max_queries
from fugong.workforce.models import HealthTest
from fugong.workforce.tests.test_pages import phone, staff
from fugong.workforce.tests.test_services import synthetic_id


def roster(enterprise) -> str:
    return f"/api/v1/enterprises/{enterprise.pk}/employees"


def detail(employee) -> str:
    return f"/api/v1/employees/{employee.pk}"


def reveal(client, employee, body):
    return client.post(f"{detail(employee)}/reveal", data=body, content_type="application/json")


@pytest.fixture
def people(world):
    staff(world.x, [1, 2], batch_number=1, resident=True, workshop="一车间")
    return staff(world.x, [3, 4, 5], batch_number=2, resident=False, workshop="二车间")


# --- the roster ----------------------------------------------------------------------------------
def test_the_roster_is_paginated_as_count_and_items_with_masked_identity(client_for, world, people):
    response = client_for("enterprise_admin_x").get(roster(world.x), {"page_size": 2, "page": 2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "items"} and body["count"] == 5 and len(body["items"]) == 2
    item = body["items"][0]
    assert item["id_number_masked"].startswith("431003********") and item["phone_masked"].startswith("139****")
    assert "id_number" not in item and "phone" not in item and "name" not in item and "birth_date" not in item
    text = response.content.decode()
    for seq in range(1, 6):
        assert synthetic_id(seq) not in text and phone(seq) not in text and f"测试员工{seq}" not in text


@pytest.mark.parametrize(
    ("query", "count"),
    [({"resident": "false"}, 3), ({"batch": 1}, 2), ({"workshop": "二车间"}, 3), ({"q": synthetic_id(4)}, 1)],
)
def test_the_roster_filters_like_the_roster_page(client_for, world, people, query, count):
    assert client_for("district_admin").get(roster(world.x), query).json()["count"] == count


@pytest.mark.parametrize(
    ("query", "field"),
    [({"clearance": "maybe"}, "clearance"), ({"batch": 0}, "batch"), ({"page_size": 501}, "page_size")],
)
def test_bad_roster_filters_are_422_naming_the_field(client_for, world, people, query, field):
    response = client_for("district_admin").get(roster(world.x), query)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_admin", 200),
        ("town_a_officer", 200),
        ("liaison_of_x", 200),
        ("enterprise_admin_x", 200),
        ("enterprise_admin_y", 404),
        ("bank_officer", 403),
        ("auditor", 404),  # X is outside the auditor's (empty) scope
        ("leader_of_x", 403),  # X is in scope, the roster is not for leaders
    ],
)
def test_the_roster_of_x_is_scoped(client_for, world, people, persona, expected):
    assert client_for(persona).get(roster(world.x)).status_code == expected


def test_a_town_officer_gets_404_for_another_towns_roster_and_anonymous_gets_401(client_for, world, people):
    assert client_for("town_a_officer").get(roster(world.y)).status_code == 404
    assert client_for(None).get(roster(world.x)).status_code == 401


def test_the_roster_runs_a_constant_number_of_queries(client_for, world):
    client = client_for("district_admin")
    staff(world.x, range(1, 4))
    with assert_max_queries(8) as small:
        client.get(roster(world.x))
    staff(world.x, range(4, 60), batch_number=3)
    with assert_max_queries(8) as large:
        assert client.get(roster(world.x)).json()["count"] == 59
    assert len(large.captured_queries) == len(small.captured_queries)


# --- one employee --------------------------------------------------------------------------------
def test_an_employee_is_masked_and_reading_it_is_logged(client_for, world, people):
    emp = people[0]
    HealthTest.objects.create(employee=emp, kind="nat", sample_date=dt.date(2020, 2, 10), result="negative")
    response = client_for("town_a_officer").get(detail(emp))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["id_number_masked"] == emp.id_number_masked and body["batch"] == 2 and body["resident"] is False
    assert body["birth_year"] == 1990 and "birth_date" not in body
    assert body["tests"] == [
        {
            "kind": "nat",
            "kind_label": "核酸",
            "sample_date": "2020-02-10",
            "result": "negative",
            "result_label": "阴性",
            "institution": "",
        }
    ]
    assert synthetic_id(3) not in response.content.decode()
    log = AccessLog.objects.get(kind="view")
    assert (log.subject_id, log.actor_label) == (str(emp.pk), "town_a_officer")


def test_an_employee_outside_the_scope_is_404_and_nothing_is_logged(client_for, world, people):
    assert client_for("enterprise_admin_y").get(detail(people[0])).status_code == 404
    assert client_for("district_admin").get("/api/v1/employees/999999").status_code == 404
    assert not AccessLog.objects.exists()


# --- reveal --------------------------------------------------------------------------------------
def test_a_permitted_role_reveals_with_a_reason_and_it_is_logged(client_for, world, people):
    emp = people[0]
    response = reveal(client_for("enterprise_admin_x"), emp, {"fields": ["id_number", "phone"], "reason": "核对社保"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.json() == {"id": emp.pk, "fields": {"id_number": synthetic_id(3), "phone": phone(3)}}
    log = AccessLog.objects.get(kind="reveal")
    assert (log.fields, log.purpose, log.subject_id) == (["id_number", "phone"], "核对社保", str(emp.pk))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fields": ["id_number"], "reason": " "}, "reason"),
        ({"fields": ["id_number"]}, "reason"),
        ({"fields": ["birth_date"], "reason": "核对"}, "fields.0"),
        ({"fields": [], "reason": "核对"}, "fields"),
        ({"fields": ["phone"], "reason": "核对", "extra": 1}, "extra"),
    ],
)
def test_a_reveal_without_a_reason_or_with_unknown_fields_is_422_and_not_logged(client_for, world, people, body, field):
    response = reveal(client_for("district_admin"), people[0], body)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not AccessLog.objects.filter(kind="reveal").exists()


def test_a_reveal_is_403_without_the_permission_and_404_outside_the_scope(client_for, world, people):
    body = {"fields": ["id_number"], "reason": "核查"}
    assert reveal(client_for("liaison_of_x"), people[0], body).status_code == 403
    assert reveal(client_for("enterprise_admin_y"), people[0], body).status_code == 404
    assert reveal(client_for("bank_officer"), people[0], body).status_code == 403
    assert not AccessLog.objects.filter(kind="reveal").exists()


def test_the_employee_endpoints_are_in_the_openapi_document(client_for):
    paths = client_for(None).get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/enterprises/{id}/employees", "/api/v1/employees/{id}", "/api/v1/employees/{id}/reveal"} <= set(
        paths
    )
