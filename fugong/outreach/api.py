"""/api/v1/outreach/teams and /api/v1/outreach/visits: the outreach teams (宣传小分队) with their coverage
numbers and the visit records, read-only. Reads through the scoped selectors; the role's action is the one the
coverage and team pages ask for (403)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from fugong.core.api_support import ERRORS, Page, PageQuery, paginate, require

from . import permissions as p
from . import selectors
from .schemas import OutreachVisitOut, TeamCoverageOut

router = Router(tags=["宣讲服务"])


@router.get("/outreach/teams", response={200: Page[TeamCoverageOut], **ERRORS}, summary="宣传小分队及其走访覆盖")
def list_outreach_teams(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    require(request.user, p.VIEW_TEAMS)
    # team_coverage answers every team in scope in five grouped queries, so it is a list, not a queryset; a
    # district has a few dozen teams at most, and slicing the list keeps the same page shape as the others.
    rows = selectors.team_coverage(request.user)
    start = (filters.page - 1) * filters.page_size
    return {"count": len(rows), "items": rows[start : start + filters.page_size]}


@router.get(
    "/outreach/visits", response={200: Page[OutreachVisitOut], **ERRORS}, summary="宣传小分队走访记录（新的在前）"
)
def list_outreach_visits(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    # The visits are shown on the team pages, which ask for the teams' view action.
    require(request.user, p.VIEW_TEAMS)
    qs = (
        selectors.visits_for(request.user)
        .select_related("team", "enterprise__town")
        .prefetch_related("materials")
        .order_by("-visited_on", "-id")
    )
    return paginate(qs, filters.page, filters.page_size)
