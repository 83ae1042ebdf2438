"""防疫物资: the catalogue and its norms (rules as data), each enterprise's stock ledger, and the district's
procurement matchmaking (牵线搭桥) with doorstep delivery (送货上门).

Stock is never typed in: it is the sum of `StockMovement` rows (期初、自购、区级配送、消耗、盘点调整).
`StockBalance` holds that sum per (enterprise, item) as the row a posting locks (SELECT … FOR UPDATE), so two
concurrent postings serialise and neither is lost; it can always be rebuilt from the movements.

Norms and the district threshold are versioned rows with effective dates and their source (文号): a change
is a new version from a date, so yesterday's figures keep yesterday's rules.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fugong.core.fields import EncryptedTextField
from fugong.core.masking import mask_phone


def quantity_field(label: Any, **kwargs: Any) -> models.DecimalField:
    """Quantities in the item's unit: kg to the gram; pieces as whole numbers (SupplyItem.decimals)."""
    return models.DecimalField(label, max_digits=14, decimal_places=3, **kwargs)


THOUSANDTH = Decimal("0.001")


def as_quantity(value: Any) -> Decimal:
    """A summed quantity at the stored precision. SQLite adds decimals as floats (800 kg comes back as
    799.999999999999), so every Sum() of quantities goes through here."""
    return Decimal(str(value or 0)).quantize(THOUSANDTH)


# --- catalogue and rules ---------------------------------------------------------------------------------


class ItemKind(models.TextChoices):
    CONSUMABLE = "consumable", _("消耗品")  # counted in days of supply
    STOCK_CHECK = "stock_check", _("配备检查")  # thermometers: enough on hand, not a daily use


class ReportGroup(models.TextChoices):
    """How the district report groups an item (the article: 口罩、体温枪、酒精、洗手液和消毒液)."""

    MASKS = "masks", _("口罩")
    THERMOMETERS = "thermometers", _("体温枪")
    ALCOHOL = "alcohol", _("酒精")
    SANITIZER = "sanitizer", _("洗手液和消毒液")
    OTHER = "other", _("其他")


class SupplyItem(models.Model):
    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("物资名称"), max_length=40)
    unit = models.CharField(_("计量单位"), max_length=10)  # 只 / 支 / kg / 副
    kind = models.CharField(_("类型"), max_length=12, choices=ItemKind.choices, default=ItemKind.CONSUMABLE)
    report_group = models.CharField(
        _("统计口径"), max_length=12, choices=ReportGroup.choices, default=ReportGroup.OTHER
    )
    decimals = models.PositiveSmallIntegerField(_("数量小数位"), default=0)  # 0: whole pieces; 3: kg to the gram
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("防疫物资品目")
        verbose_name_plural = _("防疫物资品目")
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    @property
    def is_consumable(self) -> bool:
        return self.kind == ItemKind.CONSUMABLE


class NormBasis(models.TextChoices):
    PER_PERSON_SHIFT = "per_person_shift", _("每人每班（8小时）")
    PER_PERSON_DAY = "per_person_day", _("每人每天")
    FIXED_DAILY = "fixed_daily", _("企业填报日用量")  # disinfectant: area × frequency, entered by the enterprise
    PER_ENTRANCE = "per_entrance", _("每个出入口（另加备用）")  # thermometers


class _Versioned(models.Model):
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
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
        abstract = True


class SupplyNorm(_Versioned):
    """The district's default daily norm of one item (domain-rules §5), one version per effective period.

    `quantity` is in the item's unit per basis. Where the rule is written by volume (15 ml of alcohol per person
    per day) `volume_ml` and `density_kg_per_l` keep it as written and `quantity` is their product in kg, so
    the conversion is on record."""

    item = models.ForeignKey(SupplyItem, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="norms")
    basis = models.CharField(_("定额口径"), max_length=20, choices=NormBasis.choices)
    quantity = models.DecimalField(_("定额（物资单位）"), max_digits=12, decimal_places=5, null=True, blank=True)
    volume_ml = models.DecimalField(_("按体积（毫升）"), max_digits=8, decimal_places=2, null=True, blank=True)
    density_kg_per_l = models.DecimalField(_("密度（千克/升）"), max_digits=6, decimal_places=3, null=True, blank=True)
    spare = models.PositiveSmallIntegerField(_("另加备用"), default=0)
    source = models.CharField(_("依据（文号）"), max_length=200)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("物资消耗定额")
        verbose_name_plural = _("物资消耗定额")
        ordering = ["item__sort", "item_id", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["item", "valid_from"], name="uniq_supply_norm_version")]

    def __str__(self) -> str:
        return f"{self.item.name} {self.get_basis_display()} {self.valid_from}"


