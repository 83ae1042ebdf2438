"""The clearance engine: one employee's facts + the rules + the risk table + a date → a verdict.

Pure: no database, no clock, no settings — so every rule and its boundaries are tested from tables
(tests/test_engine.py), and the bulk runner, the self-declaration page and the `rescreen` command all call the
same function. The rules are domain-rules §4, parametrised by `Rules` (one ScreeningRuleSet version):

1. Abnormal (异常): the last reading has a temperature at or above the threshold (the reading's `fever` flag,
   set from the threshold in effect that day), or declares symptoms (when `symptoms_abnormal`), or the latest
   nucleic-acid / IgM result is positive.
2. A stay in a region rated at a quarantine level (default 中/高) → quarantine (隔离观察) through 14 days after
   leaving it (day 14 is the last day of quarantine, day 15 the first day out); afterwards a negative
   nucleic-acid test sampled on or after the day of leaving clears it, without one → test required (待检测).
   A stay counts when the region is so rated on any day from the stay's start to the end of its observation
   window (a region marked 高 today touches everyone who left it within the window), never by a rating that
   starts after the evaluation date; exposure ends when the stay does, or when the rating does if earlier.
3. Non-resident (非常住) → a negative nucleic-acid test sampled on or after the return day, else 待检测.
4. A red health code → quarantine through `red_code_days` after the last red reading; yellow likewise.
   An ongoing quarantine record (隔离记录) → quarantine through its end.
5. Otherwise cleared (可上岗).

Severity decides the status (异常 > 隔离观察 > 待检测 > 可上岗); every applicable reason is kept, most severe
first, as a Chinese sentence. A quarantine's end date is the latest of its reasons' end dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import NamedTuple

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

CLEARED = "cleared"
TEST_REQUIRED = "test_required"
QUARANTINE = "quarantine"
ABNORMAL = "abnormal"
SEVERITY = {CLEARED: 0, TEST_REQUIRED: 1, QUARANTINE: 2, ABNORMAL: 3}

NAT = "nat"
IGM = "igm"
NEGATIVE = "negative"
POSITIVE = "positive"
RED = "red"
YELLOW = "yellow"
LEVEL_ORDER = {"low": 0, "medium": 1, "high": 2}
REASON_MAX = 300


# The reason sentences, translated once per language (a million evaluations must not call gettext each time).
MESSAGES = {
    "low": gettext_noop("低风险"),
    "medium": gettext_noop("中风险"),
    "high": gettext_noop("高风险"),
    "nat": gettext_noop("核酸检测"),
    "igm": gettext_noop("IgM抗体检测"),
    "red": gettext_noop("红码"),
    "yellow": gettext_noop("黄码"),
    "fever": gettext_noop("%(d)s 体温达到或超过%(t)s℃，请立即隔离并到发热门诊就诊"),
    "symptoms": gettext_noop("%(d)s 申报有不适症状，请暂停上岗并就医排查"),
    "positive": gettext_noop("%(d)s %(what)s结果阳性，请立即隔离并报告"),
    "returned": gettext_noop("%(d)s 自%(name)s（%(level)s）返回"),
    "quarantine_to": gettext_noop("%(where)s，隔离观察至 %(u)s"),
    "released": gettext_noop("%(where)s，隔离期满且 %(t)s 核酸检测阴性"),
    "release_test": gettext_noop("%(where)s，隔离期满，须核酸检测阴性后上岗"),
    "non_resident_ok": gettext_noop("非常住人员，返岗后 %(t)s 核酸检测阴性"),
    "non_resident_back": gettext_noop("非常住人员，%(d)s 返岗，须返岗后核酸检测阴性方可上岗"),
    "non_resident": gettext_noop("非常住人员，须返岗后核酸检测阴性方可上岗"),
    "code": gettext_noop("%(d)s 健康码为%(code)s，隔离观察%(n)d天至 %(u)s"),
    "quarantine_record": gettext_noop("%(s)s 起隔离，至 %(u)s"),
    "nothing": gettext_noop("未发现须隔离或检测的情形"),
}


@lru_cache(maxsize=8)
def _texts_for(language: str) -> dict[str, str]:
    with translation.override(language):
        return {key: gettext(msgid) for key, msgid in MESSAGES.items()}


def texts() -> dict[str, str]:
    """The reason sentences in the active language."""
    return _texts_for(translation.get_language() or "zh-hans")


def level_label(level: str, t: dict[str, str] | None = None) -> str:
    return (t or texts()).get(level, level)


@dataclass(frozen=True)
class Rules:
    version: int = 0
    observation_days: int = 14
    fever_threshold: Decimal = Decimal("37.3")
    quarantine_levels: frozenset[str] = frozenset({"medium", "high"})
    non_resident_test_required: bool = True
    red_code_days: int = 14
    yellow_code_days: int = 7
    symptoms_abnormal: bool = True


class RiskPeriod(NamedTuple):
    level: str
    start: dt.date
    end: dt.date | None  # inclusive; None: still in force
    name: str  # the region's name, for the reason sentence


# Facts are NamedTuples: a million employees' worth are built per run, and tuples build fastest.
# region hash → its rating periods
RiskTable = Mapping[str, Sequence[RiskPeriod]]


class StayFact(NamedTuple):
    region_hash: str
    date_from: dt.date
    date_to: dt.date


class TestFact(NamedTuple):
    kind: str
    sample_date: dt.date
    result: str


class QuarantineFact(NamedTuple):
    start: dt.date
    end: dt.date | None


class ReadingFact(NamedTuple):
    taken_on: dt.date
    fever: bool
    health_code: str = ""
    has_symptoms: bool = False
    order: int = 0  # later readings of the same day sort after earlier ones (time taken, then id)


@dataclass(slots=True)
class Facts:
    resident: bool
    returned_on: dt.date | None = None
    stays: list[StayFact] = field(default_factory=list)
    tests: list[TestFact] = field(default_factory=list)
    quarantines: list[QuarantineFact] = field(default_factory=list)
    readings: list[ReadingFact] = field(default_factory=list)


@dataclass(frozen=True)
class Reason:
    status: str
    text: str
    until: dt.date | None = None


@dataclass(frozen=True)
class Verdict:
    status: str
    reasons: tuple[str, ...]
    until: dt.date | None = None
    fever_on: dt.date | None = None  # the day of a feverish last reading (for its alert)

    @cached_property  # a bulk run compares it with the stored reason for each employee sharing this verdict
    def reason_text(self) -> str:
        text = "；".join(self.reasons)
        return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1] + "…"


@dataclass
class _Collector:
    reasons: list[Reason] = field(default_factory=list)

    def add(self, status: str, text: str, until: dt.date | None = None) -> None:
        self.reasons.append(Reason(status, text, until))


def _d(day: dt.date) -> str:
    return day.isoformat()


def risky_exposure(
    stay: StayFact, periods: Sequence[RiskPeriod], rules: Rules, as_of: dt.date
) -> tuple[RiskPeriod, dt.date] | None:
    """The rating that makes the stay risky, with the last day of exposure under it — or None.

    A quarantine-level rating counts when it is in force on some day from the stay's start to the end of its
    window (date_to + observation days), and has begun by `as_of`. Exposure lasts until the stay ends, or
    until the rating ends if that is earlier (a county lifted to 低 while the person was still there). Of
    several ratings, the one with the latest exposure wins, then the more severe."""
    last_day = min(as_of, stay.date_to + dt.timedelta(days=rules.observation_days))
    best: tuple[RiskPeriod, dt.date] | None = None
    for p in periods:
        if p.level not in rules.quarantine_levels:
            continue
        if p.start <= last_day and (p.end is None or p.end >= stay.date_from):
            exposed = stay.date_to if p.end is None else min(stay.date_to, p.end)
            key = (exposed, LEVEL_ORDER.get(p.level, 0))
            if best is None or key > (best[1], LEVEL_ORDER.get(best[0].level, 0)):
                best = (p, exposed)
    return best


def _negative_nat_since(tests: Sequence[TestFact], since: dt.date | None, as_of: dt.date) -> TestFact | None:
    found = None
    for t in tests:
        if t.kind != NAT or t.result != NEGATIVE or t.sample_date > as_of:
            continue
        if since is not None and t.sample_date < since:
            continue
        if found is None or t.sample_date > found.sample_date:
            found = t
    return found


def _latest(tests: Sequence[TestFact], kind: str, as_of: dt.date) -> TestFact | None:
    found = None
    for t in tests:
        if t.kind == kind and t.sample_date <= as_of and (found is None or t.sample_date >= found.sample_date):
            found = t
    return found


def _abnormal(facts: Facts, rules: Rules, as_of: dt.date, out: _Collector, t: dict[str, str]) -> dt.date | None:
    readings = [r for r in facts.readings if r.taken_on <= as_of]
    fever_on = None
    if readings:
        last = max(readings, key=lambda r: (r.taken_on, r.order))
        if last.fever:
            fever_on = last.taken_on
            out.add(
                ABNORMAL,
                t["fever"] % {"d": _d(last.taken_on), "t": rules.fever_threshold},
            )
        if rules.symptoms_abnormal and last.has_symptoms:
            out.add(ABNORMAL, t["symptoms"] % {"d": _d(last.taken_on)})
    for kind in (NAT, IGM):
        latest = _latest(facts.tests, kind, as_of)
        if latest is not None and latest.result == POSITIVE:
            out.add(
                ABNORMAL,
                t["positive"] % {"d": _d(latest.sample_date), "what": t[kind]},
            )
    return fever_on


def _risky_stays(
    facts: Facts, rules: Rules, risk: RiskTable, as_of: dt.date, out: _Collector, t: dict[str, str]
) -> None:
    window = dt.timedelta(days=rules.observation_days)
    for stay in sorted(facts.stays, key=lambda s: (s.date_to, s.date_from)):
        if stay.date_from > as_of:
            continue
        found = risky_exposure(stay, risk.get(stay.region_hash, ()), rules, as_of)
        if found is None:
            continue
        period, exposed = found
        until = exposed + window
        where = t["returned"] % {
            "d": _d(stay.date_to),
            "name": period.name,
            "level": t.get(period.level, period.level),
        }
        if as_of <= until:
            out.add(QUARANTINE, t["quarantine_to"] % {"where": where, "u": _d(until)}, until)
            continue
        test = _negative_nat_since(facts.tests, exposed, as_of)
        if test is not None:
            out.add(
                CLEARED,
                t["released"] % {"where": where, "t": _d(test.sample_date)},
            )
        else:
            out.add(TEST_REQUIRED, t["release_test"] % {"where": where})


def _non_resident(facts: Facts, rules: Rules, as_of: dt.date, out: _Collector, t: dict[str, str]) -> None:
    if facts.resident or not rules.non_resident_test_required:
        return
    test = _negative_nat_since(facts.tests, facts.returned_on, as_of)
    if test is not None:
        out.add(CLEARED, t["non_resident_ok"] % {"t": _d(test.sample_date)})
    elif facts.returned_on is not None:
        out.add(
            TEST_REQUIRED,
            t["non_resident_back"] % {"d": _d(facts.returned_on)},
        )
    else:
        out.add(TEST_REQUIRED, t["non_resident"])


def _codes_and_quarantines(facts: Facts, rules: Rules, as_of: dt.date, out: _Collector, t: dict[str, str]) -> None:
    for code, days in ((RED, rules.red_code_days), (YELLOW, rules.yellow_code_days)):
        if not days:
            continue
        seen = [r.taken_on for r in facts.readings if r.health_code == code and r.taken_on <= as_of]
        if not seen:
            continue
        last = max(seen)
        until = last + dt.timedelta(days=days)
        if as_of <= until:
            out.add(
                QUARANTINE,
                t["code"] % {"d": _d(last), "code": t[code], "n": days, "u": _d(until)},
                until,
            )
    window = dt.timedelta(days=rules.observation_days)
    for q in facts.quarantines:
        end = q.end if q.end is not None else q.start + window
        if q.start <= as_of <= end:
            out.add(QUARANTINE, t["quarantine_record"] % {"s": _d(q.start), "u": _d(end)}, end)


def evaluate(facts: Facts, rules: Rules, risk: RiskTable, as_of: dt.date, t: dict[str, str] | None = None) -> Verdict:
    """The clearance of one employee on `as_of` (see the module docstring for the rules). `t`: the reason
    sentences (texts()), passed in by callers that evaluate many employees."""
    t = t or texts()
    out = _Collector()
    fever_on = _abnormal(facts, rules, as_of, out, t)
    _risky_stays(facts, rules, risk, as_of, out, t)
    _non_resident(facts, rules, as_of, out, t)
    _codes_and_quarantines(facts, rules, as_of, out, t)
    if not out.reasons:
        return Verdict(CLEARED, (t["nothing"],), None, None)
    status = max((r.status for r in out.reasons), key=SEVERITY.__getitem__)
    # Most severe first; among equals, in the order the rules produced them.
    ordered = sorted(out.reasons, key=lambda r: -SEVERITY[r.status])
    if status != CLEARED:
        ordered = [r for r in ordered if r.status != CLEARED]
    until = None
    if status == QUARANTINE:
        until = max(r.until for r in out.reasons if r.status == QUARANTINE and r.until is not None)
    return Verdict(status, tuple(r.text for r in ordered), until, fever_on)


MEMO_MAX = 200_000  # distinct sets of facts remembered by one evaluator (a bound on memory, not a tuning knob)


def evaluator(rules: Rules, risk: RiskTable, as_of: dt.date, t: dict[str, str] | None = None
              ) -> Callable[[Facts], Verdict]:  # fmt: skip
    """evaluate() for the many employees of one run, with the rules, risk table and date fixed: each distinct
    set of facts is evaluated once. A verdict depends on nothing else, and a district shares facts widely —
    residents whose last reading is a green code on the same day, non-residents back on the same day with a
    negative test the day after — so a district-wide run evaluates a few thousand sets, not a million."""
    t = t or texts()
    seen: dict[tuple[object, ...], Verdict] = {}

    def verdict(f: Facts) -> Verdict:
        key = (f.resident, f.returned_on, tuple(f.stays), tuple(f.tests), tuple(f.quarantines), tuple(f.readings))
        found = seen.get(key)
        if found is None:
            if len(seen) >= MEMO_MAX:
                seen.clear()
            found = seen[key] = evaluate(f, rules, risk, as_of, t)
        return found

    return verdict


def fever(temperature: Decimal, rules: Rules) -> bool:
    """Rule 1's threshold: at or above it is a fever (37.2 is not, 37.3 is, by default)."""
    return temperature >= rules.fever_threshold
