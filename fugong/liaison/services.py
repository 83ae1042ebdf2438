"""Every write of pairing, liaison cadres, postings, help teams, visits and the liaison rules.

`check_*` validates (raising LiaisonValidationError with a message per field) and calls `do_*`, which runs in
one transaction and writes the audit row. Views, the demo and the admin call these. The caller has already
fetched every object through a scoped selector (out of scope is a 404 before anything here runs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.accounts.models import Department, User
from fugong.accounts.roles import Role
from fugong.core import audit
from fugong.core.identifiers import IdentifierError, normalise_phone
from fugong.enterprises.models import Enterprise, KeyProject

from . import permissions as perms
from .models import Cadre, HelpTeam, LeaderPairing, LiaisonAssignment, LiaisonRule, Visit, VisitKind
from .rules import rule_on
from .selectors import active_q

EARLIEST = dt.date(2020, 1, 1)  # nothing in this platform happened before the epidemic response began
CADRE_FIELDS = ("name", "unit", "rank", "party_member", "home_town")
TEAM_FIELDS = ("leader", "department", "town_lead", "liaison", "formed_on", "note")
VISIT_FIELDS = ("kind", "visited_on", "people", "person_times", "purpose", "findings", "difficulties")
MAX_PERSON_TIMES = 500


class LiaisonValidationError(Exception):
    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def _require(actor: Any, action: str) -> None:
    if not roles.can(actor, action):
        raise PermissionDenied


def _target_fields(target: Enterprise | KeyProject) -> dict[str, Any]:
    if isinstance(target, KeyProject):
        return {"enterprise": None, "project": target}
    return {"enterprise": target, "project": None}


def _target_filter(target: Enterprise | KeyProject) -> dict[str, Any]:
    if isinstance(target, KeyProject):
        return {"project": target}
    return {"enterprise": target}


def _check_date(errors: dict[str, str], name: str, value: Any, today: dt.date, label: str) -> None:
    if not isinstance(value, dt.date):
        errors[name] = _("请填写%(label)s") % {"label": label}
    elif value > today:
        errors[name] = _("%(label)s不能晚于今天") % {"label": label}
    elif value < EARLIEST:
        errors[name] = _("%(label)s不能早于2020年1月1日") % {"label": label}


# --- cadres -----------------------------------------------------------------------------------------


def _clean_cadre(data: Mapping[str, Any], creating: bool) -> dict[str, Any]:
    out = {k: data[k] for k in (*CADRE_FIELDS, "phone") if k in data}
    errors: dict[str, str] = {}
    name = str(out.get("name") or "").strip()
    if not name:
        errors["name"] = _("姓名不能为空")
    out["name"] = name
    for key in ("unit", "rank"):
        if key in out:
            out[key] = str(out[key] or "").strip()
    phone = str(out.pop("phone", "") or "").strip()
    if phone:
        try:
            out["phone"] = normalise_phone(phone)
        except IdentifierError as exc:
            errors["phone"] = exc.message
    elif creating:
        errors["phone"] = _("请填写手机号码，便于企业和指挥部联系联络员")
    if errors:
        raise LiaisonValidationError(errors)
    return out


@transaction.atomic
def do_save_cadre(actor: Any, data: Mapping[str, Any], cadre: Cadre | None = None) -> Cadre:
    creating = cadre is None
    cadre = cadre or Cadre()
    before = {} if creating else audit.snapshot(cadre, CADRE_FIELDS)
    for key, value in data.items():
        setattr(cadre, key, value)
    cadre.save()
    changes = audit.diff(before, audit.snapshot(cadre, CADRE_FIELDS))
    if "phone" in data:
        changes["phone"] = ["***" if not creating else "", "***"]  # never in clear, not even masked twice
    if changes:
        audit.record(actor, "liaison.cadre.create" if creating else "liaison.cadre.update", cadre, changes=changes)
    return cadre


def check_save_cadre(actor: Any, data: Mapping[str, Any], cadre: Cadre | None = None) -> Cadre:
    _require(actor, perms.MANAGE_CADRES)
    return do_save_cadre(actor, _clean_cadre(data, creating=cadre is None), cadre)


def do_reveal_cadre_phone(actor: Any, cadre: Cadre, reason: str) -> str:
    """The cadre's phone in clear, for a role that may reveal, with a stated reason; the reveal is logged."""
    if not roles.can(actor, roles.REVEAL_PERSONAL_DATA):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise LiaisonValidationError({"reason": _("请填写查看理由")})
    audit.log_access(
        actor,
        "reveal",
        subject_type="liaison.cadre",
        subject_id=str(cadre.pk),
        subject_repr=cadre.name,
        fields=["phone"],
        purpose=reason[:300],
    )
    return cadre.phone


