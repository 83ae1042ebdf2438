"""Permission-matrix fragment: prevention supplies. See fugong/core/matrix.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fugong.core.matrix import ADMIN_ONLY, GOVERNMENT_FIGURES, SEE_X, Case, api, page, record

# Who may see the supplies of enterprise X: those who see X, except the outreach team and the bank.
VIEW_X = frozenset(
    {"district_admin", "leader_of_x", "hrss_officer", "town_a_officer", "liaison_of_x", "enterprise_admin_x"}
)
# Who keeps X's books, files its requests and signs for its deliveries: district, town, liaison, X itself.
HELP_X = frozenset({"district_admin", "town_a_officer", "liaison_of_x", "enterprise_admin_x"})
VIEWERS = VIEW_X | {"enterprise_admin_y"}
HELPERS = HELP_X | {"enterprise_admin_y"}


def objects(world: Any) -> dict[str, Any]:
    from fugong.supplies import services

    from .helpers import catalogue

    items = catalogue()
    supplier = services.check_create_supplier(world.district_admin, {"name": "矩阵测试供应商"})
    request = services.check_create_request(world.enterprise_admin_x, world.x, {f"q_{items['mask'].pk}": "100"})
    other = services.check_create_request(world.enterprise_admin_x, world.x, {f"q_{items['mask'].pk}": "50"})
    order = services.check_create_order(world.district_admin, supplier, [request.pk], dt.date(2020, 3, 2))
    return {"x": world.x.pk, "order": order.pk, "delivery": order.deliveries.get().pk, "open": other.pk}


def cases(o: dict[str, Any]) -> dict[str, Case]:
    x = o["x"]
    base = f"/supplies/enterprise/{x}"
    movement = {"kind": "purchase", "item": "mask", "quantity": "1", "on_date": "2020-03-02"}
    return {
        # Enterprise admins are sent to their own enterprise's ledger.
        "supplies:home": page("/supplies/", VIEWERS, overrides={"enterprise_admin_x": 302, "enterprise_admin_y": 302}),
        "supplies:overview": page("/supplies/overview/", GOVERNMENT_FIGURES),
        "supplies:enterprise": record(f"{base}/", VIEW_X, SEE_X),
        "supplies:movements": record(f"{base}/movements/", VIEW_X, SEE_X),
        "supplies:movement_add": record(f"{base}/movements/new/", HELP_X, SEE_X),
        "supplies:consumption": record(f"{base}/consumption/", HELP_X, SEE_X),
        "supplies:consumption_import": record(f"{base}/consumption/import/", HELP_X, SEE_X),
        "supplies:consumption_template": page("/supplies/consumption/template.xlsx", HELPERS),
        "supplies:settings": record(f"{base}/settings/", HELP_X, SEE_X),
        "supplies:request_new": record(f"{base}/requests/new/", HELP_X, SEE_X),
        "supplies:requests": page("/supplies/requests/", HELPERS),
        "supplies:request_cancel": record(f"/supplies/requests/{o['open']}/cancel/", HELP_X, SEE_X),
        "supplies:orders": page("/supplies/orders/", ADMIN_ONLY),
        # An order is in scope where one of its deliveries is; only the district's procurement opens it.
        "supplies:order": record(f"/supplies/orders/{o['order']}/", ADMIN_ONLY, SEE_X),
        "supplies:order_cancel": record(f"/supplies/orders/{o['order']}/cancel/", ADMIN_ONLY, SEE_X),
        "supplies:deliveries": page("/supplies/deliveries/", HELPERS),
        "supplies:delivery": record(f"/supplies/deliveries/{o['delivery']}/", HELP_X, SEE_X),
        "supplies:suppliers": page("/supplies/suppliers/", ADMIN_ONLY),
        "supplies:norms": page("/supplies/norms/", VIEWERS),
        "supplies:norm_new": page("/supplies/norms/new/", ADMIN_ONLY),
        "supplies:threshold_new": page("/supplies/norms/threshold/", ADMIN_ONLY),
        "api:get_enterprise_supplies": api(record(f"/api/v1/enterprises/{x}/supplies", VIEW_X, SEE_X)),
        "api:list_supply_movements": api(record(f"/api/v1/enterprises/{x}/supplies/movements", VIEW_X, SEE_X)),
        "api:post_supply_movement": api(
            record(
                f"/api/v1/enterprises/{x}/supplies/movements",
                HELP_X,
                SEE_X,
                method="post",
                data=movement,
                ok_status=201,
            )
        ),
    }


CASE_NAMES = [
    "supplies:home",
    "supplies:overview",
    "supplies:enterprise",
    "supplies:movements",
    "supplies:movement_add",
    "supplies:consumption",
    "supplies:consumption_import",
    "supplies:consumption_template",
    "supplies:settings",
    "supplies:request_new",
    "supplies:requests",
    "supplies:request_cancel",
    "supplies:orders",
    "supplies:order",
    "supplies:order_cancel",
    "supplies:deliveries",
    "supplies:delivery",
    "supplies:suppliers",
    "supplies:norms",
    "supplies:norm_new",
    "supplies:threshold_new",
    "api:get_enterprise_supplies",
    "api:list_supply_movements",
    "api:post_supply_movement",
]
