"""The enterprise registry import (企业台账导入): a spreadsheet in, validated rows upserted by 统一社会信用代码.

`EnterpriseImporter` is the domain class; the `import_enterprises` command, the upload page and the task are
thin wrappers. It runs in two phases:

1. validate (no writes): every row is parsed, checked and resolved against the database in batches —
   created, updated, unchanged or rejected, each rejection with its row, column, code and message;
2. apply (unless --dry-run, or --strict with a rejected row): one transaction over all batches through
   services.do_bulk_upsert_enterprises, so a failure half-way leaves the database as it was.

Scope: the system (actor None) and the district admin import anywhere; a town officer only rows of their
own town, and existing enterprises outside their scope are refused as "无权修改" without saying more.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import roles
from fugong.accounts.roles import Role
from fugong.core import excel, scoping
from fugong.core.excel import CellError, Column, TableSpec
from fugong.core.identifiers import IdentifierError, normalise_phone, validate_uscc
from fugong.regions.models import IndustrialPark, Region
from fugong.regions.selectors import towns

from . import services
from .classification import IndustrySection, sector_for
from .models import Enterprise, Ownership

COLUMNS = (
    Column(
        "uscc",
        gettext_lazy("统一社会信用代码"),
        ("统一社会信用代码", "信用代码", "社会信用代码", "统一信用代码", "统一社会信用代码(注册号)"),
        required=True,
        help=gettext_lazy(
            "18位，字母须大写（自动转换），不使用I、O、Z、S、V；按此列识别企业：已登记则更新，未登记则新增"
        ),
    ),
    Column(
        "name",
        gettext_lazy("企业名称"),
        ("企业名称", "单位名称", "名称", "企业(单位)名称", "公司名称"),
        required=True,
        help=gettext_lazy("与营业执照一致，最多120字"),
    ),
    Column("legal_representative", gettext_lazy("法定代表人"), ("法定代表人", "法人", "法人代表", "负责人")),
    Column(
        "town",
        gettext_lazy("所在镇（街道）"),
        ("所在镇(街道)", "镇(街道)", "所属镇(街道)", "乡镇(街道)", "所在乡镇", "所属乡镇", "乡镇", "镇街"),
        required=True,
        help=gettext_lazy("本区镇（街道）的名称或区划代码；镇（街道）工作人员只能导入本镇（街道）的企业"),
    ),
    Column("address", gettext_lazy("地址"), ("地址", "企业地址", "注册地址", "经营地址", "住所")),
    Column(
        "industry_section",
        gettext_lazy("行业门类"),
        ("行业门类", "所属行业", "行业", "国民经济行业门类"),
        required=True,
        help=gettext_lazy("国民经济行业分类（GB/T 4754-2017）门类：字母A–T，或门类名称，如“C”或“制造业”"),
    ),
    Column(
        "industry_division",
        gettext_lazy("行业大类代码"),
        ("行业大类代码", "行业大类", "行业代码", "大类代码"),
        help=gettext_lazy("2位大类代码（可到4位小类），须属于所填门类，如制造业C为13–43"),
    ),
    Column("employees", gettext_lazy("从业人员"), ("从业人员", "从业人员(人)", "从业人数", "职工人数", "员工人数")),
    Column(
        "annual_revenue_wan",
        gettext_lazy("年营业收入（万元）"),
        ("年营业收入(万元)", "营业收入(万元)", "营业收入", "年营业收入", "主营业务收入(万元)"),
        help=gettext_lazy("单位万元，最多两位小数；工业企业达到2000万元即为规模以上工业"),
    ),
    Column("total_assets_wan", gettext_lazy("资产总额（万元）"), ("资产总额(万元)", "资产总额", "总资产(万元)")),
    Column(
        "ownership",
        gettext_lazy("经济类型"),
        ("经济类型", "所有制", "所有制类型", "经济性质"),
        required=True,
        help=gettext_lazy("国有、国有控股、集体、民营、外资、港澳台、其他"),
    ),
    Column(
        "is_key_guarantee",
        gettext_lazy("疫情防控重点保障"),
        ("疫情防控重点保障", "疫情防控重点保障企业", "重点保障企业", "是否重点保障企业"),
        help=gettext_lazy("是/否，空白为否"),
    ),
    Column(
        "industrial_park",
        gettext_lazy("所在工业园区"),
        ("所在工业园区", "工业园区", "所在园区", "园区"),
        help=gettext_lazy("已登记的园区名称；不在园区则留空"),
    ),
    Column(
        "rents_state_premises",
        gettext_lazy("承租国有经营用房"),
        ("承租国有经营用房", "是否承租国有经营用房", "承租国有房产"),
        help=gettext_lazy("是/否，空白为否；填“是”须填写月租金（用于房租减免测算）"),
    ),
    Column("monthly_rent_yuan", gettext_lazy("月租金（元）"), ("月租金(元)", "月租金")),
    Column("contact_name", gettext_lazy("联系人"), ("联系人", "联系人姓名")),
    Column(
        "contact_phone",
        gettext_lazy("联系电话"),
        ("联系电话", "联系人电话", "电话", "联系方式", "手机", "手机号码"),
        help=gettext_lazy("手机11位，或带区号的座机；导出文件中的脱敏号码（如138****1234）表示保持原号码不变"),
    ),
)
SPEC = TableSpec(COLUMNS)
REQUIRED = tuple(c.key for c in COLUMNS if c.required)

# GB/T 4754-2017: the two-digit divisions (大类) of each section (门类).
DIVISIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}  # fmt: skip
OWNERSHIP_SYNONYMS = {
    "国有企业": Ownership.STATE,
    "国有独资": Ownership.STATE,
    "集体企业": Ownership.COLLECTIVE,
    "私营": Ownership.PRIVATE,
    "私营企业": Ownership.PRIVATE,
    "民营企业": Ownership.PRIVATE,
    "外商投资": Ownership.FOREIGN,
    "外商投资企业": Ownership.FOREIGN,
    "港澳台投资": Ownership.HMT,
}
TOWN_SUFFIX = re.compile(r"(街道办事处|街道|镇|乡)$")
FOREIGN_KEYS = frozenset({"town", "industrial_park"})
# What the import compares with the registry (values of the existing rows, by column).
COMPARED = (
    "id",
    "uscc",
    "version",
    "size_sector",
    *(f"{c.key}_id" if c.key in FOREIGN_KEYS else c.key for c in COLUMNS if c.key != "uscc"),
)
BATCH_SIZE = 1000  # rows validated per database look-up
WRITE_BATCH_SIZE = 10_000  # rows per bulk write: large, so PostgreSQL's COPY overlaps with building the rows
INLINE_MAX_ROWS = 2000  # the upload page runs smaller files in the request, larger ones as a task


def _key(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).upper()


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    failed: list[list[Any]] = field(default_factory=list)  # [row, [cells as uploaded], reasons]
    sensitive_columns: dict[int, str] = field(default_factory=dict)  # column index → mask kind
    written: bool = False

    def as_json(self) -> dict[str, Any]:
        """Exactly the contract of `import_enterprises --json` (interfaces.md)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": self.errors,
        }

    def failed_rows_payload(self) -> dict[str, Any]:
        return {
            "headers": self.headers,
            "rows": self.failed,
            "sensitive": {str(k): v for k, v in self.sensitive_columns.items()},
        }


