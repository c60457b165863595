"""Orders, their lines (snapshots of what was bought) and after-sales refunds."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from fenxiao.catalog.models import Product, Sku

MONEY = {"max_digits": 12, "decimal_places": 2}


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", "待付款"
        PAID = "paid", "待发货"
        SHIPPED = "shipped", "已发货"
        COMPLETED = "completed", "已完成"
        CANCELLED = "cancelled", "已取消"
        REFUNDED = "refunded", "已全额退款"

    number = models.CharField("订单号", max_length=32, unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="买家",
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,  # the first column of (buyer, request_id) and (buyer, paid_at)
    )
    status = models.CharField(
        "状态",
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING_PAYMENT,
    )  # indexed as the first column of (status, pay_deadline)
    request_id = models.CharField("请求编号", max_length=64, null=True, blank=True)
    # sha256 of the placing request: a request_id sent again with other content is refused
    request_fingerprint = models.CharField(
        "请求指纹", max_length=64, blank=True, default="", editable=False
    )
    goods_amount = models.DecimalField("商品金额", **MONEY)
    discount_amount = models.DecimalField("优惠", default=0, **MONEY)
    shipping_fee = models.DecimalField("运费", default=0, **MONEY)
    total = models.DecimalField("实付金额", **MONEY)
    points_used = models.PositiveIntegerField("使用积分", default=0)
    refunded_amount = models.DecimalField("已退款", default=0, **MONEY)
    ship_name = models.CharField("收货人", max_length=32)
    ship_phone = models.CharField("电话", max_length=20)
    ship_province = models.CharField("省", max_length=32)
    ship_city = models.CharField("市", max_length=32)
    ship_district = models.CharField("区", max_length=32, blank=True)
    ship_detail = models.CharField("详细地址", max_length=200)
    note = models.CharField("备注", max_length=200, blank=True)
    carrier = models.CharField("快递公司", max_length=32, blank=True)
    tracking_no = models.CharField("快递单号", max_length=64, blank=True)
    created_at = models.DateTimeField("下单时间", auto_now_add=True, db_index=True)
    pay_deadline = models.DateTimeField("支付截止")
    paid_at = models.DateTimeField("支付时间", null=True, blank=True, db_index=True)
    shipped_at = models.DateTimeField("发货时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=64, blank=True)

    class Meta:
        verbose_name = "订单"
        verbose_name_plural = "订单"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "request_id"], name="order_unique_request_per_buyer"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("total")), name="order_refund_within_total"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "pay_deadline"]),
            # a buyer's earlier paid order, probed per order by the reports (first orders)
            models.Index(fields=["buyer", "paid_at"], name="order_buyer_paid_at"),
        ]

    def __str__(self):
        return self.number

    @property
    def address_text(self) -> str:
        return f"{self.ship_province}{self.ship_city}{self.ship_district}{self.ship_detail}"


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name="订单"
    )
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+", verbose_name="SKU")
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name="商品"
    )
    product_name = models.CharField("商品", max_length=120)
    sku_specs = models.JSONField("规格", default=dict)
    unit_price = models.DecimalField("单价", **MONEY)
    unit_cost = models.DecimalField("单位成本", default=0, **MONEY)
    quantity = models.PositiveIntegerField("数量")
    discount = models.DecimalField("分摊优惠", default=0, **MONEY)
    # the part of `discount` paid with points (commission may count it, per the plan)
    points_amount = models.DecimalField("积分抵扣", default=0, **MONEY)
    # what the buyer paid for this line: unit_price * quantity - discount, without shipping
    amount = models.DecimalField("实付", **MONEY)
    refunded_quantity = models.PositiveIntegerField("已退数量", default=0)
    refunded_amount = models.DecimalField("已退金额", default=0, **MONEY)

    class Meta:
        verbose_name = "订单明细"
        verbose_name_plural = "订单明细"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=F("quantity")),
                name="line_refund_quantity_within",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("amount")), name="line_refund_amount_within"
            ),
        ]

    def __str__(self):
        return f"{self.product_name} × {self.quantity}"


class OrderDiscount(models.Model):
    """One discount the order got: a 满减 promotion, a coupon, or points (source: the
    promotion's or the buyer's coupon's id)."""

    class Kind(models.TextChoices):
        FULL_REDUCTION = "full_reduction", "满减"
        COUPON = "coupon", "优惠券"
        POINTS = "points", "积分"

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="discounts", verbose_name="订单"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=64)
    amount = models.DecimalField("金额", **MONEY)
    source_id = models.BigIntegerField("来源", null=True, blank=True)

    class Meta:
        verbose_name = "订单优惠"
        verbose_name_plural = "订单优惠"
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "source_id"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_discount_positive")
        ]

    def __str__(self):
        return f"{self.name} -{self.amount}"


class Refund(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "待审核"
        APPROVED = "approved", "退款中"
        REFUNDED = "refunded", "已退款"
        REJECTED = "rejected", "已拒绝"

    number = models.CharField("售后单号", max_length=32, unique=True)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="refunds", verbose_name="订单"
    )
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    reason = models.CharField("原因", max_length=200)
    amount = models.DecimalField("退款金额", **MONEY)
    # part of `amount` that is the order's freight: returned with the last units of an order
    # not yet shipped; never in a line's refund, so never in a commission's reversal
    freight = models.DecimalField("退运费", default=0, **MONEY)
    return_stock = models.BooleanField("退回库存", default=True)
    reject_reason = models.CharField("拒绝原因", max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="审核人",
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    refunded_at = models.DateTimeField("退款时间", null=True, blank=True)

    class Meta:
        verbose_name = "售后退款"
        verbose_name_plural = "售后退款"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="refund_amount_not_negative")
        ]

    def __str__(self):
        return self.number


class RefundLine(models.Model):
    refund = models.ForeignKey(
        Refund, on_delete=models.CASCADE, related_name="lines", verbose_name="售后单"
    )
    line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="refund_lines", verbose_name="订单明细"
    )
    quantity = models.PositiveIntegerField("数量")
    amount = models.DecimalField("金额", **MONEY)

    class Meta:
        verbose_name = "退款明细"
        verbose_name_plural = "退款明细"
        constraints = [
            models.UniqueConstraint(fields=["refund", "line"], name="refund_line_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="refund_line_qty_positive"),
        ]

    def __str__(self):
        return f"{self.line_id} × {self.quantity}"


class CartItem(models.Model):
    """One SKU in a buyer's cart. A line stays when its SKU goes off the shelf or runs out:
    the cart shows it as unavailable and leaves it out of the selected total."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="买家",
        on_delete=models.CASCADE,
        related_name="cart_items",
    )
    sku = models.ForeignKey(Sku, verbose_name="SKU", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField("数量")
    selected = models.BooleanField("选中", default=True)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "购物车商品"
        verbose_name_plural = "购物车商品"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "sku"], name="cart_item_once_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_item_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.sku_id} × {self.quantity}"
