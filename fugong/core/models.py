"""Append-only audit and access logs.

`AuditLog` records every business write (who, when, what, before/after with sensitive values masked).
`AccessLog` records every view, reveal and export of personal data (PIPL Art. 51; GB/T 35273 §7.2).
Both refuse updates and deletes in Python, and database triggers (migration 0002) refuse them in SQL too,
so not even the admin or a raw query can rewrite history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(f"{self._meta.label} is append-only")


class AuditLog(AppendOnlyModel):
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    # Indexed in Meta, not with db_index: on PostgreSQL db_index on a CharField adds a second, *_like index, and
    # every audited write (an import writes thousands) pays for each index of this table.
    action = models.CharField(_("操作"), max_length=60)
    object_type = models.CharField(_("对象类型"), max_length=60)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # {field: [before, after]}; sensitive fields are masked before they get here.
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    ip = models.CharField(_("IP地址"), max_length=64, blank=True)
    via = models.CharField(_("渠道"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),  # a record's history; also object_type alone
            models.Index(fields=["object_id"], name="core_audit_object_id"),  # the auditor's filter by number
            # The auditor filters by action prefix (action__startswith): a pattern-ops index serves = and LIKE 'x%'.
            models.Index(fields=["action"], name="core_audit_action", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class AccessLog(AppendOnlyModel):
    class Kind(models.TextChoices):
        VIEW = "view", _("查看")
        REVEAL = "reveal", _("查看明文")
        EXPORT = "export", _("导出")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("访问人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("访问人"), max_length=150, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    subject_type = models.CharField(_("数据主体类型"), max_length=60)
    subject_id = models.CharField(_("数据主体编号"), max_length=64, blank=True)
    subject_repr = models.CharField(_("数据主体"), max_length=200, blank=True)
    fields = models.JSONField(_("字段"), default=list, blank=True)
    purpose = models.CharField(_("用途/理由"), max_length=300, blank=True)
    record_count = models.PositiveIntegerField(_("记录数"), default=1)
    ip = models.CharField(_("IP地址"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("个人信息访问日志")
        verbose_name_plural = _("个人信息访问日志")
        ordering = ["-at", "-id"]
        # Plain indexes (no *_like twins): the auditor filters by kind and by subject, never with LIKE.
        indexes = [
            models.Index(fields=["kind"], name="core_access_kind"),
            models.Index(fields=["subject_id"], name="core_access_subject_id"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_kind_display()} {self.subject_repr}"


from .models_figures import FigureSnapshot  # noqa: E402, F401  (figure snapshots, see figure_store)
from .models_jobs import ImportJob  # noqa: E402, F401  (import jobs live in their own module)
