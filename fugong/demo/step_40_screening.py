"""Demo step: screening (排查) as of 2020-03-02.

Risk levels of the demo's origin counties as the district entered them in January–February 2020 (synthetic
sources; the levels follow the period's pattern: 武汉 and the worst-hit Hubei cities 高, a few 中 elsewhere,
one region lifted back to 低 to show the history), then the engine runs for 2020-03-02 so every demo worker has
a computed status with its reasons: the two feverish last readings become 异常 with an alert each, 高斯贝尔's
first batch (non-residents all tested negative after return) comes out cleared, workers who left a 中/高 county
less than 14 days before are in quarantine, and non-residents still without a nucleic-acid test are 待检测.

Idempotent: levels are recorded only where missing, and the engine runs only when a level was recorded or a
worker has never been evaluated (a second load writes nothing).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count

from fugong.enterprises.models import Enterprise
from fugong.screening import runner, services
from fugong.screening.models import Alert, RiskArea, RiskLevel
from fugong.workforce.models import ClearanceStatus, Employee

from .enterprises import AS_OF, FENGCHU, GOSPELL

RESET_MODELS = ("screening.RiskArea", "screening.RescreenJob")
SOURCE = "演示数据：参照2020年1—2月各地疫情风险等级通告录入"
D = dt.date
# (code, name, level, effective from[, effective to])
LEVELS: tuple[tuple[Any, ...], ...] = (
    ("420102", "江岸区", RiskLevel.HIGH, D(2020, 1, 23)),
    ("420103", "江汉区", RiskLevel.HIGH, D(2020, 1, 23)),
    ("420104", "硚口区", RiskLevel.HIGH, D(2020, 1, 23)),
    ("420106", "武昌区", RiskLevel.HIGH, D(2020, 1, 23)),
    ("420111", "洪山区", RiskLevel.HIGH, D(2020, 1, 23)),
    ("420902", "孝南区", RiskLevel.HIGH, D(2020, 1, 24)),
    ("421102", "黄州区", RiskLevel.HIGH, D(2020, 1, 24)),
    ("421002", "沙市区", RiskLevel.MEDIUM, D(2020, 1, 24)),
    ("440304", "福田区", RiskLevel.MEDIUM, D(2020, 2, 1)),
    ("440305", "南山区", RiskLevel.MEDIUM, D(2020, 2, 1)),
    # Rated 中 for a fortnight, then lifted: the history keeps both.
    ("330106", "西湖区", RiskLevel.MEDIUM, D(2020, 2, 1)),
    ("330106", "西湖区", RiskLevel.LOW, D(2020, 2, 17)),
    ("430102", "芙蓉区", RiskLevel.LOW, D(2020, 2, 17)),
    ("431003", "苏仙区", RiskLevel.LOW, D(2020, 2, 17)),
)


def write(writer: Any) -> Counter[str]:
    created: Counter[str] = Counter()
    actor = writer.users.get("demo-district")
    have = set(RiskArea.objects.values_list("region_code", "effective_from"))
    rows = [
        services.RiskRow(code, name, level, start, SOURCE)
        for code, name, level, start in LEVELS
        if (code, start) not in have
    ]
    if rows:
        change = services.do_set_risk_levels(actor, rows, as_of=AS_OF, rescreen=False)
        created["screening.RiskArea"] += len(change.created)
        created["screening.Alert"] += change.alerts
    pending = Employee.objects.filter(active=True, clearance_evaluated_at__isnull=True).exists()
    if rows or pending:
        result = runner.rescreen(AS_OF, actor=actor, note="load_demo")
        created["screening.Alert"] += result.alerts + runner.daily_alerts(AS_OF)
        created["workforce.Employee.clearance"] += result.changed
    for enterprise in Enterprise.objects.filter(name__in=[GOSPELL, FENGCHU]):
        if not hasattr(enterprise, "checkin_point"):
            services.do_ensure_checkin_point(actor, enterprise)
            created["screening.CheckinPoint"] += 1
    return +created


def report_lines() -> list[str]:
    labels = dict(ClearanceStatus.choices)
    counts = dict(Employee.objects.filter(active=True).values_list("clearance").annotate(n=Count("id")))
    statuses = "、".join(f"{labels[s]} {counts.get(s, 0)}" for s in labels if counts.get(s))
    open_alerts = Alert.objects.filter(resolved_at__isnull=True).count()
    return [f"排查（{AS_OF}）：{statuses}；待处理预警 {open_alerts} 条"]
