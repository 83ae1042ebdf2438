"""The supplies admin: the catalogue and rules for the district admin (new versions only, through the
service), everything else read-only and scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from fugong.core.models import AuditLog
from fugong.supplies.models import StockMovement, SupplyNorm, SupplyThreshold

from .helpers import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(world, client_for):
    def make(persona: str):
        user = world.users[persona]
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        return client_for(persona)

    return make


def url(name: str, *args) -> str:
    return reverse(f"admin:supplies_{name}", args=args)


MODELS = (
    "supplyitem",
    "supplynorm",
    "supplythreshold",
    "supplyprofile",
    "enterprisenorm",
    "stockmovement",
    "stockbalance",
    "demandrequest",
    "delivery",
    "procurementorder",
    "supplier",
)


@pytest.mark.parametrize("model", MODELS)
def test_the_district_admin_opens_every_supplies_list(staff_client, world, items, model):
    assert staff_client("district_admin").get(url(f"{model}_changelist")).status_code == 200


def test_a_norm_version_added_in_the_admin_closes_the_one_in_force_and_is_audited(staff_client, world, items):
    client = staff_client("district_admin")
    data = {
        "item": items["mask"].pk,
        "basis": "per_person_shift",
        "quantity": "3",
        "spare": "0",
        "source": "测试通知〔2020〕2号",
        "valid_from": "2020-03-01",
    }
    response = client.post(url("supplynorm_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    versions = list(SupplyNorm.objects.filter(item=items["mask"]).order_by("valid_from"))
    assert [v.valid_to for v in versions] == [dt.date(2020, 2, 29), None]
    assert AuditLog.objects.filter(action="supplies.norm_version").count() == 1
    again = client.post(url("supplynorm_add"), data)
    assert again.status_code == 200 and "历史版本不能改写" in again.content.decode()
    assert client.get(url("supplynorm_change", versions[0].pk)).status_code == 200  # shown, not editable
    assert client.post(url("supplynorm_delete", versions[0].pk), {"post": "yes"}).status_code == 403


def test_a_threshold_version_is_validated_in_the_admin(staff_client, world, items):
    data = {"days": "5", "critical_days": "6", "source": "测试", "valid_from": "2020-03-01"}
    response = staff_client("district_admin").post(url("supplythreshold_add"), data)
    assert response.status_code == 200 and "紧急天数须小于保障天数" in response.content.decode()
    assert SupplyThreshold.objects.count() == 1


def test_movements_are_read_only_and_scoped_in_the_admin(staff_client, world, items):
    post(world.district_admin, world.x, items["mask"], "opening", 10)
    post(world.district_admin, world.y, items["mask"], "opening", 20)
    x_movement = StockMovement.objects.get(enterprise=world.x)
    town = staff_client("town_a_officer")
    listing = town.get(url("stockmovement_changelist")).content.decode()
    assert world.x.name in listing and world.y.name not in listing
    y_movement = StockMovement.objects.get(enterprise=world.y)
    assert town.get(url("stockmovement_change", y_movement.pk)).status_code == 404
    admin = staff_client("district_admin")
    assert admin.get(url("stockmovement_add")).status_code == 403
    assert admin.post(url("stockmovement_delete", x_movement.pk), {"post": "yes"}).status_code == 403


def test_only_the_district_procurement_opens_suppliers_and_orders_in_the_admin(staff_client, world, items):
    assert staff_client("town_a_officer").get(url("supplier_changelist")).status_code == 403
    assert staff_client("town_a_officer").get(url("procurementorder_changelist")).status_code == 403
