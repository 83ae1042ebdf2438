from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from .models import Region


def district() -> Region | None:
    return Region.objects.filter(code=settings.FUGONG_DISTRICT_CODE).first()


def towns() -> QuerySet[Region]:
    """The towns and streets (镇/街道) of this installation's district."""
    return Region.objects.filter(level=Region.Level.TOWN, parent_id=settings.FUGONG_DISTRICT_CODE)
