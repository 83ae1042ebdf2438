"""The assignment proposal as the district admin sees it: a diff against the postings in force.

Targets are the enterprises and projects that must have a liaison (规上工业 enterprises, key projects and
疫情防控重点保障 enterprises by default). Those already covered are kept (`keep`); the solver proposes a
cadre for each of the others (`add`), or reports why it cannot (`uncovered`). Nothing is written here: the
admin accepts or edits the adds and services.check_apply_proposal writes them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.core import scoping
from fugong.enterprises.classification import Category
from fugong.enterprises.models import Enterprise, KeyProject

from . import solver
from .models import Cadre, LiaisonAssignment
from .rules import rule_on
from .selectors import active_q, target_key

# Which targets the proposal must cover, as the admin ticks them; the first two are covered first when the
# cadres are too few (priority 1).
SCOPES = {
    "asi": gettext_lazy("规上工业企业"),
    "projects": gettext_lazy("重点项目"),
    "key_guarantee": gettext_lazy("疫情防控重点保障企业"),
}
DEFAULT_SCOPES = ("asi", "projects", "key_guarantee")


@dataclass
class Row:
    target: Enterprise | KeyProject
    cadre: Cadre | None = None  # the proposed cadre (add)
    kept: list[str] = field(default_factory=list)  # names of the cadres already posted (keep)
    same_town: bool = False
    load_after: int = 0
    reason: str = ""

    @property
    def key(self) -> str:
        return target_key(self.target)


@dataclass
class Proposal:
    day: dt.date
    cap: int
    scopes: tuple[str, ...]
    adds: list[Row]
    keeps: list[Row]
    uncovered: list[Row]
    cadres: list[Cadre]
    free_slots: int
    spread_before: dict[str, float]
    spread_after: dict[str, float]
    same_town: int
    seconds: float

    @property
    def total(self) -> int:
        return len(self.adds) + len(self.keeps) + len(self.uncovered)

    @property
    def summary(self) -> str:
        if not self.uncovered:
            return ""
        needed = len(self.adds) + len(self.uncovered)
        if not self.cadres:
            return _("尚无联络员：请先登记联络员，%(n)d 个企业和项目无法派驻。") % {"n": len(self.uncovered)}
        return _(
            "名额不足：需新派驻 %(needed)d 个企业和项目，但在每人最多 %(cap)d 个的上限下只剩 %(free)d 个名额，"
            "%(n)d 个无法覆盖。可增加联络员，或由区复工办调整负荷上限。"
        ) % {"needed": needed, "cap": self.cap, "free": self.free_slots, "n": len(self.uncovered)}


def _targets(scopes: tuple[str, ...]) -> tuple[list[Enterprise], list[KeyProject]]:
    q = Q(pk__in=[])
    if "asi" in scopes:
        q |= Q(category=Category.ABOVE_SCALE_INDUSTRIAL)
    if "key_guarantee" in scopes:
        q |= Q(is_key_guarantee=True)
    enterprises = list(
        Enterprise.objects.filter(q).select_related("town").order_by("town__sort", "town_id", "name", "id")
    )
    projects = (
        list(KeyProject.objects.select_related("town").order_by("town__sort", "town_id", "name", "id"))
        if "projects" in scopes
        else []
    )
    return enterprises, projects


def build_proposal(user: Any, day: dt.date, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> Proposal:
    """The proposal for the whole district (the district admin's page). A handful of queries whatever the
    number of targets; the solver itself is pure computation."""
    if not scoping.sees_whole_district(user):
        # The proposal reassigns across towns: only a district-wide viewer can be shown it.
        raise PermissionError
    scopes = tuple(s for s in DEFAULT_SCOPES if s in scopes) or DEFAULT_SCOPES
    cap = rule_on(day).max_load
    enterprises, projects = _targets(scopes)
    postings = LiaisonAssignment.objects.filter(active_q(day)).values_list(
        "cadre_id", "enterprise_id", "project_id", "cadre__name"
    )
    loads: dict[int, int] = defaultdict(int)
    posted: dict[tuple[str, int], list[str]] = defaultdict(list)
    for cadre_id, enterprise_id, project_id, name in postings:
        loads[cadre_id] += 1
        posted[("e", enterprise_id) if enterprise_id else ("p", project_id)].append(name)
    cadres = list(Cadre.objects.select_related("home_town").order_by("name", "id"))
    by_id = {c.pk: c for c in cadres}

    keeps: list[Row] = []
    needs: list[solver.TargetIn] = []
    objects: dict[Hashable, Enterprise | KeyProject] = {}
    for obj, kind in [(e, "e") for e in enterprises] + [(p, "p") for p in projects]:
        key = (kind, obj.pk)
        objects[key] = obj
        if posted.get(key):
            keeps.append(Row(obj, kept=posted[key]))
            continue
        priority = 1 if kind == "p" or getattr(obj, "category", "") == Category.ABOVE_SCALE_INDUSTRIAL else 0
        needs.append(solver.TargetIn(key, obj.town_id, priority))
    cadre_in = [solver.CadreIn(c.pk, c.home_town_id or "", loads.get(c.pk, 0)) for c in cadres]
    solution = solver.solve(cadre_in, needs, cap)
    adds = [
        Row(
            objects[t.key],
            cadre=by_id[cadre_id],
            same_town=t.town == (by_id[cadre_id].home_town_id or ""),
            load_after=solution.loads_after[cadre_id],
        )
        for t, cadre_id in solution.adds
    ]
    reason = _("所有联络员均已达到负荷上限") if cadres else _("尚无联络员")
    uncovered = [Row(objects[t.key], reason=reason) for t in solution.uncovered]
    return Proposal(
        day=day,
        cap=cap,
        scopes=scopes,
        adds=adds,
        keeps=keeps,
        uncovered=uncovered,
        cadres=cadres,
        free_slots=solution.free_slots,
        spread_before=solver.load_spread(solution.loads_before),
        spread_after=solver.load_spread(solution.loads_after),
        same_town=solution.same_town,
        seconds=solution.seconds,
    )
