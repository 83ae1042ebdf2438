from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Enterprise fields the snapshots are computed from, besides the status this app itself writes.
SNAPSHOT_INPUTS = frozenset({"town", "town_id", "category", "industry_section", "employees"})


class ResumptionConfig(AppConfig):
    name = "fugong.resumption"
    label = "resumption"
    verbose_name = _("复工申请与“十到位”")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from fugong.enterprises.models import Enterprise

        from . import wording  # noqa: F401 — registers the sentences this app stores

        post_save.connect(_enterprise_saved, sender=Enterprise, dispatch_uid="resumption.enterprise_saved")


def _enterprise_saved(
    sender: Any, instance: Any, created: bool, raw: bool = False, update_fields: Any = None, **kw: Any
) -> None:
    """A registry edit may move an enterprise to another town or category: every snapshot day is outdated
    (the status writes of this app save with update_fields and mark their own days)."""
    if raw or (update_fields is not None and not SNAPSHOT_INPUTS & set(update_fields)):
        return
    from . import snapshots

    if snapshots.mark_stale():
        snapshots.request_refresh(trigger="outdated")
