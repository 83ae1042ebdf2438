"""Self-declaration by QR code (扫码自主申报): identify the employee, validate, store, re-evaluate — for a phone
with no account, as fast as the framework allows (it is the platform's busiest page at 8 a.m.).

Privacy: the person is matched by the keyed hash of the ID number within the QR code's enterprise, and the
name; the page shows back nothing about them but their own status and what to do next — an unknown ID, a
wrong name and a missing archive all get the same neutral answer. Consent is stored with each declaration
(time and statement version). Attempts are counted per device (a signed cookie; the address without one)
and per ID hash in the database, so every gunicorn worker enforces the same limits.

The rule data and the entry points are read from per-process caches (rules.py, `_points`), so a declaration
costs: one upsert for the rate limits, one look-up of the employee, the engine's facts, and the writes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from fugong.core import crypto
from fugong.workforce import services as workforce
from fugong.workforce.models import Employee

from . import engine, facts, rules, runner
from .models import CheckinPoint, Declaration, RateCounter

# The purpose statement (告知书) the employee consents to; a new text gets a new version, and each declaration
# stores the version it was given under.
STATEMENT_VERSION = "2020-02-v1"
STATEMENT = _(
    "本页面由所在企业和区复工复产指挥部用于新冠肺炎疫情防控，收集您的体温、症状、健康码和新增行程，"
    "仅用于判断您能否上岗及安排检测、隔离等防控措施，不作他用。信息加密保存，仅企业防疫负责人和相关政府"
    "工作人员在职责范围内可查看，疫情防控工作结束后按规定删除或匿名化。依据：《个人信息保护法》第十三条、"
    "中央网信办《关于做好个人信息保护利用大数据支撑联防联控工作的通知》（2020年2月4日）。"
)
SYMPTOMS = (
    ("fever", _("发热")),
    ("cough", _("咳嗽")),
    ("fatigue", _("乏力")),
    ("sore_throat", _("咽痛")),
    ("diarrhoea", _("腹泻")),
    ("smell_taste", _("嗅觉或味觉减退")),
)
SYMPTOM_LABELS = dict(SYMPTOMS)
BAD_ID = _("身份证号码有误，请核对后重新填写")
TEMPERATURE_RANGE_C = workforce.TEMPERATURE_RANGE_C
DEVICE_COOKIE = "fg_dev"
DEVICE_SALT = "fugong.screening.device"
DEVICE_PURPOSE = "screening.device"
ID_PURPOSE = "screening.checkin_id"
WINDOW_MINUTES = int(getattr(settings, "FUGONG_CHECKIN_WINDOW_MINUTES", 10))
# Attempts per window: a worker declares once or twice a day; a phone may be lent to a colleague or two.
LIMIT_DEVICE = int(getattr(settings, "FUGONG_CHECKIN_LIMIT_DEVICE", 10))
LIMIT_ID = int(getattr(settings, "FUGONG_CHECKIN_LIMIT_ID", 5))
# Requests without a device cookie are counted by address, which a factory's Wi-Fi shares among hundreds.
LIMIT_ADDRESS = int(getattr(settings, "FUGONG_CHECKIN_LIMIT_ADDRESS", 300))
POINT_CACHE_SECONDS = 60.0

NEXT_STEPS = {
    engine.CLEARED: _("您今日可以正常上岗。请继续每日测温申报，进出厂区佩戴口罩。"),
    engine.TEST_REQUIRED: _("请暂不上岗，联系企业防疫负责人安排核酸检测，结果阴性后方可上岗。"),
    engine.QUARANTINE: _("请在隔离观察期内留在隔离场所，不要进入车间和食堂；期满后按企业通知进行核酸检测。"),
    engine.ABNORMAL: _("请立即停止上岗，戴好口罩，联系企业防疫负责人，到发热门诊就诊；途中避免乘坐公共交通。"),
}


# --- entry points --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    enterprise_id: int
    enterprise_name: str


_points: dict[str, tuple[float, Point | None]] = {}
_points_lock = threading.Lock()


def forget_points() -> None:
    with _points_lock:
        _points.clear()


def point_for(token: str) -> Point | None:
    """The active entry point of a QR token (cached per process for a minute; a rotated token stops working
    in this process at once, in the others within the minute)."""
    token = (token or "")[:40]
    now = time.monotonic()
    hit = _points.get(token)
    if hit is not None and now - hit[0] < POINT_CACHE_SECONDS:
        return hit[1]
    row = CheckinPoint.objects.filter(token=token, active=True).values_list("enterprise_id", "enterprise__name").first()
    point = Point(row[0], row[1]) if row else None
    with _points_lock:
        if len(_points) > 10_000:
            _points.clear()
        _points[token] = (now, point)
    return point


# --- rate limits ---------------------------------------------------------------------------------------


def device_hash(device: str) -> str:
    return crypto.keyed_hash(device, DEVICE_PURPOSE)


def limit_keys(device: str | None, address: str, id_hash: str | None) -> list[tuple[str, int]]:
    keys = (
        [(f"d:{device_hash(device)[:40]}", LIMIT_DEVICE)]
        if device
        else [(f"a:{crypto.keyed_hash(address, DEVICE_PURPOSE)[:40]}", LIMIT_ADDRESS)]
    )
    if id_hash:
        keys.append((f"i:{crypto.keyed_hash(id_hash, ID_PURPOSE)[:40]}", LIMIT_ID))
    return keys


def slot_of(now: dt.datetime) -> int:
    return int(now.timestamp() // 60) // WINDOW_MINUTES


def hit(keys: Sequence[tuple[str, int]], now: dt.datetime | None = None) -> bool:
    """Count one attempt under each key in the current window; False when any key is over its limit.

    One statement, outside any transaction: the counters are not held locked while the declaration is
    written, and an attempt counts even if what follows fails."""
    slot = slot_of(now or timezone.now())
    q = connection.ops.quote_name
    table, key_col = q(RateCounter._meta.db_table), q("key")
    values = ", ".join(["(%s, %s, 1)"] * len(keys))
    params: list[Any] = []
    for key, _limit in keys:
        params.extend([key, slot])
    # Names come from the model; keys and slots are parameters.
    sql = (
        f"INSERT INTO {table} ({key_col}, slot, hits) VALUES {values} "  # noqa: S608
        f"ON CONFLICT ({key_col}, slot) DO UPDATE SET hits = {table}.hits + 1 RETURNING {key_col}, hits"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = dict(cursor.fetchall())
    return all(counts.get(key, 0) <= limit for key, limit in keys)


def purge_counters(before: dt.datetime) -> int:
    slot = slot_of(before)
    deleted, _n = RateCounter.objects.filter(slot__lt=slot).delete()
    return deleted


# --- the declaration -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclarationInput:
    name: str
    id_hash: str
    temperature: Decimal
    symptoms: tuple[str, ...]
    health_code: str
    travel_code: str = ""
    travel_from: dt.date | None = None
    travel_to: dt.date | None = None


@dataclass(frozen=True)
class Outcome:
    known: bool
    status: str = ""
    until: dt.date | None = None
    limited: bool = False

    @property
    def next_steps(self) -> Any:
        return NEXT_STEPS.get(self.status, "")


UNKNOWN = Outcome(known=False)
LIMITED = Outcome(known=False, limited=True)


def same_name(given: str, stored: str) -> bool:
    return "".join(given.split()) == "".join(stored.split())


def declare(
    point: Point,
    data: DeclarationInput,
    device: str,
    limits: Sequence[tuple[str, int]],
    now: dt.datetime | None = None,
) -> Outcome:
    """Count the attempt, identify, store and re-evaluate. Over a limit → LIMITED (nothing stored); an
    unknown ID and a wrong name → the same UNKNOWN."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        from . import checkin_pg

        result, verdict = checkin_pg.declare(point, data, device, limits, now)
        if verdict is None:
            return LIMITED if result == "limited" else UNKNOWN
        return Outcome(True, verdict.status, verdict.until)
    if not hit(limits, now):
        return LIMITED
    return _declare_portable(point, data, device, now)


