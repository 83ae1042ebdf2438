"""What `load_demo` prints after loading: the article's figures counted back from the database (so a wrong
load shows at once), and each demo account with its role and what it sees."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from fugong.accounts.models import User
from fugong.accounts.roles import Role
from fugong.core import figures, scoping
from fugong.enterprises.models import Enterprise, KeyProject
from fugong.finance.models import BankMatchmaking
from fugong.liaison.models import LeaderPairing, LiaisonAssignment
from fugong.outreach.models import OutreachTeam
from fugong.workforce.models import Employee, HealthReading
from fugong.workforce.selectors import batch_summary

from .accounts import DEMO_ACCOUNTS
from .enterprises import AS_OF, GOSPELL
from .regions import DISTRICT, RELIEF_PARK

CENT = Decimal("0.01")


def rent_relief_yuan() -> tuple[int, Decimal]:
    """免三减三 over the SMEs renting state-owned premises in the relief park: (enterprises, 元).

    Rounded to the fen per enterprise, as a payment would be (see enterprises.STATE_PREMISES_RENTS)."""
    rents = Enterprise.objects.filter(
        rents_state_premises=True,
        industrial_park__name=RELIEF_PARK,
        industrial_park__state_premises_relief=True,
        monthly_rent_yuan__isnull=False,
    ).exclude(size_class="large")
    total = Decimal("0")
    for rent in rents.values_list("monthly_rent_yuan", flat=True):
        if rent is not None:
            total += (rent * 3 + rent * 3 * Decimal("0.5")).quantize(CENT, ROUND_HALF_UP)
    return rents.count(), total


def liaison_counts() -> tuple[int, int]:
    """(cadres with an assignment, distinct enterprises and projects they cover)."""
    rows = LiaisonAssignment.objects.all()
    cadres = rows.values("cadre_id").distinct().count()
    enterprises = rows.filter(enterprise__isnull=False).values("enterprise_id").distinct().count()
    projects = rows.filter(project__isnull=False).values("project_id").distinct().count()
    return cadres, enterprises + projects


def unpaired() -> tuple[int, int]:
    """规上 enterprises and key projects without a district leader (全覆盖 means both are 0)."""
    asi = Enterprise.objects.filter(category="above_scale_industrial").exclude(
        id__in=LeaderPairing.objects.filter(enterprise__isnull=False).values("enterprise_id")
    )
    projects = KeyProject.objects.exclude(
        id__in=LeaderPairing.objects.filter(project__isnull=False).values("project_id")
    )
    return asi.count(), projects.count()


def _yuan(value: Decimal | int | None) -> str:
    return f"{Decimal(value or 0):,.2f}"


def summary_lines() -> list[str]:
    figs = figures.compute(
        scoping.DISTRICT_WIDE,
        AS_OF,
        keys=[
            "above_scale_industrial_total",
            "above_scale_industrial_resumed",
            "above_scale_industrial_resumption_rate",
        ],
    )
    by_category = dict(Enterprise.objects.values_list("category").annotate(n=Count("id")).order_by())
    from fugong.enterprises.classification import Category

    cadres, targets = liaison_counts()
    gaps_asi, gaps_projects = unpaired()
    teams = OutreachTeam.objects.aggregate(
        total=Count("id"), district=Count("id", filter=Q(level="district")), town=Count("id", filter=Q(level="town"))
    )
    matches = BankMatchmaking.objects.aggregate(
        banks=Count("bank", distinct=True),
        enterprises=Count("enterprise", distinct=True),
        credit=Sum("credit_granted_yuan"),
    )
    projects = KeyProject.objects.aggregate(n=Count("id"), investment=Sum("total_investment_yuan"))
    relief_n, relief = rent_relief_yuan()
    rate = figs.get("above_scale_industrial_resumption_rate", 0)
    return [
        _("企业 %(n)d 家：%(parts)s")
        % {
            "n": sum(by_category.values()),
            "parts": "、".join(f"{label} {by_category.get(value, 0)}" for value, label in Category.choices),
        },
        _("截至 %(d)s：规模以上工业企业 %(t)d 家，已复工 %(r)d 家，复工率 %(rate).0f%%")
        % {
            "d": AS_OF.isoformat(),
            "t": figs.get("above_scale_industrial_total", 0),
            "r": figs.get("above_scale_industrial_resumed", 0),
            "rate": rate * 100,
        },
        _("重点项目 %(n)d 个，总投资 %(v)s 元") % {"n": projects["n"], "v": _yuan(projects["investment"])},
        _("驻企防疫联络员 %(c)d 名 → 企业和项目 %(t)d 个") % {"c": cadres, "t": targets},
        _("区级领导包联：未覆盖的规上工业企业 %(a)d 家、重点项目 %(p)d 个") % {"a": gaps_asi, "p": gaps_projects},
        _("防疫宣传小分队 %(n)d 支（区级 %(d)d 支，镇街 %(t)d 支）")
        % {"n": teams["total"], "d": teams["district"], "t": teams["town"]},
        _("疫情防控重点保障企业 %(n)d 家") % {"n": Enterprise.objects.filter(is_key_guarantee=True).count()},
        _("银企对接：银行 %(b)d 家，重点企业 %(e)d 家，授信 %(c)s 元")
        % {"b": matches["banks"], "e": matches["enterprises"], "c": _yuan(matches["credit"])},
        _("国有经营用房“免三减三”：%(n)d 家企业，减免租金 %(v)s 元") % {"n": relief_n, "v": _yuan(relief)},
        *workforce_lines(),
        *_step_lines(),
    ]


def _step_lines() -> list[str]:
    from .steps import step_modules

    lines: list[str] = []
    for step in step_modules():
        if hasattr(step, "report_lines"):
            lines.extend(step.report_lines())
    return lines


def workforce_lines() -> list[str]:
    """员工档案: the archive's size, 高斯贝尔's two batches (the article's 470 / 409 / 238) and the tests."""
    figs = figures.compute(scoping.DISTRICT_WIDE, AS_OF, keys=["employees_total", "nucleic_acid_tests", "igm_tests"])
    people = Employee.objects.aggregate(
        enterprises=Count("enterprise", distinct=True), non_resident=Count("id", filter=Q(resident=False))
    )
    readings = HealthReading.objects.aggregate(n=Count("id"), fever=Count("id", filter=Q(fever=True)))
    gospell = Enterprise.objects.filter(name=GOSPELL).values_list("id", flat=True).first()
    batches = {b["batch__number"]: b for b in batch_summary(scoping.DISTRICT_WIDE, gospell)} if gospell else {}
    first, second = batches.get(1, {}), batches.get(2, {})
    return [
        _("员工档案 %(n)d 人（%(e)d 家企业），其中非常住 %(nr)d 人")
        % {"n": figs.get("employees_total", 0), "e": people["enterprises"], "nr": people["non_resident"]},
        _("高斯贝尔第一批 %(b1)d 人：常住 %(r)d 人，非常住 %(nr)d 人，其中已做核酸检测 %(t)d 人")
        % {
            "b1": first.get("employees", 0),
            "r": first.get("employees", 0) - first.get("non_resident", 0),
            "nr": first.get("non_resident", 0),
            "t": first.get("non_resident_tested", 0),
        },
        _("高斯贝尔第二批 %(b2)d 人建立档案卡") % {"b2": second.get("employees", 0)},
        _("截至 %(d)s：核酸检测 %(nat)d 人次，IgM抗体检测 %(igm)d 人次；健康监测 %(r)d 条，体温异常 %(f)d 条")
        % {
            "d": AS_OF.isoformat(),
            "nat": figs.get("nucleic_acid_tests", 0),
            "igm": figs.get("igm_tests", 0),
            "r": readings["n"],
            "f": readings["fever"],
        },
    ]


def _scope(user: User) -> str:
    role = user.role
    if role == Role.AUDITOR:
        return _("操作日志与个人信息访问日志（只读，不含业务数据）")
    if role == Role.ENTERPRISE:
        return user.enterprise.name if user.enterprise else "—"
    enterprises = scoping.enterprises_for(user).count()
    projects = scoping.projects_for(user).count()
    counts = _("%(e)d 家企业、%(p)d 个项目") % {"e": enterprises, "p": projects}
    if role == Role.DEPARTMENT and user.department is not None:
        return _("%(dept)s（全区）：%(c)s") % {"dept": user.department.name, "c": counts}
    if role in (Role.DISTRICT_ADMIN, Role.DEPARTMENT):
        return f"{DISTRICT[1]}：{counts}"
    if role == Role.TOWN:
        return f"{user.town.name if user.town else '—'}：{counts}"
    if role == Role.DISTRICT_LEADER:
        return _("包联 %(c)s") % {"c": counts}
    if role == Role.LIAISON:
        names = "、".join(scoping.enterprises_for(user).order_by("-employees").values_list("name", flat=True)[:2])
        return _("派驻 %(c)s（%(names)s…）") % {"c": counts, "names": names}
    if role == Role.OUTREACH:
        teams = "、".join(t.name for t in user.outreach_teams.all())
        return f"{teams}：{counts}"
    if role == Role.BANK:
        bank = user.bank.name if user.bank else "—"
        return f"{bank}：{_('对接企业 %(n)d 家') % {'n': enterprises}}"
    return counts


def account_lines() -> list[tuple[str, str, str]]:
    """(username, role, scope) for each demo account, in the order interfaces.md lists them."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).select_related(
            "department", "town", "enterprise", "bank"
        )
    }
    out = []
    for spec in DEMO_ACCOUNTS:
        user = users.get(spec.username)
        if user is not None:
            out.append((user.username, str(user.get_role_display()), _scope(user)))
    return out
