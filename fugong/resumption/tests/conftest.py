from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads of these tests land in a throw-away directory, never under var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard caches its rendered body per snapshot version; each test starts without it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
