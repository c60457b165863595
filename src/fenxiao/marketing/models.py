"""Marketing data: 满减 promotions, coupons (the template and each buyer's own)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 12, "decimal_places": 2}


class Promotion(models.Model):
    """满减: tiers [{"threshold": "200.00", "amount": "20.00"}, ...], thresholds ascending;
    the scope is everything, or the listed categories, or the listed products."""

    class Status(models.TextChoices):
        ACTIVE = "active", "进行中"
        PAUSED = "paused", "已暂停"
        ENDED = "ended", "已结束"

    class ScopeKind(models.TextChoices):
        ALL = "all", "全部商品"
        CATEGORIES = "categories", "指定分类"
        PRODUCTS = "products", "指定商品"

    name = models.CharField("活动名称", max_length=64)
    kind = models.CharField("类型", max_length=20, default="full_reduction", editable=False)
    tiers = models.JSONField("满减档位", default=list)
    scope = models.CharField(
        "适用范围", max_length=16, choices=ScopeKind.choices, default=ScopeKind.ALL
    )
    category_ids = models.JSONField("分类", default=list, blank=True)
    product_ids = models.JSONField("商品", default=list, blank=True)
    starts_at = models.DateTimeField("开始时间", null=True, blank=True)
    ends_at = models.DateTimeField("结束时间", null=True, blank=True)
    stack_with_coupon = models.BooleanField("可与优惠券同享", default=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "满减活动"
        verbose_name_plural = "满减活动"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="promotion_window_ordered",
            )
        ]

    def __str__(self):
        return self.name


class Coupon(models.Model):
    class Kind(models.TextChoices):
        AMOUNT_OFF = "amount_off", "满减券"
        PERCENT_OFF = "percent_off", "折扣券"
        NO_THRESHOLD = "no_threshold", "无门槛券"

    class ScopeKind(models.TextChoices):
        ALL = "all", "全部商品"
        CATEGORIES = "categories", "指定分类"
        PRODUCTS = "products", "指定商品"

    class Status(models.TextChoices):
        ACTIVE = "active", "进行中"
        PAUSED = "paused", "已暂停"
        ENDED = "ended", "已结束"

    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    amount = models.DecimalField("减免金额", **MONEY, default=0)
    percent = models.DecimalField(
        "折扣百分比",
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text="减去的百分比，如 20 即打八折",
    )
    max_off = models.DecimalField("最多减免", **MONEY, null=True, blank=True)
    threshold = models.DecimalField("使用门槛", **MONEY, default=0)
    scope_kind = models.CharField(
        "适用范围", max_length=12, choices=ScopeKind.choices, default=ScopeKind.ALL
    )
    category_ids = models.JSONField("分类 ID", default=list, blank=True)
    product_ids = models.JSONField("商品 ID", default=list, blank=True)
    valid_from = models.DateTimeField("生效时间", null=True, blank=True)
    valid_to = models.DateTimeField("失效时间", null=True, blank=True)
    valid_days = models.PositiveIntegerField("领取后有效天数", null=True, blank=True)
    total = models.PositiveIntegerField("发行总量", null=True, blank=True, help_text="留空为不限")
    per_user = models.PositiveIntegerField("每人限领", default=1)
    claimable = models.BooleanField("领券中心可领", default=True)
    for_new_users = models.BooleanField("新人注册自动发放", default=False)
    shareable = models.BooleanField("分销商可分享", default=False)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.ACTIVE)
    issued = models.PositiveIntegerField("已发放", default=0)
    used = models.PositiveIntegerField("已使用", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "优惠券"
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(issued__lte=F("total")),
                name="coupon_issued_within_total",
            ),
            models.CheckConstraint(
                condition=Q(used__lte=F("issued")), name="coupon_used_le_issued"
            ),
            models.CheckConstraint(condition=Q(per_user__gte=1), name="coupon_per_user_positive"),
        ]

    def __str__(self):
        return self.name


class UserCoupon(models.Model):
    class Status(models.TextChoices):
        UNUSED = "unused", "未使用"
        LOCKED = "locked", "下单占用"
        USED = "used", "已使用"

    class Source(models.TextChoices):
        CLAIM = "claim", "领券中心"
        STAFF = "staff", "员工发放"
        REGISTER = "register", "新人注册"
        SHARE = "share", "分销商分享"

    coupon = models.ForeignKey(
        Coupon,
        verbose_name="优惠券",
        on_delete=models.PROTECT,
        related_name="user_coupons",
        db_index=False,  # the first column of (coupon, user, seq)
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.PROTECT,
        related_name="coupons",
        db_index=False,  # the first column of (user, status)
    )
    # the nth coupon of this template this user received: per_user is a unique constraint
    seq = models.PositiveIntegerField("第几张", default=1)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.UNUSED)
    valid_from = models.DateTimeField("生效时间")
    valid_to = models.DateTimeField("失效时间")
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    referrer_id = models.BigIntegerField("分享人用户 ID", null=True, blank=True)
    order_number = models.CharField("订单号", max_length=32, blank=True, default="")
    received_at = models.DateTimeField("领取时间", auto_now_add=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    # what the order that used it paid: the sales the coupon brought
    order_total = models.DecimalField("订单实付", **MONEY, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户优惠券"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["coupon", "user", "seq"], name="user_coupon_seq"),
            # one coupon per order
            models.UniqueConstraint(
                fields=["order_number"],
                condition=~Q(order_number=""),
                name="user_coupon_one_per_order",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.coupon} → {self.user_id}"


class PointsRule(models.Model):
    """The one points rule of the shop (row id 1), edited in the console."""

    enabled = models.BooleanField("启用积分", default=False)
    earn_per_yuan = models.PositiveIntegerField(
        "每实付 1 元获得积分",
        default=1,
        validators=[MaxValueValidator(1000)],
        help_text="订单完成后按实付金额（不含运费、扣除已退款）发放",
    )
    per_yuan = models.PositiveIntegerField(
        "多少积分抵 1 元",
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    max_share_percent = models.DecimalField(
        "积分最多抵扣订单金额的百分比",
        max_digits=5,
        decimal_places=2,
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    expire_at_year_end = models.BooleanField(
        "年底过期",
        default=False,
        help_text="每年 1 月 1 日，去年及更早获得且未用完的积分过期（先获得的积分先使用）",
    )

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        constraints = [
            models.CheckConstraint(condition=Q(per_yuan__gte=1), name="points_rule_per_yuan_min"),
            models.CheckConstraint(
                condition=Q(max_share_percent__gte=0, max_share_percent__lte=100),
                name="points_rule_share_range",
            ),
        ]

    def __str__(self):
        return "积分规则"


class PointsAccount(models.Model):
    """A user's points balance, cached from the entries and changed only under a row lock."""

    user = models.OneToOneField(
        USER, on_delete=models.PROTECT, related_name="points_account", verbose_name="用户"
    )
    balance = models.IntegerField("积分余额", default=0)

    class Meta:
        verbose_name = "积分账户"
        verbose_name_plural = "积分账户"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_not_negative")
        ]

    def __str__(self):
        return f"{self.user_id}: {self.balance}"


