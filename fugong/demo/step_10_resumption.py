"""Demo step 10: February 2020 as it happened for resumption (复工申请与“十到位”).

The registry (enterprises.py) already says who had resumed by 2020-03-02 and from when. This step writes the
records that explain it, with consistent dates:
- for every resumed or partly resumed enterprise, an application against checklist v1: filled in and
  submitted a few days before its resumption day (never before 2020-02-01), inspected on site by its town
  (some failing an item, rectifying and passing a re-inspection — 高斯贝尔's dormitories among them), filed by
  the district on the resumption day; and the StatusChange not_resumed → resumed/partial on that day;
- three enterprises that stopped for a few days after a worker's fever (停工 → 恢复生产);
- for the enterprises still not working, applications in every open state (waiting for inspection,
  rectifying — some past their deadline —, waiting for re-inspection or filing), some rejected or withdrawn;
- daily figures from the resumption day to 2020-03-02: workers on duty against registered staff ramping up,
  output against normal capacity, orders; a few days unreported (the dashboard flags them). 高斯贝尔's
  headcount follows its two arrival batches (470 from 02-10, 708 from 02-20); 凤楚食品 on 03-02 has two thirds of
  its 360 staff back, makes 30,000 份 a day against 40,000 and holds about 40,000 in orders;
- the daily snapshots 2020-02-01 … 2020-03-02, so the dashboard opens on the article's day.
Written in bulk (the services' rules, the loader's speed); idempotent: a second load writes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.enterprises.models import ResumptionStatus
from fugong.resumption.bulk import insert_rows

from .enterprises import AS_OF, FENGCHU, GOSPELL, EnterpriseSpec

SEED = "2020/resumption"
START = dt.date(2020, 2, 1)
RESET_MODELS = (
    "resumption.DailyAggregate",
    "resumption.EnterpriseDay",
    "resumption.SnapshotDay",
    "resumption.SnapshotRun",
)
FENGCHU_AS_OF = {"registered": 360, "on_duty": 240, "daily_output": 30_000, "normal_output": 40_000, "orders": 39_600}
GOSPELL_BATCHES = ((dt.date(2020, 2, 10), 470), (dt.date(2020, 2, 20), 238))
# Open applications of enterprises not working yet: (state, share).
OPEN_SHARES = (
    ("submitted", 0.22),
    ("rectifying", 0.16),
    ("reinspect", 0.08),
    ("passed", 0.10),
    ("rejected", 0.07),
    ("withdrawn", 0.05),
    ("draft", 0.05),
)
FAIL_NOTES = {
    5: "口罩储备仅够3天，须补足7天用量",
    6: "消毒记录不全，车间未张贴消杀台账",
    7: "宿舍每间住8人，超过6人上限",
    8: "未设置临时隔离观察室",
    10: "部分设备未完成检修",
}
REJECT_REASONS = (
    "员工排查台账与花名册不符，请核实后重新申请",
    "无法提供防控物资采购凭证",
    "经营场所正在改造，暂不具备复工条件",
)
REPORT_COLUMNS = (
    "enterprise_id",
    "day",
    "registered",
    "on_duty",
    "daily_output",
    "normal_output",
    "output_unit",
    "capacity_rate",
    "orders_on_hand",
    "note",
    "reported_by_id",
    "reported_at",
)
WITHDRAW_REASONS = ("企业决定推迟复工", "订单取消，暂缓复工")
SUSPEND_REASON = "一名员工体温异常，停工全面消杀并排查密接"
RESUME_REASON = "消杀完成，密接人员核酸阴性，经镇（街道）复查恢复生产"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class _Builder:
    """Collects the rows in memory, then writes each model with one bulk insert."""

    def __init__(self, writer: Any) -> None:
        from fugong.resumption.services import current_checklist

        self.rng = random.Random(SEED)
        self.writer = writer
        self.checklist = current_checklist(START)
        self.items = list(self.checklist.items.all())
        users = writer.users
        self.district = users.get("demo-district")
        self.town_officer = users.get("demo-town")
        self.liaison = users.get("demo-liaison")
        self.by_tag = {"gospell": users.get("demo-enterprise"), "fengchu": users.get("demo-enterprise2")}
        self.town_user = self.town_officer.town_id if self.town_officer else None
        self.apps: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []

    # --- who did what ----------------------------------------------------------------------------
    def applicant(self, spec: EnterpriseSpec) -> Any:
        if spec.tag in self.by_tag:
            return self.by_tag[spec.tag]
        return None

    def inspector(self, spec: EnterpriseSpec) -> tuple[Any, str]:
        from fugong.demo.regions import TOWN_NAMES

        if self.town_officer is not None and spec.town == self.town_user:
            return self.town_officer, self.town_officer.username
        return None, f"{TOWN_NAMES.get(spec.town, '')}复工办"

    # --- applications ----------------------------------------------------------------------------
    def application(self, spec: EnterpriseSpec, state: str, created: dt.date, **plan: Any) -> dict[str, Any]:
        applicant = self.applicant(spec)
        app = {
            "spec": spec,
            "state": state,
            "created": created,
            "applicant": applicant,
            "label": applicant.username if applicant else "企业（网上申报）",
            "events": [],
            "inspections": [],
            "small": (spec.employees or 0) < 20,
            **plan,
        }
        self.apps.append(app)
        return app

    def event(
        self,
        app: dict[str, Any],
        action: str,
        from_state: str,
        to_state: str,
        at: dt.datetime,
        actor: Any,
        label: str,
        note: str = "",
    ) -> None:
        app["events"].append((action, from_state, to_state, at, actor, label, note))

    def by_applicant(self, app: dict[str, Any], step: str, at: dt.datetime, note: str = "") -> None:
        """A step the applicant takes: `step` is "action:from:to"."""
        action, from_state, to_state = step.split(":")
        self.event(app, action, from_state, to_state, at, app["applicant"], app["label"], note)

    def change(self, spec: EnterpriseSpec, to: str, on: dt.date, reason: str, at: dt.datetime, **extra: Any) -> None:
        self.changes.append({"spec": spec, "to": to, "on": on, "reason": reason, "at": at, **extra})

    def fill_and_submit(self, app: dict[str, Any], day: dt.date) -> None:
        self.by_applicant(app, "create::draft", _at(day, 9))
        self.by_applicant(app, "submit:draft:submitted", _at(day, 10, 30), "防控方案、应急预案及自查材料已报送")

    def inspect(self, app: dict[str, Any], day: dt.date, fails: tuple[int, ...], from_state: str) -> str:
        spec = app["spec"]
        actor, label = self.inspector(spec)
        passed = not any(self._mandatory(order) for order in fails)
        to_state = "passed" if passed else "rectifying"
        app["inspections"].append((day, actor, label, fails, passed))
        number = len(app["inspections"])
        if fails:
            summary = f"第{number}次现场核查：" + "；".join(
                f"{self.items[o - 1].title}不合格，{day + dt.timedelta(days=2)}前整改" for o in fails
            )
        else:
            summary = f"第{number}次现场核查：全部合格"
        self.event(
            app, "inspect_pass" if passed else "inspect_fail", from_state, to_state, _at(day, 15), actor, label, summary
        )
        return to_state

    def _mandatory(self, order: int) -> bool:
        return self.items[order - 1].mandatory

    def resumed(self, spec: EnterpriseSpec) -> None:
        """Filled in, inspected (perhaps rectified), filed on the resumption day."""
        day = spec.resumed_on
        assert day is not None
        lead = self.rng.randint(3, 6)
        created = max(START, day - dt.timedelta(days=lead))
        app = self.application(spec, "filed", created, actual=day, resumed_as=spec.status)
        self.fill_and_submit(app, created)
        first = min(created + dt.timedelta(days=1), day)
        room = (day - first).days
        failing = spec.tag == "gospell" or (room >= 2 and self.rng.random() < 0.18)
        if failing:
            fails = (7,) if spec.tag == "gospell" else (self.rng.choice((5, 6, 7, 10)),)
            self.inspect(app, first, fails, "submitted")
            note = "已整改：" + FAIL_NOTES[fails[0]].split("，")[0] + "问题已解决"
            self.by_applicant(app, "report_rectified:rectifying:reinspect", _at(first + dt.timedelta(days=1), 11), note)
            self.inspect(app, first + dt.timedelta(days=2), (), "reinspect")
        else:
            self.inspect(app, first, (), "submitted")
        note = f"备案，实际复工日期{day}"
        self.event(app, "file", "passed", "filed", _at(day, 17), self.district, "demo-district", note)
        self.change(
            spec, spec.status, day, "复工申请备案", _at(day, 17), app=app, **{"from": ResumptionStatus.NOT_RESUMED}
        )

    def suspension(self, spec: EnterpriseSpec) -> None:
        stop = (spec.resumed_on or START) + dt.timedelta(days=3)
        again = stop + dt.timedelta(days=3)
        actor, label = self.inspector(spec)
        who = {"actor": actor, "label": label}
        self.change(
            spec, ResumptionStatus.SUSPENDED, stop, SUSPEND_REASON, _at(stop, 12), **who, **{"from": spec.status}
        )
        self.change(
            spec, spec.status, again, RESUME_REASON, _at(again, 16), **who, **{"from": ResumptionStatus.SUSPENDED}
        )

    def waiting(self, spec: EnterpriseSpec, state: str) -> None:
        """An enterprise not working on 03-02, whose application is `state` that day."""
        created = AS_OF - dt.timedelta(days=self.rng.randint(2, 9))
        app = self.application(spec, state, created)
        if state == "draft":
            self.by_applicant(app, "create::draft", _at(created, 9))
            return
        self.fill_and_submit(app, created)
        if state == "withdrawn":
            app["reason"] = self.rng.choice(WITHDRAW_REASONS)
            self.by_applicant(
                app, "withdraw:submitted:withdrawn", _at(created + dt.timedelta(days=1), 10), app["reason"]
            )
            return
        if state == "submitted":
            return
        first = created + dt.timedelta(days=1)
        if state == "rejected":
            actor, label = self.inspector(spec)
            self.event(
                app, "reject", "submitted", "rejected", _at(first, 15), actor, label, self.rng.choice(REJECT_REASONS)
            )
            app["reason"] = app["events"][-1][-1]
            return
        fails = tuple(sorted(self.rng.sample([5, 6, 7, 10], self.rng.randint(1, 2))))
        self.inspect(app, first, fails if state != "passed" or self.rng.random() < 0.5 else (), "submitted")
        rectified = "report_rectified:rectifying:reinspect"
        if state == "passed" and app["events"][-1][2] == "rectifying":
            self.by_applicant(app, rectified, _at(first + dt.timedelta(days=1), 11), "已整改，请复查")
            self.inspect(app, min(first + dt.timedelta(days=2), AS_OF), (), "reinspect")
        elif state == "reinspect":
            self.by_applicant(app, rectified, _at(min(first + dt.timedelta(days=1), AS_OF), 11), "已整改，请复查")
        app["deadline"] = first + dt.timedelta(days=2)

    # --- writing -----------------------------------------------------------------------------------
    def write(self, ids: dict[str, int]) -> Counter[str]:
        from fugong.resumption.models import (
            Application,
            ApplicationEvent,
            Inspection,
            InspectionResult,
            SelfCheck,
            StatusChange,
        )

        created: Counter[str] = Counter()
        objs = []
        for app in self.apps:
            spec = app["spec"]
            events = app["events"]
            submitted = next((e for e in events if e[0] == "submit"), None)
            passed = next((e for e in reversed(events) if e[0] == "inspect_pass"), None)
            filed = next((e for e in events if e[0] == "file"), None)
            last = events[-1]
            objs.append(
                Application(
                    enterprise_id=ids[spec.uscc],
                    state=app["state"],
                    checklist=self.checklist,
                    planned_date=app.get("actual") or app["created"] + dt.timedelta(days=5),
                    batch_workers=self._batches(spec),
                    note="防控方案、应急预案等材料已随申请报送",
                    created_by=app["applicant"],
                    created_at=events[0][3],
                    submitted_by=app["applicant"] if submitted else None,
                    submitted_at=submitted[3] if submitted else None,
                    passed_by=passed[4] if passed else None,
                    passed_at=passed[3] if passed else None,
                    filed_by=filed[4] if filed else None,
                    filed_at=filed[3] if filed else None,
                    actual_date=app.get("actual"),
                    resumed_as=app.get("resumed_as", ""),
                    decision_reason=app.get("reason", ""),
                    closed_at=last[3] if app["state"] in ("filed", "rejected", "withdrawn") else None,
                )
            )
        Application.objects.bulk_create(objs, batch_size=500)
        created["resumption.Application"] += len(objs)
        events, checks, inspections, results_for = [], [], [], []
        for app, obj in zip(self.apps, objs, strict=True):
            app["obj"] = obj
            for action, from_state, to_state, at, actor, label, note in app["events"]:
                events.append((obj.pk, action, from_state, to_state, actor.pk if actor else None, label, at, note))
            for item in self.items:
                na = app["small"] and not item.mandatory
                checks.append((obj.pk, item.pk, "na" if na else "done", "" if na else "已落实"))
            for number, (day, actor, label, fails, passed) in enumerate(app["inspections"], 1):
                inspection = Inspection(
                    application=obj,
                    checklist=self.checklist,
                    number=number,
                    inspected_on=day,
                    inspector=actor,
                    inspector_label=label,
                    passed=passed,
                    notes="现场逐项核查",
                    created_at=_at(day, 15),
                )
                inspections.append(inspection)
                results_for.append((inspection, app["small"], fails, day))
        insert_rows(
            ApplicationEvent,
            ("application_id", "action", "from_state", "to_state", "actor_id", "actor_label", "at", "note"),
            events,
        )
        insert_rows(SelfCheck, ("application_id", "item_id", "answer", "note"), checks)
        Inspection.objects.bulk_create(inspections, batch_size=500)
        results = []
        for inspection, small, fails, day in results_for:
            for item in self.items:
                if item.order in fails:
                    results.append(
                        (
                            inspection.pk,
                            item.pk,
                            "fail",
                            FAIL_NOTES.get(item.order, "不符合要求"),
                            day + dt.timedelta(days=2),
                        )
                    )
                else:
                    na = small and not item.mandatory
                    results.append((inspection.pk, item.pk, "na" if na else "pass", "", None))
        insert_rows(InspectionResult, ("inspection_id", "item_id", "result", "note", "rectify_by"), results)
        changes = []
        for c in sorted(self.changes, key=lambda c: (c["on"], c["at"])):
            actor = c.get("actor", self.district)
            app_obj = c["app"]["obj"] if c.get("app") else None
            reason = c["reason"] + (f"（复工申请#{app_obj.pk}）" if app_obj else "")
            changes.append(
                (
                    ids[c["spec"].uscc],
                    c["from"],
                    c["to"],
                    c["on"],
                    reason,
                    app_obj.pk if app_obj else None,
                    actor.pk if actor else None,
                    c.get("label", "demo-district"),
                    c["at"],
                )
            )
        insert_rows(
            StatusChange,
            (
                "enterprise_id",
                "from_status",
                "to_status",
                "effective_on",
                "reason",
                "application_id",
                "actor_id",
                "actor_label",
                "recorded_at",
            ),
            changes,
        )
        created.update(
            {
                "resumption.ApplicationEvent": len(events),
                "resumption.SelfCheck": len(checks),
                "resumption.Inspection": len(inspections),
                "resumption.InspectionResult": len(results),
                "resumption.StatusChange": len(changes),
            }
        )
        return created

    def _batches(self, spec: EnterpriseSpec) -> list[int]:
        if spec.tag == "gospell":
            return [n for _day, n in GOSPELL_BATCHES]
        staff = max(1, spec.employees or 1)
        if staff < 60:
            return [staff]
        first = int(staff * self.rng.uniform(0.5, 0.7))
        return [first, staff - first]


# --- daily figures ----------------------------------------------------------------------------------
def _ramp(progress: float, start: float, end: float) -> float:
    return start + (end - start) * min(1.0, progress)


def _reports(
    rng: random.Random,
    specs: list[EnterpriseSpec],
    ids: dict[str, int],
    users: dict[str, Any],
    have: set[tuple[int, dt.date]],
) -> list[Any]:
    out = []
    stopped = _stopped_days(list(ids.values()))
    for spec in specs:
        if spec.status not in (ResumptionStatus.RESUMED, ResumptionStatus.PARTIAL) or spec.resumed_on is None:
            continue
        enterprise_id = ids[spec.uscc]
        staff = max(1, spec.employees or 1)
        partial = spec.status == ResumptionStatus.PARTIAL
        industrial = spec.industry_section in "BCDE"
        normal = max(10, int(float(spec.annual_revenue_wan or 100) * rng.uniform(0.8, 1.6))) if industrial else None
        unit = rng.choice(("件", "吨", "套")) if industrial else ""
        att = (rng.uniform(0.35, 0.5), rng.uniform(0.45, 0.65) if partial else rng.uniform(0.78, 0.95))
        cap = (rng.uniform(0.25, 0.45), rng.uniform(0.4, 0.6) if partial else rng.uniform(0.75, 0.95))
        reporter = users.get({"gospell": "demo-enterprise", "fengchu": "demo-enterprise2"}.get(spec.tag, "")) or (
            users.get("demo-liaison") if spec.tag in ("gospell", "fengchu") else None
        )
        day = spec.resumed_on
        while day <= AS_OF:
            # Every draw happens whether or not the day is written, so a re-run makes the same choices.
            skip = rng.random() < (0.08 if day == AS_OF else 0.05)
            order_days = rng.uniform(8, 30)
            minute = rng.randrange(60)
            if (
                (enterprise_id, day) in have
                or (enterprise_id, day) in stopped
                or (skip and spec.tag not in ("gospell", "fengchu"))
            ):
                day += dt.timedelta(days=1)
                continue
            progress = (day - spec.resumed_on).days / 14
            on_duty = round(staff * _ramp(progress, *att))
            rate = _ramp(progress, *cap)
            output = round(normal * rate) if normal else None
            orders = round(normal * order_days) if normal else None
            values = dict(registered=staff, on_duty=min(staff, on_duty), daily_output=output, normal_output=normal,
                          output_unit=unit, orders_on_hand=orders, note="")  # fmt: skip
            if spec.tag == "gospell":
                values["on_duty"] = sum(n for arrived, n in GOSPELL_BATCHES if arrived <= day)
            if spec.tag == "fengchu":
                values.update(_fengchu(day, spec.resumed_on))
            if values["daily_output"] is not None and values["normal_output"]:
                capacity = Decimal(values["daily_output"]) / Decimal(values["normal_output"])
            else:
                capacity = Decimal(str(round(rate, 4)))
            by = reporter.pk if reporter else None
            row = dict(enterprise_id=enterprise_id, day=day, capacity_rate=capacity.quantize(Decimal("0.0001")),
                       reported_by_id=by, reported_at=_at(day, 17, minute), **values)  # fmt: skip
            out.append(tuple(row[c] for c in REPORT_COLUMNS))
            day += dt.timedelta(days=1)
    return out


def _stopped_days(enterprise_ids: list[int]) -> set[tuple[int, dt.date]]:
    """(enterprise, day) pairs on which the status history says the enterprise was not working: no report."""
    from fugong.resumption.models import StatusChange

    out: set[tuple[int, dt.date]] = set()
    rows = StatusChange.objects.filter(enterprise_id__in=enterprise_ids).order_by("enterprise_id", "effective_on", "id")
    since: dict[int, dt.date] = {}
    for change in rows:
        if change.to_status == ResumptionStatus.SUSPENDED:
            since[change.enterprise_id] = change.effective_on
        elif change.enterprise_id in since:
            day = since.pop(change.enterprise_id)
            while day < change.effective_on:
                out.add((change.enterprise_id, day))
                day += dt.timedelta(days=1)
    return out


def _fengchu(day: dt.date, since: dt.date) -> dict[str, Any]:
    """凤楚食品 ramps up to the article's day: 240 of 360 staff, 30,000 份 a day of 40,000, ~40,000 in orders."""
    target = FENGCHU_AS_OF
    progress = 1.0 if day == AS_OF else min(0.97, 0.5 + 0.5 * (day - since).days / max(1, (AS_OF - since).days))
    return {
        "registered": target["registered"],
        "on_duty": round(target["on_duty"] * progress),
        "daily_output": round(target["daily_output"] * progress),
        "normal_output": target["normal_output"],
        "output_unit": "份",
        "orders_on_hand": target["orders"] if day == AS_OF else round(target["orders"] * (0.8 + 0.2 * progress)),
        "note": "订单近4万件，已排产至4月中旬" if day == AS_OF else "",
    }


