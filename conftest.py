"""Fixtures shared by every app's tests. See fugong/core/testing.py for the persona world."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django.utils import translation

from fugong.core.testing import PERSONAS, World, build_world


@pytest.fixture(autouse=True)
def _default_language():
    yield
    # A request through the test client leaves its language (LocaleMiddleware's activate) on this thread: a
    # test that reads English must not make the next one, which expects the default Chinese, read English.
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_lockout(settings):
    # Lockout is tested on purpose in accounts tests; elsewhere repeated logins must not trip it.
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _figures_recounted_on_read(settings):
    # Tests run inside a transaction, so PostgreSQL's after-commit "records changed" mark never fires; with a
    # zero age limit every read recounts a (cheap) snapshot, i.e. figures are live on both databases.
    # fugong/core/tests/test_figure_store.py sets real limits and commits to test the snapshot lifecycle itself.
    settings.FUGONG_FIGURES_MAX_AGE = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 costs ~0.5 s per persona; the persona world has a dozen. Tests don't test the hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _append_only_logs_vs_flush(request):
    """The audit and access logs refuse DELETE/TRUNCATE by trigger. A transactional test (live server,
    concurrency) is cleaned by a flush afterwards, so for those tests only the triggers are lifted just before
    the flush and put back at the next one's start; the rule tables the flush empties are refilled too.
    (pytest-django runs transactional tests after the others, so ordinary tests always see the triggers.)"""
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if not marked and "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        yield
        return
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    # Set up the database first so that this fixture is torn down (triggers lifted) before its flush.
    request.getfixturevalue("_django_db_helper" if marked else "transactional_db")
    triggers = import_module("fugong.core.migrations.0002_append_only_triggers")
    with connection.schema_editor() as editor:
        triggers.drop(None, editor)
        triggers.create(None, editor)
    import_module("fugong.enterprises.migrations.0002_default_size_thresholds").load(apps, None)
    yield
    with connection.schema_editor() as editor:
        triggers.drop(None, editor)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(world):
    """client_for("town_a_officer") → a test client logged in as that persona (None → anonymous)."""

    def make(persona: str | None) -> Client:
        c = Client()
        if persona:
            c.force_login(world.users[persona])
        return c

    return make


@pytest.fixture(params=PERSONAS)
def persona(request) -> str:
    return request.param


def pytest_collection_modifyitems(config, items):
    # Browser tests are required: in CI a missing Chromium is a failure, not a skip (engineering.md).
    if os.environ.get("FUGONG_SKIP_BROWSER") == "1":
        skip = pytest.mark.skip(reason="FUGONG_SKIP_BROWSER=1 (local only; CI never sets it)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def small_bands(monkeypatch):
    """Large-sheet thresholds lowered (fugong.core.xlsx_bands): a sheet from 2 KB of XML is read in bands of
    1 KB growing by half, so the small workbooks tests build are cut into many bands."""
    from fugong.core import xlsx_bands

    monkeypatch.setattr(xlsx_bands, "MIN_SHEET_BYTES", 2048)
    monkeypatch.setattr(xlsx_bands, "FIRST_BAND_BYTES", 1024)
    monkeypatch.setattr(xlsx_bands, "GROWTH", 1.5)
    monkeypatch.setattr(xlsx_bands, "MAX_BAND_BYTES", 8192)
