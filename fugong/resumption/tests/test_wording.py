"""Resumption's generated notes are stored in Chinese whoever writes them, and read in the reader's language on
the application's timeline, the enterprise's status history and the API; what people typed is kept as typed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from fugong.resumption import services
from fugong.resumption.models import Application, ApplicationEvent, StatusChange

from .helpers import inspected, submitted, today


@pytest.fixture
def english(client_for):
    def make(persona):
        client = client_for(persona)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def test_an_english_reading_officer_writes_chinese_notes_that_read_back_in_english(world, english, client_for):
    app = submitted(world)
    with translation.override("en"):  # the officers use the English interface
        app = inspected(world, app, fail=(3,))
    notes = list(ApplicationEvent.objects.filter(application=app).order_by("id").values_list("note", flat=True))
    summary = next(n for n in notes if n.startswith("第1次现场核查："))
    assert "不合格" in summary and "前整改" in summary  # stored in Chinese
    page = english("district_admin").get(reverse("resumption:application", args=[app.pk])).content.decode()
    assert "On-site check no. 1:" in page and "failed, rectify by" in page and "第1次现场核查" not in page
    chinese = client_for("district_admin").get(reverse("resumption:application", args=[app.pk])).content.decode()
    assert summary in chinese


def test_filing_stores_the_status_reason_in_chinese_and_shows_it_in_english(world, english):
    app = inspected(world, submitted(world))
    with translation.override("en"):
        services.check_file(world.district_admin, app, today(), "resumed")
    change = StatusChange.objects.filter(enterprise=world.x).latest("id")
    assert change.reason == f"复工申请备案（复工申请#{app.pk}）"
    event = ApplicationEvent.objects.filter(application=app).latest("id")
    assert event.note == f"备案，实际复工日期{today().isoformat()}"
    page = english("district_admin").get(reverse("resumption:enterprise", args=[world.x.pk])).content.decode()
    assert f"Resumption application filed (Resumption application #{app.pk})" in page
    api = english("district_admin").get(f"/api/v1/resumption/applications/{app.pk}").json()
    assert f"Filed, actual resumption date {today().isoformat()}" in [e["note"] for e in api["events"]]
    assert Application.objects.get(pk=app.pk).state == "filed"
