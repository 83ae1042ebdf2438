"""The workforce archive (一人一档 / 员工档案卡): every returning worker of every enterprise.

Privacy (domain-rules §7): the ID number, phone, trajectory places, test results and quarantine places are
sealed with AES-GCM (EncryptedTextField). What must be searchable is searchable only by keyed hash: the ID
number (`id_hash`, for upsert and one-subsidy-per-person), the phone, and a trajectory's region
(`region_hash`, for "who passed through X?"). Dates, test kinds and yes/no flags stay in clear so that counts
and windows run in SQL; they identify nobody without the sealed fields and are reached only through scoped
selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fugong.core.fields import EncryptedTextField
from fugong.core.masking import mask_id_number, mask_name, mask_phone


class ArrivalBatch(models.Model):
    """入企批次: 第一批, 第二批… with the day they arrived."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="arrival_batches"
    )
    number = models.PositiveSmallIntegerField(_("批次"))
    arrival_date = models.DateField(_("入企日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("入企批次")
        verbose_name_plural = _("入企批次")
        ordering = ["enterprise_id", "number"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "number"], name="uniq_batch_number")]

    def __str__(self) -> str:
        return _("第%(n)d批") % {"n": self.number}


class Transport(models.TextChoices):
    TRAIN = "train", _("火车")
    FLIGHT = "flight", _("飞机")
    COACH = "coach", _("客车")
    CAR = "car", _("自驾")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class ClearanceStatus(models.TextChoices):
    """Computed by the screening engine (issue #4); until it runs, a new record is 待检测 only if non-resident."""

    CLEARED = "cleared", _("可上岗")
    TEST_REQUIRED = "test_required", _("待检测")
    QUARANTINE = "quarantine", _("隔离观察")
    ABNORMAL = "abnormal", _("异常")
    PENDING = "pending", _("待评估")


