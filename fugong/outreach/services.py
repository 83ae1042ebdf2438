"""Every write of the outreach teams' plans and visits, the plan rule and the TCM decoction batches.

`check_*` validates (OutreachValidationError, a message per field) and calls `do_*`, which runs in one
transaction and writes the audit row. The caller has fetched teams, enterprises and batches through scoped
selectors already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.core import audit, scoping
from fugong.enterprises.models import Enterprise

from . import permissions as perms
from .models import (
    MaterialHandout,
    MaterialKind,
    OutreachRule,
    OutreachTeam,
    OutreachVisit,
    PlanEntry,
    TcmBatch,
    TcmDelivery,
    Topic,
)
from .rules import rule_on

EARLIEST = dt.date(2020, 1, 1)
MAX_COUNT = 100_000  # materials of one kind on one visit, attendees, doses: a typo guard, not a policy


class OutreachValidationError(Exception):
    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def _require(actor: Any, action: str) -> None:
    if not roles.can(actor, action):
        raise PermissionDenied


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _date_error(value: Any, today: dt.date, label: str) -> str:
    if not isinstance(value, dt.date):
        return _("请填写%(label)s") % {"label": label}
    if value > today:
        return _("%(label)s不能晚于今天") % {"label": label}
    if value < EARLIEST:
        return _("%(label)s不能早于2020年1月1日") % {"label": label}
    return ""


def _count_error(value: Any, label: str, minimum: int = 0) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= MAX_COUNT:
        return _("%(label)s应为%(min)d至%(max)d之间的整数") % {"label": label, "min": minimum, "max": MAX_COUNT}
    return ""


def in_jurisdiction(team: OutreachTeam, enterprise: Enterprise) -> bool:
    return Enterprise.objects.filter(scoping.jurisdiction_q(team.level, team.town_id), pk=enterprise.pk).exists()


# --- visits ------------------------------------------------------------------------------------------


def clean_visit(team: OutreachTeam, enterprise: Enterprise, data: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not in_jurisdiction(team, enterprise):
        errors["enterprise"] = _("%(e)s不在%(team)s的走访范围内") % {"e": enterprise, "team": team}
    problem = _date_error(data.get("visited_on"), today, _("走访日期"))
    if problem:
        errors["visited_on"] = problem
    topics = [t for t in Topic.values if t in set(data.get("topics") or ())]
    if not topics:
        errors["topics"] = _("请至少选择一项宣讲内容")
    unknown = set(data.get("topics") or ()) - set(Topic.values)
    if unknown:
        errors["topics"] = _("不是可选的宣讲内容：%(v)s") % {"v": "、".join(sorted(map(str, unknown)))[:60]}
    attendees = data.get("attendees", 0)
    problem = _count_error(attendees, _("听讲人数"))
    if problem:
        errors["attendees"] = problem
    materials: dict[str, int] = {}
    for kind, count in (data.get("materials") or {}).items():
        if kind not in MaterialKind.values:
            errors["materials"] = _("不是可选的资料类型：%(v)s") % {"v": str(kind)[:20]}
            continue
        problem = _count_error(count, str(MaterialKind(kind).label))
        if problem:
            errors[f"material_{kind}"] = problem
        elif count:
            materials[kind] = count
    if errors:
        raise OutreachValidationError(errors)
    return {
        "visited_on": data["visited_on"],
        "topics": topics,
        "attendees": attendees,
        "speakers": str(data.get("speakers") or "").strip()[:120],
        "note": str(data.get("note") or "").strip()[:300],
        "materials": materials,
    }


@transaction.atomic
def do_record_visit(actor: Any, team: OutreachTeam, enterprise: Enterprise, data: Mapping[str, Any]) -> OutreachVisit:
    fields = {k: v for k, v in data.items() if k != "materials"}
    visit = OutreachVisit.objects.create(team=team, enterprise=enterprise, recorded_by=_user(actor), **fields)
    MaterialHandout.objects.bulk_create(
        MaterialHandout(visit=visit, kind=kind, count=count) for kind, count in data.get("materials", {}).items()
    )
    audit.record(
        actor,
        "outreach.visit.create",
        visit,
        changes={
            "team": [None, team.name],
            "enterprise": [None, enterprise.name],
            "visited_on": [None, visit.visited_on.isoformat()],
            "topics": [None, visit.topics],
            "attendees": [None, visit.attendees],
            "materials": [None, dict(data.get("materials", {}))],
        },
    )
    return visit


def check_record_visit(
    actor: Any, team: OutreachTeam, enterprise: Enterprise, data: Mapping[str, Any]
) -> OutreachVisit:
    _require(actor, perms.LOG_VISIT)
    return do_record_visit(actor, team, enterprise, clean_visit(team, enterprise, data, timezone.localdate()))


# --- the visit plan ------------------------------------------------------------------------------------


def plan_days_for(start: dt.date) -> int:
    return rule_on(start).plan_days


def schedule(targets: list[int], start: dt.date, days: int) -> list[tuple[int, dt.date]]:
    """Spread `targets` evenly over `days` days from `start` (the same number each day, give or take one),
    so every target falls within the window."""
    if not targets:
        return []
    days = max(days, 1)
    # Spread the remainder: the first days take one more, none takes more than per_day.
    base, extra = divmod(len(targets), days)
    out: list[tuple[int, dt.date]] = []
    i = 0
    for d in range(days):
        n = base + (1 if d < extra else 0)
        for target in targets[i : i + n]:
            out.append((target, start + dt.timedelta(days=d)))
        i += n
    return out


@transaction.atomic
def do_generate_plan(actor: Any, team: OutreachTeam, start: dt.date, days: int) -> int:
    """Plan every target of the team not yet visited by it within `days` days from `start`, by town and name.
    Entries from `start` on are replaced (a plan is a forecast); earlier ones stay as the record of what was
    planned."""
    visited = OutreachVisit.objects.filter(team=team).values("enterprise_id")
    targets = list(
        Enterprise.objects.filter(scoping.jurisdiction_q(team.level, team.town_id))
        .exclude(pk__in=visited)
        .order_by("town__sort", "town_id", "name", "id")
        .values_list("pk", flat=True)
    )
    removed, _per_model = PlanEntry.objects.filter(team=team, planned_on__gte=start).delete()
    entries = [PlanEntry(team=team, enterprise_id=pk, planned_on=day) for pk, day in schedule(targets, start, days)]
    PlanEntry.objects.bulk_create(entries, batch_size=500)
    audit.record(
        actor,
        "outreach.plan.generate",
        team,
        changes={"start": [None, start.isoformat()], "days": [None, days], "planned": [removed, len(entries)]},
    )
    return len(entries)


def check_generate_plan(actor: Any, team: OutreachTeam, start: Any) -> int:
    _require(actor, perms.PLAN)
    if not isinstance(start, dt.date):
        raise OutreachValidationError({"start": _("请填写计划开始日期")})
    if start < EARLIEST or start > timezone.localdate() + dt.timedelta(days=366):
        raise OutreachValidationError({"start": _("计划开始日期应在2020年1月1日至一年后之间")})
    return do_generate_plan(actor, team, start, plan_days_for(start))


# --- the plan rule (rules as data) ---------------------------------------------------------------------

RULE_FIELDS = ("effective_from", "plan_days", "source", "note")


@transaction.atomic
def do_add_rule(actor: Any, data: Mapping[str, Any]) -> OutreachRule:
    rule = OutreachRule.objects.create(created_by=_user(actor), **data)
    audit.record(actor, "outreach.rule.create", rule, changes=audit.diff({}, audit.snapshot(rule, RULE_FIELDS)))
    return rule


def validate_rule(data: Mapping[str, Any]) -> dict[str, Any]:
    """A new version from a date on; history is never rewritten (today or later, after every version)."""
    out = {k: data.get(k) for k in RULE_FIELDS}
    errors: dict[str, str] = {}
    day = out["effective_from"]
    latest = OutreachRule.objects.order_by("-effective_from").values_list("effective_from", flat=True).first()
    if not isinstance(day, dt.date):
        errors["effective_from"] = _("请填写生效日期")
    elif day < timezone.localdate():
        errors["effective_from"] = _("生效日期不能早于今天：已经执行的规则不能改写")
    elif latest is not None and day <= latest:
        errors["effective_from"] = _("生效日期须晚于现行版本（%(d)s）") % {"d": latest}
    if not isinstance(out["plan_days"], int) or not 1 <= out["plan_days"] <= 90:
        errors["plan_days"] = _("走访计划周期应为1至90天")
    out["source"] = str(out["source"] or "").strip()
    out["note"] = str(out["note"] or "").strip()
    if not out["source"]:
        errors["source"] = _("请填写依据（文号）")
    if errors:
        raise OutreachValidationError(errors)
    return out


def check_add_rule(actor: Any, data: Mapping[str, Any]) -> OutreachRule:
    _require(actor, perms.MANAGE_RULES)
    return do_add_rule(actor, validate_rule(data))


# --- TCM decoction (中药汤剂) ------------------------------------------------------------------------------

BATCH_FIELDS = ("number", "supplied_on", "supplier", "doses", "note")


@transaction.atomic
def do_create_batch(actor: Any, data: Mapping[str, Any]) -> TcmBatch:
    batch = TcmBatch.objects.create(created_by=_user(actor), **data)
    audit.record(actor, "outreach.tcm.batch.create", batch, changes=audit.diff({}, audit.snapshot(batch, BATCH_FIELDS)))
    return batch


def check_create_batch(actor: Any, data: Mapping[str, Any]) -> TcmBatch:
    _require(actor, perms.MANAGE_TCM)
    out = {k: data.get(k) for k in BATCH_FIELDS}
    errors: dict[str, str] = {}
    problem = _date_error(out["supplied_on"], timezone.localdate(), _("发放日期"))
    if problem:
        errors["supplied_on"] = problem
    out["supplier"] = str(out["supplier"] or "").strip()
    if not out["supplier"]:
        errors["supplier"] = _("请填写供应单位")
    problem = _count_error(out["doses"], _("剂数"), minimum=1)
    if problem:
        errors["doses"] = problem
    out["note"] = str(out["note"] or "").strip()
    if out["number"] in (None, ""):
        out["number"] = (TcmBatch.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    elif not isinstance(out["number"], int) or not 1 <= out["number"] <= 999:
        errors["number"] = _("批次应为1至999之间的整数")
    elif TcmBatch.objects.filter(number=out["number"]).exists():
        errors["number"] = _("第%(n)d批已登记") % {"n": out["number"]}
    if errors:
        raise OutreachValidationError(errors)
    return do_create_batch(actor, out)


@transaction.atomic
def do_add_delivery(actor: Any, batch: TcmBatch, enterprise: Enterprise, workers: int, doses: int) -> TcmDelivery:
    delivery = TcmDelivery.objects.create(batch=batch, enterprise=enterprise, workers=workers, doses=doses)
    audit.record(
        actor,
        "outreach.tcm.delivery.create",
        delivery,
        changes={
            "batch": [None, batch.number],
            "enterprise": [None, enterprise.name],
            "workers": [None, workers],
            "doses": [None, doses],
        },
    )
    return delivery


def check_add_delivery(actor: Any, batch: TcmBatch, enterprise: Enterprise, workers: Any, doses: Any) -> TcmDelivery:
    """Record that `batch` reached `enterprise`, covering `workers` frontline workers with `doses` doses; the
    batch's deliveries cannot add up to more doses than it had."""
    _require(actor, perms.MANAGE_TCM)
    errors: dict[str, str] = {}
    problem = _count_error(workers, _("惠及一线员工"), minimum=1)
    if problem:
        errors["workers"] = problem
    problem = _count_error(doses, _("剂数"), minimum=1)
    if problem:
        errors["doses"] = problem
    if TcmDelivery.objects.filter(batch=batch, enterprise=enterprise).exists():
        errors["enterprise"] = _("%(e)s已登记在%(b)s中") % {"e": enterprise, "b": batch}
    if not errors:
        used = TcmDelivery.objects.filter(batch=batch).aggregate(n=Sum("doses"))["n"] or 0
        if used + doses > batch.doses:
            errors["doses"] = _("超出本批次剂数：共%(total)d剂，已发放%(used)d剂，剩余%(left)d剂") % {
                "total": batch.doses,
                "used": used,
                "left": batch.doses - used,
            }
    if errors:
        raise OutreachValidationError(errors)
    return do_add_delivery(actor, batch, enterprise, workers, doses)
