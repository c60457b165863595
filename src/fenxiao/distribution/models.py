"""The distribution plan (rules), grades, distributors, bindings and commissions."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from fenxiao.catalog.models import Product
from fenxiao.orders.models import Order, OrderLine

MONEY = {"max_digits": 12, "decimal_places": 2}
RATE = {"max_digits": 9, "decimal_places": 4}
USER = settings.AUTH_USER_MODEL


class Plan(models.Model):
    """The one distribution plan of the shop (row id 1); every change goes through services."""

    class Mode(models.TextChoices):
        EVERYONE = "everyone", "人人分销"
        APPLY = "apply", "申请审核"
        THRESHOLD = "threshold", "消费满额自动成为分销商"

    class BindRule(models.TextChoices):
        FIRST_TOUCH = "first_touch", "首次绑定永久有效"
        EXPIRING = "expiring", "绑定有效期内有效"
        LAST_TOUCH = "last_touch", "最新链接绑定"

    class BindOn(models.TextChoices):
        VISIT = "visit", "访问即绑定"
        FIRST_ORDER = "first_order", "首次下单绑定"

    class Base(models.TextChoices):
        PAID = "paid", "实付金额"
        PROFIT = "profit", "利润（实付 − 成本）"

    class TaxMode(models.TextChoices):
        # the arithmetic of each mode is fenxiao.payouts.tax
        NONE = "none", "不代扣"
        FLAT = "flat", "按比例"
        LABOR = "labor", "劳务报酬"

    mode = models.CharField(
        "分销商模式", max_length=16, choices=Mode.choices, default=Mode.EVERYONE
    )
    levels = models.PositiveSmallIntegerField("分销层级", default=2)
    rates = models.JSONField("各级佣金", default=list)
    bind_rule = models.CharField(
        "绑定规则", max_length=16, choices=BindRule.choices, default=BindRule.FIRST_TOUCH
    )
    bind_on = models.CharField(
        "绑定时机", max_length=16, choices=BindOn.choices, default=BindOn.VISIT
    )
    bind_days = models.PositiveIntegerField("绑定有效天数", default=30)
    self_purchase = models.BooleanField("自购返佣", default=False)
    freeze_days = models.PositiveIntegerField("冻结天数（售后期）", default=7)
    max_commission_share = models.DecimalField(
        "佣金上限（占实付 %）", max_digits=5, decimal_places=2, default=50
    )
    threshold_amount = models.DecimalField("成为分销商的消费门槛", default=0, **MONEY)
    base = models.CharField("佣金基数", max_length=8, choices=Base.choices, default=Base.PAID)
    tax_mode = models.CharField(
        "个税代扣方式", max_length=8, choices=TaxMode.choices, default=TaxMode.NONE
    )
    tax_rate = models.DecimalField("代扣比例（%）", max_digits=5, decimal_places=2, default=0)
    auto_approve_below = models.DecimalField("自动审核金额上限", default=0, **MONEY)
    points_count_for_commission = models.BooleanField("积分抵扣部分计入佣金基数", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="更新人",
    )

    class Meta:
        verbose_name = "分销方案"
        verbose_name_plural = "分销方案"
        constraints = [
            models.CheckConstraint(
                condition=Q(levels__gte=1, levels__lte=3), name="plan_levels_1_to_3"
            ),
            models.CheckConstraint(
                condition=Q(max_commission_share__gte=0, max_commission_share__lte=100),
                name="plan_share_is_percent",
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="plan_tax_rate_is_percent"
            ),
            models.CheckConstraint(
                condition=Q(auto_approve_below__gte=0), name="plan_auto_approve_not_negative"
            ),
        ]

    def __str__(self):
        return f"分销方案（{self.get_mode_display()}，{self.levels} 级）"


class PlanChange(models.Model):
    """Audit history of the plan: who changed what, when."""

    changed_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    changed_at = models.DateTimeField("时间", auto_now_add=True)
    source = models.CharField("来源", max_length=16)  # api, console, import
    before = models.JSONField("修改前")
    after = models.JSONField("修改后")

    class Meta:
        verbose_name = "分销方案变更记录"
        verbose_name_plural = "分销方案变更记录"
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.changed_by}"


class Grade(models.Model):
    name = models.CharField("等级名称", max_length=32, unique=True)
    rank = models.PositiveSmallIntegerField("级别", default=0, help_text="数字越大等级越高")
    is_default = models.BooleanField("默认等级", default=False)
    rates = models.JSONField(
        "等级佣金",
        default=list,
        blank=True,
        help_text="每级一个比例或每件固定金额；空则用方案默认",
    )
    withdraw_min = models.DecimalField("最低提现金额", default=1, **MONEY)
    withdraw_daily_max = models.DecimalField("每日提现上限", default=5000, **MONEY)
    withdraw_daily_count = models.PositiveSmallIntegerField("每日提现次数", default=3)
    withdraw_fee_percent = models.DecimalField(
        "提现手续费 %", max_digits=5, decimal_places=2, default=0
    )
    privileges = models.JSONField("特权", default=dict, blank=True)
    upgrade_own_sales = models.DecimalField(
        "升级条件：个人推广完成销售额", null=True, blank=True, **MONEY
    )
    upgrade_team_sales = models.DecimalField(
        "升级条件：团队完成销售额", null=True, blank=True, **MONEY
    )
    upgrade_direct_buyers = models.PositiveIntegerField(
        "升级条件：已购直推人数", null=True, blank=True
    )

    class Meta:
        verbose_name = "分销等级"
        verbose_name_plural = "分销等级"
        ordering = ["rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_grade"
            ),
            models.CheckConstraint(
                condition=Q(withdraw_daily_count__gte=1), name="grade_withdraw_daily_count_min_1"
            ),
        ]

    def __str__(self):
        return self.name


class Distributor(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", "待审核"
        ACTIVE = "active", "已生效"
        REJECTED = "rejected", "已拒绝"
        FROZEN = "frozen", "已冻结"

    user = models.OneToOneField(
        USER,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="distributor",
        verbose_name="用户",
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, db_index=True)
    grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, related_name="distributors", verbose_name="等级"
    )
    referral_code = models.CharField("推广码", max_length=16, unique=True)
    real_name = models.CharField("真实姓名", max_length=32, blank=True)
    apply_reason = models.CharField("申请理由", max_length=200, blank=True)
    review_note = models.CharField("审核备注", max_length=200, blank=True)
    created_at = models.DateTimeField("申请/加入时间", auto_now_add=True)
    activated_at = models.DateTimeField("生效时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="审核人",
    )

    class Meta:
        verbose_name = "分销商"
        verbose_name_plural = "分销商"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user}（{self.referral_code}）"


class Binding(models.Model):
    """A user's current inviter (上级)."""

    user = models.OneToOneField(
        USER,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="binding",
        verbose_name="用户",
    )
    inviter = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="invitees", verbose_name="上级"
    )
    bound_at = models.DateTimeField("绑定时间")
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    source = models.CharField("来源", max_length=16)

    class Meta:
        verbose_name = "绑定关系"
        verbose_name_plural = "绑定关系"

    def __str__(self):
        return f"{self.user_id} → {self.inviter_id}"


