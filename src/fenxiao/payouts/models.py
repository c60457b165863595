"""Withdrawals (提现), their append-only audit events, the payee's identity for tax, and the
transfer bills issued to WeChat (or the sandbox) to pay them."""

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
        SANDBOX = "sandbox", "微信零钱（沙箱演示）"
        WECHAT = "wechat", "微信零钱"
        BANK = "bank", "银行卡"
        ALIPAY = "alipay", "支付宝"

    # the money is still held in `withdrawing` in these states
    HOLDING = (Status.REQUESTED, Status.APPROVED)
    # ... and went back to `available` in these
    RETURNED = (Status.REJECTED, Status.FAILED, Status.CANCELLED)
    MANUAL_CHANNELS = (Channel.BANK, Channel.ALIPAY)
    # paid by a transfer bill (商家转账) that the distributor confirms in WeChat
    TRANSFER_CHANNELS = (Channel.WECHAT, Channel.SANDBOX)

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


class PayoutTransfer(models.Model):
    """One transfer bill (商家转账单) we issued for a withdrawal. `state` is WeChat's, plus two
    of our own: UNKNOWN (sent, or about to be, without an answer yet) and NOT_FOUND (a query
    confirmed WeChat never created it, so a new attempt may be issued)."""

    class State(models.TextChoices):
        UNKNOWN = "UNKNOWN", "结果未知"
        ACCEPTED = "ACCEPTED", "已受理"
        PROCESSING = "PROCESSING", "处理中"
        WAIT_USER_CONFIRM = "WAIT_USER_CONFIRM", "待用户确认收款"
        TRANSFERING = "TRANSFERING", "转账中"
        SUCCESS = "SUCCESS", "转账成功"
        FAIL = "FAIL", "转账失败"
        CANCELING = "CANCELING", "撤销中"
        CANCELLED = "CANCELLED", "已撤销"
        NOT_FOUND = "NOT_FOUND", "微信无此单"

    FINAL = (State.SUCCESS, State.FAIL, State.CANCELLED, State.NOT_FOUND)

    withdrawal = models.ForeignKey(
        Withdrawal, on_delete=models.PROTECT, related_name="transfers", verbose_name="提现"
    )
    channel = models.CharField("渠道", max_length=16)
    attempt = models.PositiveSmallIntegerField("第几次发起")
    out_bill_no = models.CharField("商户单号", max_length=32, unique=True)
    transfer_bill_no = models.CharField("微信转账单号", max_length=64, blank=True)
    state = models.CharField(
        "转账状态", max_length=20, choices=State.choices, default=State.UNKNOWN, db_index=True
    )
    amount = models.DecimalField("转账金额", **MONEY)
    package_info = models.CharField("确认收款参数", max_length=1024, blank=True)
    fail_reason = models.CharField("失败原因", max_length=200, blank=True)
    created_at = models.DateTimeField("发起时间")
    confirm_before = models.DateTimeField("确认收款截止")
    updated_at = models.DateTimeField("更新时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "转账单"
        verbose_name_plural = "转账单"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["withdrawal", "attempt"], name="payout_transfer_attempt_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_transfer_positive"),
        ]

    def __str__(self):
        return self.out_bill_no

    @property
    def final(self) -> bool:
        return self.state in self.FINAL


class TransferNotification(models.Model):
    """One row per transfer notification id handled: a redelivery of the same id does nothing."""

    provider = models.CharField("渠道", max_length=16)
    notification_id = models.CharField("通知编号", max_length=64)
    out_bill_no = models.CharField("商户单号", max_length=32)
    state = models.CharField("状态", max_length=20)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "转账通知"
        verbose_name_plural = "转账通知"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "notification_id"], name="transfer_notification_once"
            )
        ]

    def __str__(self):
        return f"{self.provider}:{self.notification_id}"


class SandboxTransferBill(models.Model):
    """What the sandbox plays of WeChat's side: the bills it holds and their state."""

    out_bill_no = models.CharField(max_length=32, unique=True)
    transfer_bill_no = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=20)
    amount_cents = models.PositiveBigIntegerField()
    openid = models.CharField(max_length=64, blank=True)
    package_info = models.CharField(max_length=256)
    fail_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "沙箱转账单"
        verbose_name_plural = "沙箱转账单"

    def __str__(self):
        return self.out_bill_no


class TaxReportMonth(Withdrawal):
    """The console's 个税月报 page: no table of its own, it reads the month's paid withdrawals
    (`fenxiao.payouts.report`)."""

    class Meta:
        proxy = True
        verbose_name = "个税月报"
        verbose_name_plural = "个税月报"
