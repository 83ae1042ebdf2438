"""The screening API: risk areas (list, create with 422 on bad input), "who passed through X?" masked and
scoped, alerts scoped."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from fugong.screening import runner
from fugong.screening.models import RiskArea

from .helpers import AS_OF, D, hire, reading, stay

TODAY = timezone.localdate()


def post(client, path, data):
    return client.post(path, data=json.dumps(data), content_type="application/json")


def test_creating_a_risk_level_rescreens_and_answers_201(client_for, world):
    emp = hire(world.x, 1)
    stay(emp, "420106", TODAY - dt.timedelta(days=4), TODAY - dt.timedelta(days=1))
    response = post(
        client_for("district_admin"),
        "/api/v1/risk-areas",
        {
            "region_code": "420106",
            "region_name": "武昌区",
            "level": "高",
            "effective_from": TODAY.isoformat(),
            "source": "通告〔2020〕1号",
        },
    )
    body = response.json()
    assert response.status_code == 201 and body["rescreened"] == 1 and body["alerts"] == 1
    assert body["created"][0]["level"] == "high" and body["created"][0]["level_label"] == "高风险"
    emp.refresh_from_db()
    assert emp.clearance == "quarantine"


def test_bad_risk_input_is_a_422_naming_the_field(client_for, world):
    response = post(
        client_for("district_admin"),
        "/api/v1/risk-areas",
        {"region_code": "42010x", "level": "高", "effective_from": "2020-03-02", "source": "x"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "region_code"
    assert not RiskArea.objects.exists()


def test_the_trace_api_is_masked_and_scoped(client_for, world):
    at_x, at_y = hire(world.x, 1), hire(world.y, 2)
    for emp in (at_x, at_y):
        stay(emp, "420106", TODAY - dt.timedelta(days=4), TODAY - dt.timedelta(days=1))
    body = client_for("district_admin").get("/api/v1/screening/trace?code=420106").json()
    assert body["count"] == 2 and {i["name_masked"] for i in body["items"]} == {"排****"}
    assert "id_number" not in body["items"][0]
    town = client_for("town_a_officer").get("/api/v1/screening/trace?code=420106").json()
    assert [i["employee_id"] for i in town["items"]] == [at_x.pk]
    assert client_for("district_admin").get("/api/v1/screening/trace?code=4201").status_code == 422


def test_alerts_over_the_api_are_scoped(client_for, world):
    reading(hire(world.x, 1), D(2020, 3, 1), "38.2")
    reading(hire(world.y, 2), D(2020, 3, 1), "38.2")
    runner.rescreen(AS_OF)
    mine = client_for("enterprise_admin_x").get("/api/v1/alerts").json()
    assert mine["count"] == 1 and mine["items"][0]["enterprise_id"] == world.x.pk
    assert client_for("district_admin").get("/api/v1/alerts?kind=fever").json()["count"] == 2
    assert client_for("district_admin").get("/api/v1/alerts?kind=nope").status_code == 422
