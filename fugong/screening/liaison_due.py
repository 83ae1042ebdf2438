"""Screening's items on a liaison's phone page: the open alerts of their enterprises (see fugong/liaison/due.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from fugong.liaison.due import DueItem

from . import wording
from .models import Alert

# Keyed by str: an alert's kind is read back from the database as a plain string.
LEVELS: dict[str, str] = {Alert.Kind.FEVER: "danger", Alert.Kind.ABNORMAL: "danger", Alert.Kind.RISK_AREA: "danger"}


def due_today(user: Any, day: dt.date, enterprise_ids: list[int]) -> Iterable[DueItem]:
    alerts = (
        Alert.objects.filter(enterprise_id__in=enterprise_ids, resolved_at__isnull=True, day__lte=day)
        .select_related("enterprise")
        .order_by("-day", "-id")[:50]
    )
    for alert in alerts:
        yield DueItem(
            enterprise_id=alert.enterprise_id,
            title=_("%(kind)s：%(enterprise)s（%(message)s）")
            % {
                "kind": alert.get_kind_display(),
                "enterprise": alert.enterprise.name,
                "message": wording.in_reader_language(alert.message),
            },
            url=reverse("screening:enterprise", args=[alert.enterprise_id]),
            level=LEVELS.get(alert.kind, "warning"),
            source="screening",
        )
