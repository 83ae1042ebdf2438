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


# --- issue #6: the plan rule, visit plans, visit records, materials and TCM decoction --------------------


class OutreachRule(models.Model):
    """How long a team may take to cover all its targets once, from a date. Rules as data: a change is a
    new row with its own effective date, never an edit of history."""

    effective_from = models.DateField(_("生效日期"), unique=True)
    plan_days = models.PositiveSmallIntegerField(
        _("走访计划周期（天）"), default=14, help_text=_("每支小分队须在此天数内把辖区目标企业全部走访一遍")
    )
    source = models.CharField(_("依据（文号）"), max_length=200)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("宣传走访规则")
        verbose_name_plural = _("宣传走访规则")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from} · {self.plan_days}"


class PlanEntry(models.Model):
    """One target on one day of a team's visit plan (走访计划)."""

    team = models.ForeignKey(OutreachTeam, verbose_name=_("小分队"), on_delete=models.CASCADE, related_name="plan")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    planned_on = models.DateField(_("计划日期"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")
        ordering = ["planned_on", "id"]
        indexes = [models.Index(fields=["team", "planned_on"])]

    def __str__(self) -> str:
        return f"{self.planned_on} {self.enterprise_id}"


class Topic(models.TextChoices):
    PREVENTION = "prevention", _("防控常识")
    POLICY = "policy", _("惠企政策")
    SAFETY = "safety", _("安全生产")
    JOBS = "jobs", _("招工信息")


class OutreachVisit(models.Model):
    """A team's visit to an enterprise (进企业、进车间、进班组宣讲): topics, attendees, materials handed out."""

    team = models.ForeignKey(OutreachTeam, verbose_name=_("小分队"), on_delete=models.CASCADE, related_name="visits")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    visited_on = models.DateField(_("走访日期"))
    topics = models.JSONField(_("宣讲内容"), default=list)  # Topic values
    attendees = models.PositiveIntegerField(_("听讲人数"), default=0)
    speakers = models.CharField(_("宣讲人"), max_length=120, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("宣传走访记录")
        verbose_name_plural = _("宣传走访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["team", "enterprise"]), models.Index(fields=["visited_on"])]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.enterprise_id}"

    @property
    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [str(labels[t]) for t in self.topics if t in labels]


class MaterialKind(models.TextChoices):
    BOOKLET = "booklet", _("宣传手册")
    LEAFLET = "leaflet", _("宣传单（折页）")
    POSTER = "poster", _("海报挂图")
    OTHER = "other", _("其他资料")


class MaterialHandout(models.Model):
    """Materials handed out on a visit (防疫宣传资料), by kind and count."""

    visit = models.ForeignKey(
        OutreachVisit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(_("资料类型"), max_length=10, choices=MaterialKind.choices)
    count = models.PositiveIntegerField(_("份数"))

    class Meta:
        verbose_name = _("发放宣传资料")
        verbose_name_plural = _("发放宣传资料")
        constraints = [models.UniqueConstraint(fields=["visit", "kind"], name="uniq_handout_kind_per_visit")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.count}"


class TcmBatch(models.Model):
    """A batch of TCM decoction (增强防疫中药汤剂) the district arranged for enterprises' frontline workers."""

    number = models.PositiveSmallIntegerField(_("批次"), unique=True)
    supplied_on = models.DateField(_("发放日期"))
    supplier = models.CharField(_("供应单位"), max_length=120)
    doses = models.PositiveIntegerField(_("剂数（份）"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("中药汤剂批次")
        verbose_name_plural = _("中药汤剂批次")
        ordering = ["number"]

    def __str__(self) -> str:
        return str(_("第%(n)d批") % {"n": self.number})


class TcmDelivery(models.Model):
    """The enterprise a batch reached and how many of its frontline workers it covered."""

    batch = models.ForeignKey(TcmBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="deliveries")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    workers = models.PositiveIntegerField(_("惠及一线员工（人）"))
    doses = models.PositiveIntegerField(_("剂数（份）"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("中药汤剂发放")
        verbose_name_plural = _("中药汤剂发放")
        ordering = ["batch_id", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "enterprise"], name="uniq_tcm_batch_enterprise")]

    def __str__(self) -> str:
        return f"{self.batch} → {self.enterprise_id}"
