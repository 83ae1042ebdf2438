"""Pairing (包联) and liaison cadres (驻企联络员). Issue #6 grows this app; the foundation needs these
records because they decide what a district leader and a liaison may see."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fugong.core.fields import EncryptedTextField
from fugong.core.masking import mask_phone


class Cadre(models.Model):
    """A cadre sent to enterprises; may or may not have a platform account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )
    name = models.CharField(_("姓名"), max_length=40)
    unit = models.CharField(_("工作单位"), max_length=80, blank=True)
    rank = models.CharField(_("职务职级"), max_length=40, blank=True)
    party_member = models.BooleanField(_("中共党员"), default=True)
    phone = EncryptedTextField(_("手机号码"), purpose="cadre.phone")
    home_town = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("驻企联络员")
        verbose_name_plural = _("驻企联络员")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class _TargetMixin(models.Model):
    """An assignment points at exactly one target: an enterprise or a key project."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    project = models.ForeignKey(
        "enterprises.KeyProject",
        verbose_name=_("重点项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def target(self) -> object:
        return self.enterprise or self.project


def _one_target(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(
            Q(enterprise__isnull=False, project__isnull=True) | Q(enterprise__isnull=True, project__isnull=False)
        ),
        name=name,
    )


class LiaisonAssignment(_TargetMixin):
    cadre = models.ForeignKey(Cadre, verbose_name=_("联络员"), on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        verbose_name = _("联络员派驻")
        verbose_name_plural = _("联络员派驻")
        constraints = [_one_target("liaison_assignment_one_target")]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.target}"


class LeaderPairing(_TargetMixin):
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("包联领导"), on_delete=models.CASCADE, related_name="pairings"
    )

    class Meta:
        verbose_name = _("区级领导包联")
        verbose_name_plural = _("区级领导包联")
        constraints = [_one_target("leader_pairing_one_target")]

    def __str__(self) -> str:
        return f"{self.leader} → {self.target}"


# --- issue #6: rules, help teams (一企一队) and visits ------------------------------------------------


class LiaisonRule(models.Model):
    """The liaison rules in force from a date: the load cap the assignment proposal respects and how often a
    liaison should look in on each target. Rules as data: a change is a new row, never an edit of history."""

    effective_from = models.DateField(_("生效日期"), unique=True)
    max_load = models.PositiveSmallIntegerField(
        _("每名联络员最多派驻（个）"), default=3, help_text=_("自动派驻方案对每名联络员的负荷上限")
    )
    visit_interval_days = models.PositiveSmallIntegerField(
        _("走访周期（天）"), default=3, help_text=_("超过此天数未走访的企业和项目列为今日待走访")
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
        verbose_name = _("联络员派驻规则")
        verbose_name_plural = _("联络员派驻规则")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from} · {self.max_load}"


class HelpTeam(models.Model):
    """一企一队: the district leader paired with the enterprise, the competent department, the town's
    responsible leader and the liaison, serving one enterprise together."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="help_team"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("区级包联领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="help_teams",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("行业主管部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    town_lead = models.CharField(_("镇（街道）责任领导"), max_length=40, blank=True)
    liaison = models.ForeignKey(
        Cadre, verbose_name=_("驻企联络员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="help_teams"
    )
    formed_on = models.DateField(_("组建日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("帮扶小分队（一企一队）")
        verbose_name_plural = _("帮扶小分队（一企一队）")
        ordering = ["enterprise__town_id", "enterprise__name"]

    def __str__(self) -> str:
        return str(_("%(name)s帮扶小分队") % {"name": self.enterprise})


class VisitKind(models.TextChoices):
    VISIT = "visit", _("走访")
    HELP = "help", _("帮扶")
    INSPECTION = "inspection", _("检查指导")
    COORDINATION = "coordination", _("协调解决")


class Visit(models.Model):
    """A visit or help activity at an enterprise or key project (走访帮扶记录), by its liaison or help team.
    `person_times` (人次) is what the district adds up as 帮扶力量 (help_person_times)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    project = models.ForeignKey(
        "enterprises.KeyProject",
        verbose_name=_("重点项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    team = models.ForeignKey(
        HelpTeam, verbose_name=_("帮扶小分队"), null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("联络员"), null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    kind = models.CharField(_("类型"), max_length=14, choices=VisitKind.choices, default=VisitKind.VISIT)
    visited_on = models.DateField(_("日期"))
    people = models.CharField(_("参加人员"), max_length=200, blank=True)
    person_times = models.PositiveSmallIntegerField(_("人次"), default=1)
    purpose = models.CharField(_("事由"), max_length=200)
    findings = models.TextField(_("发现的情况"), blank=True)
    difficulties = models.TextField(_("企业反映的困难问题"), blank=True)
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
        verbose_name = _("走访帮扶记录")
        verbose_name_plural = _("走访帮扶记录")
        ordering = ["-visited_on", "-id"]
        constraints = [_one_target("liaison_visit_one_target")]
        indexes = [
            models.Index(fields=["enterprise", "visited_on"]),
            models.Index(fields=["project", "visited_on"]),
            models.Index(fields=["visited_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.enterprise or self.project}"

    @property
    def target(self) -> object:
        return self.enterprise or self.project
