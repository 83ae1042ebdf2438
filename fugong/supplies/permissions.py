"""What each role may do with prevention supplies (merged into fugong.accounts.roles.can()).

Scope still decides *which* enterprises: an action here only opens the door to those in the user's scope."""

from __future__ import annotations

from fugong.accounts.roles import Role

VIEW_SUPPLIES = "supplies.view"  # stock, days of supply, the ledger of enterprises in scope
VIEW_OVERVIEW = "supplies.overview"  # shortfalls ranked by town, delivered totals (government side)
RECORD_MOVEMENTS = "supplies.record"  # opening balance, purchases, consumption (grid, Excel), adjustments
REQUEST_SUPPLIES = "supplies.request"  # file a demand request for an enterprise
CONFIRM_DELIVERY = "supplies.confirm"  # sign for a doorstep delivery (posts it to the ledger)
PROCURE = "supplies.procure"  # suppliers, district orders aggregating requests
CONFIGURE = "supplies.configure"  # norms and the threshold (new versions)
EDIT_SETTINGS = "supplies.settings"  # an enterprise's entrances, hours, reported headcount, own norms

_GOVERNMENT_READ = {VIEW_SUPPLIES, VIEW_OVERVIEW}
# Liaisons and towns helped enterprises keep their books and coordinated supplies (协调防疫物资, the article).
_HELPERS = {RECORD_MOVEMENTS, REQUEST_SUPPLIES, CONFIRM_DELIVERY, EDIT_SETTINGS}

GRANTS: dict[str, set[str]] = {
    Role.DISTRICT_ADMIN: {*_GOVERNMENT_READ, *_HELPERS, PROCURE, CONFIGURE},
    Role.DISTRICT_LEADER: set(_GOVERNMENT_READ),
    Role.DEPARTMENT: set(_GOVERNMENT_READ),
    Role.TOWN: {*_GOVERNMENT_READ, *_HELPERS},
    Role.LIAISON: {*_GOVERNMENT_READ, *_HELPERS},
    Role.ENTERPRISE: {VIEW_SUPPLIES, *_HELPERS},
}
