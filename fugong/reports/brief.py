"""The daily brief (日报): the district's figures written as Chinese prose, like the 2020 news report.

Rules as data: `SENTENCES` is a list of templates, each naming the figure keys it needs. A sentence is written
only when every one of its keys is registered (fugong.core.figures), so a capability that lands later makes
its sentences appear without touching this module. Numbers are formatted by the unit their figure declares.

The same `compute()` feeds `daily_brief --format json`, `GET /api/v1/stats/overview` and this prose, so the
three never disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from fugong.accounts.roles import Role
from fugong.core import figure_store, scoping
from fugong.core import figures as registry

DEFAULT_DISTRICT_NAME = "苏仙区"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- parsing and formatting ----------------------------------------------------------------------


def parse_day(value: str | None, default: dt.date | None = None) -> dt.date:
    """`YYYY-MM-DD` → date; empty → `default` (today). Raises ValueError with a message for the user."""
    value = (value or "").strip()
    if not value:
        return default or timezone.localdate()
    if not DATE_RE.match(value):
        raise ValueError(_("日期格式应为 YYYY-MM-DD，例如 2020-03-02：%(value)s") % {"value": value[:20]})
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("不是有效的日期：%(value)s") % {"value": value}) from None


def _trim(number: Decimal, places: int) -> str:
    """Round half up to `places` and drop trailing zeros, with thousands separators: 9200 → "9,200"."""
    q = Decimal(number).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_count(value: Any) -> str:
    """18436 → "18,436"."""
    return _trim(Decimal(str(value)), 0)


def fmt_yuan(value: Any) -> str:
    """Money the Chinese way: ≥ 1 亿 → "2.86亿元"; ≥ 1 万 → "9,200万元"; else "500元"."""
    amount = Decimal(str(value))
    if abs(amount) >= Decimal("1e8"):
        return _("%(n)s亿元") % {"n": _trim(amount / Decimal("1e8"), 2)}
    if abs(amount) >= Decimal("1e4"):
        return _("%(n)s万元") % {"n": _trim(amount / Decimal("1e4"), 2)}
    return _("%(n)s元") % {"n": _trim(amount, 2)}


def fmt_kg(value: Any) -> str:
    """Weights: ≥ 100 kg in tonnes as the article writes them ("1吨", "0.8吨"), else kilograms."""
    kg = Decimal(str(value))
    if abs(kg) >= 100:
        return _("%(n)s吨") % {"n": _trim(kg / 1000, 2)}
    return _("%(n)s千克") % {"n": _trim(kg, 1)}


def fmt_rate(value: Any) -> str:
    """A fraction as a percentage: 1 → "100%", 0.6667 → "66.7%"."""
    return f"{_trim(Decimal(str(value)) * 100, 1)}%"


def fmt_hours(value: Any) -> str:
    hours = Decimal(str(value))
    if hours < 1:
        return _("%(n)s分钟") % {"n": _trim(hours * 60, 0)}
    return _("%(n)s小时") % {"n": _trim(hours, 1)}


FORMATTERS: dict[str, Callable[[Any], str]] = {
    "count": fmt_count,
    "yuan": fmt_yuan,
    "kg": fmt_kg,
    "rate": fmt_rate,
    "hours": fmt_hours,
}


def fmt_figure(key: str, value: Any) -> str:
    fig = registry.REGISTRY.get(key)
    return FORMATTERS.get(fig.unit if fig else "count", fmt_count)(value)


def fmt_day(day: dt.date) -> str:
    return _("%(month)d月%(day)d日") % {"month": day.month, "day": day.day}


def fmt_full_day(day: dt.date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


# --- the sentences (rules as data) ----------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """One sentence of the brief. `{key}` placeholders are figure keys (formatted by unit); `{date}` and
    `{area}` are always available. `when` narrows a sentence to some values (e.g. "all" vs "n short")."""

    section: str
    keys: tuple[str, ...]
    template: str | Promise
    when: Callable[[Mapping[str, Any]], bool] | None = None


OVERVIEW, PREVENTION, SERVICE, POLICY = "overview", "prevention", "service", "policy"
SECTION_HEADINGS: dict[str, str | Promise] = {
    OVERVIEW: "",
    PREVENTION: gettext_lazy("严密防控"),
    SERVICE: gettext_lazy("主动服务解难题"),
    POLICY: gettext_lazy("惠企政策送“礼包”"),
}

S = Sentence
SENTENCES: tuple[Sentence, ...] = (
    S(
        OVERVIEW,
        ("above_scale_industrial_total", "above_scale_industrial_resumed", "above_scale_industrial_resumption_rate"),
        gettext_lazy(
            "截至{date}，{area}规模以上工业企业{above_scale_industrial_total}家，"
            "累计复工复产{above_scale_industrial_resumed}家，复工率{above_scale_industrial_resumption_rate}。"
        ),
        when=lambda f: f["above_scale_industrial_total"] > 0,
    ),
    S(
        OVERVIEW,
        ("above_scale_industrial_total",),
        gettext_lazy("截至{date}，{area}暂无规模以上工业企业。"),
        when=lambda f: f["above_scale_industrial_total"] == 0,
    ),
    S(
        OVERVIEW,
        ("enterprises_total", "enterprises_resumed"),
        gettext_lazy("{area}纳入台账的企业共{enterprises_total}家，已复工{enterprises_resumed}家。"),
    ),
    S(PREVENTION, ("outreach_teams",), gettext_lazy("组建{outreach_teams}支防疫宣传小分队入企宣讲。")),
    S(
        PREVENTION,
        ("liaisons", "liaison_targets"),
        gettext_lazy("选派{liaisons}名驻企防疫联络员到{liaison_targets}个企业和项目，督促指导企业做好防疫促复工。"),
    ),
    S(PREVENTION, ("materials_distributed",), gettext_lazy("向企业发放防疫宣传资料{materials_distributed}份。")),
    S(
        PREVENTION,
        ("tcm_batches", "tcm_enterprises", "tcm_workers"),
        gettext_lazy(
            "为有需求的企业发放增强防疫中药汤剂{tcm_batches}批次，共惠及{tcm_enterprises}家企业、{tcm_workers}名一线员工。"
        ),
    ),
    S(
        PREVENTION,
        ("masks_delivered", "thermometers_delivered", "alcohol_delivered_kg", "sanitizer_delivered_kg"),
        gettext_lazy(
            "为企业牵线搭桥采购防疫物资并送货上门，其中口罩{masks_delivered}个、体温枪{thermometers_delivered}支、"
            "酒精{alcohol_delivered_kg}、洗手液和消毒液{sanitizer_delivered_kg}。"
        ),
    ),
    S(
        PREVENTION,
        ("resumed_below_supply_threshold",),
        gettext_lazy("所有复工复产企业均能保障{threshold_days}天以上防疫物资需求。"),
        when=lambda f: f["resumed_below_supply_threshold"] == 0,
    ),
    S(
        PREVENTION,
        ("resumed_below_supply_threshold",),
        gettext_lazy("有{resumed_below_supply_threshold}家复工企业的防疫物资不足{threshold_days}天，需尽快补充。"),
        when=lambda f: f["resumed_below_supply_threshold"] > 0,
    ),
    S(
        PREVENTION,
        ("igm_tests", "nucleic_acid_tests"),
        gettext_lazy("帮助企业开展IgM（病毒抗体检测）{igm_tests}人、核酸检测{nucleic_acid_tests}人。"),
    ),
    S(
        PREVENTION,
        ("employees_total", "employees_cleared"),
        gettext_lazy("为返岗员工建立档案卡{employees_total}份，其中经排查可上岗{employees_cleared}人。"),
    ),
    S(
        PREVENTION,
        ("employees_test_required", "employees_quarantine", "employees_abnormal"),
        gettext_lazy(
            "另有待检测{employees_test_required}人、隔离观察{employees_quarantine}人、异常{employees_abnormal}人，"
            "均已落实检测、隔离或就医措施。"
        ),
        when=lambda f: f["employees_test_required"] + f["employees_quarantine"] + f["employees_abnormal"] > 0,
    ),
    S(SERVICE, ("help_person_times",), gettext_lazy("累计投入帮扶力量{help_person_times}人次。")),
    S(
        SERVICE,
        ("difficulties_received", "difficulties_resolved"),
        gettext_lazy("收集企业实际困难{difficulties_received}件，已解决{difficulties_resolved}件。"),
    ),
    S(
        SERVICE,
        ("job_posts", "job_seekers", "employment_intentions"),
        gettext_lazy(
            "通过“码上”送岗位、“线上”招用工，发布就业岗位信息{job_posts}条，线上求职人数{job_seekers}人，"
            "初步达成就业意愿{employment_intentions}人。"
        ),
    ),
    S(
        SERVICE,
        ("funding_projects", "funding_investment_yuan"),
        gettext_lazy("指导企业向上争资，共申报项目{funding_projects}个，涉及投资{funding_investment_yuan}。"),
    ),
    S(
        SERVICE,
        ("key_guarantee_enterprises", "key_guarantee_loans_yuan"),
        gettext_lazy(
            "帮助{key_guarantee_enterprises}个企业申报中央和地方疫情防控重点保障名单，"
            "申请贷款金额{key_guarantee_loans_yuan}。"
        ),
    ),
    S(
        SERVICE,
        ("bank_matchmaking_banks", "bank_matchmaking_enterprises", "credit_granted_yuan"),
        gettext_lazy(
            "组织{bank_matchmaking_banks}家银行机构与区内{bank_matchmaking_enterprises}家重点企业对接，"
            "办理授信{credit_granted_yuan}。"
        ),
    ),
    S(
        POLICY,
        ("interest_subsidy_forecast_yuan",),
        gettext_lazy("对与疫情防控相关的贷款给予财政贴息，预计补贴{interest_subsidy_forecast_yuan}。"),
    ),
    S(
        POLICY,
        ("rent_relief_enterprises", "rent_relief_yuan"),
        gettext_lazy(
            "对承租国有资产类经营用房的中小企业实行“免三减三”租金减免，"
            "预计将为{rent_relief_enterprises}家企业节约租金{rent_relief_yuan}。"
        ),
    ),
    S(
        POLICY,
        ("green_channel_median_hours",),
        gettext_lazy("开设特殊时期“绿色通道”，从受理到颁发营业执照用时中位数为{green_channel_median_hours}。"),
    ),
)
del S


# --- the brief ------------------------------------------------------------------------------------


@dataclass
class Section:
    heading: str
    sentences: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        # Chinese sentences run on (each ends in 。); other languages need a space between them.
        language = get_language() or ""
        return ("" if language.startswith("zh") else " ").join(self.sentences)


@dataclass
class Brief:
    day: dt.date
    district: str
    area: str
    title: str
    figures: dict[str, int | float]
    sections: list[Section]

    @property
    def rows(self) -> list[tuple[str, str]]:
        """(label, formatted value) for every figure, in registry order: the table beside the prose."""
        return [
            (str(registry.REGISTRY[k].label) if k in registry.REGISTRY else k, fmt_figure(k, v))
            for k, v in self.figures.items()
        ]

    @property
    def text(self) -> str:
        """Plain text: the title, then one paragraph per section (headed, except the opening one)."""
        lines = [self.title, ""]
        for section in self.sections:
            if section.heading:
                lines.append(section.heading)
            lines.extend([section.text, ""])
        return "\n".join(lines).rstrip() + "\n"


def district_name() -> str:
    from fugong.regions.selectors import district

    region = district()
    return region.name if region else DEFAULT_DISTRICT_NAME


def area_for(viewer: Any) -> str:
    """How the prose names the viewer's scope: "全区" for the district, the town's name for a town officer."""
    role = getattr(viewer, "role", "")
    if role in (Role.DISTRICT_ADMIN, Role.DEPARTMENT):
        return _("全区")
    if role == Role.TOWN and getattr(viewer, "town_id", None):
        return viewer.town.name
    if role == Role.DISTRICT_LEADER:
        return _("所包联企业中")
    if role == Role.LIAISON:
        return _("所派驻企业中")
    return _("%(scope)s中") % {"scope": scoping.scope_label(viewer)}


def sentences_for(values: Mapping[str, Any], context: Mapping[str, str]) -> list[tuple[str, str]]:
    """(section, sentence) for every template whose keys are all present and whose condition holds."""
    out = []
    formatted = {k: fmt_figure(k, v) for k, v in values.items()}
    for sentence in SENTENCES:
        if not all(k in values for k in sentence.keys):
            continue
        if sentence.when is not None and not sentence.when(values):
            continue
        out.append((sentence.section, str(sentence.template).format_map({**formatted, **context})))
    return out


def supply_threshold_days(day: dt.date) -> int:
    """The district's minimum days of prevention supplies in force on `day` (苏仙: 7): data, versioned."""
    from fugong.supplies.selectors import threshold_on

    return threshold_on(day).days


