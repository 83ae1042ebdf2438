"""Admin for 防疫宣传小分队. Team membership decides what a member sees (scoping.py), so the teams are
configuration the district admin alone opens and edits; changes, members included, are audited."""

from __future__ import annotations

from django.contrib import admin

from fugong.accounts import roles
from fugong.core.admin_base import ScopedModelAdmin

from .models import OutreachTeam


@admin.register(OutreachTeam)
class OutreachTeamAdmin(ScopedModelAdmin):
    view_action = roles.MANAGE_ACCOUNTS
    list_display = ("name", "level", "town")
    list_filter = ("level",)
    list_select_related = ("town",)
    search_fields = ("name",)
    filter_horizontal = ("members",)
