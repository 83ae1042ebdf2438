from __future__ import annotations

import pytest

from .helpers import catalogue


@pytest.fixture
def items(world):
    return catalogue()
