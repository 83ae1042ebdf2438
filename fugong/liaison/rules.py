"""The liaison rules in force on a day (rules as data: `LiaisonRule` rows with effective dates).

The default row is loaded by a migration; when no row applies (a fresh test database that was flushed, a day
before the first rule) the same defaults are used, so the pages never fail for want of configuration.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from .models import LiaisonRule


class RuleDefaults(TypedDict):
    """The field values of the default row; effective_from is ISO text so the migration can share it."""

    effective_from: str
    max_load: int
    visit_interval_days: int
    source: str


DEFAULT_RULE: RuleDefaults = {
    "effective_from": "2020-02-01",
    "max_load": 3,
    "visit_interval_days": 3,
    "source": "苏仙区复工复产工作安排：每名驻企联络员派驻不超过3个企业和项目，每3天至少走访一次"
    "（默认值，区复工办可修改）",
}


def rule_on(day: dt.date) -> LiaisonRule:
    """The row in force on `day`, or an unsaved rule with the defaults."""
    rule = LiaisonRule.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rule is not None:
        return rule
    fields = {k: v for k, v in DEFAULT_RULE.items() if k != "effective_from"}
    return LiaisonRule(effective_from=dt.date.fromisoformat(DEFAULT_RULE["effective_from"]), **fields)
