"""Spreadsheets in: risk levels (the district admin) and a day's gate readings (an enterprise's 门岗测温记录).

Both read through fugong.core.excel (header found by its names, UTF-8/GBK CSV, full-width digits, date
serials). Risk levels are rule data: one bad row writes nothing. Gate readings are a day's work: valid rows are
stored, bad ones reported by row and column, and the employees concerned are re-screened at once. No message
quotes an ID number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.core import excel
from fugong.core.identifiers import IdentifierError, validate_id_number
from fugong.enterprises.models import Enterprise
from fugong.workforce import bulk
from fugong.workforce import services as workforce
from fugong.workforce.models import Employee, HealthCode

from . import runner, services, wording

RISK_SPEC = excel.TableSpec(
    [
        excel.Column(
            "region_code",
            gettext_lazy("区划代码"),
            ("地区代码", "县区代码", "行政区划代码", "代码"),
            required=True,
            example="420106",
        ),
        excel.Column("region_name", gettext_lazy("地区名称"), ("地区", "县区", "名称", "县（区）"), example="武昌区"),
        excel.Column("level", gettext_lazy("风险等级"), ("等级", "风险"), required=True, example="高"),
        excel.Column(
            "effective_from", gettext_lazy("生效日期"), ("起始日期", "日期", "自"), required=True, example="2020-02-20"
        ),
        excel.Column("effective_to", gettext_lazy("失效日期"), ("截止日期", "至")),
        excel.Column("source", gettext_lazy("依据（文号）"), ("依据", "文号", "来源")),
    ]
)
GATE_SPEC = excel.TableSpec(
    [
        excel.Column("id_number", gettext_lazy("身份证号码"), ("身份证号", "身份证", "证件号码"), required=True),
        excel.Column("name", gettext_lazy("姓名")),
        excel.Column("taken_on", gettext_lazy("日期"), ("测温日期", "检测日期")),
        excel.Column("taken_at", gettext_lazy("时间"), ("测温时间",)),
        excel.Column("temperature", gettext_lazy("体温（℃）"), ("体温", "温度", "体温℃"), required=True),
        excel.Column("health_code", gettext_lazy("健康码"), ("健康码颜色",)),
        excel.Column("symptoms", gettext_lazy("症状"), ("不适症状",)),
    ]
)
CODE_WORDS = {
    "绿": HealthCode.GREEN,
    "绿码": HealthCode.GREEN,
    "green": HealthCode.GREEN,
    "黄": HealthCode.YELLOW,
    "黄码": HealthCode.YELLOW,
    "yellow": HealthCode.YELLOW,
    "红": HealthCode.RED,
    "红码": HealthCode.RED,
    "red": HealthCode.RED,
}
TIME_RE = re.compile(r"^(\d{1,2})[:：](\d{2})(?::\d{2})?$")
MAX_ERRORS = 500


@dataclass
class ImportOutcome:
    rows: int = 0
    created: int = 0
    skipped: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    rescreened: int = 0
    message: str = ""

    def error(self, row: int, column: str, message: str, code: str = "invalid") -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "code": code, "message": message})


# --- risk levels -------------------------------------------------------------------------------------------


def import_risk_levels(actor: Any, source: str | IO[bytes], filename: str, default_source: str = "") -> Any:
    """All or nothing: returns (services.RiskChange | None, ImportOutcome)."""
    outcome = ImportOutcome()
    table = excel.read_table(source, filename, RISK_SPEC)
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    for row in table:
        outcome.rows += 1
        values = dict(row.values)
        try:
            values["effective_from"] = excel.to_date(values.get("effective_from"))
            values["effective_to"] = excel.to_date(values.get("effective_to"))
        except excel.CellError as exc:
            outcome.error(row.number, RISK_SPEC.header_of("effective_from"), exc.message, exc.code)
            continue
        values["region_code"] = excel.to_text(values.get("region_code"))
        values["source"] = excel.to_text(values.get("source")) or default_source
        rows.append(values)
        numbers.append(row.number)
    if outcome.rows == 0:
        outcome.message = _("文件中没有数据行")
        return None, outcome
    if not outcome.errors:
        try:
            return services.check_set_risk_levels(actor, rows), outcome
        except services.ScreeningValidationError as exc:
            for key, (code, message) in exc.errors.items():
                index, _dot, column = key.partition(".")
                header = RISK_SPEC.header_of(column) if column in RISK_SPEC.by_key else column
                outcome.error(numbers[int(index)], header, message, code)
    outcome.message = _("有%(n)d处错误，未写入任何数据") % {"n": outcome.rejected}
    return None, outcome


def risk_template(target: Any) -> None:
    examples = [
        ["420106", "武昌区", "高", "2020-01-23", "", "湖北省新冠肺炎疫情防控指挥部通告"],
        ["440304", "福田区", "中", "2020-02-20", "", "广东省疫情防控指挥部通告"],
    ]
    excel.write_xlsx(target, RISK_SPEC.headers(), examples, sheet_title=_("风险地区"), constant_memory=False)


# --- gate readings -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    number: int
    id_hash: str
    name: str
    taken_on: dt.date
    taken_at: dt.datetime | None
    temperature: Decimal
    health_code: str
    symptoms: str


def _time(value: Any, day: dt.date) -> dt.datetime | None:
    if excel.is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        clock = value.time()
    elif isinstance(value, dt.time):
        clock = value
    elif isinstance(value, float) and 0 <= value < 1:  # an Excel time serial: a fraction of a day
        seconds = round(value * 86400)
        clock = dt.time(seconds // 3600 % 24, seconds // 60 % 60)
    else:
        m = TIME_RE.match(str(value).strip())
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise excel.CellError(_("时间格式应为 时:分，例如 08:30"), "time")
        clock = dt.time(int(m.group(1)), int(m.group(2)))
    return timezone.make_aware(dt.datetime.combine(day, clock))


def _parse_gate_row(row: excel.Row, default_day: dt.date | None, today: dt.date, out: ImportOutcome
                    ) -> _Reading | None:  # fmt: skip
    v = row.values
    header = GATE_SPEC.header_of
    try:
        number = validate_id_number(v.get("id_number"), today=today).number
    except IdentifierError as exc:
        out.error(row.number, header("id_number"), exc.message, exc.code)
        return None
    try:
        day = excel.to_date(v.get("taken_on")) or default_day
        if day is None:
            raise excel.CellError(_("请填写测温日期（或在上传页选择日期）"), "required")
        if day > today:
            raise excel.CellError(_("测温日期不能晚于今天"), "future")
    except excel.CellError as exc:
        out.error(row.number, header("taken_on"), exc.message, exc.code)
        return None
    try:
        temperature = excel.to_decimal(v.get("temperature"), places=1, max_digits=3)
        low, high = workforce.TEMPERATURE_RANGE_C
        if temperature is None:
            raise excel.CellError(_("请填写体温"), "required")
        if not low <= temperature <= high:
            raise excel.CellError(_("体温应在%(low)s至%(high)s℃之间") % {"low": low, "high": high}, "range")
    except excel.CellError as exc:
        out.error(row.number, header("temperature"), exc.message, exc.code)
        return None
    code_text = excel.to_text(v.get("health_code")).lower()
    code = CODE_WORDS.get(code_text, "") if code_text else ""
    if code_text and not code:
        out.error(row.number, header("health_code"), _("健康码应为 绿、黄 或 红"), "choice")
        return None
    try:
        taken_at = _time(v.get("taken_at"), day)
        symptoms = excel.to_text(v.get("symptoms"), max_length=100)
    except excel.CellError as exc:
        out.error(row.number, header("taken_at"), exc.message, exc.code)
        return None
    if symptoms in {"无", "没有", "否", "-"}:
        symptoms = ""
    name = excel.to_text(v.get("name"), max_length=40) if not excel.is_blank(v.get("name")) else ""
    return _Reading(row.number, workforce.id_hash(number), name, day, taken_at, temperature, code, symptoms)


def import_gate_readings(
    actor: Any, enterprise: Enterprise, source: str | IO[bytes], filename: str, default_day: dt.date | None = None
) -> ImportOutcome:
    """Store the valid rows as readings (source "gate") and re-screen their employees."""
    today = timezone.localdate()
    outcome = ImportOutcome()
    table = excel.read_table(source, filename, GATE_SPEC)
    parsed: list[_Reading] = []
    for row in table:
        outcome.rows += 1
        reading = _parse_gate_row(row, default_day, today, outcome)
        if reading is not None:
            parsed.append(reading)
    staff = _staff(enterprise, {r.id_hash for r in parsed})
    rows: list[bulk.ReadingRow] = []
    for r in parsed:
        found = staff.get(r.id_hash)
        if found is None:
            outcome.error(
                r.number, GATE_SPEC.header_of("id_number"), _("本企业没有该身份证号码的在岗员工档案"), "unknown"
            )
            continue
        if r.name and "".join(r.name.split()) != "".join(found[1].split()):
            outcome.error(r.number, GATE_SPEC.header_of("name"), _("姓名与员工档案不一致"), "name_mismatch")
            continue
        rows.append(
            bulk.ReadingRow(
                found[0],
                r.taken_on,
                r.temperature,
                taken_at=r.taken_at,
                symptoms=r.symptoms,
                health_code=r.health_code,
                source="gate",
                recorded_by_id=actor.pk if getattr(actor, "pk", None) else None,
            )
        )
    if rows:
        note = wording.GATE_IMPORT % {"name": filename[:100]}  # stored in Chinese
        counts = bulk.do_bulk_add_readings(actor, rows, source=note)
        outcome.created, outcome.skipped = counts.created, counts.skipped
        ids = sorted({r.employee_id for r in rows})
        outcome.rescreened = runner.rescreen(today, ids, actor=actor, note=note).evaluated
    return outcome


def _staff(enterprise: Enterprise, hashes: set[str]) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    ordered = sorted(hashes)
    for start in range(0, len(ordered), 900):
        part = ordered[start : start + 900]
        rows = Employee.objects.filter(enterprise=enterprise, active=True, id_hash__in=part)
        out.update({h: (pk, name) for pk, h, name in rows.values_list("id", "id_hash", "name")})
    return out


def gate_template(target: Any, day: dt.date) -> None:
    """The upload template: headers and one made-up example row (no one's data)."""
    keys = ("name", "id_number", "taken_on", "taken_at", "temperature", "health_code", "symptoms")
    body = [["张三", "", day, "08:00", "36.5", "绿", ""]]
    excel.write_xlsx(
        target, [GATE_SPEC.header_of(k) for k in keys], body, sheet_title=_("门岗测温记录"), constant_memory=False
    )
