"""The WSGI application: Django's handler for every page, and a lean one for the public pages.

The public pages (settings.PUBLIC_PATH_PREFIXES: the self-declaration page behind the QR codes) need no
session, user, two-factor device, messages or login lock-out — they have no accounts — yet under the full
middleware stack each request paid for all of them (and a staff member's phone with a session cookie paid a
session and a user query per declaration). The same URLconf and views are served by a second handler built
from settings.PUBLIC_MIDDLEWARE; only these path prefixes reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class PublicHandler(WSGIHandler):
    """Django's WSGI handler with settings.PUBLIC_MIDDLEWARE instead of settings.MIDDLEWARE."""

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware reads settings.MIDDLEWARE and takes no list: lend it the public one while
        # it builds the chain. This runs once, when the application is created, before any request is served.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = list(settings.PUBLIC_MIDDLEWARE)
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


def application() -> WSGIApp:
    """The project's WSGI callable: public path prefixes to PublicHandler, everything else to Django's own."""
    full = get_wsgi_application()  # also runs django.setup()
    public = PublicHandler()
    prefixes = tuple(settings.PUBLIC_PATH_PREFIXES)

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        handler = public if environ.get("PATH_INFO", "").startswith(prefixes) else full
        return handler(environ, start_response)

    dispatch.public = public  # type: ignore[attr-defined]
    dispatch.full = full  # type: ignore[attr-defined]
    return dispatch