# --- the step ---------------------------------------------------------------------------------------
def _days() -> list[dt.date]:
    return [START + dt.timedelta(days=i) for i in range((AS_OF - START).days + 1)]


def write(writer: Any) -> Counter[str]:
    from fugong.resumption import snapshots
    from fugong.resumption.models import Application, DailyReport, SnapshotDay

    created: Counter[str] = Counter()
    specs = writer.data.catalogue.enterprises
    ids = writer.enterprise_ids
    if not Application.objects.filter(enterprise_id__in=list(ids.values())).exists():
        builder = _Builder(writer)
        rng = builder.rng
        for spec in specs:
            if spec.status in (ResumptionStatus.RESUMED, ResumptionStatus.PARTIAL) and spec.resumed_on:
                builder.resumed(spec)
        # Three smaller enterprises (never 规上) that stopped for a few days in mid-February.
        early = dt.date(2020, 2, 18)
        eligible = [s for s in specs if s.status == ResumptionStatus.RESUMED and s.category != "above_scale_industrial"
                    and s.resumed_on and s.resumed_on <= early and not s.tag]  # fmt: skip
        for spec in rng.sample(eligible, min(3, len(eligible))):
            builder.suspension(spec)
        waiting = [s for s in specs if s.status == ResumptionStatus.NOT_RESUMED and s.tag != "yizhishi"]
        for spec in waiting:
            r, acc = rng.random(), 0.0
            for state, share in OPEN_SHARES:
                acc += share
                if r < acc:
                    builder.waiting(spec, state)
                    break
        created.update(builder.write(ids))
    have = set(DailyReport.objects.filter(enterprise_id__in=list(ids.values())).values_list("enterprise_id", "day"))
    reports = _reports(random.Random(SEED + "/reports"), specs, ids, writer.users, have)
    created["resumption.DailyReport"] += insert_rows(DailyReport, REPORT_COLUMNS, reports)
    days = _days()
    fresh = SnapshotDay.objects.filter(day__in=days, stale=False, registry=snapshots.registry_fingerprint()).count()
    if +created or fresh < len(days):
        result = snapshots.refresh(days)
        created["resumption.SnapshotDay"] += result["days"]
    return +created


