"""宣传小分队. A team's targets follow from the jurisdiction rule, never typed in: the district team covers
规上工业 enterprises, a town team the other enterprises of its town (see fugong.core.scoping)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutreachTeam(models.Model):
    class Level(models.TextChoices):
        DISTRICT = "district", _("区级")
        TOWN = "town", _("镇（街道）级")

    name = models.CharField(_("名称"), max_length=60, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    town = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), blank=True, related_name="outreach_teams"
    )

    class Meta:
        verbose_name = _("防疫宣传小分队")
        verbose_name_plural = _("防疫宣传小分队")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="district", town__isnull=True) | models.Q(level="town", town__isnull=False),
                name="outreach_team_town_matches_level",
            )
        ]

    def __str__(self) -> str:
        return self.name
