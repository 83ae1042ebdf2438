"""Screening alerts and supply shortfalls of a liaison's enterprises appear on their phone page."""

import datetime as dt

from django.utils import timezone

from fugong.screening.models import Alert


def test_an_open_screening_alert_of_x_is_due_on_the_liaisons_phone_page(client_for, world):
    today = timezone.localdate()
    Alert.objects.create(
        enterprise=world.x, kind=Alert.Kind.FEVER, day=today, message="张* 体温37.8℃", key=f"test-fever-{today}"
    )
    Alert.objects.create(
        enterprise=world.y, kind=Alert.Kind.FEVER, day=today, message="李* 体温38.1℃", key=f"test-fever-y-{today}"
    )
    html = client_for("liaison_of_x").get("/liaison/my/").content.decode()
    assert "张* 体温37.8℃" in html
    assert "李* 体温38.1℃" not in html  # Y is not the liaison's enterprise


def test_a_resolved_alert_is_no_longer_due(client_for, world):
    today = timezone.localdate()
    Alert.objects.create(
        enterprise=world.x,
        kind=Alert.Kind.FEVER,
        day=today,
        message="王* 体温37.5℃",
        key="test-resolved",
        resolved_at=timezone.now(),
    )
    assert "王* 体温37.5℃" not in client_for("liaison_of_x").get("/liaison/my/").content.decode()


def test_supplies_contribute_a_shortfall_only_below_the_threshold(world, monkeypatch):
    from fugong.supplies import liaison_due, selectors

    day = dt.date(2020, 3, 2)
    need = selectors.threshold_on(day).days
    # X has 700 people and no stock yet: 0 days, a real shortfall.
    items = list(liaison_due.due_today(world.liaison_of_x, day, [world.x.pk]))
    assert [i.enterprise_id for i in items] == [world.x.pk] and "仅够 0 天" in items[0].title
    # The hook's own rule (below the threshold → due), with the days figure fixed either side of it.
    monkeypatch.setattr(liaison_due, "days_of_supply", lambda enterprise, on=None: need - 1)
    items = list(liaison_due.due_today(world.liaison_of_x, day, [world.x.pk]))
    assert len(items) == 1 and f"仅够 {need - 1} 天" in items[0].title
    monkeypatch.setattr(liaison_due, "days_of_supply", lambda enterprise, on=None: need)
    assert list(liaison_due.due_today(world.liaison_of_x, day, [world.x.pk])) == []