def report_lines() -> list[str]:
    from fugong.core import scoping
    from fugong.resumption import stats
    from fugong.resumption.models import Application, DailyReport, StatusChange

    n = dict(Application.objects.values_list("state").annotate(n=Count("id")).order_by())
    total = stats.breakdown(scoping.DISTRICT_WIDE, AS_OF, "all").get("", stats.Figures())
    stops = StatusChange.objects.filter(to_status="suspended").values("enterprise").distinct().count()
    lines = [
        _("复工申请 %(n)d 件：已备案 %(filed)d，待现场核查 %(submitted)d，整改中 %(rectifying)d，待复查 %(reinspect)d，"
          "待备案 %(passed)d，草稿 %(draft)d，已退回 %(rejected)d，已撤回 %(withdrawn)d")
        % {"n": sum(n.values()), **{k: n.get(k, 0) for k in ("filed", "submitted", "rectifying", "reinspect",
                                                              "passed", "draft", "rejected", "withdrawn")}},
        _("复工状态变更 %(c)d 条；截至 %(d)s 已复工 %(r)d 家（含部分复工 %(p)d 家），停工后恢复生产 %(s)d 家")
        % {"c": StatusChange.objects.count(), "d": AS_OF, "r": total["resumed"], "p": total["partial"], "s": stops},
        _("企业每日报表 %(n)d 条；%(d)s 应报 %(e)d 家、未报 %(m)d 家；到岗率 %(a)s，产能恢复率 %(c)s")
        % {"n": DailyReport.objects.count(), "d": AS_OF, "e": total["expected_reports"], "m": total.missing_reports,
           "a": _pct(total.attendance_rate), "c": _pct(total.capacity_rate)},
    ]  # fmt: skip
    fengchu = DailyReport.objects.filter(enterprise__name=FENGCHU, day=AS_OF).first()
    if fengchu is not None:
        lines.append(
            _("凤楚食品 %(d)s：到岗 %(on)d/%(reg)d 人（%(rate)s），日产量 %(out)s %(unit)s"
              "（产能恢复率 %(cap)s），在手订单 %(orders)s")
            % {"d": AS_OF, "on": fengchu.on_duty, "reg": fengchu.registered,
               "rate": _pct(fengchu.on_duty / fengchu.registered), "out": f"{fengchu.daily_output:,}",
               "unit": fengchu.output_unit, "cap": _pct(float(fengchu.capacity_rate or 0)),
               "orders": f"{fengchu.orders_on_hand:,}"}
        )  # fmt: skip
    gospell = DailyReport.objects.filter(enterprise__name=GOSPELL, day=AS_OF).first()
    if gospell is not None:
        lines.append(
            _("高斯贝尔 %(d)s：到岗 %(on)d/%(reg)d 人") % {"d": AS_OF, "on": gospell.on_duty, "reg": gospell.registered}
        )
    lines.append(_("复工统计快照：%(a)s 至 %(b)s") % {"a": START, "b": AS_OF})
    return lines


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
