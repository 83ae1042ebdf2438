"""TCM decoction (中药汤剂): batches, the enterprises and workers each covered, the doses guard, and the
figures counted from the records in scope."""

from __future__ import annotations

import datetime as dt

import pytest

from fugong.core import figures, scoping
from fugong.core.testing import assert_max_queries
from fugong.outreach import services
from fugong.outreach.models import TcmBatch, TcmDelivery

DAY = dt.date(2020, 3, 2)
KEYS = ["tcm_batches", "tcm_enterprises", "tcm_workers"]


def _batch(number: int, day: dt.date, doses: int = 1000) -> TcmBatch:
    return TcmBatch.objects.create(number=number, supplied_on=day, supplier="煎药中心", doses=doses)


def test_batches_enterprises_and_workers_are_counted_from_the_deliveries(world):
    b1, b2 = _batch(1, dt.date(2020, 2, 14)), _batch(2, dt.date(2020, 2, 20))
    late = _batch(3, dt.date(2020, 3, 5))
    TcmDelivery.objects.create(batch=b1, enterprise=world.x, workers=300, doses=900)
    TcmDelivery.objects.create(batch=b2, enterprise=world.x, workers=320, doses=960)  # the same workers again
    TcmDelivery.objects.create(batch=b2, enterprise=world.y, workers=25, doses=75)
    TcmDelivery.objects.create(batch=late, enterprise=world.y, workers=30, doses=90)
    assert figures.compute(scoping.DISTRICT_WIDE, DAY, KEYS) == {
        "tcm_batches": 2,
        "tcm_enterprises": 2,
        "tcm_workers": 345,  # per enterprise the largest batch: 320 + 25
    }
    assert figures.compute(world.enterprise_admin_y, DAY, KEYS) == {
        "tcm_batches": 1,
        "tcm_enterprises": 1,
        "tcm_workers": 25,
    }


def test_the_admin_registers_a_batch_and_its_deliveries_through_the_pages(world, client_for):
    client = client_for("district_admin")
    response = client.post(
        "/outreach/tcm/new/", {"supplied_on": "2020-02-14", "supplier": "区中医医院煎药中心", "doses": 600}
    )
    assert response.status_code == 302
    batch = TcmBatch.objects.get()
    assert batch.number == 1  # numbered automatically
    response = client.post(f"/outreach/tcm/{batch.pk}/", {"enterprise": world.x.pk, "workers": 150, "doses": 450})
    assert response.status_code == 302
    over = client.post(f"/outreach/tcm/{batch.pk}/", {"enterprise": world.y.pk, "workers": 60, "doses": 180})
    assert over.status_code == 400 and "剩余150剂" in over.content.decode()
    assert TcmDelivery.objects.count() == 1


def test_a_second_delivery_of_the_same_batch_to_an_enterprise_is_refused(world):
    batch = _batch(1, dt.date(2020, 2, 14))
    services.check_add_delivery(world.district_admin, batch, world.x, 10, 30)
    with pytest.raises(services.OutreachValidationError):
        services.check_add_delivery(world.district_admin, batch, world.x, 5, 15)


def test_bad_batch_input_is_a_message_not_a_500(world, client_for):
    client = client_for("district_admin")
    for data in (
        {"supplied_on": "2099-01-01", "supplier": "x", "doses": 10},
        {"supplied_on": "2020-02-14", "supplier": " ", "doses": 10},
        {"supplied_on": "2020-02-14", "supplier": "x", "doses": 0},
        {"supplied_on": "2020-02-14", "supplier": "x\x00", "doses": "many"},
    ):
        assert client.post("/outreach/tcm/new/", data).status_code == 400, data
    _batch(4, dt.date(2020, 2, 14))
    dup = client.post("/outreach/tcm/new/", {"number": 4, "supplied_on": "2020-02-14", "supplier": "x", "doses": 5})
    assert dup.status_code == 400 and TcmBatch.objects.count() == 1


def test_a_town_officer_sees_only_the_batches_and_deliveries_of_the_town(world, client_for):
    b1, b2 = _batch(1, dt.date(2020, 2, 14)), _batch(2, dt.date(2020, 2, 20))
    TcmDelivery.objects.create(batch=b1, enterprise=world.x, workers=10, doses=30)
    TcmDelivery.objects.create(batch=b2, enterprise=world.y, workers=20, doses=60)
    client = client_for("town_a_officer")
    with assert_max_queries(10):
        html = client.get("/outreach/tcm/").content.decode()
    assert f'data-batch="{b1.pk}"' in html and f'data-batch="{b2.pk}"' not in html
    assert client.get(f"/outreach/tcm/{b2.pk}/").status_code == 404
    assert (
        client.post(f"/outreach/tcm/{b1.pk}/", {"enterprise": world.x.pk, "workers": 1, "doses": 1}).status_code == 403
    )
