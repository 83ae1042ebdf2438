"""Figure snapshots (统计快照): every registered figure of one area (the district, or one town) as of one day,
pre-aggregated so the overview API, the daily brief and the home page never count raw rows at request time.

A row is *dirty* once any record behind the figures has changed since it was computed (figure_store marks it
after the writing transaction commits); a dirty or aged row is served as it is, with its time and a "being
updated" flag, while the task worker recomputes it — unless it is cheap (last computed quickly) or the caller
must have exact figures (the daily_brief command), in which case it is recomputed on the spot.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureSnapshot(models.Model):
    day = models.DateField(_("统计日期"))
    area = models.CharField(_("范围"), max_length=20)  # "district" or a town's code (scoping.aggregate_area)
    values = models.JSONField(_("指标"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)  # when its computation began
    duration_ms = models.PositiveIntegerField(_("计算耗时（毫秒）"), default=0)
    dirty = models.BooleanField(_("待更新"), default=True)
    refresh_queued = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        constraints = [models.UniqueConstraint(fields=["day", "area"], name="core_figuresnapshot_day_area")]

    def __str__(self) -> str:
        return f"{self.day} {self.area}"
