"""Figure keys of screening: employees per computed status (employees_cleared is workforce's) and open alerts.
Counts over records in the viewer's scope; the status counts share one grouped query (figures.memoised)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from fugong.core.figures import figure, memoised
from fugong.workforce.figures import status_counts
from fugong.workforce.models import ClearanceStatus

from .selectors import open_alert_count


def _counts(user: Any) -> dict[str, int]:
    return memoised(
        ("screening.status_counts", getattr(user, "pk", None), getattr(user, "role", "")), lambda: status_counts(user)
    )


@figure("employees_test_required", _("待检测员工"), order=44)
def employees_test_required(user: Any, day: dt.date) -> int:
    return _counts(user).get(ClearanceStatus.TEST_REQUIRED, 0)


@figure("employees_quarantine", _("隔离观察员工"), order=45)
def employees_quarantine(user: Any, day: dt.date) -> int:
    return _counts(user).get(ClearanceStatus.QUARANTINE, 0)


@figure("employees_abnormal", _("异常员工"), order=46)
def employees_abnormal(user: Any, day: dt.date) -> int:
    return _counts(user).get(ClearanceStatus.ABNORMAL, 0)


@figure("screening_alerts_open", _("待处理预警"), order=47)
def screening_alerts_open(user: Any, day: dt.date) -> int:
    return open_alert_count(user)
