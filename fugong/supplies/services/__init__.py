"""Every write to the supplies app (`do_*` atomic and audited; `check_*` validates, then calls `do_*`).
Split by concept: the ledger, the rules (norms, threshold, enterprise settings) and procurement."""

from .common import SupplyValidationError, fmt_qty, parse_quantity
from .ledger import (
    Posting,
    check_declare_consumption,
    check_record_movement,
    do_declare_consumption,
    do_post_movements,
    rebuild_balances,
)
from .procurement import (
    check_cancel_order,
    check_cancel_request,
    check_confirm_delivery,
    check_create_order,
    check_create_request,
    check_create_supplier,
)
from .rules import (
    check_add_norm_version,
    check_add_threshold_version,
    check_set_enterprise_norm,
    check_update_profile,
)

__all__ = [
    "Posting",
    "SupplyValidationError",
    "check_add_norm_version",
    "check_add_threshold_version",
    "check_cancel_order",
    "check_cancel_request",
    "check_confirm_delivery",
    "check_create_order",
    "check_create_request",
    "check_create_supplier",
    "check_declare_consumption",
    "check_record_movement",
    "check_set_enterprise_norm",
    "check_update_profile",
    "do_declare_consumption",
    "do_post_movements",
    "fmt_qty",
    "parse_quantity",
    "rebuild_balances",
]