# --- postings (驻企派驻) --------------------------------------------------------------------------------


def _posting_errors(cadre: Cadre, target: Enterprise | KeyProject, start: Any, cap: int, extra: int = 0) -> str:
    """Why `cadre` cannot be posted to `target` from `start` (empty when they can). `extra`: postings the same
    request already gives this cadre."""
    if not isinstance(start, dt.date):
        return _("请填写开始日期")
    if LiaisonAssignment.objects.filter(active_q(start), cadre=cadre, **_target_filter(target)).exists():
        return _("%(cadre)s已派驻%(target)s") % {"cadre": cadre.name, "target": target}
    load = LiaisonAssignment.objects.filter(active_q(start), cadre=cadre).count() + extra
    if load >= cap:
        return _("%(cadre)s已派驻%(load)d个企业和项目，达到每人最多%(cap)d个的上限") % {
            "cadre": cadre.name,
            "load": load,
            "cap": cap,
        }
    return ""


@transaction.atomic
def do_assign(
    actor: Any, cadre: Cadre, target: Enterprise | KeyProject, start: dt.date, note: str = ""
) -> LiaisonAssignment:
    posting = LiaisonAssignment.objects.create(cadre=cadre, start=start, **_target_fields(target))
    audit.record(
        actor,
        "liaison.assign",
        posting,
        changes={"cadre": [None, cadre.name], "target": [None, str(target)], "start": [None, start.isoformat()]},
        note=note,
    )
    return posting


def check_assign(actor: Any, cadre: Cadre, target: Enterprise | KeyProject, start: Any) -> LiaisonAssignment:
    _require(actor, perms.MANAGE_CADRES)
    problem = _posting_errors(
        cadre, target, start, rule_on(start if isinstance(start, dt.date) else timezone.localdate()).max_load
    )
    if problem:
        raise LiaisonValidationError({"target": problem})
    return do_assign(actor, cadre, target, start)


@transaction.atomic
def do_end_assignment(actor: Any, posting: LiaisonAssignment, end: dt.date) -> None:
    before = posting.end
    posting.end = end
    posting.save(update_fields=["end"])
    audit.record(actor, "liaison.assignment.end", posting, changes={"end": [audit.plain(before), end.isoformat()]})


def check_end_assignment(actor: Any, posting: LiaisonAssignment, end: Any) -> None:
    _require(actor, perms.MANAGE_CADRES)
    if not isinstance(end, dt.date):
        raise LiaisonValidationError({"end": _("请填写结束日期")})
    if end < posting.start:
        raise LiaisonValidationError({"end": _("结束日期不能早于开始日期（%(d)s）") % {"d": posting.start}})
    if posting.end is not None and posting.end <= end:
        raise LiaisonValidationError({"end": _("该派驻已于%(d)s结束") % {"d": posting.end}})
    do_end_assignment(actor, posting, end)


def check_apply_proposal(
    actor: Any, rows: Sequence[tuple[Enterprise | KeyProject, Cadre]], start: Any
) -> list[LiaisonAssignment]:
    """Post each (target, cadre) the admin accepted, as proposed or edited. All or nothing: one row that
    breaks a rule (already posted, over the cap) writes none, and every such row is named."""
    _require(actor, perms.MANAGE_CADRES)
    if not isinstance(start, dt.date):
        raise LiaisonValidationError({"start": _("请填写开始日期")})
    if not rows:
        raise LiaisonValidationError({"rows": _("没有选中要派驻的企业和项目")})
    cap = rule_on(start).max_load
    errors: dict[str, str] = {}
    taken: dict[int, int] = {}
    seen: set[tuple[str, int]] = set()
    for target, cadre in rows:
        key = ("p" if isinstance(target, KeyProject) else "e", target.pk)
        if key in seen:
            errors[f"{key[0]}:{key[1]}"] = _("%(target)s重复出现") % {"target": target}
            continue
        seen.add(key)
        problem = _posting_errors(cadre, target, start, cap, taken.get(cadre.pk, 0))
        if problem:
            errors[f"{key[0]}:{key[1]}"] = problem
        taken[cadre.pk] = taken.get(cadre.pk, 0) + 1
    if errors:
        raise LiaisonValidationError(errors)
    with transaction.atomic():
        created = [do_assign(actor, cadre, target, start, note="assignment proposal") for target, cadre in rows]
        audit.record(
            actor,
            "liaison.proposal.apply",
            object_type="liaison.proposal",
            object_repr=_("自动派驻方案"),
            changes={"assigned": [None, len(created)], "start": [None, start.isoformat()]},
        )
    return created


