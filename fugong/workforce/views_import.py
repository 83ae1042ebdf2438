"""The roster import pages: upload (with the enterprise), the import job, its error report, the template.

Thin: the importer (importers.py) and the job runner (tasks.py) do the work. Each page asks roles.can() for
IMPORT_EMPLOYEES (403 otherwise); the enterprise must be in the user's scope (404 otherwise, exactly as for a
missing one); a job is visible only to its creator and the district admin (404 for anyone else).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import roles
from fugong.accounts.models import User
from fugong.accounts.roles import Role
from fugong.core import audit, excel, scoping
from fugong.core.models_jobs import import_jobs_for
from fugong.enterprises import selectors as enterprise_selectors
from fugong.enterprises.models import Enterprise

from . import roster_rows, roster_template, tasks

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 10


def _me(request: HttpRequest) -> User:
    # Only called behind login_required, where request.user is a real account.
    return cast(User, request.user)


def _require(user: Any, action: str) -> None:
    if not roles.can(user, action):
        raise PermissionDenied


def _xlsx_response(write: Any, filename: str) -> FileResponse:
    """Write the workbook to a temporary file (xlsxwriter needs a seekable target) and stream it back."""
    spool = tempfile.TemporaryFile()  # FileResponse closes it
    write(spool)
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["Cache-Control"] = "no-store"
    return response


class RosterUploadForm(forms.Form):
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


def _chosen_enterprise(request: HttpRequest) -> Enterprise | None:
    """The enterprise named by ?enterprise= or the form (an enterprise admin's own when none is named).
    Out of scope is a 404, like a missing one; a value that is not a number is no choice at all."""
    user = _me(request)
    raw = (request.POST.get("enterprise") or request.GET.get("enterprise") or "").strip()
    if not raw and user.role == Role.ENTERPRISE and user.enterprise_id:
        raw = str(user.enterprise_id)
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(_("企业不存在或无权访问"))
    try:
        return enterprise_selectors.get_enterprise_for_user(user, int(raw))
    except Http404:
        raise Http404(_("企业不存在或无权访问")) from None


@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    _require(user, roles.IMPORT_EMPLOYEES)
    enterprise = _chosen_enterprise(request)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if enterprise is None:
            form.add_error(None, _("请选择要导入的企业"))
        else:
            job = tasks.start_import_job(
                user,
                enterprise,
                form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                strict=form.cleaned_data["strict"],
            )
            return redirect("workforce:import_job", job_id=job.pk)
    fixed = user.role == Role.ENTERPRISE
    context = {
        "form": form,
        "enterprise": enterprise,
        "fixed": fixed,
        # Only names and ids, for the select: a district has hundreds of enterprises.
        "choices": [] if fixed else scoping.enterprises_for(user).order_by("name").values_list("id", "name"),
        "jobs": import_jobs_for(user, tasks.KIND).filter(created_by=user)[:RECENT_JOBS],
        "columns": roster_rows.COLUMNS,
    }
    return render(request, "workforce/import.html", context, status=400 if form.errors else 200)


def _job(request: HttpRequest, job_id: int) -> Any:
    return scoping.get_in_scope(import_jobs_for(request.user, tasks.KIND), pk=job_id)


@login_required
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    # The enterprise's name and batch summary link, if the viewer still sees it.
    enterprise = scoping.enterprises_for(request.user).filter(pk=job.options.get("enterprise")).first()
    context = {
        "job": job,
        "enterprise": enterprise,
        "errors_more": max(len(job.errors) - len(job.errors_shown), 0),
    }
    if request.headers.get("HX-Request"):
        return render(request, "workforce/import_job_status.html", context)
    return render(request, "workforce/import_job.html", context)


@login_required
def import_errors(request: HttpRequest, job_id: int) -> FileResponse:
    """The rows that failed, as uploaded, with a 错误原因 column. They hold the ID and phone numbers the
    uploader supplied, so they are given back as they came — and the download is logged as an export."""
    job = _job(request, job_id)
    data = job.failed_rows_data()
    sensitive = sorted(set(data.get("sensitive", {}).values()))
    audit.log_access(
        request.user,
        "export",
        subject_type="workforce.import_errors",
        subject_id=str(job.pk),
        subject_repr=job.file_name[:200],
        fields=sensitive,
        purpose=_("下载花名册导入错误报告"),
        record_count=len(data["rows"]),
    )
    meta = excel.meta_for(
        request.user,
        title=_("花名册导入错误报告：%(name)s") % {"name": job.file_name},
        note=_("含上传人提供的身份证号码和手机号码，仅用于改正后重新导入，用后请删除"),
    )
    headers = [*data["headers"], _("错误原因"), _("原行号")]
    return _xlsx_response(
        lambda out: excel.write_xlsx(
            out, headers, roster_template.error_report_rows(data), sheet_title=_("错误行"), meta=meta
        ),
        _("花名册导入错误报告_%(id)d.xlsx") % {"id": job.pk},
    )


@login_required
def import_template(request: HttpRequest) -> FileResponse:
    _require(request.user, roles.IMPORT_EMPLOYEES)
    return _xlsx_response(roster_template.write_template, _("员工花名册导入模板.xlsx"))
