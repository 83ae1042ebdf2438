"""The roster import's background work: an ImportJob run inline or by the task worker.

The upload page stores the file under MEDIA_ROOT/imports/ with a random name and creates the ImportJob
(options: dry_run, strict, enterprise); small files (< importers.INLINE_MAX_ROWS rows) run in the request,
larger ones are enqueued for `manage.py db_worker`, and the job page polls the row for progress. The file is
deleted when the job ends, whatever the outcome.

Progress during the import's transaction: on PostgreSQL it is written through a second connection (in its
own autocommit), so the job page sees the bar move while the rows go in; SQLite has one writer at a time, so
there the bar moves while rows are validated outside a transaction (dry runs) and jumps at the end otherwise.
"""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fugong.core import excel, scoping
from fugong.core.context import RequestInfo, current_request
from fugong.core.models_jobs import ImportJob
from fugong.enterprises.models import Enterprise

from . import importers, wording
from .records import ConcurrentEditError

logger = logging.getLogger(__name__)
KIND = importers.EmployeeImporter.kind
UPLOAD_DIR = "imports"
PROGRESS_EVERY_S = 0.5


def start_import_job(
    user: Any, enterprise: Enterprise, upload: UploadedFile, *, dry_run: bool, strict: bool
) -> ImportJob:
    """Store the upload, create its job, and run it now (small file) or enqueue it (large file)."""
    original = Path(upload.name or "upload").name[:255]
    suffix = Path(original).suffix.lower()[:10]
    stored = default_storage.save(f"{UPLOAD_DIR}/{secrets.token_hex(16)}{suffix}", upload)
    job = ImportJob.objects.create(
        kind=KIND,
        created_by=user,
        file_name=original,
        stored_file=stored,
        options={"dry_run": bool(dry_run), "strict": bool(strict), "enterprise": enterprise.pk},
    )
    try:
        # The header and the row count: cheap next to validating and writing every row.
        total = importers.open_roster(default_storage.path(stored), original).total
    except excel.UnreadableFile as exc:
        _finish_failed(job, exc.message)
        return job
    ImportJob.objects.filter(pk=job.pk).update(rows_total=total)
    if total < importers.INLINE_MAX_ROWS:
        run_import_job(job.pk)
    else:
        result = run_import_job_task.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def run_import_job(job_id: int) -> ImportJob:
    """Run one queued job to its end (done or failed) and delete its file. Never raises for bad input."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job  # already taken by another worker, or finished
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return job
    progress = _ProgressWriter(job.pk)
    try:
        if job.created_by is None:  # the uploader's account is gone: never fall back to the system's scope
            _finish_failed(job, _("导入人账号已不存在，未写入任何数据"))
            return job
        # The enterprise as the uploader sees it today: out of scope now means not found, as on the page.
        enterprise = scoping.get_in_scope(scoping.enterprises_for(job.created_by), pk=job.options.get("enterprise"))
        importer = importers.EmployeeImporter(
            job.created_by,
            enterprise,
            dry_run=job.dry_run,
            strict=job.strict,
            progress=progress,
            note=wording.ROSTER_IMPORT % {"id": job.pk, "name": job.file_name},  # stored in Chinese
        )
        result = importer.run(default_storage.path(job.stored_file), job.file_name)
    except excel.UnreadableFile as exc:
        _finish_failed(job, exc.message)
    except Http404:
        _finish_failed(job, _("企业不存在或无权访问，未写入任何数据"))
    except PermissionDenied:
        _finish_failed(job, _("您没有导入员工花名册的权限，未写入任何数据"))
    except ConcurrentEditError:
        _finish_failed(job, _("导入期间有员工档案被他人修改，未写入任何数据，请重新导入"))
    except Exception:
        # The reason goes to the server log (no cell values in it), the clerk gets a clear outcome.
        logger.exception("roster import job %s failed", job.pk)
        _finish_failed(job, _("导入失败：系统错误，未写入任何数据。请联系管理员"))
    else:
        job.record_result(result)
    finally:
        progress.close()
        _delete_upload(job)
    job.refresh_from_db()
    return job


@task()
def run_import_job_task(job_id: int) -> None:
    token = current_request.set(RequestInfo(via="task"))
    try:
        run_import_job(job_id)
    finally:
        current_request.reset(token)


class _ProgressWriter:
    """Writes the job's stage and counts at most every PROGRESS_EVERY_S seconds (and at each stage change)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0
        self.stage = ""
        self.side: Any = None
        if connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == ImportJob.Stage.FINISHED:
            return  # the job's outcome is written once, with everything else
        now = time.monotonic()
        if stage == self.stage and now - self.last < PROGRESS_EVERY_S:
            return
        self.stage, self.last = stage, now
        values = {"stage": stage, "rows_done": done, "rows_total": total}
        if self.side is not None:
            try:
                with self.side.cursor() as cursor:
                    # Best effort: a progress bar is never worth waiting on a lock for.
                    cursor.execute("SET lock_timeout = '500ms'")
                    cursor.execute(
                        "UPDATE core_importjob SET stage = %s, rows_done = %s, rows_total = %s WHERE id = %s",
                        [stage, done, total, self.job_id],
                    )
            except DatabaseError:
                logger.warning("progress of roster import job %s not written", self.job_id)
        elif not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id).update(**values)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _finish_failed(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED,
        stage=ImportJob.Stage.FINISHED,
        message=message[:500],
        finished_at=timezone.now(),
    )
    _delete_upload(job)


def _delete_upload(job: ImportJob) -> None:
    if job.stored_file:
        try:
            default_storage.delete(job.stored_file)
        except OSError:
            logger.warning("could not delete upload of roster import job %s", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(stored_file="")
        job.stored_file = ""
