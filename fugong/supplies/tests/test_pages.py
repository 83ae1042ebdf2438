"""The supplies pages: what each shows, what each writes, their errors and their query budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fugong.core.testing import EnterpriseFactory, assert_max_queries
from fugong.enterprises.models import Enterprise
from fugong.supplies import services
from fugong.supplies.models import StockMovement, SupplyNorm, SupplyProfile, SupplyThreshold

from .helpers import DAY, post, stock, stock_all

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_the_enterprise_admin_is_sent_to_their_own_ledger(client_for, world, items):
    response = client_for("enterprise_admin_x").get("/supplies/")
    assert response.status_code == 302 and response.url == f"/supplies/enterprise/{world.x.pk}/"


def test_the_ledger_page_shows_stock_daily_use_days_and_the_alert(client_for, world, items):
    post(world.district_admin, world.y, items["mask"], "opening", 300)  # 30 people × 2 a day → 5 days
    body = text(client_for("enterprise_admin_y").get(f"/supplies/enterprise/{world.y.pk}/"))
    assert 'data-item="mask"' in body and "300" in body
    assert 'data-level="low" data-days="5"' in body
    assert "低于 7 天标准" in body
    assert "体温枪不足" in body  # no thermometer on hand


def test_a_town_officer_sees_the_enterprises_of_the_town_shortest_first(client_for, world, items):
    other = EnterpriseFactory(town=world.town_a, name="郴州市测试二号有限公司", employees=10)
    stock_all(world.district_admin, other, items, days=8)
    body = text(client_for("town_a_officer").get("/supplies/"))
    assert world.x.name in body and other.name in body and world.y.name not in body
    assert body.index(world.x.name) < body.index(other.name)  # X has nothing: it comes first


def test_the_list_costs_a_fixed_number_of_queries(client_for, world, items):
    client = client_for("district_admin")
    client.get("/supplies/")
    with assert_max_queries(16) as first:
        client.get("/supplies/")
    for n in range(12):
        e = EnterpriseFactory(town=world.town_b, status="resumed", resumed_on=dt.date(2020, 2, 1))
        post(world.district_admin, e, items["mask"], "opening", 10 * n)
        SupplyProfile.objects.create(enterprise=e, entrances=2)
    with assert_max_queries(len(first.captured_queries)):
        response = client.get("/supplies/?resumed=1&alerts=1")
    assert response.status_code == 200


def test_the_overview_ranks_towns_by_shortfalls_and_lists_the_alerts(client_for, world, items):
    Enterprise.objects.filter(pk__in=[world.x.pk, world.y.pk]).update(status="resumed", resumed_on=dt.date(2020, 2, 20))
    extra = EnterpriseFactory(town=world.town_b, status="partial", resumed_on=dt.date(2020, 2, 20))
    client = client_for("district_admin")
    with assert_max_queries(20):
        body = text(client.get("/supplies/overview/", {"date": DAY.isoformat()}))
    assert body.index('data-town="431003100"') < body.index('data-town="431003104"')  # town B: 2 short, A: 1
    assert extra.name in body and "物资预警" in body
    assert text(client_for("town_a_officer").get("/supplies/overview/")).count('data-town="') == 1


def test_the_overview_says_all_is_well_when_every_resumed_enterprise_has_seven_days(client_for, world, items):
    body = text(client_for("district_admin").get("/supplies/overview/"))
    assert "所有复工复产企业均能保障7天以上防疫物资需求" in body


def test_a_bad_date_falls_back_to_today_with_a_message(client_for, world, items):
    response = client_for("district_admin").get("/supplies/overview/", {"date": "2020-13-45\x00"})
    assert response.status_code == 200 and "无效" in text(response)


def test_the_movement_form_records_a_purchase(client_for, world, items):
    client = client_for("liaison_of_x")
    data = {"kind": "purchase", "item": items["mask"].pk, "quantity": "500", "on_date": DAY.isoformat(), "reason": ""}
    response = client.post(f"/supplies/enterprise/{world.x.pk}/movements/new/", data)
    assert response.status_code == 302
    assert stock(world.x, items["mask"]) == 500
    assert StockMovement.objects.get().created_by == world.liaison_of_x


def test_the_movement_form_shows_the_services_message_and_writes_nothing(client_for, world, items):
    client = client_for("enterprise_admin_x")
    data = {"kind": "consumption", "item": items["mask"].pk, "quantity": "5", "on_date": DAY.isoformat()}
    response = client.post(f"/supplies/enterprise/{world.x.pk}/movements/new/", data)
    assert response.status_code == 400 and "库存不足" in text(response)
    data = {"kind": "adjustment", "item": items["mask"].pk, "quantity": "-5", "on_date": DAY.isoformat()}
    response = client.post(f"/supplies/enterprise/{world.x.pk}/movements/new/", data)
    assert response.status_code == 400 and "盘点调整须说明原因" in text(response)
    assert not StockMovement.objects.exists()


def test_the_consumption_grid_saves_a_day_and_shows_what_was_entered(client_for, world, items):
    mask, alcohol = items["mask"], items["alcohol"]
    post(world.district_admin, world.x, mask, "opening", 1000)
    post(world.district_admin, world.x, alcohol, "opening", 5)
    client = client_for("enterprise_admin_x")
    url = f"/supplies/enterprise/{world.x.pk}/consumption/"
    response = client.post(url, {"day": DAY.isoformat(), f"q_{mask.pk}": "120", f"q_{alcohol.pk}": ""})
    assert response.status_code == 302
    assert stock(world.x, mask) == 880 and stock(world.x, alcohol) == 5
    page = text(client.get(url, {"day": DAY.isoformat()}))
    assert f'name="q_{mask.pk}" value="120"' in page


def test_the_grid_keeps_what_was_typed_and_marks_the_bad_field(client_for, world, items):
    mask = items["mask"]
    post(world.district_admin, world.x, mask, "opening", 10)
    url = f"/supplies/enterprise/{world.x.pk}/consumption/"
    response = client_for("enterprise_admin_x").post(url, {"day": DAY.isoformat(), f"q_{mask.pk}": "2.5"})
    assert response.status_code == 400
    body = text(response)
    assert 'value="2.5"' in body and f'data-field="q_{mask.pk}"' in body and "整数" in body
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = client_for("enterprise_admin_x").post(url, {"day": future, f"q_{mask.pk}": "1"})
    assert response.status_code == 400 and "晚于今天" in text(response)
    response = client_for("enterprise_admin_x").post(url, {"day": DAY.isoformat(), f"q_{mask.pk}": "1e309"})
    assert response.status_code == 400 and "数量过大" in text(response)  # was a 500 (found by fuzzing)
    assert stock(world.x, mask) == 10


def test_an_enterprise_sets_its_entrances_and_its_own_disinfectant_use(client_for, world, items):
    client = client_for("enterprise_admin_x")
    url = f"/supplies/enterprise/{world.x.pk}/settings/"
    response = client.post(url, {"form": "profile", "entrances": "3", "shift_hours": "12", "on_duty_reported": ""})
    assert response.status_code == 302
    assert SupplyProfile.objects.get(enterprise=world.x).entrances == 3
    data = {
        "form": "norm",
        "item": items["disinfectant"].pk,
        "basis": "fixed_daily",
        "quantity": "2.5",
        "valid_from": DAY.isoformat(),
    }
    assert client.post(url, data).status_code == 302
    assert "2.5" in text(client.get(url))
    stale = client.post(url, {"form": "profile", "entrances": "2", "shift_hours": "8", "version": "1"})
    assert stale.status_code == 409  # saved once already: version 2


def test_the_district_admin_adds_a_norm_version_and_the_old_one_is_closed(client_for, world, items):
    client = client_for("district_admin")
    data = {
        "item": items["alcohol"].pk,
        "basis": "per_person_day",
        "volume_ml": "20",
        "density_kg_per_l": "0.87",
        "source": "苏仙区复工办通知〔2020〕8号",
        "valid_from": DAY.isoformat(),
    }
    assert client.post("/supplies/norms/new/", data).status_code == 302
    versions = list(SupplyNorm.objects.filter(item=items["alcohol"]).order_by("valid_from"))
    assert [v.valid_to for v in versions] == [DAY - dt.timedelta(days=1), None]
    assert str(versions[1].quantity) == "0.01740"
    again = client.post("/supplies/norms/new/", data)
    assert again.status_code == 400 and "历史版本不能改写" in text(again)


def test_a_norm_without_its_source_or_in_the_wrong_basis_is_refused(client_for, world, items):
    data = {
        "item": items["thermometer"].pk,
        "basis": "per_person_day",
        "quantity": "1",
        "source": "",
        "valid_from": "2021-01-01",
    }
    response = client_for("district_admin").post("/supplies/norms/new/", data)
    assert response.status_code == 400
    assert SupplyNorm.objects.filter(item=items["thermometer"]).count() == 1


def test_the_threshold_page_adds_a_version(client_for, world, items):
    data = {"days": "10", "critical_days": "3", "source": "测试通知", "valid_from": DAY.isoformat()}
    assert client_for("district_admin").post("/supplies/norms/threshold/", data).status_code == 302
    assert SupplyThreshold.objects.count() == 2
    bad = client_for("district_admin").post(
        "/supplies/norms/threshold/", {**data, "critical_days": "12", "valid_from": "2021-01-01"}
    )
    assert bad.status_code == 400 and "紧急天数须小于保障天数" in text(bad)


def test_the_request_order_and_delivery_pages_walk_the_whole_way(client_for, world, items):
    mask = items["mask"]
    services.check_create_supplier(world.district_admin, {"name": "测试供应商"})
    response = client_for("enterprise_admin_x").post(
        f"/supplies/enterprise/{world.x.pk}/requests/new/", {f"q_{mask.pk}": "600", "note": "急需"}
    )
    assert response.status_code == 302
    district = client_for("district_admin")
    page = text(district.get("/supplies/orders/"))
    assert world.x.name in page and "口罩 600只" in page
    from fugong.supplies.models import DemandRequest, Supplier

    request = DemandRequest.objects.get()
    supplier = Supplier.objects.get()
    response = district.post(
        "/supplies/orders/", {"supplier": supplier.pk, "placed_on": DAY.isoformat(), "requests": [request.pk]}
    )
    assert response.status_code == 302
    order_page = text(district.get(response.url))
    assert "待签收" in order_page
    delivery = request.order.deliveries.get() if request.order else None
    request.refresh_from_db()
    delivery = request.order.deliveries.get()
    line = delivery.lines.get()
    confirm = client_for("enterprise_admin_x").post(
        f"/supplies/deliveries/{delivery.pk}/", {"delivered_on": DAY.isoformat(), f"r_{line.pk}": "600"}
    )
    assert confirm.status_code == 302
    assert stock(world.x, mask) == 600
    assert "已签收" in text(client_for("enterprise_admin_x").get(f"/supplies/deliveries/{delivery.pk}/"))


def test_an_order_without_a_ticked_request_is_refused(client_for, world, items):
    supplier = services.check_create_supplier(world.district_admin, {"name": "测试供应商"})
    response = client_for("district_admin").post(
        "/supplies/orders/", {"supplier": supplier.pk, "placed_on": DAY.isoformat()}
    )
    assert response.status_code == 400 and "请至少勾选" in text(response)


def test_the_supplier_list_masks_phones(client_for, world, items):
    client = client_for("district_admin")
    response = client.post("/supplies/suppliers/", {"name": "测试供应商", "contact_phone": "13800138000"})
    assert response.status_code == 302
    body = text(client.get("/supplies/suppliers/"))
    assert "138****8000" in body and "13800138000" not in body


def test_the_norms_page_shows_the_rules_with_their_source(client_for, world, items):
    body = text(client_for("enterprise_admin_y").get("/supplies/norms/"))
    assert "国发明电〔2020〕4号" in body and "15 ml × 0.87 kg/L" in body
    assert "新增定额版本" not in body  # only the district admin adds versions


def test_the_side_navigation_offers_the_supplies_pages_by_role(client_for, world, items):
    admin = text(client_for("district_admin").get("/supplies/norms/"))
    assert "/supplies/orders/" in admin and "/supplies/overview/" in admin
    enterprise = text(client_for("enterprise_admin_y").get("/supplies/norms/"))
    assert "/supplies/orders/" not in enterprise and "/supplies/deliveries/" in enterprise
