"""The registry's background work: the Excel import as an ImportJob, run inline or by the task worker.

The upload page stores the file under MEDIA_ROOT/imports/ with a random name and creates the ImportJob;
small files (< importers.INLINE_MAX_ROWS rows) run in the request, larger ones are enqueued for
`manage.py db_worker`, and the job page polls the row for progress. The file is deleted when the job ends,
whatever the outcome.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from fugong.core import excel
from fugong.core.context import RequestInfo, current_request
from fugong.core.models_jobs import ImportJob

from . import importers, services, wording

logger = logging.getLogger(__name__)
KIND = importers.EnterpriseImporter.kind
UPLOAD_DIR = "imports"


def start_import_job(user: Any, upload: UploadedFile, *, dry_run: bool, strict: bool) -> ImportJob:
    """Store the upload, create its job, and run it now (small file) or enqueue it (large file)."""
    original = Path(upload.name or "upload").name[:255]
    suffix = Path(original).suffix.lower()[:10]
    stored = default_storage.save(f"{UPLOAD_DIR}/{secrets.token_hex(16)}{suffix}", upload)
    job = ImportJob.objects.create(
        kind=KIND,
        created_by=user,
        file_name=original,
        stored_file=stored,
        options={"dry_run": bool(dry_run), "strict": bool(strict)},
    )
    try:
        # Reading the header and the sheet size is cheap next to validating and writing every row.
        table = excel.read_table(default_storage.path(stored), original, importers.SPEC)
    except excel.UnreadableFile as exc:
        _finish_failed(job, exc.message)
        return job
    ImportJob.objects.filter(pk=job.pk).update(rows_total=table.total_rows)
    if table.total_rows < importers.INLINE_MAX_ROWS:
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
    try:
        if job.created_by is None:  # the uploader's account is gone: never fall back to the system's scope
            _finish_failed(job, _("导入人账号已不存在，未写入任何数据"))
            return job
        importer = importers.EnterpriseImporter(
            job.created_by,
            dry_run=job.dry_run,
            strict=job.strict,
            progress=_progress_writer(job.pk),
            note=wording.EXCEL_IMPORT % {"id": job.pk, "name": job.file_name},  # stored in Chinese
        )
        result = importer.run(default_storage.path(job.stored_file), job.file_name)
    except excel.UnreadableFile as exc:
        _finish_failed(job, exc.message)
    except PermissionDenied:
        _finish_failed(job, _("您没有导入企业台账的权限，未写入任何数据"))
    except services.ConcurrentEditError:
        _finish_failed(job, _("导入期间有企业被他人修改，未写入任何数据，请重新导入"))
    except Exception:
        # The reason goes to the server log (no cell values in it), the clerk gets a clear outcome.
        logger.exception("import job %s failed", job.pk)
        _finish_failed(job, _("导入失败：系统错误，未写入任何数据。请联系管理员"))
    else:
        job.record_result(result)
    finally:
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


def _progress_writer(job_id: int) -> importers.Progress:
    def write(stage: str, done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(stage=stage, rows_done=done, rows_total=total)

    return write


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
            logger.warning("could not delete upload of import job %s", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(stored_file="")
        job.stored_file = ""