class SupplyThreshold(_Versioned):
    """The district's minimum days of supply (苏仙: 7) and the level below which a shortfall is critical."""

    days = models.PositiveSmallIntegerField(_("保障天数下限"))
    critical_days = models.PositiveSmallIntegerField(_("紧急天数"), default=3)
    source = models.CharField(_("依据（文号）"), max_length=200)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("物资保障天数标准")
        verbose_name_plural = _("物资保障天数标准")
        ordering = ["-valid_from"]
        constraints = [models.UniqueConstraint(fields=["valid_from"], name="uniq_supply_threshold_version")]

    def __str__(self) -> str:
        return _("%(days)d天（%(from)s起）") % {"days": self.days, "from": self.valid_from}


class SupplyProfile(models.Model):
    """What an enterprise tells about itself for the norms: entrances, hours on duty, a reported headcount."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="supply_profile"
    )
    entrances = models.PositiveSmallIntegerField(_("出入口数"), default=1)
    shift_hours = models.PositiveSmallIntegerField(_("每人每天在岗小时"), default=8)
    # Used only when the enterprise has no roster in the workforce archive.
    on_duty_reported = models.PositiveIntegerField(_("填报在岗人数"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("企业物资参数")
        verbose_name_plural = _("企业物资参数")

    def __str__(self) -> str:
        return str(self.enterprise)


class EnterpriseNorm(_Versioned):
    """An enterprise's own norm for one item, replacing the district default from `valid_from`."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="supply_norms"
    )
    item = models.ForeignKey(SupplyItem, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("定额口径"), max_length=20, choices=NormBasis.choices)
    quantity = models.DecimalField(_("定额（物资单位）"), max_digits=12, decimal_places=5)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("企业物资定额")
        verbose_name_plural = _("企业物资定额")
        ordering = ["enterprise_id", "item_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "item", "valid_from"], name="uniq_enterprise_norm_version")
        ]

    def __str__(self) -> str:
        return f"{self.item.name} {self.valid_from}"


# --- the ledger ------------------------------------------------------------------------------------------


class MovementKind(models.TextChoices):
    OPENING = "opening", _("期初库存")
    PURCHASE = "purchase", _("自行采购")
    DELIVERY = "delivery", _("区级配送")
    CONSUMPTION = "consumption", _("消耗")
    ADJUSTMENT = "adjustment", _("盘点调整")


