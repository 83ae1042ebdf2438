"""The registry's Excel pages: upload and import job, error report, template download, export.

Thin: the importer (importers.py), the job runner (tasks.py) and the export (exports.py) do the work; each
page asks roles.can() for its action (403 otherwise), and a job is visible only to its creator and the
district admin (404 for anyone else, as for a missing job).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import roles
from fugong.core import audit, excel, scoping
from fugong.core.masking import mask_phone
from fugong.core.models_jobs import import_jobs_for

from . import exports, selectors, tasks

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MASKS = {"phone": mask_phone}


def _require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d_%H%M")


def _xlsx_response(write: Any, filename: str) -> FileResponse:
    """Write the workbook to a temporary file (xlsxwriter needs a seekable target) and stream it back."""
    spool = tempfile.TemporaryFile()  # FileResponse closes it
    write(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel或CSV文件"))
    dry_run = forms.BooleanField(label=gettext_lazy("仅预检（不写入）"), required=False)
    strict = forms.BooleanField(label=gettext_lazy("严格模式（任一行有错误则全部不写入）"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        ext = Path(upload.name or "").suffix.lower()
        if ext not in excel.ACCEPTED_EXTENSIONS:
            raise forms.ValidationError(_("请上传 .xlsx、.xls、.csv 或 .txt 文件"))
        if upload.size == 0:
            raise forms.ValidationError(_("文件是空的"))
        if upload.size > settings.FUGONG_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件过大：上限为 %(max).1f MB") % {"max": settings.FUGONG_MAX_UPLOAD_BYTES / 2**20}
            )
        return upload


@login_required
def enterprise_import(request: HttpRequest) -> HttpResponse:
    _require(request.user, roles.IMPORT_ENTERPRISES)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = tasks.start_import_job(
            request.user,
            form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
            strict=form.cleaned_data["strict"],
        )
        return redirect("enterprises:import_job", job_id=job.pk)
    jobs = import_jobs_for(request.user, tasks.KIND).filter(created_by_id=request.user.pk)[:10]
    return render(request, "enterprises/import.html", {"form": form, "jobs": jobs}, status=400 if form.errors else 200)


@login_required
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    # Polled every second: leave the sealed failed rows (megabytes for a bad file) in the database.
    job = scoping.get_in_scope(import_jobs_for(request.user, tasks.KIND).defer("failed_rows"), pk=job_id)
    context = {"job": job, "errors_more": max(len(job.errors) - len(job.errors_shown), 0)}
    if request.headers.get("HX-Request"):
        return render(request, "enterprises/import_job_status.html", context)
    return render(request, "enterprises/import_job.html", context)


@login_required
def import_errors(request: HttpRequest, job_id: int) -> HttpResponseBase:
    """The rows that failed, as uploaded (phones masked), with a 错误原因 column: fix them and upload again."""
    job = scoping.get_in_scope(import_jobs_for(request.user, tasks.KIND), pk=job_id)
    data = job.failed_rows_data()
    sensitive = {int(k): MASKS.get(v, mask_phone) for k, v in data.get("sensitive", {}).items()}
    headers = [*data["headers"], _("错误原因"), _("原行号")]

    def rows() -> Any:
        for number, cells, reasons in data["rows"]:
            shown = [sensitive[i](str(c)) if i in sensitive and c not in ("", None) else c for i, c in enumerate(cells)]
            yield [*shown, reasons, number]

    audit.log_access(
        request.user,
        "export",
        subject_type="core.importjob.errors",
        subject_id=str(job.pk),
        subject_repr=job.file_name[:200],
        fields=["contact_phone(masked)"],
        purpose=_("下载导入错误报告"),
        record_count=len(data["rows"]),
    )
    meta = excel.meta_for(
        request.user, title=_("导入错误报告：%(name)s") % {"name": job.file_name}, note=_("联系电话已脱敏")
    )
    return _xlsx_response(
        lambda out: excel.write_xlsx(out, headers, rows(), sheet_title=_("错误行"), meta=meta),
        _("导入错误报告_%(id)d.xlsx") % {"id": job.pk},
    )


@login_required
def import_template(request: HttpRequest) -> HttpResponseBase:
    _require(request.user, roles.IMPORT_ENTERPRISES)
    return _xlsx_response(exports.write_template, _("企业台账导入模板.xlsx"))


@login_required
def enterprise_export(request: HttpRequest) -> HttpResponseBase:
    _require(request.user, roles.EXPORT_ENTERPRISES)
    export = exports.EnterpriseExport(request.user, selectors.EnterpriseFilters.from_query(request.GET))
    meta = export.start()
    name = _("企业台账_%(stamp)s") % {"stamp": _stamp()}
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(export.iter_csv(meta), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.csv")
        return response
    return _xlsx_response(lambda out: export.write_xlsx(out, meta), f"{name}.xlsx")
