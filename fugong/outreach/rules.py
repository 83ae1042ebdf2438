"""The outreach rule in force on a day (rules as data: `OutreachRule` rows with effective dates).

The default row is loaded by a migration; when no row applies the same defaults are used."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from .models import OutreachRule


class RuleDefaults(TypedDict):
    """The field values of the default row; effective_from is ISO text so the migration can share it."""

    effective_from: str
    plan_days: int
    source: str


DEFAULT_RULE: RuleDefaults = {
    "effective_from": "2020-02-01",
    "plan_days": 14,
    "source": "苏仙区防疫宣传小分队工作安排：区级小分队巡回规上工业企业，镇（街道）小分队覆盖辖区其他企业，"
    "每轮14天内走访全部目标企业（默认值，区复工办可修改）",
}


def rule_on(day: dt.date) -> OutreachRule:
    rule = OutreachRule.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rule is not None:
        return rule
    fields = {k: v for k, v in DEFAULT_RULE.items() if k != "effective_from"}
    return OutreachRule(effective_from=dt.date.fromisoformat(DEFAULT_RULE["effective_from"]), **fields)
