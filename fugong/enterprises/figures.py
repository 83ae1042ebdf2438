"""Figure keys of the registry (interfaces.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from fugong.core.figures import figure, memoised

from .models import ResumptionStatus

# 部分复工 counts as resumed (复工复产) in the district's statistics, as it did in 2020.
RESUMED = (ResumptionStatus.RESUMED, ResumptionStatus.PARTIAL)


def _counts(user: Any, day: dt.date) -> dict[str, int]:
    return memoised(
        ("enterprise_counts", getattr(user, "pk", None), getattr(user, "role", ""), day), lambda: _aggregate(user, day)
    )


def _aggregate(user: Any, day: dt.date) -> dict[str, int]:
    # Status "as of a day" comes from the resumption app's dated status history (its snapshot when fresh),
    # not from the current field; an enterprise without history counts by status and resumed_on as before.
    from fugong.resumption.stats import resumption_counts

    return resumption_counts(user, day)


@figure("above_scale_industrial_total", _("规模以上工业企业"), order=10)
def above_scale_industrial_total(user: Any, day: dt.date) -> int:
    return _counts(user, day)["asi_total"]


@figure("above_scale_industrial_resumed", _("规模以上工业企业已复工"), order=11)
def above_scale_industrial_resumed(user: Any, day: dt.date) -> int:
    return _counts(user, day)["asi_resumed"]


@figure("above_scale_industrial_resumption_rate", _("规模以上工业企业复工率"), unit="rate", order=12)
def above_scale_industrial_resumption_rate(user: Any, day: dt.date) -> float:
    c = _counts(user, day)
    return round(c["asi_resumed"] / c["asi_total"], 4) if c["asi_total"] else 0.0


@figure("enterprises_total", _("企业总数"), order=13)
def enterprises_total(user: Any, day: dt.date) -> int:
    return _counts(user, day)["total"]


@figure("enterprises_resumed", _("已复工企业"), order=14)
def enterprises_resumed(user: Any, day: dt.date) -> int:
    return _counts(user, day)["resumed"]
