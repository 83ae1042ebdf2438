"""/api/v1/enterprises/{id}/supplies…: days of supply and the stock ledger over HTTP. The enterprise is
fetched through the scoped selector first (out of scope: 404), then the role's action is required (403);
writes go through services, whose validation errors are 422s naming the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from fugong.core.api_support import ERRORS, Page, field_errors, paginate, require

from . import permissions as p
from . import selectors, services
from .models import SupplyItem
from .schemas import MovementIn, MovementOut, MovementQuery, SupplyQuery, SupplyStatusOut

router = Router(tags=["防疫物资"])

EnterpriseId = Annotated[int, Path(ge=1, le=2**63 - 1, description="企业ID")]


def _plain(value: Decimal | None) -> Decimal | None:
    """60.00000 → 60, 0.39150 → 0.3915 (without an exponent)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _status_out(status: selectors.EnterpriseSupply) -> dict[str, Any]:
    return {
        "enterprise_id": status.enterprise_id,
        "date": status.day,
        "headcount": status.headcount,
        "headcount_source": status.headcount_source,
        "threshold_days": status.threshold.days,
        "days": status.days,
        "level": str(status.level),
        "below_threshold": status.below,
        "items": [
            {
                "code": s.item.code,
                "name": s.item.name,
                "unit": s.item.unit,
                "kind": s.item.kind,
                "stock": s.stock,
                "daily_use": _plain(s.daily_use),
                "days": s.days,
                "level": str(s.level),
                "required": s.required,
                "short": s.short,
            }
            for s in status.items
        ],
    }


@router.get("/enterprises/{id}/supplies", response={200: SupplyStatusOut, **ERRORS}, summary="企业防疫物资保障天数")
def get_enterprise_supplies(request: HttpRequest, id: EnterpriseId, query: Query[SupplyQuery]) -> Any:
    enterprise = selectors.get_enterprise_for_user(request.user, id)
    require(request.user, p.VIEW_SUPPLIES)
    return _status_out(selectors.supply_status(enterprise, query.date))


@router.get(
    "/enterprises/{id}/supplies/movements", response={200: Page[MovementOut], **ERRORS}, summary="企业物资出入库记录"
)
def list_supply_movements(request: HttpRequest, id: EnterpriseId, filters: Query[MovementQuery]) -> Any:
    enterprise = selectors.get_enterprise_for_user(request.user, id)
    require(request.user, p.VIEW_SUPPLIES)
    qs = selectors.movements_of(request.user, enterprise.pk, kind=filters.kind)
    if filters.item:
        qs = qs.filter(item__code=filters.item)
    return paginate(qs, filters.page, filters.page_size)


@router.post("/enterprises/{id}/supplies/movements", response={201: MovementOut, **ERRORS}, summary="登记物资出入库")
def post_supply_movement(request: HttpRequest, id: EnterpriseId, payload: MovementIn) -> Any:
    enterprise = selectors.get_enterprise_for_user(request.user, id)
    require(request.user, p.RECORD_MOVEMENTS)
    item = SupplyItem.objects.filter(code=payload.item, active=True).first()
    if item is None:
        raise field_errors({"item": _("没有编码为“%(code)s”的物资") % {"code": payload.item[:30]}})
    data = payload.dict()
    data["item"] = item
    try:
        movement = services.check_record_movement(request.user, enterprise, data, source="api")
    except services.SupplyValidationError as exc:
        raise field_errors(exc.errors) from None
    return Status(201, movement)
