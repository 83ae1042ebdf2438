"""Admin for banks (reference data) and bank–enterprise matchmaking (scoped through the enterprise)."""

from __future__ import annotations

from django.contrib import admin

from fugong.accounts import roles
from fugong.core.admin_base import ScopedModelAdmin

from .models import Bank, BankMatchmaking


@admin.register(Bank)
class BankAdmin(ScopedModelAdmin):
    view_action = roles.VIEW_ENTERPRISES
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(BankMatchmaking)
class BankMatchmakingAdmin(ScopedModelAdmin):
    scope_path = "enterprise"
    view_action = roles.VIEW_ENTERPRISES
    list_display = ("bank", "enterprise", "since", "credit_granted_yuan")
    list_filter = ("bank",)
    list_select_related = ("bank", "enterprise")
    search_fields = ("enterprise__name", "bank__name")
