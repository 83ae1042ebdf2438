"""/api/v1/enterprises: the registry over HTTP. Reads through selectors (scoped: out of scope is 404), writes
through services; this module only parses, calls and maps errors to status codes."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from fugong.accounts import roles
from fugong.core.api_support import ERRORS, ErrorOut, Page, conflict, field_errors, paginate, require

from . import selectors, services
from .schemas import EnterpriseOut, EnterprisePatch, EnterpriseQuery, RevealIn, RevealOut

router = Router(tags=["企业台账"])

# A database id: anything outside a 64-bit integer is bad input (422), never an overflow inside the driver.
EnterpriseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="企业ID")]


@router.get("/enterprises", response={200: Page[EnterpriseOut], **ERRORS}, summary="企业列表")
def list_enterprises(request: HttpRequest, filters: Query[EnterpriseQuery]) -> Any:
    require(request.user, roles.VIEW_ENTERPRISES)
    qs = selectors.enterprises_for_user(request.user, filters.to_filters()).order_by("town_id", "name", "id")
    return paginate(qs, filters.page, filters.page_size)


@router.get("/enterprises/{id}", response={200: EnterpriseOut, **ERRORS}, summary="企业详情")
def get_enterprise(request: HttpRequest, id: EnterpriseId) -> Any:
    # Scope first: an object the caller cannot see is 404, whatever their role (interfaces.md).
    enterprise = selectors.get_enterprise_for_user(request.user, id)
    require(request.user, roles.VIEW_ENTERPRISES)
    return enterprise


@router.patch(
    "/enterprises/{id}",
    response={200: EnterpriseOut, 409: ErrorOut, **ERRORS},
    summary="修改企业（需带 version）",
)
def update_enterprise(request: HttpRequest, id: EnterpriseId, payload: EnterprisePatch) -> Any:
    enterprise = selectors.get_enterprise_for_user(request.user, id)
    require(request.user, roles.VIEW_ENTERPRISES)
    # The role decides before the input does: a liaison gets 403 whatever they sent.
    if not services.editable_fields_for(request.user):
        raise PermissionDenied
    data, errors = payload.changes()
    if errors:
        raise field_errors(errors)
    try:
        services.check_update_enterprise(request.user, enterprise, data, payload.version)
    except services.EnterpriseValidationError as exc:
        raise field_errors(exc.errors) from None
    except services.ConcurrentEditError:
        raise conflict(_("该企业信息已被他人修改，请重新读取后再提交")) from None
    return enterprise


@router.post("/enterprises/{id}/reveal", response={200: RevealOut, **ERRORS}, summary="查看完整联系电话（记录日志）")
def reveal_enterprise_contact(request: HttpRequest, id: EnterpriseId, payload: RevealIn, response: HttpResponse) -> Any:
    enterprise = selectors.get_enterprise_for_user(request.user, id)
    require(request.user, roles.VIEW_ENTERPRISES)
    try:
        phone = services.do_reveal_contact_phone(request.user, enterprise, payload.reason)
    except services.EnterpriseValidationError as exc:
        raise field_errors(exc.errors) from None
    # Clear personal data must not linger in browser or proxy caches.
    response["Cache-Control"] = "no-store"
    return {"id": enterprise.pk, "fields": {"contact_phone": phone}}
