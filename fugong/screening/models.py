"""排查与健康监测: the screening rules and risk areas (rules as data, versioned, with their 文号), the
self-declaration entry points and declarations, alerts, re-screening jobs and the check-in rate counters.

History is never rewritten: a new rule version or a new risk level closes the previous row's `effective_to`
and adds a row; nothing here is deleted by the application (except expired rate counters).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fugong.workforce.models import ClearanceStatus


class RiskLevel(models.TextChoices):
    LOW = "low", _("低风险")
    MEDIUM = "medium", _("中风险")
    HIGH = "high", _("高风险")


RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


class ScreeningRuleSet(models.Model):
    """One version of the screening rules (domain-rules §4). The version effective on a day is the one whose
    [effective_from, effective_to] contains it; a new version closes its predecessor the day before."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    source = models.CharField(_("依据（文号）"), max_length=200)
    observation_days = models.PositiveSmallIntegerField(_("观察期（天）"), default=14)
    fever_threshold_c = models.DecimalField(
        _("体温异常阈值（℃）"), max_digits=3, decimal_places=1, default=Decimal("37.3")
    )
    # Risk levels whose stays within the observation window mean quarantine (default 中 and 高).
    quarantine_levels = models.JSONField(_("需隔离的风险等级"), default=list)
    non_resident_test_required = models.BooleanField(_("非常住人员须返岗后核酸检测阴性"), default=True)
    red_code_days = models.PositiveSmallIntegerField(_("红码隔离天数"), default=14)
    yellow_code_days = models.PositiveSmallIntegerField(_("黄码隔离天数"), default=7)
    symptoms_abnormal = models.BooleanField(_("申报症状即判为异常"), default=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("排查规则")
        verbose_name_plural = _("排查规则")
        ordering = ["-effective_from", "-version"]

    def __str__(self) -> str:
        return _("排查规则第%(v)d版（%(d)s起）") % {"v": self.version, "d": self.effective_from}

    def in_effect(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class RiskArea(models.Model):
    """The risk level of one county-level region (GB/T 2260, 6 digits) over a period. The district enters
    levels; the platform never guesses them. `region_hash` is the trajectory's keyed hash of the same code
    (workforce.services.region_hash), so "who passed through X?" is an indexed look-up, never a decryption."""

    region_code = models.CharField(_("区划代码"), max_length=6)
    region_name = models.CharField(_("地区名称"), max_length=60)
    region_hash = models.CharField(max_length=64, editable=False, db_index=True)
    level = models.CharField(_("风险等级"), max_length=6, choices=RiskLevel.choices)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    source = models.CharField(_("依据（文号）"), max_length=200)
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
        verbose_name = _("风险地区")
        verbose_name_plural = _("风险地区")
        ordering = ["region_code", "-effective_from", "-id"]
        indexes = [models.Index(fields=["region_code", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.region_name}（{self.get_level_display()}）"

    @property
    def is_quarantine_level(self) -> bool:
        return self.level in (RiskLevel.MEDIUM, RiskLevel.HIGH)


class CheckinPoint(models.Model):
    """An enterprise's self-declaration entry (扫码自主申报): the random token in its QR code. Rotating the
    token retires a poster that went astray."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="checkin_point"
    )
    token = models.CharField(_("二维码令牌"), max_length=40, unique=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("更换时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("扫码申报入口")
        verbose_name_plural = _("扫码申报入口")

    def __str__(self) -> str:
        return str(self.enterprise)


class Declaration(models.Model):
    """One self-declaration from a phone: the consent given (statement version and time) and what was
    declared. The values themselves live in the HealthReading (temperature and symptoms sealed) and, for new
    travel, a Stay; this row is the trail of who declared when and under which statement."""

    # The enterprise's look-ups go through the (enterprise, declared_on) index below; a lone one would only
    # cost every declaration an extra index write.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    employee = models.ForeignKey(
        "workforce.Employee", verbose_name=_("员工"), on_delete=models.CASCADE, related_name="declarations"
    )
    reading = models.OneToOneField(
        "workforce.HealthReading",
        verbose_name=_("健康监测记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="declaration",
    )
    declared_on = models.DateField(_("申报日期"))
    declared_at = models.DateTimeField(_("申报时间"))
    statement_version = models.CharField(_("告知书版本"), max_length=20)
    consented_at = models.DateTimeField(_("同意时间"))
    new_travel = models.BooleanField(_("申报新行程"), default=False)
    # Keyed hash of the device cookie (or of the address without one): enough to trace abuse, not a person.
    device_hash = models.CharField(max_length=64, editable=False)
    status_after = models.CharField(_("申报后状态"), max_length=16, choices=ClearanceStatus.choices, blank=True)

    class Meta:
        verbose_name = _("自主健康申报")
        verbose_name_plural = _("自主健康申报")
        ordering = ["-declared_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "declared_on"])]

    def __str__(self) -> str:
        return f"{self.declared_on}"


class Alert(models.Model):
    """A warning for an enterprise's admin and liaison (and the town and district above them)."""

    class Kind(models.TextChoices):
        FEVER = "fever", _("体温异常")
        ABNORMAL = "abnormal", _("状态转为异常")
        QUARANTINE_ENDING = "quarantine_ending", _("隔离观察即将期满")
        MISSING_READING = "missing_reading", _("未报体温")
        RISK_AREA = "risk_area", _("员工到过中高风险地区")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="screening_alerts"
    )
    employee = models.ForeignKey(
        "workforce.Employee",
        verbose_name=_("员工"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="screening_alerts",
    )
    risk_area = models.ForeignKey(
        RiskArea, verbose_name=_("风险地区"), null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, db_index=True)
    day = models.DateField(_("日期"))
    # Masked names only: alerts are listed to several roles.
    message = models.CharField(_("内容"), max_length=300)
    count = models.PositiveIntegerField(_("人数"), default=1)
    # What makes an alert "the same one" (kind + subject + day): generating twice adds nothing.
    key = models.CharField(max_length=120, unique=True, editable=False)
    created_at = models.DateTimeField(_("产生时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.CharField(_("处理情况"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["resolved_at", "-day", "-id"]
        indexes = [models.Index(fields=["enterprise", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class RescreenJob(models.Model):
    """A re-screening run (a risk change, a new rule version, or by hand), with its progress for the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    trigger = models.CharField(_("触发原因"), max_length=200)
    as_of = models.DateField(_("评估日期"))
    # None: every active employee of the district; else the affected employees' ids.
    employee_ids = models.JSONField(_("员工范围"), null=True, blank=True)
    risk_area = models.ForeignKey(
        RiskArea, verbose_name=_("风险地区"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("总人数"), default=0)
    done = models.PositiveIntegerField(_("已评估"), default=0)
    changed = models.PositiveIntegerField(_("状态变化"), default=0)
    counts = models.JSONField(_("各状态人数"), default=dict, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("重新排查任务")
        verbose_name_plural = _("重新排查任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.trigger}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(99, int(100 * self.done / self.total)) if self.total else 0


class RateCounter(models.Model):
    """Self-declaration attempts per key (device, ID hash, address) and fixed time slot. A table, not a
    process-local counter: every gunicorn worker sees the same counts, and the platform has no Redis."""

    key = models.CharField(max_length=80)
    slot = models.BigIntegerField()  # minutes since the epoch // the window length
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("申报频次计数")
        verbose_name_plural = _("申报频次计数")
        constraints = [models.UniqueConstraint(fields=["key", "slot"], name="uniq_rate_key_slot")]

    def __str__(self) -> str:
        return f"{self.key}@{self.slot}"