def _declare_portable(point: Point, data: DeclarationInput, device: str, now: dt.datetime) -> Outcome:
    """Through the services: the path every database takes (PostgreSQL takes checkin_pg's, same rows)."""
    today = timezone.localdate(now)
    row = (
        Employee.objects.filter(enterprise_id=point.enterprise_id, id_hash=data.id_hash, active=True)
        .values_list("id", "name")
        .first()
    )
    if row is None or not same_name(data.name, row[1]):
        return UNKNOWN
    pk = row[0]
    employee = Employee(pk=pk, name=row[1], enterprise_id=point.enterprise_id)
    symptoms = "、".join(str(SYMPTOM_LABELS[s]) for s in data.symptoms)
    with translation.override("zh-hans"), transaction.atomic(), runner_signals_muted():
        reading = workforce.do_add_reading(
            None,
            employee,
            {
                "taken_on": today,
                "temperature": data.temperature,
                "symptoms": symptoms,
                "health_code": data.health_code,
                "source": "self",
            },
        )
        if data.travel_code:
            workforce.do_add_stay(
                None,
                employee,
                {
                    "kind": "stay",
                    "region_code": data.travel_code,
                    "region_name": "",
                    "date_from": data.travel_from,
                    "date_to": data.travel_to,
                    "note": "本人扫码申报",
                },
            )
        current = rules.rules_on(today)
        risk = rules.risk_table()
        loaded = facts.load(as_of=today, rules=current, risky=rules.risky_hashes(current, risk), ids=[pk])
        verdict = engine.evaluate(loaded.facts[pk], current, risk, today)
        runner.store(loaded, {pk: verdict}, now, today, runner.RunResult())
        Declaration.objects.create(
            enterprise_id=point.enterprise_id,
            employee_id=pk,
            reading=reading,
            declared_on=today,
            declared_at=now,
            statement_version=STATEMENT_VERSION,
            consented_at=now,
            new_travel=bool(data.travel_code),
            device_hash=device_hash(device),
            status_after=verdict.status,
        )
    return Outcome(True, verdict.status, verdict.until)


