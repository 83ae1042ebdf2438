"""Reading the rule data the engine runs on: the rule version in effect on a day, and the risk table.

Both are small (a few rule versions, a few thousand risk rows) and read on every self-declaration, so each
process keeps them for CACHE_SECONDS. A write in this process (services) drops the copy at once; other
processes (the other gunicorn workers) see it within CACHE_SECONDS. Re-screening runs read them fresh
(`fresh=True`), so a risk change is always screened against the new table.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from . import engine

CACHE_SECONDS = float(getattr(settings, "FUGONG_SCREENING_CACHE_SECONDS", 10))
# Before any version is in effect (or with no rule data at all): domain-rules §4 as written.
DEFAULT_RULES = engine.Rules()


@dataclass(frozen=True)
class RuleVersion:
    effective_from: dt.date
    effective_to: dt.date | None
    rules: engine.Rules
    source: str


_lock = threading.Lock()
_cache: dict[str, tuple[float, Any]] = {}


def invalidate() -> None:
    with _lock:
        _cache.clear()


def _cached(name: str, load: Any, fresh: bool) -> Any:
    now = time.monotonic()
    if not fresh:
        hit = _cache.get(name)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    value = load()
    with _lock:
        _cache[name] = (now, value)
    return value


def to_rules(row: Any) -> engine.Rules:
    return engine.Rules(
        version=row.version,
        observation_days=row.observation_days,
        fever_threshold=Decimal(row.fever_threshold_c),
        quarantine_levels=frozenset(row.quarantine_levels or ()),
        non_resident_test_required=row.non_resident_test_required,
        red_code_days=row.red_code_days,
        yellow_code_days=row.yellow_code_days,
        symptoms_abnormal=row.symptoms_abnormal,
    )


def _load_versions() -> list[RuleVersion]:
    from .models import ScreeningRuleSet

    return [
        RuleVersion(r.effective_from, r.effective_to, to_rules(r), r.source)
        for r in ScreeningRuleSet.objects.order_by("effective_from", "version")
    ]


def versions(fresh: bool = False) -> list[RuleVersion]:
    return _cached("versions", _load_versions, fresh)


def rules_on(day: dt.date, fresh: bool = False) -> engine.Rules:
    """The rule version in effect on `day`; the latest one starting on or before it wins an overlap."""
    found = None
    for v in versions(fresh):
        if v.effective_from <= day and (v.effective_to is None or day <= v.effective_to):
            found = v
    return found.rules if found else DEFAULT_RULES


def fever_threshold(day: dt.date) -> Decimal:
    """The temperature (℃) from which a reading taken on `day` is a fever (workforce sets `fever` with it)."""
    return rules_on(day).fever_threshold


def _load_risk() -> dict[str, tuple[engine.RiskPeriod, ...]]:
    from .models import RiskArea

    table: dict[str, list[engine.RiskPeriod]] = defaultdict(list)
    rows = RiskArea.objects.order_by("effective_from", "id").values_list(
        "region_hash", "level", "effective_from", "effective_to", "region_name"
    )
    for region_hash, level, start, end, name in rows:
        table[region_hash].append(engine.RiskPeriod(level, start, end, name))
    return {k: tuple(v) for k, v in table.items()}


def risk_table(fresh: bool = False) -> dict[str, tuple[engine.RiskPeriod, ...]]:
    return _cached("risk", _load_risk, fresh)


def risky_hashes(rules: engine.Rules, risk: dict[str, tuple[engine.RiskPeriod, ...]]) -> list[str]:
    """Region hashes ever rated at a quarantine level: the only stays the engine needs to read."""
    return sorted(h for h, periods in risk.items() if any(p.level in rules.quarantine_levels for p in periods))
