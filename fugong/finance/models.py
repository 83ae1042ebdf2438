"""Banks and bank–enterprise matchmaking (银企对接). The financing issue grows this app; the foundation needs
the link because it decides which enterprises a bank officer sees."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Bank(models.Model):
    name = models.CharField(_("银行机构"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("银行机构")
        verbose_name_plural = _("银行机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BankMatchmaking(models.Model):
    bank = models.ForeignKey(Bank, verbose_name=_("银行"), on_delete=models.CASCADE, related_name="matches")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="bank_matches"
    )
    since = models.DateField(_("对接日期"))
    credit_granted_yuan = models.DecimalField(_("授信金额（元）"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("银企对接")
        verbose_name_plural = _("银企对接")
        constraints = [models.UniqueConstraint(fields=["bank", "enterprise"], name="uniq_bank_enterprise")]

    def __str__(self) -> str:
        return f"{self.bank} – {self.enterprise}"
