"""The roster export (员工花名册导出).

Masked by default: name 张*, ID 431003********123X, phone 138****1234, and no birth date (with the masked ID
it would rebuild the whole number). Full values only when the exporter's role may reveal personal data *and*
a purpose was stated; either way the export is written to the access log (who, which enterprise, how many
records, which fields, the purpose) and the file itself names who exported it and when (excel.meta_for).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fugong.accounts import roles
from fugong.core import audit, excel
from fugong.enterprises.models import Enterprise
from fugong.screening.wording import in_reader_language

from . import selectors
from .models import Employee

CHUNK = 2000
FILTER_LABELS = {
    "batch": gettext_lazy("批次"),
    "resident": gettext_lazy("常住人口"),
    "workshop": gettext_lazy("车间/部门"),
    "shift": gettext_lazy("班次"),
    "clearance": gettext_lazy("上岗状态"),
    "q": gettext_lazy("姓名或身份证号码"),
}
MASKED_FIELDS = ["name(masked)", "id_number(masked)", "phone(masked)"]
REVEALED_FIELDS = ["name", "id_number", "phone", "birth_date"]


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


class RosterExport:
    """One enterprise's roster as the user sees it on the roster page (scope + filters), as .xlsx."""

    def __init__(self, user: Any, enterprise: Enterprise, filters: selectors.RosterFilters, purpose: str = "") -> None:
        self.user = user
        self.enterprise = enterprise
        self.filters = filters
        self.purpose = (purpose or "").strip()
        # Both conditions, always: a purpose typed by a role that may not reveal still gets a masked file.
        self.reveal = bool(self.purpose) and roles.can(user, roles.REVEAL_PERSONAL_DATA)

    def queryset(self) -> QuerySet[Employee]:
        qs = selectors.roster_for_user(self.user, self.enterprise.pk, self.filters)
        return qs.defer("commute_route").order_by("batch__number", "id")

    def describe_filters(self) -> str:
        parts = []
        for name, label in FILTER_LABELS.items():
            value = getattr(self.filters, name)
            if value in ("", None):
                continue
            if name == "q" and not self.reveal:
                value = "***"  # the search may be an ID number: not in a masked file
            parts.append(f"{label}={_yes_no(value) if isinstance(value, bool) else value}")
        return pgettext("between the filters named in an export", "，").join(parts) or _("无（全部员工）")

    def headers(self) -> list[str]:
        heads = [_("姓名"), _("身份证号码"), _("性别")]
        if self.reveal:
            heads.append(_("出生日期"))
        heads += [
            _("手机号码"),
            _("常住人口"),
            _("入企批次"),
            _("车间/部门"),
            _("岗位"),
            _("班次（错时上班）"),
            _("就餐分区"),
            _("宿舍房间"),
            _("返岗出发地区划代码"),
            _("返岗出发地"),
            _("返岗日期"),
            _("交通方式"),
            _("车次/航班/车牌"),
            _("入职日期"),
            _("社保缴纳起始"),
            _("首次在本区就业"),
            _("引进批次"),
            _("防疫培训日期"),
            _("上岗状态"),
            _("状态原因"),
            _("隔离/观察截止"),
        ]
        return heads

    def row(self, e: Employee) -> list[Any]:
        if self.reveal:
            values: list[Any] = [e.name, e.id_number, e.get_gender_display(), e.birth_date, e.phone]
        else:
            values = [e.name_masked, e.id_number_masked, e.get_gender_display(), e.phone_masked]
        return [
            *values,
            _yes_no(e.resident),
            e.batch.number if e.batch else None,
            e.workshop,
            e.position,
            e.shift,
            e.dining_zone,
            e.dormitory_room,
            e.returned_from_code,
            e.returned_from_name,
            e.returned_on,
            e.get_transport_display() if e.transport else "",
            e.transport_no,
            e.employment_start,
            e.social_insurance_since,
            _yes_no(e.first_job_in_district),
            e.introduction_batch,
            e.training_attended_on,
            e.get_clearance_display(),
            in_reader_language(e.clearance_reason),  # stored in Chinese; the file speaks the exporter's language
            e.clearance_until,
        ]

    def rows(self) -> Iterator[list[Any]]:
        for e in self.queryset().iterator(chunk_size=CHUNK):
            yield self.row(e)

    def start(self) -> excel.ExportMeta:
        """Count, log the export in the access log (PIPL Art. 51), and return the file's export information."""
        count = self.queryset().count()
        described = self.describe_filters()
        if self.reveal:
            fields, purpose = REVEALED_FIELDS, self.purpose
            note = _("含完整姓名、身份证号码和手机号码；导出用途：%(p)s；筛选条件：%(f)s") % {
                "p": self.purpose,
                "f": described,
            }
        else:
            fields = MASKED_FIELDS
            purpose = _("导出员工花名册（脱敏）；筛选条件：%(f)s") % {"f": described}
            note = _("姓名、身份证号码、手机号码已脱敏；筛选条件：%(f)s") % {"f": described}
        audit.log_access(
            self.user,
            "export",
            subject_type="workforce.roster",
            subject_id=str(self.enterprise.pk),
            subject_repr=self.enterprise.name,
            fields=fields,
            purpose=purpose,
            record_count=count,
        )
        title = _("员工花名册：%(name)s") % {"name": self.enterprise.name}
        return excel.meta_for(self.user, title=title, note=note)

    def write_xlsx(self, target: Any, meta: excel.ExportMeta) -> int:
        return excel.write_xlsx(target, self.headers(), self.rows(), sheet_title=_("员工花名册"), meta=meta)
