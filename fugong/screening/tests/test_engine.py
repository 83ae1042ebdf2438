"""The clearance engine from tables, without a database: every rule, its boundaries (37.2 vs 37.3 °C, day 14
vs day 15, a test before the return vs after), combinations, and rule parameters (effective-date changes are
rule versions: tested in test_rules.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from fugong.screening import engine
from fugong.screening.engine import (
    ABNORMAL,
    CLEARED,
    QUARANTINE,
    TEST_REQUIRED,
    Facts,
    QuarantineFact,
    ReadingFact,
    RiskPeriod,
    Rules,
    StayFact,
)
from fugong.screening.engine import (
    TestFact as Sample,
)

D = dt.date
AS_OF = D(2020, 3, 2)
RULES = Rules(version=1)
WUCHANG = "h-420106"
FUTIAN = "h-440304"
CHANGSHA = "h-430102"
RISK = {
    WUCHANG: (RiskPeriod("high", D(2020, 1, 23), None, "武昌区"),),
    FUTIAN: (RiskPeriod("medium", D(2020, 2, 10), None, "福田区"),),
    CHANGSHA: (RiskPeriod("low", D(2020, 2, 1), None, "芙蓉区"),),
}


def nat(day: dt.date, result: str = "negative") -> Sample:
    return Sample("nat", day, result)


def reading(day: dt.date, fever: bool = False, code: str = "green", symptoms: bool = False, order: int = 0):
    return ReadingFact(day, fever, code, symptoms, order)


def resident(**kw) -> Facts:
    return Facts(resident=True, **kw)


def non_resident(returned: dt.date | None = D(2020, 2, 10), **kw) -> Facts:
    return Facts(resident=False, returned_on=returned, **kw)


def stay(region: str, date_from: dt.date, date_to: dt.date) -> StayFact:
    return StayFact(region, date_from, date_to)


CASES = [
    # (id, facts, as_of, expected status, expected until)
    ("a resident with nothing to report is cleared", resident(), AS_OF, CLEARED, None),
    # Rule 1: the temperature threshold, on the last reading only.
    ("37.2 is not a fever", resident(readings=[reading(D(2020, 3, 1), fever=False)]), AS_OF, CLEARED, None),
    (
        "37.3 on the last reading is abnormal",
        resident(readings=[reading(D(2020, 3, 1), fever=True)]),
        AS_OF,
        ABNORMAL,
        None,
    ),
    (
        "an earlier fever followed by a normal reading is cleared",
        resident(readings=[reading(D(2020, 2, 29), fever=True), reading(D(2020, 3, 1))]),
        AS_OF,
        CLEARED,
        None,
    ),
    (
        "a fever later the same day wins over a normal morning",
        resident(readings=[reading(D(2020, 3, 1), order=1), reading(D(2020, 3, 1), fever=True, order=2)]),
        AS_OF,
        ABNORMAL,
        None,
    ),
    (
        "a reading after the evaluation date is ignored",
        resident(readings=[reading(D(2020, 3, 3), fever=True)]),
        AS_OF,
        CLEARED,
        None,
    ),
    (
        "declared symptoms are abnormal",
        resident(readings=[reading(D(2020, 3, 1), symptoms=True)]),
        AS_OF,
        ABNORMAL,
        None,
    ),
    (
        "a positive nucleic-acid test is abnormal",
        resident(tests=[nat(D(2020, 2, 20), "positive")]),
        AS_OF,
        ABNORMAL,
        None,
    ),
    (
        "a positive test superseded by a later negative one is not",
        resident(tests=[nat(D(2020, 2, 20), "positive"), nat(D(2020, 2, 25))]),
        AS_OF,
        CLEARED,
        None,
    ),
    ("a positive IgM is abnormal", resident(tests=[Sample("igm", D(2020, 2, 20), "positive")]), AS_OF, ABNORMAL, None),
    # Rule 2: a risky stay, day 14 vs day 15 after leaving.
    (
        "day 0 after leaving a high-risk county is quarantine to day 14",
        resident(stays=[stay(WUCHANG, D(2020, 2, 10), D(2020, 3, 2))]),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 16),
    ),
    (
        "day 14 after leaving is still quarantine (its last day)",
        resident(stays=[stay(WUCHANG, D(2020, 2, 4), D(2020, 2, 17))]),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 2),
    ),
    (
        "day 15 without a test is test required",
        resident(stays=[stay(WUCHANG, D(2020, 2, 3), D(2020, 2, 16))]),
        AS_OF,
        TEST_REQUIRED,
        None,
    ),
    (
        "day 15 with a negative test after leaving is cleared",
        resident(stays=[stay(WUCHANG, D(2020, 2, 3), D(2020, 2, 16))], tests=[nat(D(2020, 2, 28))]),
        AS_OF,
        CLEARED,
        None,
    ),
    (
        "a test on the day of leaving counts",
        resident(stays=[stay(WUCHANG, D(2020, 2, 3), D(2020, 2, 16))], tests=[nat(D(2020, 2, 16))]),
        AS_OF,
        CLEARED,
        None,
    ),
    (
        "a test taken before leaving does not count",
        resident(stays=[stay(WUCHANG, D(2020, 2, 3), D(2020, 2, 16))], tests=[nat(D(2020, 2, 15))]),
        AS_OF,
        TEST_REQUIRED,
        None,
    ),
    (
        "a pending test does not count",
        resident(stays=[stay(WUCHANG, D(2020, 2, 3), D(2020, 2, 16))], tests=[nat(D(2020, 2, 28), "pending")]),
        AS_OF,
        TEST_REQUIRED,
        None,
    ),
    (
        "an IgM test does not replace the nucleic-acid test",
        resident(
            stays=[stay(WUCHANG, D(2020, 2, 3), D(2020, 2, 16))], tests=[Sample("igm", D(2020, 2, 28), "negative")]
        ),
        AS_OF,
        TEST_REQUIRED,
        None,
    ),
    (
        "a medium-risk county quarantines too",
        resident(stays=[stay(FUTIAN, D(2020, 2, 15), D(2020, 2, 25))]),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 10),
    ),
    (
        "a low-risk county does not",
        resident(stays=[stay(CHANGSHA, D(2020, 2, 15), D(2020, 2, 25))]),
        AS_OF,
        CLEARED,
        None,
    ),
    (
        "an unrated county does not",
        resident(stays=[stay("h-unrated", D(2020, 2, 15), D(2020, 2, 25))]),
        AS_OF,
        CLEARED,
        None,
    ),
    (
        "a rating that starts after the stay's window does not touch it",
        resident(stays=[stay(FUTIAN, D(2020, 1, 10), D(2020, 1, 26))]),
        AS_OF,
        CLEARED,
        None,
    ),
    (
        "a rating that starts within the stay's window does (left 14 days before it began)",
        resident(stays=[stay(FUTIAN, D(2020, 1, 10), D(2020, 1, 27))]),
        AS_OF,
        TEST_REQUIRED,
        None,
    ),
    (
        "a rating not yet in force on the evaluation date does not count",
        resident(stays=[stay(FUTIAN, D(2020, 2, 1), D(2020, 2, 8))]),
        D(2020, 2, 9),
        CLEARED,
        None,
    ),
    (
        "a stay that starts after the evaluation date is ignored",
        resident(stays=[stay(WUCHANG, D(2020, 3, 3), D(2020, 3, 5))]),
        AS_OF,
        CLEARED,
        None,
    ),
    (
        "of two risky stays the later departure sets the end",
        resident(stays=[stay(WUCHANG, D(2020, 2, 18), D(2020, 2, 20)), stay(FUTIAN, D(2020, 2, 20), D(2020, 2, 24))]),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 9),
    ),
    # Rule 3: non-residents need a negative nucleic-acid test on or after the return day.
    ("a non-resident without a test is test required", non_resident(), AS_OF, TEST_REQUIRED, None),
    (
        "a non-resident tested the day before return is test required",
        non_resident(tests=[nat(D(2020, 2, 9))]),
        AS_OF,
        TEST_REQUIRED,
        None,
    ),
    (
        "a non-resident tested on the return day is cleared",
        non_resident(tests=[nat(D(2020, 2, 10))]),
        AS_OF,
        CLEARED,
        None,
    ),
    ("a non-resident tested after return is cleared", non_resident(tests=[nat(D(2020, 2, 12))]), AS_OF, CLEARED, None),
    (
        "a non-resident whose test result is positive is abnormal",
        non_resident(tests=[nat(D(2020, 2, 12), "positive")]),
        AS_OF,
        ABNORMAL,
        None,
    ),
    (
        "a non-resident with no return date needs any negative test",
        non_resident(returned=None),
        AS_OF,
        TEST_REQUIRED,
        None,
    ),
    # Rule 4: health codes and quarantine records.
    (
        "a red code is 14 days of quarantine",
        resident(readings=[reading(D(2020, 2, 20), code="red")]),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 5),
    ),
    (
        "a red code 15 days ago no longer is",
        resident(readings=[reading(D(2020, 2, 16), code="red")]),
        AS_OF,
        CLEARED,
        None,
    ),
    (
        "a later green code does not lift a red one",
        resident(readings=[reading(D(2020, 2, 25), code="red"), reading(D(2020, 3, 1), code="green")]),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 10),
    ),
    (
        "a yellow code is 7 days",
        resident(readings=[reading(D(2020, 2, 24), code="yellow")]),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 2),
    ),
    (
        "a yellow code 8 days ago no longer is",
        resident(readings=[reading(D(2020, 2, 23), code="yellow")]),
        AS_OF,
        CLEARED,
        None,
    ),
    (
        "an ongoing quarantine record is quarantine to its end",
        resident(quarantines=[QuarantineFact(D(2020, 2, 25), D(2020, 3, 5))]),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 5),
    ),
    (
        "an open-ended quarantine record runs the observation window",
        resident(quarantines=[QuarantineFact(D(2020, 2, 25), None)]),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 10),
    ),
    (
        "a finished quarantine record no longer counts",
        resident(quarantines=[QuarantineFact(D(2020, 2, 10), D(2020, 2, 24))]),
        AS_OF,
        CLEARED,
        None,
    ),
    # Combinations: the most severe status wins; quarantine's end is the latest of its reasons.
    (
        "a fever during a quarantine is abnormal",
        resident(stays=[stay(WUCHANG, D(2020, 2, 20), D(2020, 2, 25))], readings=[reading(D(2020, 3, 1), True)]),
        AS_OF,
        ABNORMAL,
        None,
    ),
    (
        "a non-resident back from a high-risk county is quarantined before the test matters",
        non_resident(
            D(2020, 2, 25), stays=[stay(WUCHANG, D(2020, 2, 11), D(2020, 2, 25))], tests=[nat(D(2020, 2, 26))]
        ),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 10),
    ),
    (
        "a red code and a risky stay: the later end",
        resident(stays=[stay(FUTIAN, D(2020, 2, 15), D(2020, 2, 20))], readings=[reading(D(2020, 2, 28), code="red")]),
        AS_OF,
        QUARANTINE,
        D(2020, 3, 13),
    ),
    (
        "after a risky quarantine a non-resident needs one test after return and leaving",
        non_resident(D(2020, 2, 1), stays=[stay(WUCHANG, D(2020, 1, 18), D(2020, 2, 1))], tests=[nat(D(2020, 2, 14))]),
        AS_OF,
        CLEARED,
        None,
    ),
]


@pytest.mark.parametrize(("facts", "as_of", "status", "until"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_engine_decides_each_rule_and_boundary(facts, as_of, status, until):
    verdict = engine.evaluate(facts, RULES, RISK, as_of)
    assert (verdict.status, verdict.until) == (status, until), verdict.reasons
    assert verdict.reasons and all(isinstance(r, str) and r for r in verdict.reasons)


@pytest.mark.parametrize(
    ("temperature", "fever"),
    [(Decimal("36.0"), False), (Decimal("37.2"), False), (Decimal("37.3"), True), (Decimal("38.5"), True)],
)
def test_the_fever_threshold_is_inclusive(temperature, fever):
    assert engine.fever(temperature, RULES) is fever


def test_a_stricter_threshold_is_a_parameter():
    assert engine.fever(Decimal("37.2"), replace(RULES, fever_threshold=Decimal("37.2"))) is True


def test_reasons_are_sentences_with_the_region_level_and_end_date():
    facts = resident(stays=[stay(WUCHANG, D(2020, 2, 10), D(2020, 2, 18))])
    verdict = engine.evaluate(facts, RULES, RISK, AS_OF)
    assert verdict.reasons == ("2020-02-18 自武昌区（高风险）返回，隔离观察至 2020-03-03",)


def test_every_reason_is_kept_most_severe_first():
    facts = non_resident(stays=[stay(WUCHANG, D(2020, 2, 20), D(2020, 2, 25))], readings=[reading(AS_OF, True)])
    verdict = engine.evaluate(facts, RULES, RISK, AS_OF)
    assert verdict.status == ABNORMAL
    assert "体温" in verdict.reasons[0]
    assert "隔离观察至" in verdict.reasons[1] and "非常住" in verdict.reasons[2]
    assert verdict.fever_on == AS_OF


def test_a_cleared_verdict_says_why():
    verdict = engine.evaluate(non_resident(tests=[nat(D(2020, 2, 12))]), RULES, RISK, AS_OF)
    assert verdict.reasons == ("非常住人员，返岗后 2020-02-12 核酸检测阴性",)
    assert engine.evaluate(resident(), RULES, RISK, AS_OF).reasons == ("未发现须隔离或检测的情形",)


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({}, QUARANTINE),
        ({"quarantine_levels": frozenset({"high"})}, TEST_REQUIRED),  # 中 no longer quarantines; rule 3 remains
        ({"observation_days": 7}, TEST_REQUIRED),  # quarantine over on 02-27: the test is what is missing
        ({"non_resident_test_required": False}, QUARANTINE),
        ({"quarantine_levels": frozenset({"high"}), "non_resident_test_required": False}, CLEARED),
    ],
)
def test_rule_parameters_change_the_outcome(change, status):
    # A non-resident who left a medium-risk county on 2020-02-20 and has no test yet.
    facts = non_resident(D(2020, 2, 20), stays=[stay(FUTIAN, D(2020, 2, 10), D(2020, 2, 20))])
    assert engine.evaluate(facts, replace(RULES, **change), RISK, AS_OF).status == status


def test_a_shorter_window_ends_quarantine_sooner():
    facts = resident(stays=[stay(FUTIAN, D(2020, 2, 15), D(2020, 2, 25))])
    short = replace(RULES, observation_days=7)
    assert engine.evaluate(facts, short, RISK, AS_OF).until == D(2020, 3, 3)
    assert engine.evaluate(facts, short, RISK, D(2020, 3, 4)).status == TEST_REQUIRED


def test_a_region_lifted_to_low_still_counts_for_the_days_it_was_rated():
    risk = {
        FUTIAN: (
            RiskPeriod("medium", D(2020, 2, 10), D(2020, 2, 20), "福田区"),
            RiskPeriod("low", D(2020, 2, 21), None, "福田区"),
        )
    }
    inside = resident(stays=[stay(FUTIAN, D(2020, 2, 15), D(2020, 2, 25))])
    after = resident(stays=[stay(FUTIAN, D(2020, 2, 22), D(2020, 2, 25))])
    # Exposed until the rating ended (02-20), not until leaving (02-25): quarantine to 03-05.
    assert (engine.evaluate(inside, RULES, risk, AS_OF).status, engine.evaluate(inside, RULES, risk, AS_OF).until) == (
        QUARANTINE,
        D(2020, 3, 5),
    )
    assert engine.evaluate(after, RULES, risk, AS_OF).status == CLEARED


def test_the_bulk_evaluator_gives_every_case_the_engines_verdict_in_any_order():
    # One evaluator per date, as a run uses it; every case twice, the second pass reversed (answers from memory).
    for as_of in {c[2] for c in CASES}:
        cases = [c for c in CASES if c[2] == as_of]
        verdict_of = engine.evaluator(RULES, RISK, as_of)
        for _id, facts, _as_of, _status, _until in [*cases, *reversed(cases)]:
            expected = engine.evaluate(facts, RULES, RISK, as_of)
            got = verdict_of(facts)
            assert (got.status, got.reasons, got.until, got.fever_on) == (
                expected.status,
                expected.reasons,
                expected.until,
                expected.fever_on,
            ), _id


def test_the_bulk_evaluator_shares_a_verdict_only_between_equal_facts():
    verdict_of = engine.evaluator(RULES, RISK, AS_OF)
    back = D(2020, 2, 20)
    first = verdict_of(non_resident(back, tests=[nat(D(2020, 2, 21))]))
    assert verdict_of(non_resident(back, tests=[nat(D(2020, 2, 21))])) is first
    # Any fact that differs is evaluated afresh: the test's result, a later reading of the same day.
    assert verdict_of(non_resident(back, tests=[nat(D(2020, 2, 21), "positive")])).status == ABNORMAL
    same_day = [reading(AS_OF, True, order=1), reading(AS_OF, False, order=2)]
    assert verdict_of(resident(readings=same_day)).status == CLEARED
    assert verdict_of(resident(readings=[same_day[0], same_day[1]._replace(order=0)])).status == ABNORMAL


@pytest.mark.parametrize(
    "text, level",
    [("高", "high"), ("高风险", "high"), (" 中 ", "medium"), ("low", "low"), ("High risk", "high"),
     ("Medium  Risk", "medium"), ("很高", None), ("risk", None), ("", None)],
)  # fmt: skip
def test_a_risk_level_is_read_in_chinese_or_english(text, level):
    from fugong.screening.services import parse_level

    assert parse_level(text) == level
