import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles

from . import audit, excel, selectors
from .home import build as build_home
from .models import AccessLog


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # What each role sees is decided in core/home.py.
    return render(request, "core/home.html", build_home(request.user, timezone.localdate()))


# --- 操作日志 / 个人信息访问日志 (roles.VIEW_AUDIT: district admin and auditor) -----------------------
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _log_xlsx(
    request: HttpRequest, *, title: str, subject_type: str, columns: Any, rows: Any, qs: Any, described: str
) -> HttpResponse:
    """The filtered log as .xlsx (core.excel: exporter named, formula-like text neutralised); the export is
    itself written to the access log."""
    total = qs.count()
    note = described
    if total > selectors.EXPORT_ROW_LIMIT:
        note += "；" + _("仅导出前 %(n)d 条，请缩小筛选范围后分批导出") % {"n": selectors.EXPORT_ROW_LIMIT}
    meta = excel.meta_for(request.user, title, note)
    output = io.BytesIO()
    count = excel.write_xlsx(output, [str(c) for c in columns], rows, sheet_title=title, meta=meta)
    audit.log_access(
        request.user,
        AccessLog.Kind.EXPORT,
        subject_type=subject_type,
        subject_repr=f"{title}（{described}）",
        fields=[str(c) for c in columns],
        purpose=_("审计导出"),
        record_count=count,
    )
    response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
    filename = f"{subject_type.replace('.', '-')}-{meta.exported_at:%Y%m%d-%H%M%S}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _page(request: HttpRequest, qs: Any) -> Any:
    # get_page turns a missing, non-numeric or too-large page number into a valid page, never an error.
    return Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not roles.can(request.user, roles.VIEW_AUDIT):
        raise PermissionDenied
    filters = selectors.AuditFilters.from_query(request.GET)
    qs = selectors.audit_log_for_user(request.user, filters)
    if request.GET.get("format") == "xlsx":
        return _log_xlsx(
            request,
            title=_("操作日志"),
            subject_type="core.auditlog",
            columns=selectors.AUDIT_COLUMNS,
            rows=selectors.audit_export_rows(qs),
            qs=qs,
            described=filters.describe(),
        )
    page = _page(request, qs)
    rows = [(row, selectors.change_lines(row.object_type, row.changes)) for row in page]
    return render(request, "core/audit_log.html", {"filters": filters, "page": page, "rows": rows})


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    if not roles.can(request.user, roles.VIEW_AUDIT):
        raise PermissionDenied
    filters = selectors.AccessFilters.from_query(request.GET)
    qs = selectors.access_log_for_user(request.user, filters)
    if request.GET.get("format") == "xlsx":
        return _log_xlsx(
            request,
            title=_("个人信息访问日志"),
            subject_type="core.accesslog",
            columns=selectors.ACCESS_COLUMNS,
            rows=selectors.access_export_rows(qs),
            qs=qs,
            described=filters.describe(),
        )
    page = _page(request, qs)
    return render(
        request,
        "core/audit_access_log.html",
        {"filters": filters, "page": page, "kinds": AccessLog.Kind.choices},
    )
