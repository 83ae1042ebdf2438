"""复工申请与“十到位”: the checklist (versioned rules as data), applications and their workflow, on-site
inspections with rectification, the enterprise status history, daily enterprise figures, and the daily
snapshots the dashboard reads.

History is never rewritten: a checklist edit is a new version (inspections keep the version they used), an
application's every transition is an ApplicationEvent, and every status change of an enterprise is a
StatusChange row, so a figure "as of a date" is computed from these rows rather than from the current field.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fugong.enterprises.models import ResumptionStatus

USER = settings.AUTH_USER_MODEL


# --- the checklist (十到位), versioned --------------------------------------------------------------
class Checklist(models.Model):
    """One version of the resumption checklist. Editing creates the next version; old ones stay as they were."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    title = models.CharField(_("名称"), max_length=80, default="企业复工复产“十到位”检查表")
    effective_from = models.DateField(_("生效日期"))
    source = models.CharField(_("依据（文号）"), max_length=200)
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("修订人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("复工检查表")
        verbose_name_plural = _("复工检查表")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"


class EvidenceKind(models.TextChoices):
    """What a self-check must carry for an item marked done."""

    NONE = "none", _("无需佐证")
    NOTE = "note", _("文字说明")
    PHOTO = "photo", _("现场照片")
    DOCUMENT = "document", _("文件材料")


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, verbose_name=_("检查表"), on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("检查项"), max_length=60)
    description = models.TextField(_("要求"), blank=True)
    mandatory = models.BooleanField(_("必备项"), default=True)
    evidence = models.CharField(_("佐证要求"), max_length=10, choices=EvidenceKind.choices, default=EvidenceKind.NOTE)

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["checklist_id", "order"]
        constraints = [models.UniqueConstraint(fields=["checklist", "order"], name="uniq_checklist_item_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


# --- the application workflow -----------------------------------------------------------------------
class AppState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待现场核查")
    RECTIFYING = "rectifying", _("整改中")
    REINSPECT = "reinspect", _("待复查")
    PASSED = "passed", _("核查通过，待备案")
    FILED = "filed", _("已备案")
    REJECTED = "rejected", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATES = (AppState.DRAFT, AppState.SUBMITTED, AppState.RECTIFYING, AppState.REINSPECT, AppState.PASSED)


class AppAction(models.TextChoices):
    CREATE = "create", _("填写申请")
    SUBMIT = "submit", _("提交申请")
    WITHDRAW = "withdraw", _("撤回申请")
    INSPECT_PASS = "inspect_pass", _("现场核查通过")
    INSPECT_FAIL = "inspect_fail", _("现场核查，限期整改")
    REPORT_RECTIFIED = "report_rectified", _("报告整改完成")
    REJECT = "reject", _("退回申请")
    FILE = "file", _("备案")


class Transition(models.Model):
    """The application state machine as data: which action moves an application from which state to which.

    Who may take an action is the role table's business (fugong.resumption.permissions); whether the action
    is possible from the current state is this table's. `approval` marks the actions nobody may take on an
    application they created or submitted themselves."""

    action = models.CharField(_("操作"), max_length=20, choices=AppAction.choices)
    from_state = models.CharField(_("原状态"), max_length=12, choices=AppState.choices)
    to_state = models.CharField(_("新状态"), max_length=12, choices=AppState.choices)
    approval = models.BooleanField(_("属审批（禁止自批）"), default=False)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("申请状态流转规则")
        verbose_name_plural = _("申请状态流转规则")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["action", "from_state"], name="uniq_transition")]

    def __str__(self) -> str:
        return f"{self.get_from_state_display()} →（{self.get_action_display()}）→ {self.get_to_state_display()}"


class ResumedAs(models.TextChoices):
    RESUMED = ResumptionStatus.RESUMED.value, _("全面复工")
    PARTIAL = ResumptionStatus.PARTIAL.value, _("部分复工")