def build_brief(viewer: Any, day: dt.date, exact: bool = False) -> Brief:
    """The brief of `viewer`'s scope (DISTRICT_WIDE for the whole district) as of `day`; its figures come from
    the figure snapshot (exact: recounted first if anything changed — the daily_brief command)."""
    values = figure_store.figures_for(viewer, day, exact=exact).values
    name = district_name()
    area = area_for(viewer)
    context = {"date": fmt_day(day), "area": area, "threshold_days": str(supply_threshold_days(day))}
    by_section: dict[str, Section] = {key: Section(str(heading)) for key, heading in SECTION_HEADINGS.items()}
    for section, text in sentences_for(values, context):
        by_section[section].sentences.append(text)
    place = name
    if getattr(viewer, "role", "") == Role.TOWN and getattr(viewer, "town_id", None):
        place = f"{name}{viewer.town.name}"
    elif getattr(viewer, "role", "") not in (Role.DISTRICT_ADMIN, Role.DEPARTMENT):
        place = f"{name}（{scoping.scope_label(viewer)}）"
    title = _("%(place)s复工复产工作日报（%(date)s）") % {"place": place, "date": fmt_full_day(day)}
    return Brief(
        day=day,
        district=name,
        area=area,
        title=title,
        figures=values,
        sections=[s for s in by_section.values() if s.sentences],
    )


def as_json(day: dt.date) -> dict[str, Any]:
    """The contract of `daily_brief --format json` (interfaces.md): the whole district, every figure."""
    return {
        "date": day.isoformat(),
        "district": district_name(),
        "figures": figure_store.figures_for(scoping.DISTRICT_WIDE, day, exact=True).values,
    }


def as_html(brief: Brief) -> str:
    """A standalone printable page (no site shell, no external assets)."""
    return render_to_string("reports/brief_print.html", {"brief": brief})
