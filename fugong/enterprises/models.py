"""The enterprise registry (企业台账) and key projects (重点项目)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fugong.core.fields import EncryptedTextField
from fugong.core.masking import mask_phone

from .classification import Category, IndustrySection, SizeClass, SizeSector


class SizeThreshold(models.Model):
    """One row of the SME classification table; editable data, not code."""

    sector = models.CharField(_("行业"), max_length=20, choices=SizeSector.choices)
    size_class = models.CharField(_("规模"), max_length=10, choices=SizeClass.choices)
    min_employees = models.PositiveIntegerField(_("从业人员下限（人）"), null=True, blank=True)
    min_revenue_wan = models.DecimalField(
        _("营业收入下限（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    min_assets_wan = models.DecimalField(
        _("资产总额下限（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("依据"), max_length=120, default="工信部联企业〔2011〕300号")

    class Meta:
        verbose_name = _("企业规模划型标准")
        verbose_name_plural = _("企业规模划型标准")
        constraints = [models.UniqueConstraint(fields=["sector", "size_class"], name="uniq_size_threshold")]

    def __str__(self) -> str:
        return f"{self.get_sector_display()} {self.get_size_class_display()}"


class Ownership(models.TextChoices):
    STATE = "state", _("国有")
    STATE_CONTROLLED = "state_controlled", _("国有控股")
    COLLECTIVE = "collective", _("集体")
    PRIVATE = "private", _("民营")
    FOREIGN = "foreign", _("外资")
    HMT = "hmt", _("港澳台")
    OTHER = "other", _("其他")


STATE_OWNERSHIPS = frozenset({Ownership.STATE, Ownership.STATE_CONTROLLED})


class ResumptionStatus(models.TextChoices):
    NOT_RESUMED = "not_resumed", _("未复工")
    PARTIAL = "partial", _("部分复工")
    RESUMED = "resumed", _("已复工")
    SUSPENDED = "suspended", _("停工")


class Enterprise(models.Model):
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=120, db_index=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=40, blank=True)
    town = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在镇（街道）"),
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    industry_section = models.CharField(_("行业门类"), max_length=1, choices=IndustrySection.choices)
    industry_division = models.CharField(_("行业大类代码"), max_length=4, blank=True)
    size_sector = models.CharField(_("划型行业"), max_length=20, choices=SizeSector.choices, blank=True)
    employees = models.PositiveIntegerField(_("从业人员（人）"), null=True, blank=True)
    annual_revenue_wan = models.DecimalField(
        _("年营业收入（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    total_assets_wan = models.DecimalField(
        _("资产总额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    ownership = models.CharField(_("经济类型"), max_length=20, choices=Ownership.choices)

    # Computed by services from the figures above and SizeThreshold; never typed in.
    size_class = models.CharField(
        _("企业规模"), max_length=10, choices=SizeClass.choices, editable=False, db_index=True
    )
    is_above_scale = models.BooleanField(_("规模以上工业"), default=False, editable=False)
    category = models.CharField(_("企业类别"), max_length=30, choices=Category.choices, editable=False, db_index=True)
    is_non_public = models.BooleanField(_("非公企业"), default=True, editable=False)

    is_key_guarantee = models.BooleanField(_("疫情防控重点保障企业"), default=False)
    industrial_park = models.ForeignKey(
        "regions.IndustrialPark",
        verbose_name=_("所在工业园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    rents_state_premises = models.BooleanField(_("承租国有经营用房"), default=False)
    monthly_rent_yuan = models.DecimalField(_("月租金（元）"), max_digits=12, decimal_places=2, null=True, blank=True)

    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), purpose="enterprise.contact_phone")

    status = models.CharField(
        _("复工状态"),
        max_length=12,
        choices=ResumptionStatus.choices,
        default=ResumptionStatus.NOT_RESUMED,
        db_index=True,
    )
    resumed_on = models.DateField(_("复工日期"), null=True, blank=True)

    # Optimistic concurrency: an edit based on an older version is refused, not silently merged.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业台账")
        ordering = ["town_id", "name"]
        indexes = [
            models.Index(fields=["town", "category"]),
            models.Index(fields=["category", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_sme(self) -> bool:  # 中小企业 = 中 + 小 + 微
        return self.size_class != SizeClass.LARGE


class KeyProject(models.Model):
    class Stage(models.TextChoices):
        PLANNED = "planned", _("前期")
        BUILDING = "building", _("在建")
        PAUSED = "paused", _("停工")
        DONE = "done", _("竣工")

    code = models.CharField(_("项目编号"), max_length=30, unique=True)
    name = models.CharField(_("项目名称"), max_length=150)
    town = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在镇（街道）"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    owner = models.ForeignKey(
        Enterprise,
        verbose_name=_("项目业主"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    industry_section = models.CharField(_("行业门类"), max_length=1, choices=IndustrySection.choices, blank=True)
    total_investment_yuan = models.DecimalField(
        _("总投资（元）"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    stage = models.CharField(_("建设阶段"), max_length=10, choices=Stage.choices, default=Stage.BUILDING)
    status = models.CharField(
        _("复工状态"),
        max_length=12,
        choices=ResumptionStatus.choices,
        default=ResumptionStatus.NOT_RESUMED,
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        ordering = ["town_id", "name"]

    def __str__(self) -> str:
        return self.name
