"""Rules as data: the district's norms and threshold, and each enterprise's own norms and settings.

History is never rewritten: a change is a new version from a date; the version in force until then is closed
the day before and stays on record, so a past day's days of supply are computed with that day's rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from fugong.core import audit
from fugong.enterprises.models import Enterprise

from ..models import EnterpriseNorm, ItemKind, NormBasis, SupplyItem, SupplyNorm, SupplyProfile, SupplyThreshold
from .common import SupplyValidationError

ENTERPRISE_BASES = (NormBasis.PER_PERSON_SHIFT, NormBasis.PER_PERSON_DAY, NormBasis.FIXED_DAILY)
MAX_NORM = Decimal("1000000")


class ConcurrentEditError(Exception):
    """The settings changed since the editor loaded them."""


def _decimal(value: Any, field: str, errors: dict[str, str], *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors[field] = _("必填")
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        errors[field] = _("须为数字")
        return None
    if not number.is_finite() or number <= 0:
        errors[field] = _("须大于0")
        return None
    if number >= MAX_NORM:
        errors[field] = _("数值过大")
        return None
    return number


def _date(value: Any, errors: dict[str, str], field: str = "valid_from") -> dt.date | None:
    if not isinstance(value, dt.date):
        errors[field] = _("请填写生效日期")
        return None
    return value


def _after_latest(latest: Any, valid_from: dt.date, errors: dict[str, str]) -> None:
    if latest is not None and valid_from <= latest.valid_from:
        errors["valid_from"] = _("生效日期须晚于现行版本的生效日期（%(d)s）：已生效的历史版本不能改写") % {
            "d": latest.valid_from.isoformat()
        }


def _close(latest: Any, valid_from: dt.date) -> dict[str, list[Any]]:
    """End the version in force the day before the new one starts."""
    if latest is None or (latest.valid_to is not None and latest.valid_to < valid_from):
        return {}
    old = latest.valid_to
    latest.valid_to = valid_from - dt.timedelta(days=1)
    latest.save(update_fields=["valid_to"])
    return {"previous_valid_to": [audit.plain(old), latest.valid_to.isoformat()]}


# --- the district's norms ----------------------------------------------------------------------------------


@transaction.atomic
def do_add_norm_version(actor: Any, item: SupplyItem, data: Mapping[str, Any]) -> SupplyNorm:
    latest = SupplyNorm.objects.select_for_update().filter(item=item).order_by("-valid_from").first()
    changes = _close(latest, data["valid_from"])
    norm = SupplyNorm.objects.create(item=item, created_by=actor if getattr(actor, "pk", None) else None, **data)
    changes.update(
        audit.diff(
            {},
            audit.snapshot(
                norm, ("basis", "quantity", "volume_ml", "density_kg_per_l", "spare", "valid_from", "source")
            ),
        )
    )
    audit.record(actor, "supplies.norm_version", norm, changes=changes)
    return norm


def validate_norm_version(item: SupplyItem, data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a new version of an item's district norm, cleaned; raises SupplyValidationError. By
    volume (ml × density) the quantity in kg is computed, so the conversion stays on record; a stock-check item
    (thermometers) takes a per-entrance norm only."""
    errors: dict[str, str] = {}
    basis = data.get("basis")
    if basis not in NormBasis.values:
        errors["basis"] = _("请选择定额口径")
    elif item.kind == ItemKind.STOCK_CHECK and basis != NormBasis.PER_ENTRANCE:
        errors["basis"] = _("%(item)s是配备检查类物资，只能按出入口配备") % {"item": item.name}
    elif item.kind == ItemKind.CONSUMABLE and basis == NormBasis.PER_ENTRANCE:
        errors["basis"] = _("消耗品不能按出入口配备")
    volume = _decimal(data.get("volume_ml"), "volume_ml", errors, required=False)
    density = _decimal(data.get("density_kg_per_l"), "density_kg_per_l", errors, required=False)
    quantity = None
    if (volume is None) != (density is None) and "volume_ml" not in errors and "density_kg_per_l" not in errors:
        errors["density_kg_per_l" if volume is not None else "volume_ml"] = _("按体积折算须同时填写毫升数和密度")
    elif volume is not None and density is not None:
        quantity = (volume * density / 1000).quantize(Decimal("0.00001"))
    elif basis == NormBasis.FIXED_DAILY:
        # The district says "the enterprise enters it"; a figure here would be everyone's default use.
        quantity = _decimal(data.get("quantity"), "quantity", errors, required=False)
    else:
        quantity = _decimal(data.get("quantity"), "quantity", errors)
    spare = data.get("spare") or 0
    if not isinstance(spare, int) or not 0 <= spare <= 100:
        errors["spare"] = _("备用数须为0到100的整数")
    source = str(data.get("source") or "").strip()
    if len(source) < 2:
        errors["source"] = _("请填写依据（文号或文件名称）")
    valid_from = _date(data.get("valid_from"), errors)
    if valid_from is not None:
        _after_latest(SupplyNorm.objects.filter(item=item).order_by("-valid_from").first(), valid_from, errors)
    if errors:
        raise SupplyValidationError(errors)
    return {
        "basis": basis,
        "quantity": quantity,
        "volume_ml": volume,
        "density_kg_per_l": density,
        "spare": spare,
        "source": source[:200],
        "note": str(data.get("note") or "").strip()[:300],
        "valid_from": valid_from,
    }


def check_add_norm_version(actor: Any, item: SupplyItem, data: Mapping[str, Any]) -> SupplyNorm:
    return do_add_norm_version(actor, item, validate_norm_version(item, data))


# --- the district threshold ---------------------------------------------------------------------------


