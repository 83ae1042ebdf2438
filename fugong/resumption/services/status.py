"""Enterprise status changes and daily figures.

`do_change_status` is the one writer of an enterprise's resumption status: it appends the dated StatusChange
(history is never rewritten: a change may not predate the last one) and sets the registry's current field
through enterprises.services.do_set_resumption_status. Filing an application calls it; so does marking an
enterprise 部分复工 / 停工 / 恢复生产 with a reason.

Daily reports (企业每日生产情况) are one row per enterprise and day, from the enterprise or its liaison, for a
day on which the enterprise was working.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.core import audit
from fugong.enterprises import services as enterprise_services
from fugong.enterprises.models import Enterprise, ResumptionStatus

from .. import history, permissions
from ..models import Application, DailyReport, StatusChange
from .common import ResumptionError, check_day, clean_text, figures_changed, require, require_in_scope

S = ResumptionStatus
# What may be marked by hand (with a reason), from which current status. Starting work the first time goes
# through an application and its filing, never through a mark.
MARKS: dict[str, frozenset[str]] = {
    S.PARTIAL: frozenset({S.RESUMED, S.SUSPENDED}),
    S.SUSPENDED: frozenset({S.RESUMED, S.PARTIAL}),
    S.RESUMED: frozenset({S.PARTIAL, S.SUSPENDED}),
}
MARK_LABELS: dict[str, Any] = {
    S.PARTIAL: gettext_lazy("部分复工"),
    S.SUSPENDED: gettext_lazy("停工"),
    S.RESUMED: gettext_lazy("恢复全面生产"),
}


def last_change(enterprise: Enterprise) -> StatusChange | None:
    return StatusChange.objects.filter(enterprise=enterprise).order_by("-effective_on", "-id").first()


def check_status_date(enterprise: Enterprise, on: dt.date, field: str = "on") -> None:
    """History is appended, never rewritten: a change cannot take effect before the last recorded one."""
    last = last_change(enterprise)
    if last is not None and on < last.effective_on:
        raise ResumptionError(
            {
                field: _("生效日期不能早于上一次状态变更（%(d)s，%(s)s）")
                % {"d": last.effective_on, "s": last.get_to_status_display()}
            }
        )


@transaction.atomic
def do_change_status(
    actor: Any,
    enterprise: Enterprise,
    to_status: str,
    on: dt.date,
    reason: str,
    application: Application | None = None,
    at: Any = None,
) -> StatusChange:
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    change = StatusChange.objects.create(
        enterprise=locked,
        from_status=locked.status,
        to_status=to_status,
        effective_on=on,
        reason=reason,
        application=application,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=audit._actor_label(actor),
        recorded_at=at or timezone.now(),
    )
    enterprise_services.do_set_resumption_status(actor, locked, to_status, on, reason)
    for key in ("status", "resumed_on", "version", "updated_at"):
        setattr(enterprise, key, getattr(locked, key))
    figures_changed(on, actor)
    return change


def check_mark_status(actor: Any, enterprise: Enterprise, to_status: str, on: Any, reason: str) -> StatusChange:
    require(actor, permissions.MARK_STATUS)
    require_in_scope(actor, enterprise)
    if to_status not in MARKS:
        raise ResumptionError({"to_status": _("请选择部分复工、停工或恢复全面生产")})
    if enterprise.status not in MARKS[to_status]:
        if enterprise.status == S.NOT_RESUMED:
            message = _("该企业尚未复工：首次复工须经复工申请、现场核查和备案")
        else:
            message = _("企业当前为“%(s)s”，不能标记为“%(t)s”") % {
                "s": enterprise.get_status_display(),
                "t": MARK_LABELS[to_status],
            }
        raise ResumptionError({"to_status": message})
    day = check_day(on, "on", _("生效日期"))
    check_status_date(enterprise, day)
    reason = clean_text(reason, "reason", _("原因"), required=True, max_length=300)
    return do_change_status(actor, enterprise, to_status, day, reason)


# --- daily figures ------------------------------------------------------------------------------------
@dataclass
class ReportData:
    day: dt.date | None
    registered: int | None
    on_duty: int | None
    daily_output: int | None = None
    normal_output: int | None = None
    output_unit: str = ""
    capacity_percent: Decimal | None = None  # typed when there is no output to divide
    orders_on_hand: int | None = None
    note: str = ""


REPORT_FIELDS = (
    "registered",
    "on_duty",
    "daily_output",
    "normal_output",
    "output_unit",
    "capacity_rate",
    "orders_on_hand",
    "note",
)
RATE = Decimal("0.0001")


def _count(value: Any, field: str, label: str, high: int, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            raise ResumptionError({field: _("请填写%(label)s") % {"label": label}})
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ResumptionError({field: _("%(label)s须为整数") % {"label": label}}) from None
    if not 0 <= number <= high:
        raise ResumptionError({field: _("%(label)s应在0到%(high)d之间") % {"label": label, "high": high}})
    return number


def clean_report(enterprise: Enterprise, data: ReportData) -> dict[str, Any]:
    day = check_day(data.day, "day", _("日期"))
    registered = _count(data.registered, "registered", _("在册职工"), 1_000_000, required=True)
    on_duty = _count(data.on_duty, "on_duty", _("到岗人数"), 1_000_000, required=True)
    if registered == 0:
        raise ResumptionError({"registered": _("在册职工不能为0")})
    if on_duty is not None and registered is not None and on_duty > registered:
        raise ResumptionError({"on_duty": _("到岗人数不能多于在册职工")})
    output = _count(data.daily_output, "daily_output", _("日产量"), 10**9)
    normal = _count(data.normal_output, "normal_output", _("正常日产能"), 10**9)
    if normal == 0:
        raise ResumptionError({"normal_output": _("正常日产能不能为0")})
    if output is not None and normal is not None:
        computed = (Decimal(output) / Decimal(normal)).quantize(RATE, ROUND_HALF_UP)
        if computed > Decimal("9.9999"):
            raise ResumptionError({"daily_output": _("日产量与正常日产能相差过大，请核对")})
        rate: Decimal | None = computed
    elif data.capacity_percent is not None:
        percent = Decimal(data.capacity_percent)
        if not Decimal(0) <= percent <= Decimal(300):
            raise ResumptionError({"capacity_percent": _("产能恢复率应在0%到300%之间")})
        rate = (percent / 100).quantize(RATE, ROUND_HALF_UP)
    else:
        rate = None
    status = next(history.statuses_on(Enterprise.objects.filter(pk=enterprise.pk), day))[1]
    if status not in history.WORKING:
        raise ResumptionError({"day": _("企业在%(d)s未处于复工状态，无需报送生产情况") % {"d": day.isoformat()}})
    return {
        "day": day,
        "registered": registered,
        "on_duty": on_duty,
        "daily_output": output,
        "normal_output": normal,
        "output_unit": clean_text(data.output_unit, "output_unit", _("计量单位"), max_length=10),
        "capacity_rate": rate,
        "orders_on_hand": _count(data.orders_on_hand, "orders_on_hand", _("在手订单"), 10**9),
        "note": clean_text(data.note, "note", _("备注"), max_length=300),
    }


def check_report(actor: Any, enterprise: Enterprise, data: ReportData) -> tuple[DailyReport, bool]:
    require(actor, permissions.REPORT)
    require_in_scope(actor, enterprise)
    return do_report(actor, enterprise, clean_report(enterprise, data))


@transaction.atomic
def do_report(actor: Any, enterprise: Enterprise, values: dict[str, Any]) -> tuple[DailyReport, bool]:
    """Create or correct the day's report; returns (report, created). A correction is audited field by field."""
    day = values["day"]
    report = DailyReport.objects.select_for_update().filter(enterprise=enterprise, day=day).first()
    before = audit.snapshot(report, REPORT_FIELDS) if report else {}
    created = report is None
    if report is None:
        report = DailyReport(enterprise=enterprise, day=day)
    for key in REPORT_FIELDS:
        setattr(report, key, values[key])
    report.reported_by = actor if getattr(actor, "pk", None) else None
    report.reported_at = timezone.now()
    changes = audit.diff(before, audit.snapshot(report, REPORT_FIELDS))
    if not changes:
        return report, False
    report.save()
    audit.record(
        actor,
        "resumption.report.create" if created else "resumption.report.update",
        report,
        object_repr=f"{enterprise.name} {day.isoformat()}",
        changes=changes,
    )
    figures_changed(day, actor, until=day)  # a report changes its own day only
    return report, created