# --- pairing (包联) ------------------------------------------------------------------------------------


@transaction.atomic
def do_pair_leader(actor: Any, leader: User, target: Enterprise | KeyProject, start: dt.date) -> LeaderPairing:
    pairing = LeaderPairing.objects.create(leader=leader, start=start, **_target_fields(target))
    audit.record(
        actor,
        "liaison.pair",
        pairing,
        changes={"leader": [None, str(leader)], "target": [None, str(target)], "start": [None, start.isoformat()]},
    )
    return pairing


def check_pair_leader(actor: Any, leader: Any, target: Enterprise | KeyProject, start: Any) -> LeaderPairing:
    _require(actor, perms.MANAGE_PAIRING)
    errors: dict[str, str] = {}
    if not isinstance(leader, User) or leader.role != Role.DISTRICT_LEADER or not leader.is_active:
        errors["leader"] = _("请选择一位区级包联领导")
    if not isinstance(start, dt.date):
        errors["start"] = _("请填写开始日期")
    if not errors and LeaderPairing.objects.filter(active_q(start), leader=leader, **_target_filter(target)).exists():
        errors["leader"] = _("%(leader)s已包联%(target)s") % {"leader": leader, "target": target}
    if errors:
        raise LiaisonValidationError(errors)
    return do_pair_leader(actor, leader, target, start)


# --- help teams (一企一队) ------------------------------------------------------------------------------


def _clean_team(data: Mapping[str, Any], enterprise: Enterprise, today: dt.date) -> dict[str, Any]:
    out = {k: data[k] for k in TEAM_FIELDS if k in data}
    errors: dict[str, str] = {}
    leader = out.get("leader")
    if leader is not None and (not isinstance(leader, User) or leader.role != Role.DISTRICT_LEADER):
        errors["leader"] = _("请选择一位区级包联领导")
    department = out.get("department")
    if department is not None and not isinstance(department, Department):
        errors["department"] = _("请选择行业主管部门")
    liaison = out.get("liaison")
    if (
        liaison is not None
        and not LiaisonAssignment.objects.filter(active_q(today), cadre=liaison, enterprise=enterprise).exists()
    ):
        errors["liaison"] = _("%(cadre)s没有派驻到%(enterprise)s") % {"cadre": liaison, "enterprise": enterprise}
    out["town_lead"] = str(out.get("town_lead") or "").strip()
    out["note"] = str(out.get("note") or "").strip()
    _check_date(errors, "formed_on", out.get("formed_on"), today, _("组建日期"))
    if not (leader or department or out["town_lead"] or liaison):
        errors["leader"] = _("帮扶小分队至少要有一名成员：包联领导、主管部门、镇（街道）责任领导或联络员")
    if errors:
        raise LiaisonValidationError(errors)
    return out


@transaction.atomic
def do_save_team(actor: Any, enterprise: Enterprise, data: Mapping[str, Any], team: HelpTeam | None = None) -> HelpTeam:
    creating = team is None
    team = team or HelpTeam(enterprise=enterprise)
    before = {} if creating else audit.snapshot(team, TEAM_FIELDS)
    for key, value in data.items():
        setattr(team, key, value)
    team.save()
    changes = audit.diff(before, audit.snapshot(team, TEAM_FIELDS))
    if changes:
        audit.record(actor, "liaison.team.create" if creating else "liaison.team.update", team, changes=changes)
    return team


def check_save_team(
    actor: Any, enterprise: Enterprise, data: Mapping[str, Any], team: HelpTeam | None = None
) -> HelpTeam:
    _require(actor, perms.MANAGE_TEAMS)
    if team is None and HelpTeam.objects.filter(enterprise=enterprise).exists():
        raise LiaisonValidationError({"enterprise": _("%(e)s已组建帮扶小分队") % {"e": enterprise}})
    return do_save_team(actor, enterprise, _clean_team(data, enterprise, timezone.localdate()), team)


