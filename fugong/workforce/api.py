"""/api/v1/…/employees: the workforce archive over HTTP. Reads through selectors (scoped: out of scope is 404),
the reveal through services (permission, reason, access log); this module only parses, calls and maps errors
to status codes (fugong.core.api_support)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router

from fugong.accounts import roles
from fugong.core.api_support import ERRORS, Page, field_errors, paginate, require
from fugong.enterprises import selectors as enterprise_selectors

from . import selectors, services
from .schemas import EmployeeDetailOut, EmployeeOut, EmployeeQuery, EmployeeRevealIn, EmployeeRevealOut

router = Router(tags=["员工档案"])

# A database id: anything outside a 64-bit integer is bad input (422), never an overflow inside the driver.
EnterpriseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="企业ID")]
EmployeeId = Annotated[int, Path(ge=1, le=2**63 - 1, description="员工档案ID")]


@router.get(
    "/enterprises/{id}/employees", response={200: Page[EmployeeOut], **ERRORS}, summary="企业员工花名册（脱敏）"
)
def list_employees(request: HttpRequest, id: EnterpriseId, filters: Query[EmployeeQuery]) -> Any:
    # Scope first: an object the caller cannot see is 404, whatever their role (interfaces.md).
    enterprise = enterprise_selectors.get_enterprise_for_user(request.user, id)
    require(request.user, roles.VIEW_EMPLOYEES)
    qs = selectors.roster_for_user(request.user, enterprise.pk, filters.to_filters())
    qs = qs.defer("commute_route").order_by("batch__number", "id")
    return paginate(qs, filters.page, filters.page_size)


@router.get("/employees/{id}", response={200: EmployeeDetailOut, **ERRORS}, summary="员工档案（脱敏；记录访问日志）")
def get_employee(request: HttpRequest, id: EmployeeId, response: HttpResponse) -> Any:
    employee = selectors.get_employee_for_user(request.user, id)
    require(request.user, roles.VIEW_EMPLOYEES)
    # Tests and quarantines are health data: reading the record is logged like opening the archive card.
    services.log_archive_view(request.user, employee)
    response["Cache-Control"] = "no-store"
    return employee


@router.post(
    "/employees/{id}/reveal", response={200: EmployeeRevealOut, **ERRORS}, summary="查看完整身份信息（记录日志）"
)
def reveal_employee(request: HttpRequest, id: EmployeeId, payload: EmployeeRevealIn, response: HttpResponse) -> Any:
    employee = selectors.get_employee_for_user(request.user, id)
    require(request.user, roles.VIEW_EMPLOYEES)
    # The role decides before the input does: a role that may not reveal gets 403 whatever it sent.
    require(request.user, roles.REVEAL_PERSONAL_DATA)
    try:
        shown = services.do_reveal_employee(request.user, employee, payload.fields, payload.reason)
    except services.EmployeeValidationError as exc:
        raise field_errors({k: message for k, (_code, message) in exc.errors.items()}) from None
    # Clear personal data must not linger in browser or proxy caches.
    response["Cache-Control"] = "no-store"
    return {"id": employee.pk, "fields": shown}