class StockMovement(models.Model):
    """One change of stock. Never updated or deleted: a mistake is corrected by another movement."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="supply_movements"
    )
    item = models.ForeignKey(SupplyItem, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=MovementKind.choices)
    quantity = quantity_field(_("数量（入+/出-）"))
    on_date = models.DateField(_("业务日期"))
    reason = models.CharField(_("原因/说明"), max_length=200, blank=True)
    delivery_line = models.ForeignKey(
        "DeliveryLine",
        verbose_name=_("配送明细"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
    )
    source = models.CharField(_("来源"), max_length=12, blank=True)  # page | grid | import | api | delivery | demo
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
        verbose_name = _("物资出入库记录")
        verbose_name_plural = _("物资出入库记录")
        ordering = ["-on_date", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "item", "on_date"]),
            models.Index(fields=["kind", "on_date"]),
        ]
        constraints = [
            # One opening balance per enterprise and item: later stock comes in by purchase or delivery.
            models.UniqueConstraint(
                fields=["enterprise", "item"], condition=Q(kind="opening"), name="uniq_supply_opening"
            )
        ]

    def __str__(self) -> str:
        return f"{self.on_date} {self.get_kind_display()} {self.item.name} {self.quantity}"


class StockBalance(models.Model):
    """Σ movements of one (enterprise, item): the row a posting locks. Rebuildable from the movements."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="supply_balances"
    )
    item = models.ForeignKey(SupplyItem, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field(_("当前库存"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("物资库存")
        verbose_name_plural = _("物资库存")
        constraints = [models.UniqueConstraint(fields=["enterprise", "item"], name="uniq_supply_balance")]

    def __str__(self) -> str:
        return f"{self.item.name} {self.quantity}"


# --- procurement matchmaking and doorstep delivery ----------------------------------------------------------


class Supplier(models.Model):
    name = models.CharField(_("供应商名称"), max_length=120, unique=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), purpose="supplier.contact_phone")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    note = models.CharField(_("供应品种/说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("物资供应商")
        verbose_name_plural = _("物资供应商")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待采购")
    ORDERED = "ordered", _("已下单")
    DELIVERED = "delivered", _("已送达")
    CANCELLED = "cancelled", _("已撤销")


class DemandRequest(models.Model):
    """An enterprise's request for supplies (需求申报), one or more items."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="supply_requests"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED, db_index=True
    )
    needed_by = models.DateField(_("需要日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.ForeignKey(
        "ProcurementOrder",
        verbose_name=_("采购订单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("物资需求申报")
        verbose_name_plural = _("物资需求申报")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("需求申报 #%(id)s") % {"id": self.pk}


class DemandLine(models.Model):
    request = models.ForeignKey(
        DemandRequest, verbose_name=_("需求申报"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(SupplyItem, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field(_("数量"))

    class Meta:
        verbose_name = _("需求明细")
        verbose_name_plural = _("需求明细")
        ordering = ["item__sort", "item_id"]
        constraints = [models.UniqueConstraint(fields=["request", "item"], name="uniq_demand_line")]

    def __str__(self) -> str:
        return f"{self.item.name} {self.quantity}"


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("配送中")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class ProcurementOrder(models.Model):
    """A district order to one supplier, aggregating enterprises' requests (牵线搭桥)."""

    number = models.CharField(_("订单编号"), max_length=30, unique=True, null=True, blank=True)
    supplier = models.ForeignKey(Supplier, verbose_name=_("供应商"), on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(_("状态"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    placed_on = models.DateField(_("下单日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("区级采购订单")
        verbose_name_plural = _("区级采购订单")
        ordering = ["-placed_on", "-id"]

    def __str__(self) -> str:
        return self.number or str(_("采购订单"))


class OrderLine(models.Model):
    order = models.ForeignKey(ProcurementOrder, verbose_name=_("订单"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(SupplyItem, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field(_("数量"))

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        ordering = ["item__sort", "item_id"]
        constraints = [models.UniqueConstraint(fields=["order", "item"], name="uniq_order_line")]

    def __str__(self) -> str:
        return f"{self.item.name} {self.quantity}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    DELIVERED = "delivered", _("已签收")
    CANCELLED = "cancelled", _("已取消")


class Delivery(models.Model):
    """送货上门: one order's goods for one enterprise; confirming receipt posts the ledger movements."""

    order = models.ForeignKey(
        ProcurementOrder, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="deliveries"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="supply_deliveries"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    delivered_on = models.DateField(_("签收日期"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("送货上门")
        verbose_name_plural = _("送货上门")
        ordering = ["status", "-id"]
        constraints = [models.UniqueConstraint(fields=["order", "enterprise"], name="uniq_delivery_per_order")]

    def __str__(self) -> str:
        return f"{self.order} → {self.enterprise}"


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, verbose_name=_("送货单"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(SupplyItem, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+")
    quantity = quantity_field(_("应送数量"))
    received = quantity_field(_("实收数量"), null=True, blank=True)

    class Meta:
        verbose_name = _("送货明细")
        verbose_name_plural = _("送货明细")
        ordering = ["item__sort", "item_id"]
        constraints = [models.UniqueConstraint(fields=["delivery", "item"], name="uniq_delivery_line")]

    def __str__(self) -> str:
        return f"{self.item.name} {self.quantity}"
