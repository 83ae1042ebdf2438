from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import figure_store
from .context import RequestInfo, current_request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path.startswith("/api/") else "web"
        token = current_request.set(
            RequestInfo(ip=request.META.get("REMOTE_ADDR", ""), path=request.path[:200], via=via)
        )
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        match = getattr(request, "resolver_match", None)
        marks_itself = getattr(getattr(match, "func", None), figure_store.MARKS_ITSELF, False)
        if request.method not in SAFE_METHODS and response.status_code < 400 and not marks_itself:
            # A write may have gone through bulk paths that send no model signals: figure snapshots are
            # recounted rather than trusted (figure_store; cheap when nothing is snapshotted yet).
            figure_store.mark_changed()
        return response
