"""The self-declaration page behind an enterprise's QR code: no account, nothing about the person echoed back,
an unknown ID (or a wrong name, or another enterprise's worker) gets one neutral answer, consent is stored,
attempts are limited per device and per ID, and the declaration is stored and re-evaluated at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fugong.core.testing import assert_max_queries
from fugong.screening import checkin, services
from fugong.screening.models import Alert, Declaration
from fugong.workforce.models import HealthReading, Stay

from .helpers import form, hire, synthetic_id, url


@pytest.fixture
def emp(world):
    return hire(world.x, 7)


def device() -> Client:
    """A phone: it opened the form first, so it carries its device cookie."""
    client = Client()
    return client


def assert_nothing_echoed(response, seq: int = 7) -> None:
    body = response.content.decode()
    number = synthetic_id(seq)
    for text in (f"排查员工{seq}", number, number[:6] + "********" + number[-4:], "排*"):
        assert text not in body


def test_the_form_opens_without_an_account_with_the_purpose_statement(point):
    client = device()
    response = client.get(url(point))
    body = response.content.decode()
    assert response.status_code == 200
    assert str(checkin.STATEMENT)[:20] in body and checkin.STATEMENT_VERSION in body
    assert checkin.DEVICE_COOKIE in response.cookies and response["Cache-Control"].startswith("max-age=0")
    cookie = response.cookies[checkin.DEVICE_COOKIE]  # out of the page's scripts' reach, not sent cross-site
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"


def test_a_temperature_is_taken_to_tenths_before_it_is_judged(point, emp):
    body = device().post(url(point), form(temperature="37.26")).content.decode()
    assert 'data-status="abnormal"' in body  # 37.3 ℃, the default threshold
    reading = HealthReading.objects.get(employee=emp)
    assert (str(reading.temperature), reading.fever) == ("37.3", True)


def test_every_answer_of_the_page_is_never_cached_as_djangos_never_cache_would_say(point, emp):
    """The page sets the headers itself (cheaper than the decorator): the same headers, on the form, a refused
    form, a result and an unknown person."""
    from django.http import HttpResponse
    from django.utils.cache import add_never_cache_headers

    reference = HttpResponse()
    add_never_cache_headers(reference)
    client = device()
    answers = [
        client.get(url(point)),
        client.post(url(point), {"name": "", "id_number": "1", "consent": "1"}),
        client.post(url(point), form(7)),
        client.post(url(point), form(99)),
    ]
    assert [a.status_code for a in answers] == [200, 400, 200, 200]
    for answer in answers:
        assert answer["Cache-Control"] == reference["Cache-Control"]
        assert answer.has_header("Expires") and answer["Expires"].endswith(" GMT")


def test_an_unknown_token_is_a_404(db):
    assert Client().get(reverse("screening:checkin", args=["no-such-token"])).status_code == 404


def test_a_declaration_is_stored_with_consent_and_shows_only_the_status(point, emp):
    client = device()
    client.get(url(point))
    response = client.post(url(point), form(symptoms=None))
    body = response.content.decode()
    assert response.status_code == 200 and 'data-ack="1"' in body
    assert "可上岗" in body
    assert_nothing_echoed(response)
    reading = HealthReading.objects.get(employee=emp)
    assert (reading.source, reading.taken_on, reading.fever, reading.health_code) == (
        "self",
        timezone.localdate(),
        False,
        "green",
    )
    declaration = Declaration.objects.get(employee=emp)
    assert declaration.statement_version == checkin.STATEMENT_VERSION and declaration.consented_at is not None
    assert declaration.reading_id == reading.pk and declaration.status_after == "cleared"
    with connection.cursor() as cursor:  # the temperature is sealed at rest
        cursor.execute("SELECT temperature FROM workforce_healthreading WHERE id = %s", [reading.pk])
        assert "36.5" not in cursor.fetchone()[0]
    emp.refresh_from_db()
    assert emp.clearance == "cleared"


@pytest.mark.parametrize(
    "change",
    [
        {"id_number": synthetic_id(99)},  # nobody's archive
        {"name": "别人的名字"},  # the right ID, the wrong name
    ],
)
def test_an_unknown_person_gets_the_neutral_answer_and_nothing_is_stored(point, emp, change):
    response = device().post(url(point), form(**change))
    assert response.status_code == 200
    assert 'data-testid="declare-unknown"' in response.content.decode()
    assert_nothing_echoed(response)
    assert not HealthReading.objects.exists() and not Declaration.objects.exists()


def test_another_enterprises_worker_is_unknown_here(world, point):
    hire(world.y, 8)
    response = device().post(url(point), form(8))
    assert 'data-testid="declare-unknown"' in response.content.decode()
    assert not Declaration.objects.exists()


def test_a_name_with_spaces_still_matches(point, emp):
    response = device().post(url(point), form(name=" 排查 员工7 "))
    assert 'data-ack="1"' in response.content.decode()


@pytest.mark.parametrize(
    ("temperature", "status", "alerts"), [("37.2", "cleared", 0), ("37.3", "abnormal", 1), ("38.6", "abnormal", 1)]
)
def test_a_declared_fever_is_abnormal_at_once_with_an_alert(point, emp, temperature, status, alerts):
    response = device().post(url(point), form(temperature=temperature))
    assert f'data-status="{status}"' in response.content.decode()
    assert Alert.objects.filter(employee=emp, kind="fever").count() == alerts
    emp.refresh_from_db()
    assert emp.clearance == status


def test_declared_symptoms_are_abnormal(point, emp):
    response = device().post(url(point), {**form(), "symptoms": ["cough", "fatigue"]})
    assert 'data-status="abnormal"' in response.content.decode()
    assert HealthReading.objects.get(employee=emp).symptoms == "咳嗽、乏力"


def test_new_travel_to_a_high_risk_county_means_quarantine(point, emp):
    today = timezone.localdate()
    from .helpers import rate

    rate("420106", "high", today - dt.timedelta(days=30), "武昌区", as_of=today)
    data = form(
        travel="1",
        travel_code="420106",
        travel_from=str(today - dt.timedelta(days=3)),
        travel_to=str(today - dt.timedelta(days=1)),
    )
    response = device().post(url(point), data)
    body = response.content.decode()
    assert 'data-status="quarantine"' in body
    assert (today + dt.timedelta(days=13)).isoformat() in body
    stay = Stay.objects.get(employee=emp)
    assert stay.region_code == "420106" and Declaration.objects.get().new_travel is True


def test_a_stay_recorded_before_in_a_high_risk_county_still_counts_at_the_declaration(point, emp):
    """The declaration reads the stays already on the archive (only those in quarantine-level counties)."""
    from fugong.workforce import services as workforce

    from .helpers import rate

    today = timezone.localdate()
    rate("420106", "high", today - dt.timedelta(days=30), "武昌区", as_of=today)
    rate("420111", "low", today - dt.timedelta(days=30), "洪山区", as_of=today)
    for code, back in (("420111", 1), ("420106", 5)):
        workforce.do_add_stay(
            None,
            emp,
            {"kind": "stay", "region_code": code, "region_name": "", "date_from": today - dt.timedelta(days=back + 2),
             "date_to": today - dt.timedelta(days=back), "note": ""},
        )  # fmt: skip
    body = device().post(url(point), form()).content.decode()
    assert 'data-status="quarantine"' in body
    assert (today + dt.timedelta(days=9)).isoformat() in body  # 14 days from the last day in 武昌区, not 洪山区
    assert Declaration.objects.get().status_after == "quarantine"


def test_a_county_rated_after_earlier_declarations_counts_at_the_next_one(world, point, emp):
    """The check-in keeps per-process copies of the risk table (and, on PostgreSQL, of the query parameter made
    from it): a new rating must reach the next declaration."""
    from fugong.workforce import services as workforce

    from .helpers import rate

    today = timezone.localdate()
    other = hire(world.x, 8)
    workforce.do_add_stay(
        None,
        other,
        {"kind": "stay", "region_code": "420106", "region_name": "", "date_from": today - dt.timedelta(days=4),
         "date_to": today - dt.timedelta(days=2), "note": ""},
    )  # fmt: skip
    assert 'data-status="cleared"' in device().post(url(point), form()).content.decode()
    rate("420106", "high", today - dt.timedelta(days=30), "武昌区", as_of=today)
    body = device().post(url(point), form(8)).content.decode()
    assert 'data-status="quarantine"' in body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"temperature": "abc"}, "temperature"),
        ({"temperature": "45"}, "temperature"),
        # Numbers too wide to round to tenths (found by a fuzzing pass: these were a 500 on the public page).
        ({"temperature": "1e30"}, "temperature"),
        ({"temperature": "-1e400"}, "temperature"),
        ({"temperature": "9" * 50}, "temperature"),
        ({"temperature": "NaN"}, "temperature"),
        ({"health_code": "blue"}, "health_code"),
        ({"consent": None}, "consent"),
        ({"id_number": "431003198808080000"}, "id_number"),
        ({"travel": "1", "travel_code": "42"}, "travel_code"),
        ({"name": "张" * 41}, "name"),
        ({"symptoms": "hiccups"}, "symptoms"),
        ({"travel": "1", "travel_code": "420106", "travel_from": "2020-02-10", "travel_to": "2020-02-09"}, "travel_to"),
        ({"travel": "1", "travel_code": "420106", "travel_from": "2020-02-10", "travel_to": "2999-01-01"}, "travel_to"),
    ],
)
def test_bad_input_comes_back_empty_with_the_message_and_stores_nothing(point, emp, change, field):
    response = device().post(url(point), form(**change))
    body = response.content.decode()
    assert response.status_code == 400
    assert f'data-field="{field}"' in body
    assert_nothing_echoed(response)
    assert not HealthReading.objects.exists() and not Declaration.objects.exists()


def test_a_device_is_limited_per_window_whoever_it_declares_for(world, point, emp):
    client = device()
    client.get(url(point))
    for seq in range(checkin.LIMIT_DEVICE):
        assert client.post(url(point), form(100 + seq)).status_code == 200  # unknown people: still attempts
    response = client.post(url(point), form())
    assert response.status_code == 429 and 'data-testid="declare-limited"' in response.content.decode()
    assert not Declaration.objects.exists()
    fresh = device()  # another phone is not held up
    fresh.get(url(point))
    assert 'data-ack="1"' in fresh.post(url(point), form()).content.decode()


def test_bad_forms_count_against_the_devices_limit(point, emp):
    """An enumeration sends many forms, most of them invalid: each one is an attempt."""
    client = device()
    client.get(url(point))
    for seq in range(checkin.LIMIT_DEVICE):  # other IDs each time: the device's limit, not the ID's
        assert client.post(url(point), form(100 + seq, temperature="abc")).status_code == 400
    assert client.post(url(point), form()).status_code == 429
    assert not Declaration.objects.exists()


def test_an_id_is_limited_per_window_whichever_device_sends_it(point, emp):
    for _ in range(checkin.LIMIT_ID):
        phone = device()
        phone.get(url(point))
        assert phone.post(url(point), form()).status_code == 200
    phone = device()
    phone.get(url(point))
    assert phone.post(url(point), form()).status_code == 429
    assert Declaration.objects.count() == checkin.LIMIT_ID


def test_a_rotated_token_retires_the_old_poster(world, point, emp):
    old = url(point)
    new = services.check_rotate_checkin_token(world.enterprise_admin_x, world.x)
    assert Client().get(old).status_code == 404
    assert Client().get(url(new)).status_code == 200


def test_a_declaration_costs_a_fixed_number_of_queries(point, emp):
    client = device()
    client.get(url(point))
    client.post(url(point), form(temperature="36.6"))  # warm the point and rule caches
    # PostgreSQL: one read and one write (checkin_pg); elsewhere the portable path through the services.
    with assert_max_queries(2 if connection.vendor == "postgresql" else 16):
        response = client.post(url(point), form())
    assert 'data-ack="1"' in response.content.decode()
    assert HealthReading.objects.filter(employee=emp).count() == 2


def test_the_declarations_statements_are_planned_once_per_connection(world, point, emp):
    """PostgreSQL: the check-in's read and write are server-side prepared statements, reused — Django opens
    psycopg connections with prepare_threshold=None, under which psycopg silently ignores prepare=True (the
    server then parsed and planned both statements on every declaration). SQLite: the portable path."""
    hire(world.x, 8)
    client = device()
    client.get(url(point))
    for seq in (7, 8):
        assert 'data-ack="1"' in client.post(url(point), form(seq)).content.decode()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s OR statement LIKE %s",
                ["%FROM workforce_employee e%", "%INSERT INTO screening_declaration%"],
            )
            assert len(cursor.fetchall()) == 2  # one each, prepared on first use and reused for the second
        else:
            assert HealthReading.objects.filter(source="self").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_declaration_that_changes_a_status_marks_the_figure_snapshots(world, settings):
    """The page marks the figure snapshots itself (on PostgreSQL inside its one write, only when a status or an
    alert changes), so the middleware adds no statement to the busiest page."""
    from fugong.core import figure_store, scoping
    from fugong.core.models import FigureSnapshot
    from fugong.screening import views_checkin

    settings.FUGONG_FIGURES_MAX_AGE = 300
    point = services.do_ensure_checkin_point(None, world.x)
    hire(world.x, 7)
    figure_store.recompute(timezone.localdate(), scoping.DISTRICT_AREA)
    assert FigureSnapshot.objects.get().dirty is False
    assert getattr(views_checkin.declare, figure_store.MARKS_ITSELF) is True
    client = device()
    client.get(url(point))
    response = client.post(url(point), form(temperature="38.6"))  # a fever: 异常, and an alert
    assert 'data-ack="1"' in response.content.decode()
    assert FigureSnapshot.objects.get().dirty is True


@pytest.mark.django_db(transaction=True)
def test_after_the_database_connection_drops_the_next_declaration_gets_a_fresh_one(world):
    """A dead connection (a database restart) costs one failed declaration, not every declaration until
    CONN_MAX_AGE: the failure marks the connection and Django replaces it at the end of the request. SQLite
    has no server to lose."""
    import psycopg

    point = services.do_ensure_checkin_point(None, world.x)
    hire(world.x, 7)
    hire(world.x, 8)
    client = Client(raise_request_exception=False)
    client.get(url(point))
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert client.post(url(point), form(7)).status_code == 500
        # Marked as Django marks its own cursors' errors; at the end of a request (request_finished, which the
        # test client leaves out) Django then closes the connection, and the next request opens a new one.
        assert connection.errors_occurred
        connection.close_if_unusable_or_obsolete()
        assert connection.connection is None
    response = client.post(url(point), form(8))
    assert 'data-ack="1"' in response.content.decode()
    assert Declaration.objects.filter(employee__name="排查员工8").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_first_declaration_after_a_database_restart_succeeds_on_a_fresh_connection(world):
    """Outside a transaction (as in production) the read that starts a declaration is tried once more on a
    new connection when the server dropped the old one: nobody sees an error page because of a restart.
    (Django's own queries are health-checked at the start of each request; with the rules and the QR point
    cached, as in a running worker, the declaration's raw statements are its first.) SQLite has no server to
    lose (the declaration goes through as usual)."""
    import psycopg

    point = services.do_ensure_checkin_point(None, world.x)
    hire(world.x, 7)
    hire(world.x, 8)
    client = Client(raise_request_exception=False)
    client.get(url(point))
    assert 'data-ack="1"' in client.post(url(point), form(8)).content.decode()  # the worker's caches are warm
    killed = None
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        killed = connection.connection.info.backend_pid
        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [killed])
    response = client.post(url(point), form(7))
    assert response.status_code == 200 and 'data-ack="1"' in response.content.decode()
    assert Declaration.objects.filter(employee__name="排查员工7").count() == 1
    if killed is not None:
        assert connection.connection.info.backend_pid != killed
