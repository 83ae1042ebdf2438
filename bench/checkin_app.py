"""The server side of bench/checkin_load.py: the project's settings and URLs, plus the reference view — a
minimal Django view that inserts one row (the framework's own ceiling on this machine). Used only by the
benchmark (DJANGO_SETTINGS_MODULE=bench.checkin_app); never part of the product's URLs."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.settings import *  # noqa: F403 — the product's settings, unchanged but for the URLconf

ROOT_URLCONF = "bench.checkin_app"


@csrf_exempt
def ping(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_ping (note) VALUES (%s)", ["ping"])
    return HttpResponse("ok")


def __getattr__(name: str) -> Any:
    # This module is read as settings before the apps are ready, and as the URLconf after: the product's URLs
    # (which import models) are only imported when the URL resolver first asks.
    if name == "urlpatterns":
        from config.urls import urlpatterns as product_urls

        # The same view twice: through the full middleware, and under the public prefix through the lean handler
        # that serves the QR page (settings.PUBLIC_PATH_PREFIXES; fugong/core/handlers.py). Before the product's
        # URLs, or the QR page's pattern would take it for a token.
        return [path("screening/d/bench-ping/", ping), *product_urls, path("bench/ping/", ping)]
    raise AttributeError(name)
