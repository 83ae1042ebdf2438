"""{% enterprise_service enterprise %}: who serves an enterprise — its liaisons, paired district leaders and help
team (一企一队) — as a card on the pages that show the enterprise (its detail page, its admin's home page).

The enterprise comes from a scoped selector; liaison.selectors.enterprise_service narrows every row by the
viewer's scope again. Shown to the roles with VIEW_SERVICE (the API's action too); cadre phones masked."""

from __future__ import annotations

from typing import Any

from django import template

from fugong.accounts import roles

from .. import permissions, selectors

register = template.Library()


@register.inclusion_tag("liaison/_enterprise_service.html", takes_context=True)
def enterprise_service(context: template.Context, enterprise: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if enterprise is None or user is None or not roles.can(user, permissions.VIEW_SERVICE):
        return {"served": None}
    return {"served": selectors.enterprise_service(user, enterprise)}
