"""The demo's workforce archive (一人一档), as pure data drawn from a seeded generator, and its writer.

The article's figures fixed here (as of 2020-03-02):
- 高斯贝尔: batch 1 (arrived 2020-02-10) of 470 workers, 61 resident (常住) and 409 not, each of the 409 with a
  negative nucleic-acid test after their return; batch 2 (arrived 2020-02-20) of 238 with full archive cards
  (return origin, transport, workshop, staggered shift 错时上班, dining zone 分区就餐, dormitory ≤ 6 per room),
  each with an IgM test on arrival;
- 32 other resumed enterprises across towns and categories (凤楚食品 and two more in 栖凤渡镇 among them), 30–150
  workers each, so that the district counts exactly 997 nucleic-acid and 959 IgM tests.
Non-resident workers have a 14-day trajectory (the origin up to the return day, a transit for some); a few
returners from farther away sat out a quarantine that ended before March; 高斯贝尔 has three days of readings
and 凤楚 one, all normal but exactly two at ≥ 37.3 °C, so screening has something to show. Clearance statuses
are left to the screening engine.

Everyone is synthetic: names and phones from people.py, ID numbers generated with GB 11643 check digits (real
county codes as address codes, birth dates 1965–2001) — none is copied from a real person.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from fugong.core.identifiers import id_check_char
from fugong.enterprises.models import Enterprise, Ownership, ResumptionStatus
from fugong.workforce import bulk, services
from fugong.workforce.models import Employee, HealthCode, HealthTest, Quarantine, Stay, Transport

from .enterprises import AS_OF, Catalogue, EnterpriseSpec
from .people import People
from .regions import DISTRICT, ORIGINS, QIFENGDU, TOWN_NAMES, villages_of

SEED = "2020/workforce"  # its own stream: the registry's draws stay as they are
NAT_TOTAL = 997
IGM_TOTAL = 959
GOSPELL_BATCHES = (  # (number, arrival, employees, resident)
    (1, dt.date(2020, 2, 10), 470, 61),
    (2, dt.date(2020, 2, 20), 238, 48),
)
FENGCHU_ROSTER = 126
# Other rosters per category, besides 凤楚 and the two extra 栖凤渡镇 enterprises.
ROSTER_QUOTAS = {
    "above_scale_industrial": 13,
    "other_industrial": 6,
    "construction": 3,
    "trade": 3,
    "hospitality": 2,
    "services": 3,
    "agriculture": 2,
}
QIFENGDU_EXTRA = 2
READING_DAYS = (dt.date(2020, 2, 28), dt.date(2020, 2, 29), dt.date(2020, 3, 1))
HUBEI_LOCKDOWN = dt.date(2020, 1, 23)
INSTITUTIONS = ("苏仙区人民医院", "郴州市第一人民医院", "苏仙区疾病预防控制中心")
CENTRAL_QUARANTINE = "苏仙区集中医学观察点"
SHIFTS = ("早班 7:30", "中班 8:30", "晚班 9:30")  # 错时上班: staggered start times
ZONES = ("A区", "B区", "C区")  # 分区就餐, one zone per start time
GOSPELL_WORKSHOPS = ("SMT车间", "插件车间", "组装一车间", "组装二车间", "测试车间", "包装车间", "仓储物流部", "品质部")
GOSPELL_POSITIONS = ("操作工", "操作工", "操作工", "质检员", "物料员", "技术员", "班组长")
WORKSHOPS = {
    "industrial": ("一车间", "二车间", "仓库", "设备部", "办公室"),
    "construction": ("项目部", "施工一队", "施工二队"),
    "trade": ("门店", "仓储部", "配送部"),
    "hospitality": ("前厅部", "厨房", "客房部"),
    "services": ("运营部", "车队", "综合部"),
    "agriculture": ("种植基地", "养殖场", "分拣包装"),
}
POSITIONS = ("普工", "普工", "技术员", "班组长", "管理员")
# Where non-residents came back from: a share per province, spread over its counties in regions.ORIGINS.
PROVINCE_SHARE = {"430000": 56, "440000": 30, "330000": 12, "420000": 2}
PLATES = {"430000": "湘L", "440000": "粤B", "330000": "浙A", "420000": "鄂A"}
# Transits on the way back (a high-speed-rail change or a motorway stop), per origin province.
TRANSITS = {"440000": ("440106", "广东省广州市天河区"), "330000": ("430111", "湖南省长沙市雨花区")}
FAR = frozenset({"440000", "330000", "420000"})


@dataclass(frozen=True)
class TestSpec:
    kind: str
    sample_date: dt.date
    institution: str


@dataclass(frozen=True)
class StaySpec:
    kind: str
    region_code: str
    region_name: str
    date_from: dt.date
    date_to: dt.date
    note: str = ""


@dataclass(frozen=True)
class QuarantineSpec:
    kind: str
    place: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class ReadingSpec:
    taken_on: dt.date
    minute: int  # minutes after midnight, local time
    temperature: Decimal
    symptoms: str = ""


@dataclass
class EmployeeSpec:
    row: dict[str, Any]  # what a roster row says: the input of services.clean_employee
    commute_route: str = ""  # 上下班轨迹: not a roster column, set after the worker is archived
    tests: list[TestSpec] = field(default_factory=list)
    stays: list[StaySpec] = field(default_factory=list)
    quarantines: list[QuarantineSpec] = field(default_factory=list)
    readings: list[ReadingSpec] = field(default_factory=list)

    @property
    def resident(self) -> bool:
        return bool(self.row["resident"])


@dataclass
class RosterSpec:
    uscc: str
    name: str
    town: str
    category: str
    batches: list[tuple[int, dt.date]]  # (number, arrival date)
    employees: list[EmployeeSpec]
    recorder: str = ""  # demo username recording the daily readings


@dataclass
class Workforce:
    rosters: list[RosterSpec]

    def roster(self, name: str) -> RosterSpec:
        return next(r for r in self.rosters if r.name == name)

    def tests(self, kind: str) -> int:
        return sum(1 for r in self.rosters for e in r.employees for t in e.tests if t.kind == kind)


def _origins() -> list[tuple[str, str, str, int]]:
    """(county code, full name, province code, weight) for every county in regions.ORIGINS."""
    counties: list[tuple[str, str, str]] = []
    for province, city, districts in ORIGINS:
        counties.extend((code, f"{province[1]}{city[1]}{name}", province[0]) for code, name in districts)
    per_province = Counter(p for _c, _n, p in counties)
    return [(c, n, p, PROVINCE_SHARE[p] * 12 // per_province[p]) for c, n, p in counties]


def _day(start: dt.date, end: dt.date, rng: random.Random) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


class _Builder:
    def __init__(self, rng: random.Random, people: People) -> None:
        self.rng = rng
        self.people = people
        self.ids: set[str] = set()
        self.origins = _origins()

    # --- identity -----------------------------------------------------------------------------------
    def id_number(self, address: str) -> str:
        while True:
            birth = _day(dt.date(1965, 1, 1), dt.date(2001, 12, 31), self.rng)
            sequence = self.rng.randrange(1, 1000)  # odd = male, even = female
            body = f"{address}{birth:%Y%m%d}{sequence:03d}"
            number = body + id_check_char(body)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def origin(self) -> tuple[str, str, str]:
        code, name, province, _w = self.rng.choices(self.origins, weights=[o[3] for o in self.origins])[0]
        return code, name, province

    def transport(self, province: str, origin_name: str) -> tuple[str, str]:
        r = self.rng.random()
        if province == "430000" and r < 0.45:
            county = origin_name[6:]  # after the 3-character province and city names of regions.ORIGINS
            return Transport.COACH, f"{county}—郴州"
        if r < (0.35 if province == "430000" else 0.7):
            return Transport.TRAIN, f"{self.rng.choice('GGGK')}{self.rng.randrange(1000, 7000)}"
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        return Transport.CAR, f"{PLATES[province]}·{self.rng.choice(letters)}{self.rng.randrange(10000):04d}"

    # --- one worker ---------------------------------------------------------------------------------
    def employee(
        self, *, resident: bool, town: str, returned: tuple[dt.date, dt.date], batch: int, **fields: Any
    ) -> EmployeeSpec:
        rng = self.rng
        row: dict[str, Any] = {"name": self.people.name(), "phone": self.people.phone(), "resident": resident}
        row["batch_number"] = batch
        spec = EmployeeSpec(row)
        if resident:
            home_town = town if rng.random() < 0.6 else rng.choice(sorted(TOWN_NAMES))
            row["id_number"] = self.id_number(DISTRICT[0])
            row["household_region_code"] = home_town
            spec.commute_route = (
                f"{TOWN_NAMES[home_town]}{rng.choice(villages_of(home_town))}—单位 "
                f"{rng.choice(('电动车', '公交', '步行', '自驾'))}约{rng.randrange(5, 45, 5)}分钟"
            )
        else:
            code, name, province = self.origin()
            row["id_number"] = self.id_number(code)
            returned_on = _day(*returned, rng)
            if province == "420000":  # back before Hubei's lockdown, then a central quarantine
                returned_on = _day(dt.date(2020, 1, 18), HUBEI_LOCKDOWN - dt.timedelta(days=1), rng)
            transport, number = self.transport(province, name)
            row.update(
                household_region_code=code,
                returned_from_code=code,
                returned_from_name=name,
                returned_on=returned_on,
                transport=transport,
                transport_no=number,
            )
            spec.stays.append(
                StaySpec(Stay.Kind.STAY, code, name, returned_on - dt.timedelta(days=14), returned_on, "春节返乡")
            )
            if province in TRANSITS and transport == Transport.TRAIN and rng.random() < 0.4:
                t_code, t_name = TRANSITS[province]
                spec.stays.append(StaySpec(Stay.Kind.TRANSIT, t_code, t_name, returned_on, returned_on, "乘车途经"))
            if province == "420000":
                end = returned_on + dt.timedelta(days=14)
                spec.quarantines.append(QuarantineSpec(Quarantine.Kind.CENTRAL, CENTRAL_QUARANTINE, returned_on, end))
            elif province in FAR and returned_on <= dt.date(2020, 2, 14) and rng.random() < 0.05:
                end = returned_on + dt.timedelta(days=14)
                place = rng.choice((f"租住地（{TOWN_NAMES[town]}）", "企业隔离观察宿舍"))
                spec.quarantines.append(QuarantineSpec(Quarantine.Kind.HOME, place, returned_on, end))
            if rng.random() < 0.3:
                spec.commute_route = "宿舍—单位 步行约10分钟"
        start = _day(dt.date(2008, 3, 1), dt.date(2019, 12, 31), rng)
        birth = dt.date(int(row["id_number"][6:10]), 6, 30)
        start = max(start, birth.replace(year=birth.year + 18))
        row["employment_start"] = start
        if rng.random() < 0.85:
            row["social_insurance_since"] = start.replace(day=1)
        row.update(fields)
        return spec

    def nat_after_return(self, spec: EmployeeSpec) -> TestSpec:
        """A nucleic-acid sample after the return day (or at the end of the quarantine)."""
        if spec.quarantines:
            day = spec.quarantines[0].end - dt.timedelta(days=1)
        else:
            day = spec.row["returned_on"] + dt.timedelta(days=self.rng.randrange(1, 4))
        return TestSpec(HealthTest.Kind.NUCLEIC_ACID, min(day, AS_OF - dt.timedelta(days=1)), self._institution())

    def igm(self, spec: EmployeeSpec, earliest: dt.date) -> TestSpec:
        after = spec.row.get("returned_on")
        start = max(earliest, after + dt.timedelta(days=1)) if after else earliest
        last = AS_OF - dt.timedelta(days=1)
        return TestSpec(HealthTest.Kind.IGM, _day(min(start, last), last, self.rng), self._institution())

    def _institution(self) -> str:
        return self.rng.choice(INSTITUTIONS)

    def new_hires(self, employees: list[EmployeeSpec], hired: dt.date, label: str) -> None:
        """Workers taken on in one introduction batch (引进批次; the ≥ 20 rule of 引进职工补贴)."""
        for spec in employees:
            age = hired.year - int(spec.row["id_number"][6:10])
            spec.row.update(
                employment_start=hired,
                social_insurance_since=hired.replace(day=1),
                introduction_batch=label,
                first_job_in_district=age < 25 or self.rng.random() < 0.3,
            )

    def rooms(self, prefix: str) -> Iterator[str]:
        """Dormitory rooms filled with 4 to 6 workers each (domain rule: ≤ 6 per room)."""
        for building in range(1, 10):
            for floor in range(1, 7):
                for room in range(1, 21):
                    name = f"{prefix}{building}栋{floor}{room:02d}"
                    for _bed in range(self.rng.choice((4, 5, 6, 6))):
                        yield name


def _gospell(b: _Builder, spec: EnterpriseSpec) -> RosterSpec:
    rng = b.rng
    rooms = b.rooms("")
    employees: list[EmployeeSpec] = []
    for number, arrival, size, residents in GOSPELL_BATCHES:
        flags = [True] * residents + [False] * (size - residents)
        rng.shuffle(flags)
        batch: list[EmployeeSpec] = []
        for resident in flags:
            w = rng.randrange(len(GOSPELL_WORKSHOPS))
            emp = b.employee(
                resident=resident,
                town=spec.town,
                returned=(arrival - dt.timedelta(days=14), arrival - dt.timedelta(days=1)),
                batch=number,
                workshop=GOSPELL_WORKSHOPS[w],
                position=rng.choice(GOSPELL_POSITIONS),
                shift=SHIFTS[w % 3],
                dining_zone=ZONES[w % 3],
                training_attended_on=arrival,
            )
            if not resident:
                emp.row["dormitory_room"] = next(rooms)
                emp.commute_route = "宿舍—车间 厂区内步行约5分钟"
            batch.append(emp)
        if number == 1:
            for emp in batch:
                if not emp.resident:
                    emp.tests.append(b.nat_after_return(emp))
        else:
            b.new_hires([e for e in batch if not e.resident][:120], arrival, "2020年2月第二批引进")
            for emp in batch:
                emp.tests.append(b.igm(emp, arrival))
        employees.extend(batch)
    batches = [(number, arrival) for number, arrival, _s, _r in GOSPELL_BATCHES]
    return RosterSpec(spec.uscc, spec.name, spec.town, spec.category, batches, employees, "demo-enterprise")


def _group(category: str) -> str:
    return "industrial" if category.endswith("industrial") else category


NON_RESIDENT_SHARE = {"industrial": 0.55, "construction": 0.6}


def _roster(b: _Builder, spec: EnterpriseSpec, size: int) -> RosterSpec:
    rng = b.rng
    assert spec.resumed_on is not None
    group = _group(spec.category)
    first = spec.resumed_on
    batches = [(1, first)]
    if rng.random() < 0.35 and first + dt.timedelta(days=10) <= dt.date(2020, 2, 28):
        batches.append((2, first + dt.timedelta(days=rng.randrange(6, 11))))
    staggered = rng.random() < 0.5
    rooms = b.rooms("员工宿舍") if group == "industrial" else None
    share = NON_RESIDENT_SHARE.get(group, 0.35)
    employees = []
    for _i in range(size):
        number, arrival = batches[-1] if len(batches) > 1 and rng.random() < 0.3 else batches[0]
        resident = rng.random() >= share
        w = rng.randrange(len(WORKSHOPS[group]))
        fields: dict[str, Any] = {"workshop": WORKSHOPS[group][w], "position": rng.choice(POSITIONS)}
        if staggered:
            fields.update(shift=SHIFTS[w % 3], dining_zone=ZONES[w % 3])
        if rng.random() < 0.7:
            fields["training_attended_on"] = arrival
        emp = b.employee(
            resident=resident,
            town=spec.town,
            returned=(max(arrival - dt.timedelta(days=7), dt.date(2020, 1, 25)), arrival),
            batch=number,
            **fields,
        )
        if not resident and rooms is not None:
            emp.row["dormitory_room"] = next(rooms)
        employees.append(emp)
    return RosterSpec(spec.uscc, spec.name, spec.town, spec.category, batches, employees)


def _choose(rng: random.Random, catalogue: Catalogue) -> list[EnterpriseSpec]:
    """The other enterprises with a roster: resumed (fully or partly), 30+ staff, spread over towns and kinds."""
    resumed = (ResumptionStatus.RESUMED, ResumptionStatus.PARTIAL)
    fengchu = catalogue.tagged("fengchu")
    pool = [e for e in catalogue.enterprises if e.status in resumed and e.employees >= 30 and e.tag != "gospell"]
    pool.remove(fengchu)
    chosen = [fengchu, *rng.sample([e for e in pool if e.town == QIFENGDU], QIFENGDU_EXTRA)]
    for category, quota in ROSTER_QUOTAS.items():
        have = sum(1 for e in chosen if e.category == category)
        left = [e for e in pool if e.category == category and e not in chosen]
        chosen.extend(rng.sample(left, min(len(left), max(0, quota - have))))
    return sorted(chosen, key=lambda e: (e.town, e.uscc))


def _fill(rng: random.Random, groups: list[list[EmployeeSpec]], total: int, add: Any) -> None:
    """Test whole groups (an enterprise's non-residents, say) in a seeded order until exactly `total`; the
    last group is tested in part — its testing was still going on."""
    left = total
    for group in rng.sample(groups, len(groups)):
        for spec in group[:left]:
            spec.tests.append(add(spec))
        left -= min(left, len(group))
        if not left:
            return
    raise ValueError(f"only {total - left} candidates for {total} tests")


def _readings(rng: random.Random, roster: RosterSpec, days: tuple[dt.date, ...], fever: Decimal) -> None:
    for spec in roster.employees:
        for day in days:
            temperature = Decimal(rng.randrange(360, 372)) / 10  # 36.0–37.1
            spec.readings.append(ReadingSpec(day, rng.randrange(7 * 60, 9 * 60 + 30), temperature))
    # One worker's last reading is a fever (domain rule 1: 异常 until a fever clinic clears them).
    latest = [e for e in roster.employees if e.row["batch_number"] == roster.batches[-1][0]]
    spec = rng.choice(latest or roster.employees)
    last = spec.readings[-1]
    spec.readings[-1] = ReadingSpec(last.taken_on, last.minute, fever, rng.choice(("乏力", "咽痛")))


def build_workforce(catalogue: Catalogue) -> Workforce:
    rng = random.Random(SEED)
    b = _Builder(rng, People(rng))
    gospell = _gospell(b, catalogue.tagged("gospell"))
    others: list[RosterSpec] = []
    for spec in _choose(rng, catalogue):
        size = FENGCHU_ROSTER if spec.tag == "fengchu" else min(spec.employees, rng.randint(30, 150))
        others.append(_roster(b, spec, size))
    done = Workforce([gospell])
    nat_left = NAT_TOTAL - done.tests(HealthTest.Kind.NUCLEIC_ACID)
    igm_left = IGM_TOTAL - done.tests(HealthTest.Kind.IGM)
    _fill(rng, [[e for e in r.employees if not e.resident] for r in others], nat_left, b.nat_after_return)
    _fill(rng, [r.employees for r in others], igm_left, lambda e: b.igm(e, dt.date(2020, 2, 20)))
    fengchu = next(r for r in others if r.uscc == catalogue.tagged("fengchu").uscc)
    fengchu.recorder = "demo-enterprise2"
    _readings(rng, gospell, READING_DAYS, Decimal("37.5"))
    _readings(rng, fengchu, READING_DAYS[-1:], Decimal("37.3"))
    # Two enterprises took on workers in one introduction batch: 24 (≥ 20, eligible) and 19 (one short).
    public = {Ownership.STATE, Ownership.STATE_CONTROLLED}
    non_public = {e.uscc for e in catalogue.enterprises if e.ownership not in public}
    hiring = [r for r in others if r is not fengchu and r.uscc in non_public and len(r.employees) >= 60][:2]
    for roster, hires in zip(hiring, (24, 19), strict=True):
        first_batch = [e for e in roster.employees if e.row["batch_number"] == 1]
        b.new_hires(first_batch[-hires:], roster.batches[0][1], "2020年2月引进")
    return Workforce([gospell, *others])


# --- the writer ------------------------------------------------------------------------------------------


def write_workforce(workforce: Workforce, users: dict[str, Any]) -> Counter[str]:
    """Create what is missing (by ID hash per enterprise, and each record's natural key); returns counts.

    Workers already in the archive are left as they are, like every other demo row, so an edit made in the
    app survives a re-run. Runs inside the loader's transaction."""
    created: Counter[str] = Counter()
    source = "load_demo"
    enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=[r.uscc for r in workforce.rosters])}
    ids = [e.pk for e in enterprises.values()]
    batch_rows = [
        bulk.BatchRow(enterprises[r.uscc].pk, number, arrival, note=str(arrival))
        for r in workforce.rosters
        for number, arrival in r.batches
    ]
    created["workforce.ArrivalBatch"] += bulk.do_bulk_add_batches(None, batch_rows, source=source).created

    stored = set(Employee.objects.filter(enterprise_id__in=ids).values_list("enterprise_id", "id_hash"))
    hashes: dict[int, str] = {}  # id(spec) → ID hash
    for roster in workforce.rosters:
        enterprise = enterprises[roster.uscc]
        new = []
        for spec in roster.employees:
            hashes[id(spec)] = services.id_hash(spec.row["id_number"])
            if (enterprise.pk, hashes[id(spec)]) not in stored:
                new.append(services.clean_employee(spec.row, today=AS_OF))
        if new:
            counts = services.do_upsert_employees(None, enterprise, new, source=source)
            created["workforce.Employee"] += counts.created

    pks = dict(
        ((e, h), pk)
        for e, h, pk in Employee.objects.filter(enterprise_id__in=ids).values_list("enterprise_id", "id_hash", "id")
    )
    recorders = {name: user.pk for name, user in users.items()}
    stays: list[bulk.StayRow] = []
    tests: list[bulk.TestRow] = []
    quarantines: list[bulk.QuarantineRow] = []
    routes: dict[int, str] = {}
    readings: list[bulk.ReadingRow] = []
    tz = timezone.get_default_timezone()
    for roster in workforce.rosters:
        enterprise_id = enterprises[roster.uscc].pk
        recorder = recorders.get(roster.recorder)
        for spec in roster.employees:
            pk = pks[(enterprise_id, hashes[id(spec)])]
            if spec.commute_route:
                routes[pk] = spec.commute_route
            stays.extend(
                bulk.StayRow(pk, s.region_code, s.region_name, s.date_from, s.date_to, s.kind, s.note)
                for s in spec.stays
            )
            tests.extend(bulk.TestRow(pk, t.kind, t.sample_date, institution=t.institution) for t in spec.tests)
            quarantines.extend(bulk.QuarantineRow(pk, q.kind, q.place, q.start, q.end) for q in spec.quarantines)
            readings.extend(
                bulk.ReadingRow(
                    pk,
                    r.taken_on,
                    r.temperature,
                    taken_at=dt.datetime.combine(r.taken_on, dt.time(r.minute // 60, r.minute % 60), tzinfo=tz),
                    symptoms=r.symptoms,
                    health_code=HealthCode.GREEN,
                    source="gate",
                    recorded_by_id=recorder,
                )
                for r in spec.readings
            )
    created["workforce.Employee.commute_route"] += bulk.do_bulk_set_commute_routes(None, routes, source=source).created
    created["workforce.Stay"] += bulk.do_bulk_add_stays(None, stays, source=source).created
    created["workforce.HealthTest"] += bulk.do_bulk_add_tests(None, tests, source=source).created
    created["workforce.Quarantine"] += bulk.do_bulk_add_quarantines(None, quarantines, source=source).created
    created["workforce.HealthReading"] += bulk.do_bulk_add_readings(None, readings, source=source).created
    return +created