class PointsEntry(models.Model):
    """One change of a user's points; never updated or deleted. One per (kind, source)."""

    class Kind(models.TextChoices):
        EARN = "earn", "订单获得"
        SPEND = "spend", "下单抵扣"
        RETURN = "return", "退回"
        REFUND_BACK = "refund_back", "退款扣回"
        EXPIRE = "expire", "过期"
        ADJUST = "adjust", "人工调整"

    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="points_entries", verbose_name="用户"
    )
    delta = models.IntegerField("积分变动")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    # "order:<number>", "refund:<number>", "year:<yyyy>:<user id>", "adjust:<uuid>"
    source_id = models.CharField("来源", max_length=64)
    order_number = models.CharField("订单号", max_length=32, blank=True, db_index=True)
    # yuan this entry is about: points' value spent, the paid amount earned on or refunded
    value = models.DecimalField("金额", default=0, **MONEY)
    # points a refund should have taken back but the balance no longer had
    uncollected = models.PositiveIntegerField("未能扣回", default=0)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "积分明细"
        verbose_name_plural = "积分明细"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id"], name="points_entry_once")
        ]

    def __str__(self):
        return f"{self.kind}:{self.source_id} {self.delta:+d}"


class PointsAdjustment(PointsEntry):
    """The console's form for a staff adjustment; the rows are PointsEntry rows."""

    class Meta:
        proxy = True
        verbose_name = "积分调整"
        verbose_name_plural = "积分调整"
