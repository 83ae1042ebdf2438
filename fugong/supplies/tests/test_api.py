"""/api/v1/enterprises/{id}/supplies…: days of supply, the movements, and posting one — scoped, 422 on bad
input, never 500."""

from __future__ import annotations

import json

import pytest

from fugong.supplies.models import StockMovement

from .helpers import DAY, post, stock

pytestmark = pytest.mark.django_db


def post_json(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_the_status_lists_each_item_with_its_days(client_for, world, items):
    post(world.district_admin, world.y, items["mask"], "opening", 300)
    body = client_for("enterprise_admin_y").get(f"/api/v1/enterprises/{world.y.pk}/supplies?date=2020-03-02").json()
    assert body["date"] == "2020-03-02" and body["threshold_days"] == 7
    mask = next(i for i in body["items"] if i["code"] == "mask")
    assert (mask["stock"], mask["daily_use"], mask["days"], mask["level"]) == ("300.000", "60", 5, "low")
    thermometer = next(i for i in body["items"] if i["code"] == "thermometer")
    assert thermometer["required"] == 2 and thermometer["short"] is True and thermometer["days"] is None
    assert body["days"] == 0 and body["below_threshold"] is True  # alcohol: none on hand


def test_posting_a_movement_returns_it_and_moves_the_stock(client_for, world, items):
    client = client_for("liaison_of_x")
    url = f"/api/v1/enterprises/{world.x.pk}/supplies/movements"
    response = post_json(
        client, url, {"kind": "opening", "item": "alcohol", "quantity": "12.5", "on_date": "2020-03-01"}
    )
    assert response.status_code == 201
    assert response.json()["item"] == "alcohol" and response.json()["quantity"] == "12.500"
    assert stock(world.x, items["alcohol"]) == 12.5
    listed = client.get(url + "?item=alcohol").json()
    assert listed["count"] == 1 and listed["items"][0]["kind"] == "opening"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "consumption", "item": "mask", "quantity": "5", "on_date": "2020-03-02"}, "quantity"),  # no stock
        ({"kind": "purchase", "item": "mask", "quantity": "2.5", "on_date": "2020-03-02"}, "quantity"),
        ({"kind": "purchase", "item": "unobtainium", "quantity": "1", "on_date": "2020-03-02"}, "item"),
        ({"kind": "delivery", "item": "mask", "quantity": "1", "on_date": "2020-03-02"}, "kind"),
        ({"kind": "adjustment", "item": "mask", "quantity": "-1", "on_date": "2020-03-02"}, "reason"),
        ({"kind": "purchase", "item": "mask", "quantity": "1", "on_date": "2020-02-30"}, "on_date"),
        ({"kind": "purchase", "item": "mask\u0000", "quantity": "1", "on_date": "2020-03-02"}, "item"),
        ({"kind": "purchase", "item": "mask", "on_date": "2020-03-02"}, "quantity"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_written(client_for, world, items, payload, field):
    response = post_json(
        client_for("enterprise_admin_x"), f"/api/v1/enterprises/{world.x.pk}/supplies/movements", payload
    )
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not StockMovement.objects.exists()


def test_an_enterprise_out_of_scope_is_404_and_a_role_without_the_action_403(client_for, world, items):
    url = f"/api/v1/enterprises/{world.x.pk}/supplies/movements"
    payload = {"kind": "purchase", "item": "mask", "quantity": "1", "on_date": DAY.isoformat()}
    assert post_json(client_for("enterprise_admin_y"), url, payload).status_code == 404
    assert post_json(client_for("leader_of_x"), url, payload).status_code == 403
    assert client_for("bank_officer").get(f"/api/v1/enterprises/{world.x.pk}/supplies").status_code == 403
    assert client_for("enterprise_admin_y").get(f"/api/v1/enterprises/{world.x.pk}/supplies").status_code == 404
    assert client_for(None).get(f"/api/v1/enterprises/{world.x.pk}/supplies").status_code == 401
    assert not StockMovement.objects.exists()


def test_the_overview_figures_include_the_supply_keys(client_for, world, items):
    body = client_for("district_admin").get("/api/v1/stats/overview?date=2020-03-02").json()
    for key in ("masks_delivered", "thermometers_delivered", "alcohol_delivered_kg", "sanitizer_delivered_kg"):
        assert body["figures"][key] == 0
    assert body["figures"]["resumed_below_supply_threshold"] == 0
