"""Administrative regions (GB/T 2260 codes, extended to towns and villages) and industrial parks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        DISTRICT = "district", _("区县")
        TOWN = "town", _("乡镇街道")
        VILLAGE = "village", _("村社区")

    class Kind(models.TextChoices):
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")
        STREET = "street", _("街道")
        VILLAGE = "village", _("村")
        COMMUNITY = "community", _("社区")
        OTHER = "other", _("其他")

    # 6 digits for province/city/county (GB/T 2260), 9 for towns and 12 for villages (统计用区划代码).
    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class IndustrialPark(models.Model):
    name = models.CharField(_("园区名称"), max_length=80, unique=True)
    district = models.ForeignKey(Region, verbose_name=_("所在区县"), on_delete=models.PROTECT, related_name="parks")
    # Rent relief (免三减三) applies to state-owned premises in designated parks.
    state_premises_relief = models.BooleanField(_("国有经营用房适用租金减免"), default=False)

    class Meta:
        verbose_name = _("工业园区")
        verbose_name_plural = _("工业园区")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
