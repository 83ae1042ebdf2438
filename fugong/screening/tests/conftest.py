"""Screening's test fixtures: fresh rule caches per test (a rolled-back test must not leave its rule rows in a
process cache), and small builders for employees with trajectories, tests and readings."""

from __future__ import annotations

import pytest

from fugong.screening import checkin, rules, services


@pytest.fixture(autouse=True)
def _fresh_caches():
    rules.invalidate()
    checkin.forget_points()
    yield
    rules.invalidate()
    checkin.forget_points()


@pytest.fixture
def point(world):
    """Enterprise X's QR entry point (the token its poster carries)."""
    return services.do_ensure_checkin_point(None, world.x)
