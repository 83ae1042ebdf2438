"""The registry export (企业台账导出) and the import template (导入模板).

Both use the importer's column headers, so an exported file re-imports cleanly: masked phones read back as
"keep the registered number", the apostrophe that neutralises formula-like text is dropped on the way in.
The export reads through selectors.enterprises_for_user (the user's scope, the list page's filters) in one
streamed query, masks the contact phone and logs itself in the access log.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from fugong.core import audit, excel
from fugong.core.identifiers import make_uscc
from fugong.core.masking import mask_phone
from fugong.regions.models import IndustrialPark
from fugong.regions.selectors import towns

from . import selectors
from .classification import IndustrySection
from .importers import COLUMNS, SPEC
from .models import Enterprise, Ownership

CHUNK = 2000
FILTER_LABELS = {
    "q": gettext_lazy("关键字"),
    "town": gettext_lazy("镇（街道）代码"),
    "category": gettext_lazy("企业类别"),
    "size_class": gettext_lazy("企业规模"),
    "status": gettext_lazy("复工状态"),
    "ownership": gettext_lazy("经济类型"),
    "key_guarantee": gettext_lazy("重点保障"),
    "in_park": gettext_lazy("在园区"),
    "state_premises": gettext_lazy("承租国有经营用房"),
}


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def enterprise_row(e: Enterprise) -> list[Any]:
    """One enterprise in the template's column order (contact phone masked)."""
    return [
        e.uscc,
        e.name,
        e.legal_representative,
        e.town.name,
        e.address,
        e.get_industry_section_display(),
        e.industry_division,
        e.employees,
        e.annual_revenue_wan,
        e.total_assets_wan,
        e.get_ownership_display(),
        _yes_no(e.is_key_guarantee),
        e.industrial_park.name if e.industrial_park else "",
        _yes_no(e.rents_state_premises),
        e.monthly_rent_yuan,
        e.contact_name,
        mask_phone(e.contact_phone),
    ]


class EnterpriseExport:
    """The registry as the user sees it on the list page (scope + filters), as .xlsx or .csv."""

    def __init__(self, user: Any, filters: selectors.EnterpriseFilters) -> None:
        self.user = user
        self.filters = filters

    def queryset(self) -> QuerySet[Enterprise]:
        return selectors.enterprises_for_user(self.user, self.filters).order_by("town__sort", "town_id", "name", "id")

    def describe_filters(self) -> str:
        parts = []
        for name, label in FILTER_LABELS.items():
            value = getattr(self.filters, name)
            if value not in ("", None):
                parts.append(f"{label}={_yes_no(value) if isinstance(value, bool) else value}")
        return pgettext("between the filters named in an export", "，").join(parts) or _("无（全部可见企业）")

    def headers(self) -> list[str]:
        return SPEC.headers()

    def rows(self) -> Iterator[list[Any]]:
        for e in self.queryset().iterator(chunk_size=CHUNK):
            yield enterprise_row(e)

    def start(self) -> excel.ExportMeta:
        """Count, log the export in the access log (PIPL), and return the file's export information."""
        count = self.queryset().count()
        described = self.describe_filters()
        audit.log_access(
            self.user,
            "export",
            subject_type="enterprise.list",
            subject_repr=_("企业台账"),
            fields=["contact_phone(masked)"],
            purpose=_("导出企业台账；筛选条件：%(f)s") % {"f": described},
            record_count=count,
        )
        return excel.meta_for(
            self.user, title=_("企业台账"), note=_("筛选条件：%(f)s；联系电话已脱敏") % {"f": described}
        )

    def write_xlsx(self, target: Any, meta: excel.ExportMeta) -> int:
        return excel.write_xlsx(target, self.headers(), self.rows(), sheet_title=_("企业台账"), meta=meta)

    def iter_csv(self, meta: excel.ExportMeta) -> Iterator[bytes]:
        return excel.iter_csv(self.headers(), self.rows(), meta=meta)


# --- the import template ------------------------------------------------------------------------------
def example_row() -> list[Any]:
    """A synthetic but valid row: a made-up 统一社会信用代码 with correct check characters."""
    town = towns().order_by("sort", "code").first()
    park = IndustrialPark.objects.order_by("name").first()
    return [
        make_uscc("431003", "MA4L0001"),
        _("郴州市示例科技有限公司（示例，请删除本行）"),
        _("张三"),
        town.name if town else _("栖凤渡镇"),
        _("苏仙区示例路1号"),
        IndustrySection.C.label,
        "39",
        120,
        Decimal("5000"),
        Decimal("3000"),
        Ownership.PRIVATE.label,
        _("否"),
        park.name if park else "",
        _("否"),
        None,
        _("李四"),
        "13800000000",
    ]


def instructions() -> list[list[Any]]:
    rows = []
    for col in COLUMNS:
        rows.append([str(col.header), _("必填") if col.required else _("选填"), str(col.help)])
    town_names = "、".join(t.name for t in towns().order_by("sort", "code"))
    park_names = "、".join(IndustrialPark.objects.order_by("name").values_list("name", flat=True))
    rows += [
        [_("可选镇（街道）"), "", town_names or _("（尚未登记）")],
        [_("可选工业园区"), "", park_names or _("（尚未登记）")],
        [_("行业门类"), "", "、".join(str(label) for _v, label in IndustrySection.choices)],
        [
            _("说明"),
            "",
            _(
                "表头须在数据上方（标题行可合并，位于表头之上）；列的顺序不限，多余的列会被忽略。"
                "按统一社会信用代码识别企业：已登记的更新，未登记的新增，内容相同的不变。"
                "有错误的行不会导入，可在导入结果页下载错误报告，改正后重新导入。"
                "支持 .xlsx、.xls，以及 UTF-8、GBK 或 UTF-16（Excel 的“Unicode 文本”）编码的 .csv / .txt 文件。"
            ),
        ],
    ]
    return rows


def write_template(target: Any) -> None:
    headers = SPEC.headers()
    required = {i for i, c in enumerate(COLUMNS) if c.required}
    choices = {
        "town": [t.name for t in towns().order_by("sort", "code")],
        "ownership": [str(label) for _v, label in Ownership.choices],
        "is_key_guarantee": [_("是"), _("否")],
        "rents_state_premises": [_("是"), _("否")],
    }

    def decorate(book: Any, sheet: Any) -> None:
        mark = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
        for i in required:
            sheet.write_string(0, i, headers[i], mark)
        for i, col in enumerate(COLUMNS):
            values = choices.get(col.key)
            # Excel limits a list validation to 255 characters; beyond that the help text must do.
            if values and len(",".join(values)) <= 255:
                sheet.data_validation(1, i, 5000, i, {"validate": "list", "source": values, "ignore_blank": True})
            if col.help:
                sheet.write_comment(0, i, str(col.help))

    excel.write_xlsx(
        target,
        headers,
        [example_row()],
        sheet_title=_("企业台账"),
        meta=None,
        constant_memory=False,
        extra_sheets=[(_("填写说明"), [_("列名"), _("是否必填"), _("填写要求")], instructions(), [22, 10, 90])],
        decorate=decorate,
    )
