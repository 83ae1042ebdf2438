"""The daily brief page (reports:brief): the viewer's brief for a date, to read, copy, download or print."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fugong.accounts import roles

from .brief import as_html, build_brief, parse_day


@login_required
def daily_brief(request: HttpRequest) -> HttpResponse:
    if not roles.can(request.user, roles.VIEW_DISTRICT_FIGURES):
        raise PermissionDenied
    today = timezone.localdate()
    raw = request.GET.get("date", "")
    try:
        day = parse_day(raw, default=today)
    except ValueError as exc:
        context = {"error": str(exc), "date_value": raw[:20], "today": today}
        return render(request, "reports/brief.html", context, status=400)
    # Scoped to the viewer: a town officer's brief speaks of their town only.
    brief = build_brief(request.user, day)
    fmt = request.GET.get("format", "")
    if fmt == "txt":
        response = HttpResponse(brief.text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="fugong-brief-{day.isoformat()}.txt"'
        return response
    if fmt == "html":
        return HttpResponse(as_html(brief))
    return render(request, "reports/brief.html", {"brief": brief, "date_value": day.isoformat(), "today": today})
