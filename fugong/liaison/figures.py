"""Figure keys of pairing and liaisons (interfaces.md): counts over the records in the viewer's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from fugong.core.figures import figure, memoised

from .selectors import active_q, assignments_for, visits_for


def _postings(user: Any, day: dt.date) -> dict[str, int]:
    def aggregate() -> dict[str, int]:
        return (
            assignments_for(user)
            .filter(active_q(day))
            .aggregate(
                cadres=Count("cadre", distinct=True),
                enterprises=Count("enterprise", distinct=True),
                projects=Count("project", distinct=True),
            )
        )

    return memoised(("liaison_postings", getattr(user, "pk", None), getattr(user, "role", ""), day), aggregate)


@figure("liaisons", _("驻企防疫联络员"), order=21)
def liaisons(user: Any, day: dt.date) -> int:
    return _postings(user, day)["cadres"]


@figure("liaison_targets", _("联络员派驻的企业和项目"), order=22)
def liaison_targets(user: Any, day: dt.date) -> int:
    counts = _postings(user, day)
    return counts["enterprises"] + counts["projects"]


@figure("help_person_times", _("帮扶人次"), order=60)
def help_person_times(user: Any, day: dt.date) -> int:
    return visits_for(user).filter(visited_on__lte=day).aggregate(n=Sum("person_times"))["n"] or 0