@transaction.atomic
def do_add_threshold_version(actor: Any, data: Mapping[str, Any]) -> SupplyThreshold:
    latest = SupplyThreshold.objects.select_for_update().order_by("-valid_from").first()
    changes = _close(latest, data["valid_from"])
    row = SupplyThreshold.objects.create(created_by=actor if getattr(actor, "pk", None) else None, **data)
    changes.update(audit.diff({}, audit.snapshot(row, ("days", "critical_days", "valid_from", "source"))))
    audit.record(actor, "supplies.threshold_version", row, changes=changes)
    return row


def validate_threshold_version(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    days, critical = data.get("days"), data.get("critical_days")
    if not isinstance(days, int) or not 1 <= days <= 90:
        errors["days"] = _("保障天数须为1到90的整数")
    if not isinstance(critical, int) or critical < 0:
        errors["critical_days"] = _("紧急天数须为不小于0的整数")
    elif isinstance(days, int) and critical >= days:
        errors["critical_days"] = _("紧急天数须小于保障天数")
    source = str(data.get("source") or "").strip()
    if len(source) < 2:
        errors["source"] = _("请填写依据（文号或文件名称）")
    valid_from = _date(data.get("valid_from"), errors)
    if valid_from is not None:
        _after_latest(SupplyThreshold.objects.order_by("-valid_from").first(), valid_from, errors)
    if errors:
        raise SupplyValidationError(errors)
    return {
        "days": days,
        "critical_days": critical,
        "source": source[:200],
        "note": str(data.get("note") or "").strip()[:300],
        "valid_from": valid_from,
    }


def check_add_threshold_version(actor: Any, data: Mapping[str, Any]) -> SupplyThreshold:
    return do_add_threshold_version(actor, validate_threshold_version(data))


# --- an enterprise's own settings and norms ---------------------------------------------------------------

PROFILE_FIELDS = ("entrances", "shift_hours", "on_duty_reported")
PROFILE_LIMITS = {"entrances": (1, 50), "shift_hours": (1, 24), "on_duty_reported": (0, 1_000_000)}


@transaction.atomic
def do_update_profile(
    actor: Any, enterprise: Enterprise, data: Mapping[str, Any], expected_version: int | None
) -> SupplyProfile:
    profile, _created = SupplyProfile.objects.get_or_create(enterprise=enterprise)
    profile = SupplyProfile.objects.select_for_update().get(pk=profile.pk)
    if expected_version is not None and profile.version != expected_version and not _created:
        raise ConcurrentEditError
    before = audit.snapshot(profile, PROFILE_FIELDS)
    for name in PROFILE_FIELDS:
        setattr(profile, name, data.get(name, getattr(profile, name)))
    after = audit.snapshot(profile, PROFILE_FIELDS)
    changes = audit.diff(before, after)
    if changes:
        profile.version = F("version") + 1
        profile.save()
        profile.refresh_from_db()
        audit.record(actor, "supplies.profile_update", enterprise, changes=changes)
    return profile


def check_update_profile(
    actor: Any, enterprise: Enterprise, data: Mapping[str, Any], expected_version: int | None = None
) -> SupplyProfile:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, (low, high) in PROFILE_LIMITS.items():
        value = data.get(name)
        if value is None and name == "on_duty_reported":
            clean[name] = None
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = _("须为%(low)d到%(high)d的整数") % {"low": low, "high": high}
        else:
            clean[name] = value
    if errors:
        raise SupplyValidationError(errors)
    return do_update_profile(actor, enterprise, clean, expected_version)


@transaction.atomic
def do_set_enterprise_norm(
    actor: Any, enterprise: Enterprise, item: SupplyItem, data: Mapping[str, Any]
) -> EnterpriseNorm:
    latest = (
        EnterpriseNorm.objects.select_for_update()
        .filter(enterprise=enterprise, item=item)
        .order_by("-valid_from")
        .first()
    )
    changes = _close(latest, data["valid_from"])
    norm = EnterpriseNorm.objects.create(
        enterprise=enterprise, item=item, created_by=actor if getattr(actor, "pk", None) else None, **data
    )
    changes.update(audit.diff({}, audit.snapshot(norm, ("basis", "quantity", "valid_from", "reason"))))
    changes["item"] = [None, item.name]
    audit.record(actor, "supplies.enterprise_norm", enterprise, changes=changes)
    return norm


def check_set_enterprise_norm(actor: Any, enterprise: Enterprise, item: Any, data: Mapping[str, Any]) -> EnterpriseNorm:
    """The enterprise's own norm for a consumable, from a date: per person per shift, per person per day, or a
    fixed daily use (disinfectant: the area it disinfects × how often)."""
    errors: dict[str, str] = {}
    if not isinstance(item, SupplyItem) or not item.active or item.kind != ItemKind.CONSUMABLE:
        errors["item"] = _("请选择消耗品")
    basis = data.get("basis")
    if basis not in ENTERPRISE_BASES:
        errors["basis"] = _("请选择定额口径")
    quantity = _decimal(data.get("quantity"), "quantity", errors)
    valid_from = _date(data.get("valid_from"), errors)
    if valid_from is not None and "item" not in errors:
        latest = EnterpriseNorm.objects.filter(enterprise=enterprise, item=item).order_by("-valid_from").first()
        _after_latest(latest, valid_from, errors)
    if errors:
        raise SupplyValidationError(errors)
    return do_set_enterprise_norm(
        actor,
        enterprise,
        item,
        {
            "basis": basis,
            "quantity": quantity,
            "valid_from": valid_from,
            "reason": str(data.get("reason") or "").strip()[:200],
        },
    )
