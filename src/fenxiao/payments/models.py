"""Payments of orders, provider refunds and every notification handled (to know a redelivery)."""

from django.db import models
from django.db.models import Q

from fenxiao.orders.models import Order, Refund

MONEY = {"max_digits": 12, "decimal_places": 2}


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", "待支付"
        PAID = "paid", "已支付"
        CLOSED = "closed", "已关闭"

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="payments", verbose_name="订单"
    )
    provider = models.CharField("渠道", max_length=16)
    out_trade_no = models.CharField("商户单号", max_length=32)
    amount = models.DecimalField("金额", **MONEY)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.CREATED)
    prepay_id = models.CharField("预支付编号", max_length=64, blank=True)
    transaction_id = models.CharField("渠道交易号", max_length=64, null=True, blank=True)
    payer_openid = models.CharField("付款人 OpenID", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)

    class Meta:
        verbose_name = "支付单"
        verbose_name_plural = "支付单"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "out_trade_no"], name="payment_unique_out_trade_no"
            ),
            models.UniqueConstraint(
                fields=["provider", "transaction_id"], name="payment_unique_transaction"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.provider}:{self.out_trade_no}"


class ProviderRefund(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", "处理中"
        SUCCESS = "success", "成功"
        FAILED = "failed", "失败"

    refund = models.OneToOneField(
        Refund, on_delete=models.PROTECT, related_name="provider_refund", verbose_name="售后单"
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name="支付单"
    )
    out_refund_no = models.CharField("商户退款单号", max_length=32, unique=True)
    amount = models.DecimalField("金额", **MONEY)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.PROCESSING
    )
    provider_refund_id = models.CharField("渠道退款号", max_length=64, null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    succeeded_at = models.DateTimeField("成功时间", null=True, blank=True)

    class Meta:
        verbose_name = "渠道退款"
        verbose_name_plural = "渠道退款"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "provider_refund_id"], name="provider_refund_unique_refund_id"
            )
        ]

    def __str__(self):
        return self.out_refund_no


class PaymentNotification(models.Model):
    """One row per notification id handled: a redelivery of the same id has no effect."""

    provider = models.CharField("支付渠道", max_length=16)
    notification_id = models.CharField("通知编号", max_length=64)
    event_type = models.CharField("事件类型", max_length=40)
    out_trade_no = models.CharField("商户订单号", max_length=32, blank=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = "支付通知"
        verbose_name_plural = "支付通知"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "notification_id"], name="notification_handled_once"
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.notification_id}"


class BillRun(models.Model):
    """One reconciliation of a provider's bills of one day against our records; running the
    same day again replaces its differences."""

    class Status(models.TextChoices):
        CLEAN = "clean", "一致"
        DIFFERENCES = "differences", "有差异"
        FAILED = "failed", "账单获取失败"

    bill_date = models.DateField("账单日期")
    provider = models.CharField("渠道", max_length=16)
    status = models.CharField("结果", max_length=16, choices=Status.choices)
    trade_lines = models.PositiveIntegerField("交易账单笔数", default=0)
    fundflow_lines = models.PositiveIntegerField("资金账单笔数", default=0)
    difference_count = models.PositiveIntegerField("差异数", default=0)
    error = models.CharField("失败原因", max_length=300, blank=True)
    ran_at = models.DateTimeField("对账时间")

    class Meta:
        verbose_name = "账单对账"
        verbose_name_plural = "账单对账"
        ordering = ["-bill_date", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["bill_date", "provider"], name="bill_run_once_a_day")
        ]

    def __str__(self):
        return f"{self.provider} {self.bill_date}"


class BillDifference(models.Model):
    """A line where the provider's bill and our records disagree."""

    class Kind(models.TextChoices):
        MISSING_OURS = "missing_ours", "我方缺失（账单有、系统无）"
        MISSING_THEIRS = "missing_theirs", "渠道缺失（系统有、账单无）"
        AMOUNT_MISMATCH = "amount_mismatch", "金额不符"

    class Subject(models.TextChoices):
        PAYMENT = "payment", "支付"
        REFUND = "refund", "退款"
        TRANSFER = "transfer", "商家转账"

    run = models.ForeignKey(
        BillRun, on_delete=models.CASCADE, related_name="differences", verbose_name="对账批次"
    )
    kind = models.CharField("差异类型", max_length=16, choices=Kind.choices)
    subject = models.CharField("业务", max_length=16, choices=Subject.choices)
    reference = models.CharField("商户单号", max_length=64)
    our_amount = models.DecimalField("系统金额", null=True, blank=True, **MONEY)
    their_amount = models.DecimalField("账单金额", null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = "对账差异"
        verbose_name_plural = "对账差异"
        ordering = ["run", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "subject", "reference"], name="bill_difference_once_per_line"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"
