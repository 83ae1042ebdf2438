"""Daily consumption of one enterprise from a spreadsheet (.xlsx/.xls/.csv in UTF-8 or GBK).

One row per day: a 日期 column and one column per consumable item (口罩（只）, 酒精（kg）…, found by name and unit
or by name alone). A blank cell leaves that item's day as it is. Each figure says what was used that day: the
ledger gets the difference to what was entered before (services.ledger.do_declare_consumption), so importing
the same file twice changes nothing.

All or nothing: a file with any bad row — a wrong date, a future date, a day listed twice, a figure that is
not a number, fractions of a mask, a consumption larger than the stock — writes nothing and reports every
problem by row and column, as a spreadsheet numbers them. A dry run reports what the import would do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.core.excel import CellError, Column, TableSpec, UnreadableFile, is_blank, read_table, to_date
from fugong.enterprises.models import Enterprise

from .models import ItemKind, SupplyItem
from .services import SupplyValidationError, parse_quantity
from .services.ledger import do_declare_consumption

MAX_ROWS = 2000  # more than five years of days: a bigger file is a mistake
DAY = "day"


def _item_key(item: SupplyItem) -> str:
    return f"i{item.pk}"


def consumables() -> list[SupplyItem]:
    return list(SupplyItem.objects.filter(active=True, kind=ItemKind.CONSUMABLE).order_by("sort", "id"))


def spec_for(items: list[SupplyItem]) -> TableSpec:
    columns = [Column(DAY, gettext_lazy("日期"), synonyms=("消耗日期", "日期(yyyy-mm-dd)", "date"), required=True)]
    for item in items:
        columns.append(
            Column(
                _item_key(item),
                f"{item.name}（{item.unit}）",
                synonyms=(item.name, item.code, f"{item.name}消耗", f"{item.name}消耗量"),
            )
        )
    return TableSpec(columns, min_header_matches=2)


@dataclass
class ImportError_:
    row: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    written: bool = False
    dry_run: bool = False
    errors: list[ImportError_] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_consumption(
    actor: Any, enterprise: Enterprise, source: IO[bytes] | str, filename: str, *, dry_run: bool = False
) -> ImportResult:
    """Raises UnreadableFile when the file as a whole cannot be read; bad values are in the result."""
    items = consumables()
    spec = spec_for(items)
    by_key = {_item_key(i): i for i in items}
    table = read_table(source, filename, spec, max_rows=MAX_ROWS)
    result = ImportResult(dry_run=dry_run, ignored_headers=list(table.ignored_headers))
    today = timezone.localdate()
    seen_days: dict[dt.date, int] = {}
    entries: list[tuple[dt.date, SupplyItem, Decimal, str]] = []
    places: dict[str, tuple[int, str]] = {}  # posting key → (row, column header)
    for row in table:
        result.rows += 1
        try:
            day = to_date(row.values.get(DAY))
        except CellError as exc:
            result.errors.append(ImportError_(row.number, spec.header_of(DAY), exc.code, exc.message))
            continue
        if day is None:
            result.errors.append(ImportError_(row.number, spec.header_of(DAY), "required", _("日期不能为空")))
            continue
        if day > today:
            result.errors.append(ImportError_(row.number, spec.header_of(DAY), "future", _("日期不能晚于今天")))
            continue
        if day in seen_days:
            result.errors.append(
                ImportError_(
                    row.number,
                    spec.header_of(DAY),
                    "duplicate",
                    _("与第%(n)d行日期重复：同一天只填一行") % {"n": seen_days[day]},
                )
            )
            continue
        seen_days[day] = row.number
        for key, item in by_key.items():
            if key not in table.columns:
                continue
            value = row.values.get(key)
            if is_blank(value):
                continue
            header = spec.header_of(key)
            try:
                quantity = parse_quantity(item, value)
            except ValueError as exc:
                result.errors.append(ImportError_(row.number, header, "invalid", str(exc)))
                continue
            posting_key = f"row:{row.number}:{key}"
            places[posting_key] = (row.number, header)
            entries.append((day, item, quantity, posting_key))
    if result.errors:
        return result
    if not entries:
        result.errors.append(ImportError_(0, "", "empty", _("文件中没有可导入的消耗数量")))
        return result
    entries.sort(key=lambda e: (e[0], e[1].sort, e[1].pk))
    try:
        with transaction.atomic():
            declared = do_declare_consumption(actor, enterprise, entries, source="import")
            if dry_run:
                transaction.set_rollback(True)
    except SupplyValidationError as exc:
        for key, message in exc.errors.items():
            number, header = places.get(key, (0, ""))
            result.errors.append(ImportError_(number, header, "insufficient_stock", message))
        result.errors.sort(key=lambda e: (e.row, e.column))
        return result
    result.created, result.corrected, result.unchanged = declared.created, declared.corrected, declared.unchanged
    result.written = not dry_run
    return result


def template_rows(items: list[SupplyItem], start: dt.date, days: int = 7) -> list[list[Any]]:
    """Example rows for the template: the last week, blank figures to fill in."""
    return [[start + dt.timedelta(days=i)] + [""] * len(items) for i in range(days)]


__all__ = ["ImportResult", "UnreadableFile", "consumables", "import_consumption", "spec_for", "template_rows"]