def clean_symptoms(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(v for v in dict.fromkeys(values) if v in SYMPTOM_LABELS)


# --- parsing the phone's form ------------------------------------------------------------------------------
# Plain functions rather than a django.forms.Form: a Form deep-copies its eleven fields on every request,
# which at this page's rate costs more than the database does.
HEALTH_CODES = frozenset({"green", "yellow", "red"})
YES = frozenset({"1", "on", "true", "yes"})


def _date_value(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw and len(raw.strip()) == 10 else None
    except ValueError:
        return None


def parse(post: Any, today: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """(values, errors) from the posted form; errors map a field to its message. The ID number is checked by
    the caller (its keyed hash is also a rate-limit key)."""
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    name = (post.get("name") or "").strip()
    if not name:
        errors["name"] = _("请填写姓名")
    elif len(name) > 40:
        errors["name"] = _("姓名过长（最多40个字符）")
    values["name"] = name
    if not (post.get("id_number") or "").strip():
        errors["id_number"] = _("请填写身份证号码")
    try:
        temperature = Decimal((post.get("temperature") or "").strip())
        if not temperature.is_finite():
            raise ArithmeticError
    except (ArithmeticError, ValueError):
        errors["temperature"] = _("请填写体温，例如 36.5")
    else:
        low, high = TEMPERATURE_RANGE_C
        if not low <= temperature <= high:
            errors["temperature"] = _("体温应在%(low)s至%(high)s℃之间") % {"low": low, "high": high}
        else:  # only a number in range: 1e30 cannot be quantized to tenths (InvalidOperation)
            values["temperature"] = temperature.quantize(Decimal("0.1"))
    symptoms = post.getlist("symptoms") if hasattr(post, "getlist") else []
    if any(v not in SYMPTOM_LABELS for v in symptoms):
        errors["symptoms"] = _("不是可选的症状")
    values["symptoms"] = clean_symptoms(symptoms)
    code = post.get("health_code") or ""
    if code not in HEALTH_CODES:
        errors["health_code"] = _("请选择健康码颜色")
    values["health_code"] = code
    if (post.get("consent") or "").lower() not in YES:
        errors["consent"] = _("请阅读并同意告知书")
    values.update(travel_code="", travel_from=None, travel_to=None)
    if (post.get("travel") or "").lower() in YES:
        travel_code = (post.get("travel_code") or "").strip()
        start, end = _date_value(post.get("travel_from") or ""), _date_value(post.get("travel_to") or "")
        if not (travel_code.isdigit() and len(travel_code) == 6):
            errors["travel_code"] = _("请填写6位县（区）区划代码")
        if start is None:
            errors["travel_from"] = _("请填写出发日期")
        if end is None:
            errors["travel_to"] = _("请填写返回日期")
        elif start is not None and end < start:
            errors["travel_to"] = _("返回日期不能早于出发日期")
        elif end > today:
            errors["travel_to"] = _("行程日期不能晚于今天")
        values.update(travel_code=travel_code, travel_from=start, travel_to=end)
    return values, errors


def runner_signals_muted() -> Any:
    from .signals import muted

    return muted()


def statement_text() -> Mapping[str, Any]:
    return {"version": STATEMENT_VERSION, "text": STATEMENT}
