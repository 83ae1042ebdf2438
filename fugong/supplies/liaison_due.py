"""Supplies' items on a liaison's phone page: their enterprises below the days-of-supply threshold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from fugong.enterprises.models import Enterprise
from fugong.liaison.due import DueItem

from .selectors import days_of_supply, threshold_on


def due_today(user: Any, day: dt.date, enterprise_ids: list[int]) -> Iterable[DueItem]:
    threshold = threshold_on(day)
    # A liaison covers a handful of enterprises: one days-of-supply evaluation each is affordable here.
    for enterprise in Enterprise.objects.filter(pk__in=enterprise_ids).order_by("name"):
        days = days_of_supply(enterprise, on=day)
        if days is None or days >= threshold.days:
            continue
        yield DueItem(
            enterprise_id=enterprise.pk,
            title=_("防疫物资不足：%(enterprise)s 仅够 %(days)d 天（要求 %(need)d 天）")
            % {"enterprise": enterprise.name, "days": days, "need": threshold.days},
            url=reverse("supplies:enterprise", args=[enterprise.pk]),
            level="danger" if days < threshold.critical_days else "warning",
            source="supplies",
        )
