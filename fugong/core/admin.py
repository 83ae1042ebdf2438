"""Admin for the audit and access logs: read-only for everyone, shown only to roles that may audit.

The models refuse save/delete and database triggers refuse UPDATE/DELETE; the admin adds no way around them
(no add, change, delete or bulk-delete action, even for the district admin).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from fugong.accounts import roles

from .admin_base import ReadOnlyAdmin
from .models import AccessLog, AuditLog
from .selectors import change_lines

admin.site.site_header = _("复工复产服务平台 管理后台")
admin.site.site_title = _("复工复产服务平台 管理后台")
admin.site.index_title = _("数据管理")


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    view_action = roles.VIEW_AUDIT
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "object_repr", "via")
    list_filter = ("via", "object_type")
    search_fields = ("actor_label", "action", "object_id", "object_repr")
    date_hierarchy = "at"
    fields = (
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes_display",
        "note",
        "ip",
        "via",
    )
    readonly_fields = fields

    @admin.display(description=_("变更内容（前 → 后）"))
    def changes_display(self, obj: AuditLog) -> Any:
        return format_html_join(
            "",
            "<div>{}：{} → {}</div>",
            ((line.label, line.before or "—", line.after) for line in change_lines(obj.object_type, obj.changes)),
        )


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    view_action = roles.VIEW_AUDIT
    list_display = ("at", "actor_label", "kind", "subject_type", "subject_id", "subject_repr", "record_count")
    list_filter = ("kind", "subject_type")
    search_fields = ("actor_label", "subject_id", "subject_repr", "purpose")
    date_hierarchy = "at"
    fields = (
        "at",
        "actor_label",
        "kind",
        "subject_type",
        "subject_id",
        "subject_repr",
        "fields",
        "purpose",
        "record_count",
        "ip",
    )
    readonly_fields = fields
