"""Open screening alerts of a liaison's enterprises appear on their phone page."""

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