@dataclass
class _Parsed:
    number: int
    raw: list[Any]
    data: dict[str, Any]
    errors: list[tuple[str, str, str]]  # (column key, code, message)


Progress = Callable[[str, int, int], None]  # (stage, rows done, rows total)


class EnterpriseImporter:
    kind = "enterprises"
    spec = SPEC

    def __init__(
        self,
        actor: Any = None,
        *,
        dry_run: bool = False,
        strict: bool = False,
        progress: Progress | None = None,
        batch_size: int = BATCH_SIZE,
        write_batch_size: int = WRITE_BATCH_SIZE,
        note: str = "",
    ) -> None:
        if actor is not None and not roles.can(actor, roles.IMPORT_ENTERPRISES):
            raise PermissionDenied
        self.actor = actor
        self.dry_run = dry_run
        self.strict = strict
        self.progress = progress or (lambda stage, done, total: None)
        self.batch_size = batch_size
        self.write_batch_size = write_batch_size
        self.note = note
        self.classifier = services.Classifier()
        self._cleaners = {c.key: getattr(self, f"_clean_{c.key}") for c in COLUMNS}
        self._load_lookups()

    # --- reference data, read once per import ---------------------------------------------------------
    def _load_lookups(self) -> None:
        self.towns: dict[str, Region] = {}
        tolerant: dict[str, list[Region]] = {}
        for town in towns():
            self.towns[_key(town.code)] = town
            self.towns[_key(town.name)] = town
            tolerant.setdefault(TOWN_SUFFIX.sub("", _key(town.name)), []).append(town)
        for short, matches in tolerant.items():  # "栖凤渡" for "栖凤渡镇", unless two towns share it
            if len(matches) == 1:
                self.towns.setdefault(short, matches[0])
        self.parks = {_key(p.name): p for p in IndustrialPark.objects.all()}
        self.sections: dict[str, str] = {}
        for value, label in IndustrySection.choices:
            self.sections[value] = value
            self.sections[_key(label)] = value
            self.sections[_key(str(label)[2:])] = value  # the name without its letter: "制造业"
        self.ownerships: dict[str, str] = {_key(k): v for k, v in OWNERSHIP_SYNONYMS.items()}
        for value, label in Ownership.choices:
            self.ownerships[_key(value)] = value
            self.ownerships[_key(label)] = value
        self.allowed_towns: set[str] | None = None  # None: anywhere in the district
        if self.actor is not None and self.actor.role == Role.TOWN:
            self.allowed_towns = {self.actor.town_id} if self.actor.town_id else set()

    # --- the run -------------------------------------------------------------------------------------
    def run(self, source: excel.Source, filename: str) -> ImportResult:
        """Import the file; raises excel.UnreadableFile when it cannot be read (nothing written)."""
        table = excel.read_table(source, filename, self.spec)
        result = ImportResult(headers=table.headers, ignored_headers=table.ignored_headers)
        if "contact_phone" in table.columns:
            result.sensitive_columns[table.columns["contact_phone"]] = "phone"
        self.progress("validating", 0, table.total_rows)
        creates: list[dict[str, Any]] = []
        updates: list[tuple[Enterprise, dict[str, Any]]] = []
        first_row: dict[str, int] = {}
        for batch in _batched(table, self.batch_size):
            parsed = [self._parse(row, first_row) for row in batch]
            self._resolve(parsed, creates, updates, result)
            self.progress("validating", min(batch[-1].number - table.header_row, table.total_rows), table.total_rows)
        result.created, result.updated = len(creates), len(updates)
        if self.dry_run or (self.strict and result.rejected):
            return result
        self._apply(creates, updates, result)
        return result

    def _apply(
        self, creates: list[dict[str, Any]], updates: list[tuple[Enterprise, dict[str, Any]]], result: ImportResult
    ) -> None:
        total = len(creates) + len(updates)
        self.progress("writing", 0, total)
        changed = 0
        # One transaction over every batch: a failure in the last batch undoes the first.
        with transaction.atomic():
            for start in range(0, max(len(creates), len(updates)), self.write_batch_size):
                end = start + self.write_batch_size
                _created, changed_rows = services.do_bulk_upsert_enterprises(
                    self.actor, creates[start:end], updates[start:end], self.classifier, note=self.note
                )
                changed += len(changed_rows)
        # A planned update can turn out equal once computed fields are compared: it is then unchanged.
        result.unchanged += result.updated - changed
        result.updated = changed
        result.written = True
        self.progress("writing", total, total)

    # --- one row ---------------------------------------------------------------------------------------
    def _parse(self, row: excel.Row, first_row: dict[str, int]) -> _Parsed:
        parsed = _Parsed(row.number, row.raw, {}, [])
        cleaners = self._cleaners
        for key, value in row.values.items():
            try:
                parsed.data[key] = cleaners[key](value)
            except (CellError, IdentifierError) as exc:
                parsed.errors.append((key, exc.code, exc.message))
        for key in REQUIRED:
            if key in parsed.data and parsed.data[key] in ("", None):
                parsed.errors.append((key, "required", _("“%(col)s”不能为空") % {"col": self.spec.header_of(key)}))
        uscc = parsed.data.get("uscc")
        if uscc:
            if uscc in first_row:
                parsed.errors.append(
                    (
                        "uscc",
                        "duplicate",
                        _("统一社会信用代码与第%(row)d行重复，本行未导入") % {"row": first_row[uscc]},
                    )
                )
            else:
                first_row[uscc] = row.number
        self._check_cross_fields(parsed)
        return parsed

    def _check_cross_fields(self, parsed: _Parsed) -> None:
        data, failed = parsed.data, {k for k, _c, _m in parsed.errors}
        section, division = data.get("industry_section"), data.get("industry_division")
        if section and division and not failed & {"industry_section", "industry_division"}:
            low, high = DIVISIONS[section]
            if not low <= int(division[:2]) <= high:
                parsed.errors.append(
                    (
                        "industry_division",
                        "division_mismatch",
                        _("行业大类代码%(code)s不属于门类%(section)s（应为%(low)02d–%(high)02d）")
                        % {"code": division, "section": section, "low": low, "high": high},
                    )
                )
        if data.get("rents_state_premises") and not data.get("monthly_rent_yuan") and "monthly_rent_yuan" not in failed:
            parsed.errors.append(("monthly_rent_yuan", "required", _("承租国有经营用房的企业须填写月租金")))

    def _resolve(
        self,
        batch: list[_Parsed],
        creates: list[dict[str, Any]],
        updates: list[tuple[Enterprise, dict[str, Any]]],
        result: ImportResult,
    ) -> None:
        """Decide create / update / unchanged / rejected for a batch: two queries, whatever its size."""
        keys = [p.data["uscc"] for p in batch if p.data.get("uscc") and not p.errors]
        # Plain values, not model instances: comparing 50,000 rows must not build 50,000 objects.
        existing = {e["uscc"]: e for e in Enterprise.objects.filter(uscc__in=keys).values(*COMPARED)} if keys else {}
        in_scope: set[str] | None = None
        if self.actor is not None and existing:
            in_scope = set(scoping.enterprises_for(self.actor).filter(uscc__in=existing).values_list("uscc", flat=True))
        for p in batch:
            result.rows += 1
            current = existing.get(p.data.get("uscc", "")) if not p.errors else None
            if current is not None and in_scope is not None and current["uscc"] not in in_scope:
                p.errors.append(("uscc", "forbidden", _("无权修改该企业")))
            elif not p.errors:
                self._check_town(p)
            if not p.errors and current is None and p.data.get("contact_phone") is KEEP:
                p.errors.append(("contact_phone", "masked", _("新企业须填写完整的联系电话，不能是脱敏号码")))
            if p.errors:
                self._reject(p, result)
            elif current is None:
                creates.append({k: v for k, v in p.data.items() if v is not KEEP})
            else:
                changes = self._changes(current, p.data)
                if changes:
                    # The service needs only the identity and the version read here (to refuse a stale write).
                    updates.append(
                        (Enterprise(pk=current["id"], uscc=current["uscc"], version=current["version"]), changes)
                    )
                else:
                    result.unchanged += 1

    def _check_town(self, p: _Parsed) -> None:
        town = p.data.get("town")
        if self.allowed_towns is None or town is None:
            return
        if town.code not in self.allowed_towns:
            p.errors.append(("town", "out_of_scope", _("只能导入本镇（街道）的企业")))

    def _changes(self, current: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        changes = {}
        for key, value in data.items():
            if value is KEEP or key == "uscc":
                continue
            if key in FOREIGN_KEYS:
                if current[f"{key}_id"] != (value.pk if value is not None else None):
                    changes[key] = value
            elif current[key] != value:
                changes[key] = value
        if changes.keys() & {"industry_section", "industry_division"} and current["size_sector"] == sector_for(
            current["industry_section"], current["industry_division"]
        ):
            changes["size_sector"] = ""  # derived, not chosen: let the Classifier derive it again
        return changes

    def _reject(self, p: _Parsed, result: ImportResult) -> None:
        result.rejected += 1
        messages = []
        for key, code, message in p.errors:
            header = self.spec.header_of(key)
            result.errors.append({"row": p.number, "column": header, "code": code, "message": message})
            messages.append(f"{header}：{message}")
        result.failed.append([p.number, [_jsonable(c) for c in p.raw], "；".join(messages)])

    # --- cells -----------------------------------------------------------------------------------------
    def _clean_uscc(self, value: Any) -> str:
        if isinstance(value, float):  # an all-digit code typed into a number cell has lost its last digits
            raise CellError(
                _("统一社会信用代码被存成了数字，末几位已丢失：请把该列设为文本格式后重新填写"), "number_format"
            )
        return validate_uscc(excel.to_text(value)).code if not excel.is_blank(value) else ""

    def _clean_name(self, value: Any) -> str:
        return excel.to_text(value, max_length=120)

    def _clean_legal_representative(self, value: Any) -> str:
        return excel.to_text(value, max_length=40)

    def _clean_town(self, value: Any) -> Region | None:
        if excel.is_blank(value):
            return None
        key = _key(excel.to_text(value))
        town = self.towns.get(key) or self.towns.get(TOWN_SUFFIX.sub("", key))
        if town is None:
            raise CellError(_("“%(v)s”不是本区的镇（街道）") % {"v": excel.to_text(value)[:30]}, "unknown_town")
        return town

    def _clean_address(self, value: Any) -> str:
        return excel.to_text(value, max_length=200)

    def _clean_industry_section(self, value: Any) -> str:
        if excel.is_blank(value):
            return ""
        key = _key(excel.to_text(value))
        section = self.sections.get(key) or (self.sections.get(key[0]) if key[:1].isalpha() and len(key) > 1 else None)
        if section is None:
            raise CellError(_("“%(v)s”不是国民经济行业门类（A–T）") % {"v": key[:20]}, "unknown_section")
        return section

    def _clean_industry_division(self, value: Any) -> str:
        if excel.is_blank(value):
            return ""
        text = excel.to_text(value)
        if not text.isdigit() or not 1 <= len(text) <= 4:
            raise CellError(_("行业大类代码应为2–4位数字，实际为“%(v)s”") % {"v": text[:10]}, "division")
        return text.zfill(2) if len(text) == 1 else text

    def _clean_employees(self, value: Any) -> int | None:
        return excel.to_int(value, min_value=0, max_value=2_000_000)

    def _clean_annual_revenue_wan(self, value: Any) -> Decimal | None:
        return excel.to_decimal(value)

    def _clean_total_assets_wan(self, value: Any) -> Decimal | None:
        return excel.to_decimal(value)

    def _clean_monthly_rent_yuan(self, value: Any) -> Decimal | None:
        return excel.to_decimal(value, max_digits=12)

    def _clean_ownership(self, value: Any) -> str:
        if excel.is_blank(value):
            return ""
        ownership = self.ownerships.get(_key(excel.to_text(value)))
        if ownership is None:
            allowed = "、".join(str(label) for _v, label in Ownership.choices)
            raise CellError(
                _("经济类型“%(v)s”无效，应为：%(allowed)s") % {"v": excel.to_text(value)[:20], "allowed": allowed},
                "unknown_ownership",
            )
        return ownership

    def _clean_is_key_guarantee(self, value: Any) -> bool:
        return bool(excel.to_bool(value))

    def _clean_rents_state_premises(self, value: Any) -> bool:
        return bool(excel.to_bool(value))

    def _clean_industrial_park(self, value: Any) -> IndustrialPark | None:
        if excel.is_blank(value):
            return None
        park = self.parks.get(_key(excel.to_text(value)))
        if park is None:
            raise CellError(_("未登记的工业园区“%(v)s”") % {"v": excel.to_text(value)[:40]}, "unknown_park")
        return park

    def _clean_contact_name(self, value: Any) -> str:
        return excel.to_text(value, max_length=40)

    def _clean_contact_phone(self, value: Any) -> Any:
        if excel.is_blank(value):
            return ""
        text = excel.to_text(value)
        if "*" in text:  # a masked number from our own export: keep what is registered
            return KEEP
        return normalise_phone(text, allow_landline=True)


class _Keep:
    """A cell meaning "leave the registered value as it is" (a masked phone from an export)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def _batched(rows: Iterable[excel.Row], size: int) -> Iterator[list[excel.Row]]:
    batch: list[excel.Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)