class Employee(models.Model):
    # No index of its own for the enterprise, the batch, the phone hash or the clearance: every query on them
    # starts with the enterprise, which the unique key and the composite indexes below serve, and each extra
    # index costs every roster import (a million rows) and every rescreen that rewrites `clearance`. Nothing
    # searches by phone hash (it tells a changed phone from an unchanged one without decrypting).
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="workers",
        db_index=False,
    )
    name = models.CharField(_("姓名"), max_length=40)
    id_number = EncryptedTextField(_("身份证号码"), purpose="employee.id_number")
    id_hash = models.CharField(max_length=64, editable=False)
    # Derived from the ID number, never typed twice.
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    phone = EncryptedTextField(_("手机号码"), purpose="employee.phone")
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)

    resident = models.BooleanField(_("常住人口"), default=False)  # 常住 / 非常住
    household_region_code = models.CharField(_("户籍地区划代码"), max_length=12, blank=True)
    returned_from_code = models.CharField(_("返岗出发地区划代码"), max_length=12, blank=True)
    returned_from_name = models.CharField(_("返岗出发地"), max_length=60, blank=True)
    returned_on = models.DateField(_("返岗日期"), null=True, blank=True)
    transport = models.CharField(_("交通方式"), max_length=10, choices=Transport.choices, blank=True)
    transport_no = models.CharField(_("车次/航班/车牌"), max_length=30, blank=True)
    batch = models.ForeignKey(
        ArrivalBatch,
        verbose_name=_("入企批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
        db_index=False,
    )
    workshop = models.CharField(_("车间/部门"), max_length=60, blank=True)
    position = models.CharField(_("岗位"), max_length=60, blank=True)
    shift = models.CharField(_("班次（错时上班）"), max_length=30, blank=True)
    dining_zone = models.CharField(_("就餐分区"), max_length=30, blank=True)
    dormitory_room = models.CharField(_("宿舍房间"), max_length=30, blank=True)
    employment_start = models.DateField(_("入职日期"), null=True, blank=True)
    social_insurance_since = models.DateField(_("社保缴纳起始"), null=True, blank=True)
    first_job_in_district = models.BooleanField(_("首次在本区就业"), default=False)
    introduction_batch = models.CharField(_("引进批次"), max_length=40, blank=True)
    training_attended_on = models.DateField(_("防疫培训日期"), null=True, blank=True)
    commute_route = EncryptedTextField(_("上下班路线"), purpose="employee.commute_route")

    clearance = models.CharField(
        _("上岗状态"),
        max_length=16,
        choices=ClearanceStatus.choices,
        default=ClearanceStatus.PENDING,
    )
    clearance_reason = models.CharField(_("状态原因"), max_length=300, blank=True)
    clearance_until = models.DateField(_("隔离/观察截止"), null=True, blank=True)
    clearance_evaluated_at = models.DateTimeField(_("评估时间"), null=True, blank=True)

    active = models.BooleanField(_("在职"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("员工档案")
        verbose_name_plural = _("员工档案")
        ordering = ["enterprise_id", "batch_id", "id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "id_hash"], name="uniq_employee_per_enterprise")]
        # Every look-up by ID hash names the enterprise (upsert, roster search, check-in), which the unique key
        # serves; a lone id_hash index cost a quarter of the import's index work. A cross-enterprise check
        # (one subsidy per person) would bring it back.
        indexes = [
            models.Index(fields=["enterprise", "batch"]),
            models.Index(fields=["enterprise", "clearance"]),
        ]

    def __str__(self) -> str:
        return mask_name(self.name)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)


class Stay(models.Model):
    """One place in the 14-day trajectory (外出轨迹): a stay or a transit, with its dates."""

    class Kind(models.TextChoices):
        STAY = "stay", _("停留")
        TRANSIT = "transit", _("途经")

    employee = models.ForeignKey(Employee, verbose_name=_("员工"), on_delete=models.CASCADE, related_name="stays")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.STAY)
    region_code = EncryptedTextField(_("区划代码"), purpose="stay.region_code")
    region_name = EncryptedTextField(_("地点"), purpose="stay.region_name")
    # Keyed hash of the county-level code: lets screening ask "who passed through X?" without a readable place.
    region_hash = models.CharField(max_length=64, editable=False)
    date_from = models.DateField(_("起始日期"))
    date_to = models.DateField(_("结束日期"))
    note = EncryptedTextField(_("备注"), purpose="stay.note")

    class Meta:
        verbose_name = _("行程轨迹")
        verbose_name_plural = _("行程轨迹")
        ordering = ["employee_id", "date_from"]
        indexes = [models.Index(fields=["region_hash", "date_to"])]

    def __str__(self) -> str:
        return f"{self.date_from}–{self.date_to}"


class HealthTest(models.Model):
    class Kind(models.TextChoices):
        NUCLEIC_ACID = "nat", _("核酸")
        IGM = "igm", _("IgM抗体")
        IGG = "igg", _("IgG抗体")

    class Result(models.TextChoices):
        NEGATIVE = "negative", _("阴性")
        POSITIVE = "positive", _("阳性")
        PENDING = "pending", _("待出结果")

    employee = models.ForeignKey(Employee, verbose_name=_("员工"), on_delete=models.CASCADE, related_name="tests")
    kind = models.CharField(_("检测类型"), max_length=4, choices=Kind.choices, db_index=True)
    sample_date = models.DateField(_("采样日期"))
    result = EncryptedTextField(_("结果"), purpose="healthtest.result")
    institution = EncryptedTextField(_("检测机构"), purpose="healthtest.institution")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("检测记录")
        verbose_name_plural = _("检测记录")
        ordering = ["employee_id", "sample_date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sample_date}"


class Quarantine(models.Model):
    class Kind(models.TextChoices):
        HOME = "home", _("居家隔离")
        CENTRAL = "central", _("集中隔离")

    employee = models.ForeignKey(Employee, verbose_name=_("员工"), on_delete=models.CASCADE, related_name="quarantines")
    kind = models.CharField(_("隔离方式"), max_length=10, choices=Kind.choices)
    place = EncryptedTextField(_("隔离地点"), purpose="quarantine.place")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("隔离记录")
        verbose_name_plural = _("隔离记录")
        ordering = ["employee_id", "start"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start}"


class HealthCode(models.TextChoices):
    GREEN = "green", _("绿码")
    YELLOW = "yellow", _("黄码")
    RED = "red", _("红码")


class HealthReading(models.Model):
    """A daily reading (体温、症状、健康码). The temperature is sealed; `fever` keeps the yes/no the
    screening rules and alerts count on."""

    # No lone employee index: the (employee, -taken_on) index below serves every look-up by employee, and each
    # index is written by every reading (a self-declaration, a gate upload of thousands).
    employee = models.ForeignKey(
        Employee, verbose_name=_("员工"), on_delete=models.CASCADE, related_name="readings", db_index=False
    )
    taken_on = models.DateField(_("日期"))
    taken_at = models.DateTimeField(_("测量时间"), null=True, blank=True)
    temperature = EncryptedTextField(_("体温（℃）"), purpose="reading.temperature")
    fever = models.BooleanField(_("体温异常"), default=False)
    symptoms = EncryptedTextField(_("症状"), purpose="reading.symptoms")
    health_code = models.CharField(_("健康码"), max_length=6, choices=HealthCode.choices, blank=True)
    source = models.CharField(_("来源"), max_length=20, default="enterprise")  # enterprise | self | gate
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("健康监测")
        verbose_name_plural = _("健康监测")
        ordering = ["employee_id", "-taken_on"]
        indexes = [models.Index(fields=["employee", "-taken_on"])]

    def __str__(self) -> str:
        return f"{self.taken_on}"
