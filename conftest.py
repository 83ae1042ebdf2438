"""Fixtures shared by every app's tests. See fugong/core/testing.py for the persona world."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from fugong.core.testing import PERSONAS, World, build_world


@pytest.fixture(autouse=True)
def _no_lockout(settings):
    # Lockout is tested on purpose in accounts tests; elsewhere repeated logins must not trip it.
    settings.AXES_ENABLED = False


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
