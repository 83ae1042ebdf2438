"""Admin for regions and industrial parks: reference data every permitted role reads whole; the district
admin edits it, audited (fugong.core.admin_base)."""

from __future__ import annotations

from django.contrib import admin

from fugong.accounts import roles
from fugong.core.admin_base import ScopedModelAdmin

from .models import IndustrialPark, Region


@admin.register(Region)
class RegionAdmin(ScopedModelAdmin):
    view_action = roles.VIEW_ENTERPRISES
    list_display = ("code", "name", "level", "kind", "parent", "sort")
    list_filter = ("level", "kind")
    list_select_related = ("parent",)
    search_fields = ("code", "name")


@admin.register(IndustrialPark)
class IndustrialParkAdmin(ScopedModelAdmin):
    view_action = roles.VIEW_ENTERPRISES
    list_display = ("name", "district", "state_premises_relief")
    list_select_related = ("district",)
    search_fields = ("name",)
