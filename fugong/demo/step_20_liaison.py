"""Demo step (issue #6): February's liaison visits, the help teams (一企一队) and their help activities, the
16 outreach teams' visit plans and visits with materials, and the 5 batches of TCM decoction.

The article's figures this step makes the records give (as of 2020-03-02):
- 防疫宣传资料 18,436 handed out, counted from the visits' materials;
- 中药汤剂 5 batches for 70 enterprises and 6,759 frontline workers;
- 帮扶力量 4,000+ person-times: every liaison looks in on each target every few days, and each help team goes
  out weekly with the district leader, the department, the town and the liaison.
The cadres, pairings and teams themselves come from organisation.py (loaded before this step).

Deterministic (its own seeded stream) and idempotent: every row is looked up by its natural key first, so a
second load creates nothing. Written in bulk; the loader's one `demo.load` audit row records the counts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from fugong.accounts.models import Department
from fugong.core import scoping
from fugong.enterprises.classification import Category
from fugong.enterprises.models import Enterprise, ResumptionStatus
from fugong.liaison.models import HelpTeam, LeaderPairing, LiaisonAssignment, Visit, VisitKind
from fugong.outreach.models import (
    MaterialHandout,
    MaterialKind,
    OutreachTeam,
    OutreachVisit,
    PlanEntry,
    TcmBatch,
    TcmDelivery,
    Topic,
)
from fugong.outreach.services import schedule

from .enterprises import AS_OF
from .people import People

SEED = "2020/liaison"
RESET_MODELS = ("outreach.TcmBatch",)  # batches hang off no enterprise; their deliveries go with them

MATERIALS_TOTAL = 18_436
TCM_BATCHES = (  # (number, supplied on, supplier)
    (1, dt.date(2020, 2, 14), "苏仙区中医医院煎药中心"),
    (2, dt.date(2020, 2, 18), "苏仙区中医医院煎药中心"),
    (3, dt.date(2020, 2, 22), "郴州市中医医院煎药室"),
    (4, dt.date(2020, 2, 26), "苏仙区中医医院煎药中心"),
    (5, dt.date(2020, 3, 1), "郴州市中医医院煎药室"),
)
TCM_ENTERPRISES = 70
TCM_WORKERS = 6_759
DOSES_PER_WORKER = 3  # a three-day course per worker
FIRST_VISIT = dt.date(2020, 2, 4)
LAST_VISIT = dt.date(2020, 3, 1)
TEAMS_FORMED = dt.date(2020, 2, 5)
PLAN_START = dt.date(2020, 2, 10)
PLAN_DAYS = 14
OUTREACH_LAST = dt.date(2020, 3, 1)
TOWN_TEAM_REACH = 0.88  # the share of its targets each town team had visited by March

# The department that leads an enterprise's help team, by category (codes from accounts.DEPARTMENTS).
DEPARTMENT_FOR = {
    Category.ABOVE_SCALE_INDUSTRIAL: "miit",
    "other_industrial": "miit",
    "construction": "ndrc",
    "trade": "commerce",
    "hospitality": "commerce",
    "services": "commerce",
    "agriculture": "ndrc",
}
LIAISON_PURPOSES = (
    "防疫督导、复工指导",
    "检查“十到位”落实情况",
    "协调防疫物资",
    "督促员工排查建档",
    "了解用工和生产情况",
)
HELP_PURPOSES = ("上门服务，协调解决企业困难", "对接用工需求", "协调物流和原材料", "宣讲惠企政策", "复工复产现场指导")
FINDINGS = ("防疫措施落实到位", "体温检测和消杀记录齐全", "分区就餐已落实", "口罩储备偏紧，已协调补充", "")
DIFFICULTIES = ("口罩等防疫物资短缺", "外地员工返岗难", "原材料运输受阻", "流动资金紧张", "订单交付压力大")


def write(writer: Any) -> Counter[str]:
    rng = random.Random(SEED)
    people = People(rng)
    created: Counter[str] = Counter()
    created.update(_help_teams(people))
    created.update(_liaison_visits(rng))
    created.update(_help_activities(rng))
    created.update(_outreach(rng, people))
    created.update(_tcm())
    return created


# --- 一企一队 ---------------------------------------------------------------------------------------------


def _postings() -> list[LiaisonAssignment]:
    return list(
        LiaisonAssignment.objects.filter(start__lte=AS_OF)
        .select_related("cadre", "enterprise", "project")
        .order_by("enterprise_id", "project_id", "id")
    )


def _help_teams(people: People) -> Counter[str]:
    """A help team for every enterprise with a liaison: its paired leader, the competent department, a town
    leader and its (first) liaison."""
    departments = {d.code: d for d in Department.objects.all()}
    leaders = dict(
        LeaderPairing.objects.filter(enterprise__isnull=False).order_by("id").values_list("enterprise_id", "leader_id")
    )
    have = set(HelpTeam.objects.values_list("enterprise_id", flat=True))
    town_leads: dict[str, str] = {}
    new = []
    for posting in _postings():
        e = posting.enterprise
        if e is None or e.pk in have:
            continue
        have.add(e.pk)
        lead = town_leads.setdefault(e.town_id, people.name(unique=True))
        dept = departments.get(DEPARTMENT_FOR.get(e.category, "miit"))
        new.append(
            HelpTeam(
                enterprise=e,
                leader_id=leaders.get(e.pk),
                department=dept,
                town_lead=lead,
                liaison=posting.cadre,
                formed_on=TEAMS_FORMED,
            )
        )
    HelpTeam.objects.bulk_create(new)
    return Counter({"liaison.HelpTeam": len(new)})


# --- visits and help activities -------------------------------------------------------------------------


def _existing_visit_keys() -> set[tuple[Any, ...]]:
    return set(Visit.objects.values_list("enterprise_id", "project_id", "visited_on", "kind", "cadre_id"))


def _liaison_visits(rng: random.Random) -> Counter[str]:
    """Each liaison visits each of their targets every 3–5 days through February (one or two people)."""
    if Visit.objects.filter(kind=VisitKind.VISIT).exists():
        return Counter()  # all or nothing: February's visits were loaded before
    teams = dict(HelpTeam.objects.values_list("enterprise_id", "id"))
    have = _existing_visit_keys()
    new = []
    for posting in _postings():
        day = FIRST_VISIT + dt.timedelta(days=rng.randrange(3))
        while day <= LAST_VISIT:
            key = (posting.enterprise_id, posting.project_id, day, VisitKind.VISIT, posting.cadre_id)
            n = 2 if rng.random() < 0.2 else 1
            purpose = rng.choice(LIAISON_PURPOSES)
            trouble = rng.choice(DIFFICULTIES) if rng.random() < 0.08 else ""
            if key not in have:
                have.add(key)
                new.append(
                    Visit(
                        enterprise_id=posting.enterprise_id,
                        project_id=posting.project_id,
                        # A project posting has no 一企一队 (teams serve enterprises only).
                        team_id=teams.get(posting.enterprise_id) if posting.enterprise_id is not None else None,
                        cadre_id=posting.cadre_id,
                        kind=VisitKind.VISIT,
                        visited_on=day,
                        people=posting.cadre.name if n == 1 else f"{posting.cadre.name}等{n}人",
                        person_times=n,
                        purpose=purpose,
                        findings=rng.choice(FINDINGS),
                        difficulties=trouble,
                    )
                )
            day += dt.timedelta(days=rng.randint(3, 5))
    Visit.objects.bulk_create(new, batch_size=500)
    return Counter({"liaison.Visit": len(new)})


def _help_activities(rng: random.Random) -> Counter[str]:
    """Each help team goes out once a week with its leader or department, the town and the liaison."""
    if Visit.objects.filter(kind__in=(VisitKind.HELP, VisitKind.COORDINATION)).exists():
        return Counter()
    have = _existing_visit_keys()
    new = []
    for team in HelpTeam.objects.select_related("leader", "department", "liaison").order_by("id"):
        day = TEAMS_FORMED + dt.timedelta(days=rng.randrange(5))
        while day <= LAST_VISIT:
            kind = VisitKind.HELP if rng.random() < 0.7 else VisitKind.COORDINATION
            key = (team.enterprise_id, None, day, kind, team.liaison_id)
            members = [str(m) for m in (team.leader, team.department) if m] + [team.town_lead]
            if team.liaison:
                members.append(team.liaison.name)
            n = len([m for m in members if m]) + rng.randint(0, 1)  # with their staff
            purpose = rng.choice(HELP_PURPOSES)
            trouble = rng.choice(DIFFICULTIES) if rng.random() < 0.25 else ""
            if key not in have:
                have.add(key)
                new.append(
                    Visit(
                        enterprise_id=team.enterprise_id,
                        team=team,
                        cadre_id=team.liaison_id,
                        kind=kind,
                        visited_on=day,
                        people="、".join(m for m in members if m)[:200],
                        person_times=n,
                        purpose=purpose,
                        findings=rng.choice(FINDINGS),
                        difficulties=trouble,
                    )
                )
            day += dt.timedelta(days=7)
    Visit.objects.bulk_create(new, batch_size=500)
    return Counter({"liaison.Visit": len(new)})


# --- outreach: plans, visits, materials -----------------------------------------------------------------


def _outreach(rng: random.Random, people: People) -> Counter[str]:
    created: Counter[str] = Counter()
    if OutreachVisit.objects.exists() or PlanEntry.objects.exists():
        return created  # all or nothing, so a re-run never adds a second February
    teams = list(OutreachTeam.objects.order_by("level", "name"))
    have_plan = set(PlanEntry.objects.values_list("team_id", "enterprise_id", "planned_on"))
    have_visit = set(OutreachVisit.objects.values_list("team_id", "enterprise_id", "visited_on"))
    plans: list[PlanEntry] = []
    visits: list[tuple[OutreachVisit, dict[str, int]]] = []
    for team in teams:
        targets = list(
            Enterprise.objects.filter(scoping.jurisdiction_q(team.level, team.town_id))
            .order_by("town__sort", "town_id", "name", "id")
            .values_list("pk", flat=True)
        )
        speakers = "、".join(people.name(unique=True) for _ in range(2))
        district = team.level == OutreachTeam.Level.DISTRICT
        for enterprise_id, planned_on in schedule(targets, PLAN_START, PLAN_DAYS):
            if (team.pk, enterprise_id, planned_on) not in have_plan:
                plans.append(PlanEntry(team=team, enterprise_id=enterprise_id, planned_on=planned_on))
            # The district team toured every 规上 enterprise; a town team most of its own.
            if not district and rng.random() > TOWN_TEAM_REACH:
                continue
            day = min(planned_on + dt.timedelta(days=rng.choice((0, 0, 1, 2, 3))), OUTREACH_LAST)
            if (team.pk, enterprise_id, day) in have_visit:
                continue
            extra = rng.sample(Topic.values[1:], rng.randint(1, 3))
            topics = list(Topic.values) if district else [Topic.PREVENTION, *extra]
            materials: dict[str, int] = {
                MaterialKind.BOOKLET: rng.randint(8, 20),
                MaterialKind.LEAFLET: rng.randint(10, 30),
                MaterialKind.POSTER: rng.randint(1, 3),
            }
            visit = OutreachVisit(
                team=team,
                enterprise_id=enterprise_id,
                visited_on=day,
                topics=sorted(topics, key=Topic.values.index),
                attendees=rng.randint(12, 60),
                speakers=speakers,
            )
            visits.append((visit, materials))
    PlanEntry.objects.bulk_create(plans, batch_size=500)
    created["outreach.PlanEntry"] += len(plans)
    if visits:
        _hit_total(visits, MATERIALS_TOTAL - (MaterialHandout.objects.aggregate(n=Sum("count"))["n"] or 0))
        OutreachVisit.objects.bulk_create([v for v, _m in visits], batch_size=500)
        handouts = [MaterialHandout(visit=v, kind=k, count=n) for v, m in visits for k, n in m.items() if n]
        MaterialHandout.objects.bulk_create(handouts, batch_size=500)
        created["outreach.OutreachVisit"] += len(visits)
        created["outreach.MaterialHandout"] += len(handouts)
    return created


def _hit_total(visits: list[tuple[OutreachVisit, dict[str, int]]], target: int) -> None:
    """Nudge the leaflet counts round the visits until the materials add up to `target` (the article's
    18,436 less what is already recorded); every visit keeps at least one leaflet, so an unreachable target
    (already recorded by other means) leaves the counts as drawn."""
    total = sum(sum(m.values()) for _v, m in visits)
    floor = sum(sum(m.values()) - m[MaterialKind.LEAFLET] + 1 for _v, m in visits)
    if target < floor:
        return
    diff = target - total
    step = 1 if diff > 0 else -1
    # Spread the difference evenly (a whole round at a time), then one by one for the remainder.
    per_visit, rest = divmod(abs(diff), len(visits))
    for i, (_v, m) in enumerate(visits):
        change = per_visit + (1 if i < rest else 0)
        m[MaterialKind.LEAFLET] += step * change
    # Where a decrease took a count below one, move the excess to visits that have room.
    deficit = 0
    for _v, m in visits:
        if m[MaterialKind.LEAFLET] < 1:
            deficit += 1 - m[MaterialKind.LEAFLET]
            m[MaterialKind.LEAFLET] = 1
    for _v, m in visits:
        if not deficit:
            break
        take = min(deficit, m[MaterialKind.LEAFLET] - 1)
        m[MaterialKind.LEAFLET] -= take
        deficit -= take


# --- TCM decoction ----------------------------------------------------------------------------------------


def _tcm() -> Counter[str]:
    """Five batches to the 70 largest resumed enterprises (earliest resumed in the first batches), covering
    6,759 frontline workers, each enterprise's share proportional to its staff."""
    created: Counter[str] = Counter()
    batches = {}
    for number, day, supplier in TCM_BATCHES:
        batch = TcmBatch.objects.filter(number=number).first()
        if batch is None:
            batch = TcmBatch.objects.create(number=number, supplied_on=day, supplier=supplier, doses=0)
            created["outreach.TcmBatch"] += 1
        batches[number] = batch
    if TcmDelivery.objects.filter(batch__in=batches.values()).exists():
        return created
    largest = (
        Enterprise.objects.filter(
            status__in=(ResumptionStatus.RESUMED, ResumptionStatus.PARTIAL),
            resumed_on__lte=TCM_BATCHES[-1][1],
            employees__gte=30,
        )
        .order_by("-employees", "id")
        .values_list("pk", "employees", "resumed_on")[:TCM_ENTERPRISES]
    )
    # The filter already excludes empty head counts and dates; the check says so to the type checker.
    candidates = [(pk, e, d) for pk, e, d in largest if e is not None and d is not None]
    candidates.sort(key=lambda c: (c[2], c[0]))
    workers = _shares([e for _pk, e, _d in candidates], TCM_WORKERS)
    per_batch = defaultdict(list)
    size = -(-len(candidates) // len(TCM_BATCHES))
    for i, ((pk, _employees, resumed_on), n) in enumerate(zip(candidates, workers, strict=True)):
        # The i-th batch in order, or a later one if the enterprise had not resumed by its date.
        number = min(i // size + 1, len(TCM_BATCHES))
        while TCM_BATCHES[number - 1][1] < resumed_on and number < len(TCM_BATCHES):
            number += 1
        per_batch[number].append(
            TcmDelivery(batch=batches[number], enterprise_id=pk, workers=n, doses=n * DOSES_PER_WORKER)
        )
    deliveries = [d for number in sorted(per_batch) for d in per_batch[number]]
    TcmDelivery.objects.bulk_create(deliveries)
    for number, rows in per_batch.items():
        TcmBatch.objects.filter(pk=batches[number].pk).update(doses=sum(d.doses for d in rows))
    created["outreach.TcmDelivery"] += len(deliveries)
    return created


def _shares(employees: list[int], total: int) -> list[int]:
    """`total` split in proportion to `employees` (largest remainders), each share 1..its employees."""
    whole = sum(employees)
    if whole <= total:
        return list(employees)
    raw = [e * total / whole for e in employees]
    out = [min(int(r), e) for r, e in zip(raw, employees, strict=True)]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(out) < total:
        j = order[i % len(order)]
        if out[j] < employees[j]:
            out[j] += 1
        i += 1
    return [max(n, 1) for n in out]


def report_lines() -> list[str]:
    from fugong.core import figures

    f = figures.compute(
        scoping.DISTRICT_WIDE,
        AS_OF,
        keys=[
            "outreach_teams",
            "liaisons",
            "liaison_targets",
            "materials_distributed",
            "tcm_batches",
            "tcm_enterprises",
            "tcm_workers",
            "help_person_times",
        ],
    )
    return [
        _("截至 %(d)s：防疫宣传小分队 %(teams)d 支，发放防疫宣传资料 %(materials)s 份；帮扶 %(help)s 人次")
        % {
            "d": AS_OF.isoformat(),
            "teams": f["outreach_teams"],
            "materials": f"{f['materials_distributed']:,}",
            "help": f"{f['help_person_times']:,}",
        },
        _("中药汤剂 %(b)d 批次，惠及 %(e)d 家企业、%(w)s 名一线员工；一企一队帮扶小分队 %(t)d 支")
        % {
            "b": f["tcm_batches"],
            "e": f["tcm_enterprises"],
            "w": f"{f['tcm_workers']:,}",
            "t": HelpTeam.objects.count(),
        },
    ]
