"""Figure keys of the outreach teams and the TCM decoction (interfaces.md): counts over records in scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from fugong.core import scoping
from fugong.core.figures import figure, memoised

from .models import MaterialHandout
from .selectors import tcm_totals


@figure("outreach_teams", _("防疫宣传小分队"), order=20)
def outreach_teams(user: Any, day: dt.date) -> int:
    return scoping.outreach_teams_for(user).count()


@figure("materials_distributed", _("发放防疫宣传资料（份）"), order=23)
def materials_distributed(user: Any, day: dt.date) -> int:
    qs = scoping.scope_filter(user, MaterialHandout.objects.all(), "visit__enterprise")
    return qs.filter(visit__visited_on__lte=day).aggregate(n=Sum("count"))["n"] or 0


def _tcm(user: Any, day: dt.date) -> dict[str, int]:
    return memoised(("tcm", getattr(user, "pk", None), getattr(user, "role", ""), day), lambda: tcm_totals(user, day))


@figure("tcm_batches", _("中药汤剂批次"), order=24)
def tcm_batches(user: Any, day: dt.date) -> int:
    return _tcm(user, day)["batches"]


@figure("tcm_enterprises", _("中药汤剂惠及企业"), order=25)
def tcm_enterprises(user: Any, day: dt.date) -> int:
    return _tcm(user, day)["enterprises"]


@figure("tcm_workers", _("中药汤剂惠及一线员工"), order=26)
def tcm_workers(user: Any, day: dt.date) -> int:
    return _tcm(user, day)["workers"]