class Application(models.Model):
    """复工申请: one enterprise's request to resume, from the self-check to the district's filing (备案)."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="resumption_applications",
    )
    state = models.CharField(_("状态"), max_length=12, choices=AppState.choices, default=AppState.DRAFT, db_index=True)
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("自查所用检查表"), on_delete=models.PROTECT, related_name="+"
    )
    planned_date = models.DateField(_("计划复工日期"))
    # 各批次预计返岗人数: [470, 238] for two arrival batches.
    batch_workers = models.JSONField(_("各批次预计返岗人数"), default=list)
    note = models.TextField(_("申请说明"), blank=True)

    created_by = models.ForeignKey(
        USER, verbose_name=_("填写人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("填写时间"))
    submitted_by = models.ForeignKey(
        USER, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    passed_by = models.ForeignKey(
        USER, verbose_name=_("核查通过人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    passed_at = models.DateTimeField(_("核查通过时间"), null=True, blank=True)
    filed_by = models.ForeignKey(
        USER, verbose_name=_("备案人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    actual_date = models.DateField(_("实际复工日期"), null=True, blank=True)
    resumed_as = models.CharField(_("复工情况"), max_length=12, choices=ResumedAs.choices, blank=True)
    decision_reason = models.TextField(_("退回/撤回原因"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("复工申请")
        verbose_name_plural = _("复工申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open application per enterprise: a second would split the inspection and the filing.
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(state__in=[s.value for s in OPEN_STATES]), name="uniq_open_app"
            )
        ]
        indexes = [models.Index(fields=["state", "enterprise"])]

    def __str__(self) -> str:
        return f"复工申请#{self.pk}"  # wording.APPLICATION, as data

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ApplicationEvent(models.Model):
    """One transition of an application: who, when, from → to, why. The application's full history."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20, choices=AppAction.choices)
    from_state = models.CharField(_("原状态"), max_length=12, choices=AppState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, choices=AppState.choices)
    actor = models.ForeignKey(
        USER, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("申请办理记录")
        verbose_name_plural = _("申请办理记录")
        ordering = ["application_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class SelfCheckAnswer(models.TextChoices):
    DONE = "done", _("已落实")
    NOT_DONE = "not_done", _("未落实")
    NA = "na", _("不适用")


class SelfCheck(models.Model):
    """The enterprise's own check of one checklist item (自查)."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="self_checks"
    )
    item = models.ForeignKey(ChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(_("自查结果"), max_length=10, choices=SelfCheckAnswer.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("企业自查")
        verbose_name_plural = _("企业自查")
        ordering = ["application_id", "item__order"]
        constraints = [models.UniqueConstraint(fields=["application", "item"], name="uniq_self_check_item")]

    def __str__(self) -> str:
        return f"{self.item} {self.get_answer_display()}"


class ItemResult(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NA = "na", _("不适用")


class Inspection(models.Model):
    """An on-site inspection (现场核查) by the town: the first one, then re-inspections after rectification."""

    application = models.ForeignKey(
        Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="inspections"
    )
    # The version in force on the inspection day; a later edit of the checklist never changes this record.
    checklist = models.ForeignKey(Checklist, verbose_name=_("所用检查表"), on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("第几次核查"))
    inspected_on = models.DateField(_("核查日期"))
    inspector = models.ForeignKey(
        USER, verbose_name=_("核查人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspector_label = models.CharField(_("核查人"), max_length=150, blank=True)
    passed = models.BooleanField(_("必备项全部合格"), default=False)
    notes = models.TextField(_("核查意见"), blank=True)
    created_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("现场核查")
        verbose_name_plural = _("现场核查")
        ordering = ["application_id", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="uniq_inspection_number")]

    def __str__(self) -> str:
        return f"第{self.number}次核查 {self.inspected_on}"


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, verbose_name=_("核查"), on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("结果"), max_length=4, choices=ItemResult.choices)
    note = models.TextField(_("说明"), blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("核查结果")
        verbose_name_plural = _("核查结果")
        ordering = ["inspection_id", "item__order"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="uniq_inspection_item")]

    def __str__(self) -> str:
        return f"{self.item} {self.get_result_display()}"


class EvidencePurpose(models.TextChoices):
    PREVENTION_PLAN = "prevention_plan", _("疫情防控方案")
    EMERGENCY_PLAN = "emergency_plan", _("应急处置预案")
    SELF_CHECK = "self_check", _("自查佐证")
    INSPECTION = "inspection", _("核查照片")
    RECTIFICATION = "rectification", _("整改佐证")


class Evidence(models.Model):
    """An uploaded file (plan, photo, document), stored under MEDIA_ROOT with a random name and served only
    through the scoped download view."""

    application = models.ForeignKey(Application, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="files")
    purpose = models.CharField(_("用途"), max_length=20, choices=EvidencePurpose.choices)
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("检查项"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("核查"), null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("文件"), upload_to="resumption/", max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10)  # image | pdf | office
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return self.original_name


# --- enterprise status history -----------------------------------------------------------------------
class StatusChange(models.Model):
    """企业复工状态变更: every change of an enterprise's status, with the date it took effect."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=ResumptionStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=ResumptionStatus.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.TextField(_("原因"))
    application = models.ForeignKey(
        Application,
        verbose_name=_("复工申请"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="status_changes",
    )
    actor = models.ForeignKey(
        USER, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("复工状态变更")
        verbose_name_plural = _("复工状态变更")
        ordering = ["enterprise_id", "effective_on", "id"]
        indexes = [models.Index(fields=["enterprise", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.effective_on} {self.get_from_status_display()} → {self.get_to_status_display()}"


# --- daily enterprise figures ------------------------------------------------------------------------
class DailyReport(models.Model):
    """企业每日生产情况: workers on duty, output against normal capacity, orders on hand — reported by the
    enterprise or its liaison, one row per enterprise and day."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="daily_reports"
    )
    day = models.DateField(_("日期"))
    registered = models.PositiveIntegerField(_("在册职工（人）"))
    on_duty = models.PositiveIntegerField(_("到岗人数（人）"))
    daily_output = models.PositiveIntegerField(_("日产量"), null=True, blank=True)
    normal_output = models.PositiveIntegerField(_("正常日产能"), null=True, blank=True)
    output_unit = models.CharField(_("计量单位"), max_length=10, blank=True)
    # 产能恢复率 as a fraction; computed from output ÷ normal capacity when both are given.
    capacity_rate = models.DecimalField(_("产能恢复率"), max_digits=5, decimal_places=4, null=True, blank=True)
    orders_on_hand = models.PositiveIntegerField(_("在手订单"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        USER, verbose_name=_("报送人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(_("报送时间"))

    class Meta:
        verbose_name = _("企业每日报表")
        verbose_name_plural = _("企业每日报表")
        ordering = ["enterprise_id", "-day"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "day"], name="uniq_daily_report")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day}"


# --- snapshots (pre-aggregated daily figures) -----------------------------------------------------
AREA_DISTRICT = "district"


class SnapshotDay(models.Model):
    """A day whose figures are pre-aggregated. `stale` is set by every write that changes that day's figures;
    `registry` fingerprints the enterprise registry the snapshot was computed from (an edit outside this app
    makes it outdated too)."""

    day = models.DateField(_("日期"), unique=True)
    computed_at = models.DateTimeField(_("汇总时间"))
    stale = models.BooleanField(_("待更新"), default=False)
    registry = models.CharField(_("台账指纹"), max_length=80, blank=True)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)

    class Meta:
        verbose_name = _("统计快照日")
        verbose_name_plural = _("统计快照日")
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)


class EnterpriseDay(models.Model):
    """One enterprise on one day, as the records said: status, application stage, headcount, capacity.

    The rows behind every dashboard number (the dashboard's drill-down lists them)."""

    day = models.DateField(_("日期"))
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    town_id = models.CharField(_("镇（街道）"), max_length=12)
    category = models.CharField(_("企业类别"), max_length=30)
    industry_section = models.CharField(_("行业门类"), max_length=1)
    status = models.CharField(_("复工状态"), max_length=12, choices=ResumptionStatus.choices)
    app_state = models.CharField(_("申请状态"), max_length=12, choices=AppState.choices, blank=True)
    # Furthest stage the enterprise's latest application had reached: 0 none, 1 submitted, 2 inspected,
    # 3 passed, 4 filed (the funnel).
    app_stage = models.PositiveSmallIntegerField(_("申请进度"), default=0)
    registered = models.PositiveIntegerField(_("在册职工"), null=True)
    on_duty = models.PositiveIntegerField(_("到岗人数"), null=True)
    on_duty_source = models.CharField(_("到岗数来源"), max_length=8, blank=True)  # report | roster
    capacity_rate = models.DecimalField(_("产能恢复率"), max_digits=5, decimal_places=4, null=True)
    orders = models.PositiveIntegerField(_("在手订单"), null=True)
    reported = models.BooleanField(_("当日已报"), default=False)

    class Meta:
        verbose_name = _("企业日快照")
        verbose_name_plural = _("企业日快照")
        constraints = [models.UniqueConstraint(fields=["day", "enterprise"], name="uniq_enterprise_day")]
        indexes = [
            models.Index(fields=["day", "town_id", "category"]),
            models.Index(fields=["enterprise", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.enterprise_id}"


class DailyAggregate(models.Model):
    """Counts over EnterpriseDay for one day, one area (the district or a town) and one breakdown
    (all / category / town / industry). The dashboard of a district- or town-wide viewer reads only these."""

    day = models.DateField(_("日期"))
    area = models.CharField(_("范围"), max_length=12)  # "district" or a town code
    dimension = models.CharField(_("维度"), max_length=10)  # all | category | town | industry
    key = models.CharField(_("分组"), max_length=30, blank=True)
    enterprises = models.PositiveIntegerField(default=0)
    resumed = models.PositiveIntegerField(default=0)  # 已复工 + 部分复工 (the district counted both)
    resumed_full = models.PositiveIntegerField(default=0)
    partial = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    registered = models.PositiveBigIntegerField(default=0)  # of resumed enterprises with an on-duty figure
    on_duty = models.PositiveBigIntegerField(default=0)
    capacity_sum = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    capacity_n = models.PositiveIntegerField(default=0)
    orders = models.PositiveBigIntegerField(default=0)
    expected_reports = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    inspected = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    filed = models.PositiveIntegerField(default=0)
    rectifying = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        constraints = [models.UniqueConstraint(fields=["day", "area", "dimension", "key"], name="uniq_daily_aggregate")]
        indexes = [models.Index(fields=["area", "dimension", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.area} {self.dimension}:{self.key}"


class SnapshotRun(models.Model):
    """One refresh of the snapshots, queued for the task worker or run by the command; the dashboard polls it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("汇总中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(_("触发"), max_length=12)  # change | command | manual | outdated
    days = models.JSONField(_("日期"), default=list)  # ISO dates; empty = every stale or outdated day + today
    days_total = models.PositiveIntegerField(default=0)
    days_done = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        USER, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("快照汇总任务")
        verbose_name_plural = _("快照汇总任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"
