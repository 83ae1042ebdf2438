from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import RequestInfo, current_request


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path.startswith("/api/") else "web"
        token = current_request.set(
            RequestInfo(ip=request.META.get("REMOTE_ADDR", ""), path=request.path[:200], via=via)
        )
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
