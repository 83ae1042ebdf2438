"""/api/v1/enterprises/{id}/liaison, /api/v1/liaison/visits and /api/v1/liaison/teams: who serves an
enterprise, the visit log and the help teams (一企一队), read-only. Reads through the scoped selectors (out of
scope: 404), then the role's action — the same one the matching page asks for (403). Cadre phones leave masked
as on the cadre pages; the clear number stays behind the page's logged reveal."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from fugong.core.api_support import ERRORS, Page, PageQuery, paginate, require
from fugong.enterprises import selectors as enterprise_selectors

from . import permissions as p
from . import selectors
from .schemas import EnterpriseLiaisonOut, HelpTeamOut, VisitOut, VisitQuery

router = Router(tags=["联络员与帮扶"])

# A database id: anything outside a 64-bit integer is bad input (422), never an overflow inside the driver.
EnterpriseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="企业ID")]


@router.get(
    "/enterprises/{id}/liaison",
    response={200: EnterpriseLiaisonOut, **ERRORS},
    summary="企业的驻企联络员、包联领导和帮扶小分队",
)
def get_enterprise_liaison(request: HttpRequest, id: EnterpriseId) -> Any:
    # Scope first: an enterprise the caller cannot see is 404, whatever their role.
    enterprise = enterprise_selectors.get_enterprise_for_user(request.user, id)
    # The enterprise page's "who serves us" panel, as data: cadre names and masked phones, for the government
    # roles and for the enterprise's own admin and liaison (not outreach teams, banks or auditors).
    require(request.user, p.VIEW_SERVICE)
    served = selectors.enterprise_service(request.user, enterprise)
    return {
        "enterprise_id": enterprise.pk,
        "enterprise_name": enterprise.name,
        "date": served.day,
        "liaisons": served.postings,
        "leaders": served.pairings,
        "teams": served.teams,
    }


@router.get("/liaison/visits", response={200: Page[VisitOut], **ERRORS}, summary="走访帮扶记录（新的在前）")
def list_liaison_visits(request: HttpRequest, filters: Query[VisitQuery]) -> Any:
    require(request.user, p.VIEW_VISITS)
    qs = selectors.visit_list(request.user, town=filters.town, kind=filters.kind)
    return paginate(qs, filters.page, filters.page_size)


@router.get("/liaison/teams", response={200: Page[HelpTeamOut], **ERRORS}, summary="一企一队帮扶小分队")
def list_help_teams(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    require(request.user, p.VIEW_VISITS)  # what the team pages ask for (views_visits.team_list)
    return paginate(selectors.team_list(request.user), filters.page, filters.page_size)
