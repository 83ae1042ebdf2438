"""Import jobs (导入任务): one row per uploaded spreadsheet, shared by every importer (enterprises, rosters…).

The row is the job's progress bar and its outcome: counts, the errors a clerk must fix, and — sealed, since
they may hold phone or ID numbers — the failed rows as uploaded, for the error report. The uploaded file
itself lives under MEDIA_ROOT/imports/ with a random name only until the job finishes.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedTextField

ERRORS_SHOWN = 200  # on the job page; the full list is in the error report


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Stage(models.TextChoices):
        WAITING = "", _("等待开始")
        VALIDATING = "validating", _("读取并校验")
        WRITING = "writing", _("写入数据库")
        FINISHED = "finished", _("结束")

    kind = models.CharField(_("导入类型"), max_length=30, db_index=True)  # "enterprises", "employees", …
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    # Relative to MEDIA_ROOT; emptied once the file is deleted after the job.
    stored_file = models.CharField(_("存储路径"), max_length=255, blank=True)
    # dry_run, strict and whatever the importer needs (e.g. the enterprise of a roster).
    options = models.JSONField(_("选项"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.WAITING, blank=True)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变化"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    # [{"row", "column", "code", "message"}]; messages never quote a phone or ID number.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    ignored_headers = models.JSONField(_("忽略的列"), default=list, blank=True)
    # JSON {"headers": [...], "rows": [[row, [cells...], "原因"], ...]}, sealed (AES-GCM) like other personal data.
    failed_rows = EncryptedTextField(_("失败行"), purpose="core.importjob.failed_rows")
    message = models.CharField(_("说明"), max_length=500, blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def dry_run(self) -> bool:
        return bool(self.options.get("dry_run"))

    @property
    def strict(self) -> bool:
        return bool(self.options.get("strict"))

    @property
    def wrote_nothing(self) -> bool:
        """A finished job whose counts say what *would* have happened: a dry run, or strict with bad rows."""
        return self.dry_run or (self.strict and self.rejected > 0) or self.status == self.Status.FAILED

    @property
    def percent(self) -> int:
        """Validation fills the bar to 90%; the write is one transaction, so it shows as 95% until it commits."""
        if self.is_finished:
            return 100
        if self.stage == self.Stage.WRITING:
            return 95
        if not self.rows_total:
            return 0
        return min(90, int(90 * self.rows_done / self.rows_total))

    @property
    def errors_shown(self) -> list[dict[str, Any]]:
        return list(self.errors[:ERRORS_SHOWN])

    def failed_rows_data(self) -> dict[str, Any]:
        return json.loads(self.failed_rows) if self.failed_rows else {"headers": [], "rows": []}

    def record_result(self, result: Any) -> None:
        """The job finished: store an importer's result (counts, errors, ignored headers, what a dry run or a
        strict run left unwritten) and, sealed, its failed rows for the error report. Shared by every
        importer's task (enterprises, rosters…)."""
        message = ""
        if self.dry_run:
            message = str(_("仅预检：未写入任何数据"))
        elif self.strict and result.rejected:
            message = str(_("严格模式：存在无效行，未写入任何数据"))
        ImportJob.objects.filter(pk=self.pk).update(
            status=ImportJob.Status.DONE,
            stage=ImportJob.Stage.FINISHED,
            rows_total=result.rows,
            rows_done=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=result.rejected,
            errors=result.errors,
            ignored_headers=result.ignored_headers,
            message=message,
            finished_at=timezone.now(),
        )
        if result.failed:
            # EncryptedTextField seals on save; .update() would store the rows (ID numbers!) in clear.
            self.refresh_from_db()
            self.failed_rows = json.dumps(result.failed_rows_payload(), ensure_ascii=False)
            self.save(update_fields=["failed_rows"])


def import_jobs_for(user: Any, kind: str) -> QuerySet[ImportJob]:
    """The jobs a user may see: their own; the district admin sees all. (Others' jobs are a 404.)"""
    from fugong.accounts.roles import Role

    qs = ImportJob.objects.filter(kind=kind).select_related("created_by")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.role == Role.DISTRICT_ADMIN:
        return qs
    return qs.filter(created_by=user)
