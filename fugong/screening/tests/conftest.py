"""Screening's test fixtures: fresh rule caches per test (a rolled-back test must not leave its rule rows in a
process cache), and small builders for employees with trajectories, tests and readings."""

from __future__ import annotations

import pytest

from fugong.screening import checkin, rules


@pytest.fixture(autouse=True)
def _fresh_caches():
    rules.invalidate()
    checkin.forget_points()
    yield
    rules.invalidate()
    checkin.forget_points()