# --- visits and help activities (走访帮扶) ------------------------------------------------------------


def clean_visit(data: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    out = {k: data[k] for k in VISIT_FIELDS if k in data}
    errors: dict[str, str] = {}
    if out.get("kind", VisitKind.VISIT) not in VisitKind.values:
        errors["kind"] = _("不是可选的类型")
    _check_date(errors, "visited_on", out.get("visited_on"), today, _("日期"))
    n = out.get("person_times", 1)
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_PERSON_TIMES:
        errors["person_times"] = _("人次应为1至%(max)d之间的整数") % {"max": MAX_PERSON_TIMES}
    out["purpose"] = str(out.get("purpose") or "").strip()
    if not out["purpose"]:
        errors["purpose"] = _("请填写事由")
    for key in ("people", "findings", "difficulties"):
        out[key] = str(out.get(key) or "").strip()
    if errors:
        raise LiaisonValidationError(errors)
    return out


@transaction.atomic
def do_log_visit(actor: Any, target: Enterprise | KeyProject, data: Mapping[str, Any]) -> Visit:
    """Record a visit. The enterprise's help team and the actor's cadre record are attached when they exist,
    so person-times add up per team, town and district."""
    team = HelpTeam.objects.filter(enterprise=target).first() if isinstance(target, Enterprise) else None
    cadre = Cadre.objects.filter(user=actor).first() if getattr(actor, "pk", None) else None
    visit = Visit.objects.create(
        team=team,
        cadre=cadre,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        **_target_fields(target),
        **data,
    )
    audit.record(
        actor,
        "liaison.visit.create",
        visit,
        changes=audit.diff({}, {**audit.snapshot(visit, VISIT_FIELDS), "target": str(target)}),
    )
    return visit


def check_log_visit(actor: Any, target: Enterprise | KeyProject, data: Mapping[str, Any]) -> Visit:
    _require(actor, perms.LOG_VISIT)
    return do_log_visit(actor, target, clean_visit(data, timezone.localdate()))


# --- the liaison rules (rules as data) -----------------------------------------------------------------

RULE_FIELDS = ("effective_from", "max_load", "visit_interval_days", "source", "note")


@transaction.atomic
def do_add_rule(actor: Any, data: Mapping[str, Any]) -> LiaisonRule:
    rule = LiaisonRule.objects.create(created_by=actor if getattr(actor, "pk", None) else None, **data)
    audit.record(actor, "liaison.rule.create", rule, changes=audit.diff({}, audit.snapshot(rule, RULE_FIELDS)))
    return rule


def validate_rule(data: Mapping[str, Any]) -> dict[str, Any]:
    """A new version from a date on. History is never rewritten: the date must be today or later and after
    every existing version."""
    out = {k: data.get(k) for k in RULE_FIELDS}
    errors: dict[str, str] = {}
    day = out["effective_from"]
    latest = LiaisonRule.objects.order_by("-effective_from").values_list("effective_from", flat=True).first()
    if not isinstance(day, dt.date):
        errors["effective_from"] = _("请填写生效日期")
    elif day < timezone.localdate():
        errors["effective_from"] = _("生效日期不能早于今天：已经执行的规则不能改写")
    elif latest is not None and day <= latest:
        errors["effective_from"] = _("生效日期须晚于现行版本（%(d)s）") % {"d": latest}
    if not isinstance(out["max_load"], int) or not 1 <= out["max_load"] <= 50:
        errors["max_load"] = _("负荷上限应为1至50之间的整数")
    if not isinstance(out["visit_interval_days"], int) or not 1 <= out["visit_interval_days"] <= 60:
        errors["visit_interval_days"] = _("走访周期应为1至60天")
    out["source"] = str(out["source"] or "").strip()
    out["note"] = str(out["note"] or "").strip()
    if not out["source"]:
        errors["source"] = _("请填写依据（文号）")
    if errors:
        raise LiaisonValidationError(errors)
    return out


def check_add_rule(actor: Any, data: Mapping[str, Any]) -> LiaisonRule:
    _require(actor, perms.MANAGE_CADRES)
    return do_add_rule(actor, validate_rule(data))
