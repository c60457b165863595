"""A double-entry ledger: accounts, transactions and their entries, which sum to zero."""

from django.conf import settings
from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2}


class Account(models.Model):
    class Kind(models.TextChoices):
        FROZEN = "frozen", "待结算佣金"
        AVAILABLE = "available", "可提现"
        WITHDRAWING = "withdrawing", "提现中"
        COMMISSION_EXPENSE = "commission_expense", "佣金支出"
        PAYOUT_CLEARING = "payout_clearing", "待付款项"
        TAX_PAYABLE = "tax_payable", "代扣税款"
        FEES = "fees", "手续费收入"

    DISTRIBUTOR_KINDS = (Kind.FROZEN, Kind.AVAILABLE, Kind.WITHDRAWING)
    PLATFORM_KINDS = (Kind.COMMISSION_EXPENSE, Kind.PAYOUT_CLEARING, Kind.TAX_PAYABLE, Kind.FEES)

    key = models.CharField(
        "账户编号", max_length=64, unique=True
    )  # "user:<id>:<kind>" or "platform:<kind>"
    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
        verbose_name="所属用户",
    )
    # Cached for distributor accounts only, updated under a row lock with each entry.
    # Platform accounts are summed on demand so they never become one hot locked row.
    balance = models.DecimalField("余额", default=0, **MONEY)

    class Meta:
        verbose_name = "账户"
        verbose_name_plural = "账户"
        ordering = ["pk"]

    def __str__(self):
        return self.key

    @property
    def is_cached(self) -> bool:
        return self.owner_id is not None


class Transaction(models.Model):
    kind = models.CharField("类型", max_length=32)
    source_id = models.CharField("来源", max_length=64)
    memo = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "记账凭证"
        verbose_name_plural = "记账凭证"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id"], name="ledger_txn_once_per_event")
        ]

    def __str__(self):
        return f"{self.kind}:{self.source_id}"


class Entry(models.Model):
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="entries", verbose_name="记账凭证"
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", verbose_name="账户"
    )
    amount = models.DecimalField("金额", **MONEY)

    class Meta:
        verbose_name = "分录"
        verbose_name_plural = "分录"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.account_id} {self.amount}"
