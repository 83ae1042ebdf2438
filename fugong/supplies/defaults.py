"""The default catalogue, norms and threshold (domain-rules §5), loaded by migration 0002 and editable by the
district admin afterwards as new versions. `load()` is idempotent: it adds what is missing and never
overwrites a row the district has edited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

DEFAULT_FROM = dt.date(2020, 1, 1)
NORM_SOURCE = (
    "苏仙区复工复产“十到位”之物资到位（默认定额，区复工办可调整）；"
    "参照《企事业单位复工复产疫情防控措施指南》（国发明电〔2020〕4号）"
)
THRESHOLD_SOURCE = "苏仙区复工复产“十到位”：复工复产企业须保障7天以上防疫物资"

# 75 % (v/v) ethanol weighs about 0.87 kg per litre at 20 °C; liquid hand soap about 1.00 kg per litre. Ledgers
# count both in kg, the norm is written in ml: 15 ml × 0.87 kg/L = 0.01305 kg per person per day.
ALCOHOL_DENSITY = Decimal("0.870")
SANITIZER_DENSITY = Decimal("1.000")
PER_PERSON_ML = Decimal("15")

# code, name, unit, kind, report group, decimals, sort, note
ITEMS: tuple[tuple[str, str, str, str, str, int, int, str], ...] = (
    ("mask", "口罩", "只", "consumable", "masks", 0, 10, "一次性医用口罩或医用外科口罩"),
    ("thermometer", "体温枪", "支", "stock_check", "thermometers", 0, 20, "红外测温仪：每个出入口1支，另备用1支"),
    ("alcohol", "酒精", "kg", "consumable", "alcohol", 3, 30, "75%医用酒精"),
    ("hand_sanitizer", "洗手液", "kg", "consumable", "sanitizer", 3, 40, ""),
    ("disinfectant", "消毒液", "kg", "consumable", "sanitizer", 3, 50, "含氯消毒液：按消杀面积和频次由企业填报日用量"),
    ("gloves", "一次性手套", "副", "consumable", "other", 0, 60, "无默认定额：按企业填报的消耗计算"),
)


def _ml_to_kg(ml: Decimal, density: Decimal) -> Decimal:
    return (ml * density / 1000).quantize(Decimal("0.00001"))


# item code → (basis, quantity, volume_ml, density, spare, note)
NORMS: dict[str, tuple[str, Decimal | None, Decimal | None, Decimal | None, int, str]] = {
    "mask": ("per_person_shift", Decimal("2"), None, None, 0, "每名在岗人员每8小时班次2只"),
    "thermometer": ("per_entrance", Decimal("1"), None, None, 1, "每个出入口1支，另备用1支"),
    "alcohol": (
        "per_person_day",
        _ml_to_kg(PER_PERSON_ML, ALCOHOL_DENSITY),
        PER_PERSON_ML,
        ALCOHOL_DENSITY,
        0,
        "每人每天15毫升；75%乙醇密度按0.87千克/升折算",
    ),
    "hand_sanitizer": (
        "per_person_day",
        _ml_to_kg(PER_PERSON_ML, SANITIZER_DENSITY),
        PER_PERSON_ML,
        SANITIZER_DENSITY,
        0,
        "每人每天15毫升；按1.00千克/升折算",
    ),
    "disinfectant": ("fixed_daily", None, None, None, 0, "按消杀面积×频次，由企业填报日用量"),
}
THRESHOLD = (7, 3)  # days, critical days


def load(apps: Any = None, schema_editor: Any = None) -> None:
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Item = apps.get_model("supplies", "SupplyItem")
    Norm = apps.get_model("supplies", "SupplyNorm")
    Threshold = apps.get_model("supplies", "SupplyThreshold")
    items = {}
    for code, name, unit, kind, group, decimals, sort, note in ITEMS:
        items[code], _ = Item.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "kind": kind,
                "report_group": group,
                "decimals": decimals,
                "sort": sort,
                "note": note,
            },
        )
    for code, (basis, quantity, volume, density, spare, note) in NORMS.items():
        if not Norm.objects.filter(item=items[code]).exists():
            Norm.objects.create(
                item=items[code],
                basis=basis,
                quantity=quantity,
                volume_ml=volume,
                density_kg_per_l=density,
                spare=spare,
                valid_from=DEFAULT_FROM,
                source=NORM_SOURCE,
                note=note,
            )
    if not Threshold.objects.exists():
        days, critical = THRESHOLD
        Threshold.objects.create(days=days, critical_days=critical, valid_from=DEFAULT_FROM, source=THRESHOLD_SOURCE)
