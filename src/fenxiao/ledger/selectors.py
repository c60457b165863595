"""Reads of the ledger, including reconciliation of cached balances against entries."""

from django.db.models import QuerySet, Sum

from fenxiao.ledger.models import Account, Entry, Transaction
from fenxiao.money import ZERO


def entries_of(*, user_id: int) -> QuerySet:
    return (
        Entry.objects.filter(account__owner_id=user_id)
        .select_related("transaction", "account")
        .order_by("-pk")
    )


def platform_balance(kind: str):
    return (
        Entry.objects.filter(account__owner=None, account__kind=kind).aggregate(s=Sum("amount"))[
            "s"
        ]
        or ZERO
    )


def ledger_differences() -> list[str]:
    """Transactions that do not sum to zero and cached balances that differ from entries."""
    problems = []
    sums = Entry.objects.values("transaction_id").annotate(total=Sum("amount"))
    for row in sums.exclude(total=0):
        txn = Transaction.objects.get(pk=row["transaction_id"])
        problems.append(f"transaction {txn}: entries sum to {row['total']}, not 0")
    totals = dict(
        Entry.objects.exclude(account__owner=None)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    for account in Account.objects.exclude(owner=None).iterator():
        expected = totals.get(account.pk, ZERO)
        if account.balance != expected:
            problems.append(
                f"account {account.key}: cached balance {account.balance} != entries {expected}"
            )
    return problems
