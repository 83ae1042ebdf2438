"""The QR page as gunicorn serves it: through config.wsgi's application, whose public handler (core/handlers.py)
runs only settings.PUBLIC_MIDDLEWARE. Django's test Client builds its own handler with the full middleware, so
these tests call the WSGI application itself, with real cookies and a real CSRF check."""

from __future__ import annotations

import io
import re
import sys
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from config.wsgi import application
from fugong.screening import checkin, views_checkin
from fugong.screening.models import Declaration
from fugong.workforce.models import HealthReading

from .helpers import hire, synthetic_id


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # As Django's test Client does: the start and the end of a request would otherwise close the connection
    # that holds the test's open transaction (on PostgreSQL; SQLite's in-memory test database stays open).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str:
        return ", ".join(v for k, v in self.headers if k.lower() == name.lower())

    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for key, value in self.headers:
            if key.lower() == "set-cookie":
                jar.load(value)
        return {k: m.value for k, m in jar.items()}


@dataclass
class Phone:
    """A browser with a cookie jar, talking to the WSGI application."""

    cookies: dict[str, str] = field(default_factory=dict)
    language: str = ""

    def call(self, method: str, path: str, data: dict[str, str] | None = None) -> Answer:
        body = urllib.parse.urlencode(data or {}).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if self.language:
            environ["HTTP_ACCEPT_LANGUAGE"] = self.language
        started: dict[str, object] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
            started.update(status=int(status.split()[0]), headers=headers)

        chunks = application(environ, start_response)
        try:
            text = b"".join(chunks).decode()
        finally:
            getattr(chunks, "close", lambda: None)()
        answer = Answer(started["status"], started["headers"], text)  # type: ignore[arg-type]
        self.cookies.update(answer.cookies())
        return answer

    def open(self, path: str) -> tuple[Answer, str]:
        """GET the form; return the answer and the form's CSRF token."""
        answer = self.call("GET", path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.body)
        return answer, match.group(1) if match else ""


def url(point) -> str:
    return reverse("screening:checkin", args=[point.token])


def declaration(token: str, seq: int = 7) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": token,
        "name": f"排查员工{seq}",
        "id_number": synthetic_id(seq),
        "temperature": "36.6",
        "health_code": "green",
        "consent": "1",
    }


def test_the_public_handler_runs_only_the_public_middleware():
    chain = [type(m).__module__ + "." + type(m).__name__ for m in _middleware(application.public)]
    assert chain == list(settings.PUBLIC_MIDDLEWARE)
    full = [type(m).__module__ + "." + type(m).__name__ for m in _middleware(application.full)]
    assert full == list(settings.MIDDLEWARE) and "django.contrib.sessions.middleware.SessionMiddleware" in full


def _middleware(handler) -> list[object]:
    """The middleware instances of a handler's chain, outermost first (each holds the next as get_response)."""
    out: list[object] = []
    node = handler._middleware_chain
    while True:
        node = getattr(node, "__wrapped__", node)  # convert_exception_to_response's wrapper
        if not hasattr(node, "get_response"):
            return out
        out.append(node)
        node = node.get_response


def test_only_the_qr_pages_live_under_the_public_prefixes():
    """Whatever is routed under a public prefix is served without sessions or logins: only the QR page."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, route)
            else:
                found.append((route, p.callback))

    walk(get_resolver().url_patterns)
    public = [(r, cb) for r, cb in found if ("/" + r).startswith(settings.PUBLIC_PATH_PREFIXES)]
    assert public and all(cb is views_checkin.declare for _r, cb in public)


def test_a_phone_declares_through_the_public_handler(point, world):
    emp = hire(world.x, 7)
    phone = Phone()
    page, token = phone.open(url(point))
    assert page.status == 200 and token and str(checkin.STATEMENT)[:20] in page.body
    assert "csrftoken" in phone.cookies and checkin.DEVICE_COOKIE in phone.cookies
    assert settings.SESSION_COOKIE_NAME not in phone.cookies  # no session for a page without accounts
    assert page.header("X-Frame-Options") == "DENY" and page.header("X-Content-Type-Options") == "nosniff"
    assert page.header("Cache-Control").startswith("max-age=0")
    answer = phone.call("POST", url(point), declaration(token))
    assert answer.status == 200 and 'data-ack="1"' in answer.body and "可上岗" in answer.body
    assert "排查员工7" not in answer.body and synthetic_id(7) not in answer.body
    stored = Declaration.objects.get(employee=emp)
    assert stored.consented_at is not None and HealthReading.objects.filter(employee=emp, source="self").count() == 1


def test_a_post_without_the_csrf_token_is_refused_and_stores_nothing(point, world):
    emp = hire(world.x, 7)
    phone = Phone()
    phone.open(url(point))
    answer = phone.call("POST", url(point), declaration(token="forged-" + "x" * 25))
    assert answer.status == 403
    assert not Declaration.objects.filter(employee=emp).exists()
    cold = Phone().call("POST", url(point), declaration(token=""))  # no cookie at all
    assert cold.status == 403 and not HealthReading.objects.filter(employee=emp).exists()


def test_an_unknown_token_is_a_404_through_the_public_handler(db):
    answer = Phone().call("GET", reverse("screening:checkin", args=["no-such-token"]))
    assert answer.status == 404


def test_the_public_page_speaks_the_phones_language(point):
    page, _token = Phone(language="en").open(url(point))
    assert page.status == 200 and page.header("Content-Language") == "en"
    assert "Employee health declaration" in page.body


def test_a_staff_session_cookie_means_nothing_on_the_public_page(point, world, client_for):
    staff = client_for("enterprise_admin_x")
    session = staff.cookies[settings.SESSION_COOKIE_NAME].value
    # The page costs the same queries with the staff session cookie as without: no session or user is loaded
    # (the full middleware would read the session and the user, and answer with a refreshed cookie).
    Phone().open(url(point))  # the QR point is cached from here on
    with CaptureQueriesContext(connection) as bare:
        Phone().open(url(point))
    phone = Phone(cookies={settings.SESSION_COOKIE_NAME: session})
    with CaptureQueriesContext(connection) as staffed:
        page, token = phone.open(url(point))
    assert page.status == 200 and token
    assert len(staffed) == len(bare)
    assert not any("django_session" in q["sql"] or "accounts_user" in q["sql"] for q in staffed.captured_queries)
    # …while the same cookie opens the staff pages through the full handler (the dispatcher's other side).
    assert phone.call("GET", reverse("home")).status == 200
    assert Phone().call("GET", reverse("home")).status == 302  # no session: to the login page
