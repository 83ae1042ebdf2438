"""Figure keys of the workforce archive (interfaces.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from fugong.core.figures import figure

from .models import ClearanceStatus, HealthTest
from .selectors import employees_for_user


def _tests(user: Any, day: dt.date, kind: str) -> int:
    from fugong.core import scoping

    qs = scoping.scope_filter(user, HealthTest.objects.all(), "employee__enterprise")
    return qs.filter(kind=kind, sample_date__lte=day).count()


@figure("employees_total", _("员工档案"), order=40)
def employees_total(user: Any, day: dt.date) -> int:
    return employees_for_user(user).filter(active=True).count()


@figure("employees_cleared", _("可上岗员工"), order=41)
def employees_cleared(user: Any, day: dt.date) -> int:
    return employees_for_user(user).filter(active=True, clearance=ClearanceStatus.CLEARED).count()


@figure("nucleic_acid_tests", _("核酸检测人次"), order=42)
def nucleic_acid_tests(user: Any, day: dt.date) -> int:
    return _tests(user, day, HealthTest.Kind.NUCLEIC_ACID)


@figure("igm_tests", _("IgM抗体检测人次"), order=43)
def igm_tests(user: Any, day: dt.date) -> int:
    return _tests(user, day, HealthTest.Kind.IGM)


def status_counts(user: Any) -> dict[str, int]:
    rows = employees_for_user(user).filter(active=True).values("clearance").annotate(n=Count("id"))
    return {r["clearance"]: r["n"] for r in rows}
