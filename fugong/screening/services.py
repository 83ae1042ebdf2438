"""Every write of screening: rule versions, risk levels, alerts, QR entry points and re-screening jobs.

`do_*` runs in one transaction and writes an audit row; `check_*` validates (and checks the role) first.
History is never rewritten: a new rule version or risk level closes its predecessor and adds a row, and a
change may not start on or before the latest recorded start (enter a later date instead).
Self-declarations are written by checkin.py; re-evaluation and its alerts by runner.py.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fugong.accounts import roles
from fugong.core import audit
from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region
from fugong.workforce.models import Stay
from fugong.workforce.services import region_hash

from . import permissions, rules, wording
from .models import Alert, CheckinPoint, RescreenJob, RiskArea, RiskLevel, ScreeningRuleSet

RULE_FIELDS = (
    "effective_from",
    "source",
    "observation_days",
    "fever_threshold_c",
    "quarantine_levels",
    "non_resident_test_required",
    "red_code_days",
    "yellow_code_days",
    "symptoms_abnormal",
    "note",
)
LEVEL_WORDS = {
    "低": RiskLevel.LOW,
    "低风险": RiskLevel.LOW,
    "low": RiskLevel.LOW,
    "中": RiskLevel.MEDIUM,
    "中风险": RiskLevel.MEDIUM,
    "medium": RiskLevel.MEDIUM,
    "高": RiskLevel.HIGH,
    "高风险": RiskLevel.HIGH,
    "high": RiskLevel.HIGH,
}
FEVER_RANGE_C = (Decimal("37.0"), Decimal("38.5"))  # a threshold outside this is a typo, not a policy
MAX_DAYS = 60


class ScreeningValidationError(Exception):
    def __init__(self, errors: Mapping[str, tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{k}: {m}" for k, (_c, m) in errors.items()))
        self.errors = dict(errors)


def _require(actor: Any, action: str) -> None:
    if not roles.can(actor, action):
        raise PermissionDenied


def _today() -> dt.date:
    return timezone.localdate()


# --- rule versions --------------------------------------------------------------------------------------


def clean_rule_data(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, tuple[str, str]] = {}
    out: dict[str, Any] = {}
    start = data.get("effective_from")
    if not isinstance(start, dt.date):
        errors["effective_from"] = ("required", _("请填写生效日期"))
    out["effective_from"] = start
    source = str(data.get("source") or "").strip()
    if not source:
        errors["source"] = ("required", _("请填写依据（文号）"))
    out["source"] = source[:200]
    for key, label in (
        ("observation_days", _("观察期")),
        ("red_code_days", _("红码隔离天数")),
        ("yellow_code_days", _("黄码隔离天数")),
    ):
        try:
            value = int(data.get(key))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors[key] = ("number", _("%(label)s须为整数") % {"label": label})
            continue
        low = 1 if key == "observation_days" else 0
        if not low <= value <= MAX_DAYS:
            errors[key] = (
                "range",
                _("%(label)s应在%(low)d至%(high)d天之间") % {"label": label, "low": low, "high": MAX_DAYS},
            )
        out[key] = value
    try:
        threshold = Decimal(str(data.get("fever_threshold_c", "")).strip()).quantize(Decimal("0.1"))
        if not threshold.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["fever_threshold_c"] = ("number", _("请填写体温阈值，例如 37.3"))
    else:
        if not FEVER_RANGE_C[0] <= threshold <= FEVER_RANGE_C[1]:
            errors["fever_threshold_c"] = (
                "range",
                _("体温阈值应在%(low)s至%(high)s℃之间") % {"low": FEVER_RANGE_C[0], "high": FEVER_RANGE_C[1]},
            )
        out["fever_threshold_c"] = threshold
    levels = [str(v) for v in (data.get("quarantine_levels") or [])]
    if any(v not in RiskLevel.values for v in levels):
        errors["quarantine_levels"] = ("choice", _("不是可选的风险等级"))
    out["quarantine_levels"] = (
        sorted(set(levels), key=list(RiskLevel.values).index) if not errors.get("quarantine_levels") else []
    )
    for key in ("non_resident_test_required", "symptoms_abnormal"):
        out[key] = bool(data.get(key))
    out["note"] = str(data.get("note") or "").strip()[:300]
    latest = ScreeningRuleSet.objects.order_by("-effective_from", "-version").first()
    if isinstance(start, dt.date) and latest is not None and start <= latest.effective_from:
        errors["effective_from"] = (
            "history",
            _("生效日期须晚于现行第%(v)d版的生效日期（%(d)s）：已生效的规则不可改写，请以新版本替代")
            % {"v": latest.version, "d": latest.effective_from},
        )
    if errors:
        raise ScreeningValidationError(errors)
    return out


@transaction.atomic
def do_create_rule_version(actor: Any, data: Mapping[str, Any]) -> ScreeningRuleSet:
    """A new version from `data` (cleaned); the previous version ends the day before it starts."""
    latest = ScreeningRuleSet.objects.select_for_update().order_by("-effective_from", "-version").first()
    start: dt.date = data["effective_from"]
    if latest is not None:
        end = start - dt.timedelta(days=1)
        if latest.effective_to is None or latest.effective_to > end:
            ScreeningRuleSet.objects.filter(pk=latest.pk).update(effective_to=end)
            audit.record(
                actor,
                "screening.rule_close",
                latest,
                changes={"effective_to": [audit.plain(latest.effective_to), end.isoformat()]},
            )
    number = (latest.version + 1) if latest is not None else 1
    row = ScreeningRuleSet.objects.create(
        version=number, created_by=actor if getattr(actor, "pk", None) else None, **{k: data[k] for k in RULE_FIELDS}
    )
    audit.record(actor, "screening.rule_create", row, changes={k: [None, audit.plain(data[k])] for k in RULE_FIELDS})
    transaction.on_commit(rules.invalidate)
    rules.invalidate()
    if start <= _today():
        transaction.on_commit(
            lambda: start_rescreen(actor, _("排查规则第%(v)d版生效") % {"v": number}, _today(), force_task=True)
        )
    return row


def check_create_rule_version(actor: Any, data: Mapping[str, Any]) -> ScreeningRuleSet:
    _require(actor, permissions.MANAGE_RULES)
    return do_create_rule_version(actor, clean_rule_data(data))


# --- risk areas ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskRow:
    region_code: str
    region_name: str
    level: str
    effective_from: dt.date
    source: str
    effective_to: dt.date | None = None


def parse_level(value: Any) -> str | None:
    """低 / 低风险 / low / "Low risk" (the English label, as a sheet filled in from the English pages has it)."""
    text = " ".join(str(value or "").split()).lower()
    return LEVEL_WORDS.get(text.removesuffix(" risk") if text.endswith(" risk") else text)


def clean_risk_row(data: Mapping[str, Any], names: Mapping[str, str] | None = None) -> RiskRow:
    """One risk level (a form or a spreadsheet row). `names`: known region names by code."""
    errors: dict[str, tuple[str, str]] = {}
    code = str(data.get("region_code") or "").strip()
    if not (code.isdigit() and len(code) == 6):
        errors["region_code"] = ("region_code", _("区划代码应为6位数字（县级，GB/T 2260）"))
    name = str(data.get("region_name") or "").strip()[:60]
    if not name and not errors.get("region_code"):
        # Known names: the caller's, the region table's, or the name the region was rated under before.
        name = (
            (names or {}).get(code)
            or Region.objects.filter(code=code).values_list("name", flat=True).first()
            or RiskArea.objects.filter(region_code=code).order_by("-id").values_list("region_name", flat=True).first()
            or ""
        )
    if not name:
        errors.setdefault("region_name", ("required", _("请填写地区名称")))
    level = parse_level(data.get("level"))
    if level is None:
        errors["level"] = ("choice", _("风险等级应为 低、中 或 高"))
    start = data.get("effective_from")
    if not isinstance(start, dt.date):
        errors["effective_from"] = ("required", _("请填写生效日期"))
    end = data.get("effective_to") or None
    if end is not None and (not isinstance(end, dt.date) or (isinstance(start, dt.date) and end < start)):
        errors["effective_to"] = ("order", _("失效日期不能早于生效日期"))
    source = str(data.get("source") or "").strip()[:200]
    if not source:
        errors["source"] = ("required", _("请填写依据（文号）"))
    if errors:
        raise ScreeningValidationError(errors)
    return RiskRow(code, name, level, start, source, end)  # type: ignore[arg-type]


@dataclass
class RiskChange:
    created: list[RiskArea] = field(default_factory=list)
    unchanged: int = 0
    affected: int = 0  # employees re-screened
    alerts: int = 0
    job: RescreenJob | None = None


def _latest_by_code(codes: Iterable[str], lock: bool = False) -> dict[str, RiskArea]:
    qs = RiskArea.objects.filter(region_code__in=set(codes)).order_by("region_code", "-effective_from", "-id")
    if lock:
        qs = qs.select_for_update()
    out: dict[str, RiskArea] = {}
    for row in qs:
        out.setdefault(row.region_code, row)
    return out


def history_errors(rows: Sequence[RiskRow]) -> dict[int, tuple[str, str]]:
    """Rows (by index) that would rewrite history: starting on or before the region's latest recorded start,
    unless they repeat the level in force (then they are a no-op)."""
    latest = _latest_by_code(r.region_code for r in rows)
    errors: dict[int, tuple[str, str]] = {}
    seen: dict[str, dt.date] = {}
    for i, row in enumerate(rows):
        prior = latest.get(row.region_code)
        if prior is not None and _same(prior, row):
            continue
        start = seen.get(row.region_code) or (prior.effective_from if prior else None)
        if start is not None and row.effective_from <= start:
            errors[i] = (
                "history",
                _("%(name)s已有%(d)s生效的记录：风险等级的历史不可改写，请填写更晚的生效日期")
                % {"name": row.region_name, "d": start},
            )
        seen[row.region_code] = row.effective_from
    return errors


def _same(prior: RiskArea, row: RiskRow) -> bool:
    return (
        prior.level == row.level
        and prior.effective_from <= row.effective_from
        and prior.effective_to == row.effective_to
        and (prior.effective_to is None)
    )


@transaction.atomic
def do_set_risk_levels(
    actor: Any, rows: Sequence[RiskRow], *, as_of: dt.date | None = None, rescreen: bool = True
) -> RiskChange:
    """Record new risk levels (validated, history-safe rows); re-screen the employees whose stays in a region
    that was or becomes 中/高 fall inside the window, and alert each affected enterprise."""
    as_of = as_of or _today()
    result = RiskChange()
    latest = _latest_by_code((r.region_code for r in rows), lock=True)
    user = actor if getattr(actor, "pk", None) else None
    changed: list[tuple[RiskArea, str | None]] = []  # (new row, previous level)
    for row in rows:
        prior = latest.get(row.region_code)
        if prior is not None and _same(prior, row):
            result.unchanged += 1
            continue
        if prior is not None and (prior.effective_to is None or prior.effective_to >= row.effective_from):
            end = row.effective_from - dt.timedelta(days=1)
            RiskArea.objects.filter(pk=prior.pk).update(effective_to=end)
        area = RiskArea.objects.create(
            region_code=row.region_code,
            region_name=row.region_name,
            region_hash=region_hash(row.region_code),
            level=row.level,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
            source=row.source,
            created_by=user,
        )
        audit.record(
            actor,
            "screening.risk_set",
            area,
            changes={
                "level": [prior.level if prior else None, row.level],
                "effective_from": [None, row.effective_from.isoformat()],
                "source": [None, row.source],
            },
        )
        latest[row.region_code] = area
        changed.append((area, prior.level if prior else None))
        result.created.append(area)
    rules.invalidate()
    transaction.on_commit(rules.invalidate)
    if not changed:
        return result
    current = rules.rules_on(as_of, fresh=True)
    window = dt.timedelta(days=current.observation_days)
    touched = [
        (area, before)
        for area, before in changed
        if area.level in current.quarantine_levels or (before is not None and before in current.quarantine_levels)
    ]
    for area, _before in touched:
        if area.level in current.quarantine_levels:
            # Alert about those for whom it matters now: still inside the window (everyone touched is re-screened).
            result.alerts += _raise_risk_alerts(area, max(area.effective_from, as_of) - window, as_of)
    if touched and rescreen:
        result.job = start_rescreen(
            actor,
            _("风险等级变更：%(names)s") % {"names": "、".join(f"{a}" for a, _b in touched)[:150]},
            as_of,
            risk_areas=[a for a, _b in touched],
        )
        result.affected = result.job.total
    return result


def check_set_risk_levels(actor: Any, data: Sequence[Mapping[str, Any]]) -> RiskChange:
    """Validate every row first; one bad row writes nothing. Errors are keyed "<index>.<field>"."""
    _require(actor, permissions.MANAGE_RULES)
    errors: dict[str, tuple[str, str]] = {}
    cleaned: list[RiskRow] = []
    for i, item in enumerate(data):
        try:
            cleaned.append(clean_risk_row(item))
        except ScreeningValidationError as exc:
            errors.update({f"{i}.{k}": v for k, v in exc.errors.items()})
    if not errors:
        errors.update({f"{i}.effective_from": v for i, v in history_errors(cleaned).items()})
    if errors:
        raise ScreeningValidationError(errors)
    return do_set_risk_levels(actor, cleaned)


def _raise_risk_alerts(area: RiskArea, since: dt.date, as_of: dt.date) -> int:
    """One alert per enterprise with active employees whose stay in the area ended on or after `since`."""
    rows = (
        Stay.objects.filter(
            region_hash=area.region_hash, date_to__gte=since, date_from__lte=as_of, employee__active=True
        )
        .values("employee__enterprise_id")
        .annotate(n=Count("employee_id", distinct=True))
        .order_by()
    )
    # Stored data: in the source language whatever the district admin's (shown translated: wording.py).
    with translation.override(wording.SOURCE):
        alerts = [_risk_alert(area, since, r["employee__enterprise_id"], r["n"]) for r in rows]
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    return len(alerts)


def _risk_alert(area: RiskArea, since: dt.date, enterprise_id: int, n: int) -> Alert:
    return Alert(
        enterprise_id=enterprise_id,
        risk_area=area,
        kind=Alert.Kind.RISK_AREA,
        day=area.effective_from,
        count=n,
        message=_(wording.RISK_AREA_ALERT)
        % {
            "n": n,
            "since": since,
            "name": area.region_name,
            "level": area.get_level_display(),
            "d": area.effective_from,
        },
        key=f"risk:{area.pk}:{enterprise_id}",
    )


# --- alerts ----------------------------------------------------------------------------------------------


@transaction.atomic
def do_raise_alerts(alerts: Sequence[Alert]) -> int:
    """Alerts not raised before (their `key` is unique): generating twice adds nothing."""
    if not alerts:
        return 0
    keys = [a.key for a in alerts]
    have = set(Alert.objects.filter(key__in=keys).values_list("key", flat=True))
    new = [a for a in alerts if a.key not in have]
    Alert.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return len(new)


@transaction.atomic
def do_resolve_alert(actor: Any, alert: Alert, resolution: str) -> Alert:
    Alert.objects.filter(pk=alert.pk).update(resolved_at=timezone.now(), resolved_by=actor, resolution=resolution)
    alert.refresh_from_db()
    audit.record(actor, "screening.alert_resolve", alert, changes={"resolution": ["", resolution]})
    return alert


def check_resolve_alert(actor: Any, alert: Alert, resolution: str) -> Alert:
    _require(actor, permissions.RESOLVE_ALERTS)
    resolution = (resolution or "").strip()
    if not alert.is_open:
        raise ScreeningValidationError({"resolution": ("resolved", _("该预警已处理"))})
    if len(resolution) < 2:
        raise ScreeningValidationError({"resolution": ("required", _("请填写处理情况"))})
    return do_resolve_alert(actor, alert, resolution[:200])


# --- self-declaration entry points (QR codes) -----------------------------------------------------------


def _token() -> str:
    return secrets.token_urlsafe(18)


@transaction.atomic
def do_ensure_checkin_point(actor: Any, enterprise: Enterprise) -> CheckinPoint:
    point, created = CheckinPoint.objects.get_or_create(enterprise=enterprise, defaults={"token": _token()})
    if created:
        audit.record(actor, "screening.checkin_create", point, object_repr=enterprise.name)
    return point


@transaction.atomic
def do_rotate_checkin_token(actor: Any, enterprise: Enterprise) -> CheckinPoint:
    point = do_ensure_checkin_point(actor, enterprise)
    CheckinPoint.objects.filter(pk=point.pk).update(token=_token(), rotated_at=timezone.now())
    point.refresh_from_db()
    audit.record(actor, "screening.checkin_rotate", point, object_repr=enterprise.name)
    from . import checkin

    checkin.forget_points()
    return point


def check_rotate_checkin_token(actor: Any, enterprise: Enterprise) -> CheckinPoint:
    _require(actor, permissions.CHECKIN)
    return do_rotate_checkin_token(actor, enterprise)


# --- re-screening jobs -----------------------------------------------------------------------------------

INLINE_MAX = 2000  # employees re-screened inside the request; more go to the task worker


def start_rescreen(
    actor: Any,
    trigger: str,
    as_of: dt.date,
    *,
    employee_ids: Sequence[int] | None = None,
    risk_areas: Sequence[RiskArea] = (),
    force_task: bool = False,
) -> RescreenJob:
    """A re-screening job over the given employees, the employees a risk change touches, or (neither) every
    active employee; run now when small, else queued for `manage.py db_worker` (the page polls it)."""
    from . import tasks

    ids = list(employee_ids) if employee_ids is not None else None
    if risk_areas:
        ids = sorted(set(ids or []) | set(tasks.affected_by(risk_areas, as_of)))
    job = RescreenJob.objects.create(
        trigger=trigger[:200],
        as_of=as_of,
        employee_ids=ids,
        risk_area=risk_areas[0] if len(risk_areas) == 1 else None,
        total=len(ids) if ids is not None else 0,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(actor, "screening.rescreen_start", job, changes={"employees": job.total, "as_of": as_of.isoformat()})
    if ids is not None and len(ids) <= INLINE_MAX and not force_task:
        tasks.run_rescreen_job(job.pk)
    else:
        result = tasks.run_rescreen_job_task.enqueue(job.pk)
        RescreenJob.objects.filter(pk=job.pk).update(message=str(result.id)[:64])
    job.refresh_from_db()
    return job


def check_start_rescreen(actor: Any, as_of: dt.date) -> RescreenJob:
    _require(actor, permissions.MANAGE_RULES)
    return start_rescreen(actor, _("区复工办手动重新排查"), as_of, force_task=True)
