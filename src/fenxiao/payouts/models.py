"""Withdrawals (提现), their append-only audit events, and the payee's identity for tax."""

from django.conf import settings
from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 14, "decimal_places": 2}
USER = settings.AUTH_USER_MODEL


class Withdrawal(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "待审核"
        APPROVED = "approved", "已批准"
        PAID = "paid", "已打款"
        REJECTED = "rejected", "已拒绝"
        FAILED = "failed", "打款失败"
        CANCELLED = "cancelled", "已取消"

    class Channel(models.TextChoices):
        SANDBOX = "sandbox", "沙箱"
        BANK = "bank", "银行卡"
        ALIPAY = "alipay", "支付宝"

    # the money is still held in `withdrawing` in these states
    HOLDING = (Status.REQUESTED, Status.APPROVED)
    # ... and went back to `available` in these
    RETURNED = (Status.REJECTED, Status.FAILED, Status.CANCELLED)
    MANUAL_CHANNELS = (Channel.BANK, Channel.ALIPAY)

    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="withdrawals", verbose_name="分销商"
    )
    # amount = fee + tax + net (not a CHECK: SQLite adds decimals as floats)
    amount = models.DecimalField("提现金额", **MONEY)
    fee = models.DecimalField("手续费", **MONEY)
    tax = models.DecimalField("代扣税", **MONEY)
    net = models.DecimalField("实付金额", **MONEY)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    account = models.JSONField("收款账户", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    request_id = models.CharField("请求号", max_length=64)
    fingerprint = models.CharField("请求指纹", max_length=64)
    reviewed_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)
    paid_reference = models.CharField("打款凭证号", max_length=64, blank=True)
    paid_at = models.DateTimeField("打款时间", null=True, blank=True)
    created_at = models.DateTimeField("申请时间", db_index=True)

    class Meta:
        verbose_name = "提现"
        verbose_name_plural = "提现审核"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "request_id"], name="withdrawal_request_once"),
            models.CheckConstraint(
                condition=Q(amount__gt=0, fee__gte=0, tax__gte=0, net__gt=0),
                name="withdrawal_amounts_positive",
            ),
        ]

    def __str__(self):
        return f"提现 #{self.pk} ¥{self.amount}"


class WithdrawalEvent(models.Model):
    """Append-only audit of a withdrawal: who moved it from which state to which, when."""

    withdrawal = models.ForeignKey(
        Withdrawal, on_delete=models.PROTECT, related_name="events", verbose_name="提现"
    )
    actor = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    action = models.CharField("操作", max_length=16)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "提现记录"
        verbose_name_plural = "提现记录"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.action}: {self.from_status or '-'} → {self.to_status}"


class PayoutIdentity(models.Model):
    """Real name and resident id number, entered once, for tax withholding and the report."""

    user = models.OneToOneField(
        USER,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="payout_identity",
        verbose_name="用户",
    )
    real_name = models.CharField("真实姓名", max_length=32)
    id_number = models.CharField("身份证号", max_length=18)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "实名信息"
        verbose_name_plural = "实名信息"

    def __str__(self):
        return self.real_name
