from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import navigation, scoping


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_sections": navigation.for_user(user, request.path),
        "scope_label": scoping.scope_label(user),
    }
