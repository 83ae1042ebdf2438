"""The phone page behind an enterprise's QR code (no account). GET shows the purpose statement and the form;
POST validates, counts the attempt (device and ID) and declares (checkin.declare), and answers with the
person's own status and next steps only.

Nothing typed is put back into the page: a form with errors comes back empty with the messages, and no page
ever shows a name or an ID number. An unknown ID, a wrong name and an archive of another enterprise all get
the same neutral answer. The templates are hand-written, small and free of the staff shell: this page is
the platform's busiest.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import http_date

from fugong.core import figure_store
from fugong.core.identifiers import IdentifierError, validate_id_number
from fugong.workforce.models import ClearanceStatus
from fugong.workforce.records import id_hash

from . import checkin

COOKIE_AGE = 365 * 24 * 3600
# What django.views.decorators.cache.never_cache sets, set directly: its header patching parses and rebuilds
# Cache-Control twice per response (measured: most of a twentieth of this page's own time).
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
FORM = "screening/checkin/form.html"
STATUS_LABELS = dict(ClearanceStatus.choices)


def _id_hash(raw: Any) -> str | None:
    try:
        return id_hash(validate_id_number(raw).number)
    except IdentifierError:
        return None


@lru_cache(maxsize=4096)
def _page(template: str, language: str, enterprise: str, path: str, status: str, until: Any) -> str:
    """The answer pages (result, unknown, limited) depend on nothing but these: rendered once per process and
    combination, not on every declaration. They carry no form, so no CSRF token, and no personal data."""
    from .checkin import Outcome

    outcome = Outcome(True, status, until)
    context = {
        "point": checkin.Point(0, enterprise),
        "outcome": outcome,
        "status_label": STATUS_LABELS.get(status, ""),
        "path": path,
        "LANGUAGE_CODE": language,
    }
    with translation.override(language):
        return render_to_string(template, context)


def _respond(request: HttpRequest, template: str, context: dict[str, Any], status: int, new_device: str | None
             ) -> HttpResponse:  # fmt: skip
    if template == FORM:
        response = render(request, template, context, status=status)
    else:
        outcome = context.get("outcome")
        html = _page(template, translation.get_language() or "zh-hans", context["point"].enterprise_name,
                     request.path, outcome.status if outcome else "", outcome.until if outcome else None)  # fmt: skip
        response = HttpResponse(html, status=status)
    response.headers["Expires"] = http_date()
    response.headers["Cache-Control"] = NEVER_CACHE
    if new_device is not None:
        response.set_signed_cookie(
            checkin.DEVICE_COOKIE,
            new_device,
            salt=checkin.DEVICE_SALT,
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@figure_store.marks_figures_itself  # checkin.declare marks them when a status changes or an alert is raised
def declare(request: HttpRequest, token: str) -> HttpResponse:
    point = checkin.point_for(token)
    if point is None:
        raise Http404
    device = request.get_signed_cookie(checkin.DEVICE_COOKIE, default=None, salt=checkin.DEVICE_SALT)
    new_device = None if device else secrets.token_urlsafe(16)
    context: dict[str, Any] = {
        "point": point,
        "statement": checkin.STATEMENT,
        "version": checkin.STATEMENT_VERSION,
        "symptoms": checkin.SYMPTOMS,
    }
    if request.method != "POST":
        return _respond(request, FORM, context, 200, new_device)

    address = request.META.get("REMOTE_ADDR", "")
    hashed = _id_hash(request.POST.get("id_number"))
    limits = checkin.limit_keys(device, address, hashed)
    values, errors = checkin.parse(request.POST, timezone.localdate())
    if errors or hashed is None:
        # A bad form is an attempt too (an enumeration would send many).
        if not checkin.hit(limits):
            return _respond(request, "screening/checkin/limited.html", context, 429, new_device)
        if hashed is None and "id_number" not in errors:
            errors["id_number"] = checkin.BAD_ID
        context["errors"] = errors
        return _respond(request, FORM, context, 400, new_device)
    outcome = checkin.declare(
        point,
        checkin.DeclarationInput(
            name=values["name"],
            id_hash=hashed,
            temperature=values["temperature"],
            symptoms=values["symptoms"],
            health_code=values["health_code"],
            travel_code=values["travel_code"],
            travel_from=values["travel_from"],
            travel_to=values["travel_to"],
        ),
        device or f"addr:{address}",
        limits,
    )
    if outcome.limited:
        return _respond(request, "screening/checkin/limited.html", context, 429, new_device)
    if not outcome.known:
        return _respond(request, "screening/checkin/unknown.html", context, 200, new_device)
    context.update(outcome=outcome, status_label=STATUS_LABELS.get(outcome.status, ""))
    return _respond(request, "screening/checkin/result.html", context, 200, new_device)
