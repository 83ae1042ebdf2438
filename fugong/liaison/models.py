"""Pairing (包联) and liaison cadres (驻企联络员). Issue #6 grows this app; the foundation needs these
records because they decide what a district leader and a liaison may see."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fugong.core.fields import EncryptedTextField


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