class BindingEvent(models.Model):
    """Every binding and re-binding, and every referral visit, with time and source."""

    class Kind(models.TextChoices):
        VISIT = "visit", "访问"
        BIND = "bind", "绑定"
        REBIND = "rebind", "换绑"

    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name="用户")
    inviter = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="上级"
    )
    previous_inviter = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="原上级",
    )
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    source = models.CharField("来源", max_length=16)  # link, poster, product, register, login
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="商品",
    )
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "绑定记录"
        verbose_name_plural = "绑定记录"
        ordering = ["-pk"]
        indexes = [
            # a user's referral visits around sign-up (reports) or before a first order
            models.Index(fields=["user", "kind", "at"], name="bindingevent_user_kind_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.user_id} → {self.inviter_id}"


class ProductCommission(models.Model):
    """A product's own rates, which take precedence over grade and plan rates."""

    product = models.OneToOneField(
        Product,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="commission",
        verbose_name="商品",
    )
    rates = models.JSONField("佣金", default=list)

    class Meta:
        verbose_name = "商品独立佣金"
        verbose_name_plural = "商品独立佣金"

    def __str__(self):
        return f"{self.product}"


class OrderBeneficiary(models.Model):
    """The buyer's chain at the moment of payment, snapshotted per level. Level 0 is the buyer
    (always written, first: it makes the snapshot once-only even when the chain is empty)."""

    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        verbose_name="订单",
        db_index=False,  # the first column of (order, level)
    )
    level = models.PositiveSmallIntegerField("层级")
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name="受益人"
    )
    grade = models.ForeignKey(
        Grade, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="等级"
    )
    active = models.BooleanField("有效")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "level"], name="one_beneficiary_per_level")
        ]

    def __str__(self):
        return f"{self.order_id} L{self.level} {self.user_id}"


class Commission(models.Model):
    class Status(models.TextChoices):
        FROZEN = "frozen", "待结算"
        SETTLED = "settled", "已结算"
        REVERSED = "reversed", "已退回"

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="commissions", verbose_name="订单"
    )
    line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        related_name="commissions",
        verbose_name="订单明细",
        db_index=False,  # the first column of (line, level)
    )
    level = models.PositiveSmallIntegerField("层级")
    beneficiary = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        related_name="commissions",
        verbose_name="受益人",
        db_index=False,  # the first column of (beneficiary, status)
    )
    order_number = models.CharField("订单号", max_length=32)
    product_name = models.CharField("商品", max_length=120)
    sku_id = models.BigIntegerField("SKU 编号")
    quantity = models.PositiveIntegerField("数量")
    base = models.DecimalField("基数", **MONEY)
    base_kind = models.CharField("基数类型", max_length=8, default="paid")  # paid | profit
    share_cap = models.DecimalField("佣金上限 %", max_digits=5, decimal_places=2)
    # the plan counted the line's points value in what it paid (points_count_for_commission)
    points_counted = models.BooleanField("计入积分抵扣", default=False)
    rate_kind = models.CharField("方式", max_length=8)  # percent | fixed
    rate = models.DecimalField("比例/金额", **RATE)
    rate_source = models.CharField("来源", max_length=8)  # product | grade | plan
    original_amount = models.DecimalField("原佣金", **MONEY)
    amount = models.DecimalField("佣金", **MONEY)  # after refunds
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.FROZEN)
    created_at = models.DateTimeField("产生时间")
    settled_at = models.DateTimeField("结算时间", null=True, blank=True)

    class Meta:
        verbose_name = "佣金明细"
        verbose_name_plural = "佣金明细"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["line", "level"], name="one_commission_per_line_level"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="commission_not_negative"),
            models.CheckConstraint(
                condition=Q(amount__lte=models.F("original_amount")), name="commission_only_shrinks"
            ),
        ]
        indexes = [
            models.Index(fields=["beneficiary", "status"]),
            # a plain index: db_index on a CharField would add a LIKE index no one uses
            models.Index(fields=["status"], name="commission_status"),
            # settlement takes the frozen ones in id order, a thousand a batch: without it each
            # batch would walk past every commission settled before
            models.Index(
                fields=["id"], condition=Q(status="frozen"), name="commission_frozen_by_id"
            ),
        ]

    def __str__(self):
        return f"{self.order_number} L{self.level} ¥{self.amount}"
