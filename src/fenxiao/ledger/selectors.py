"""Reads of the ledger, including reconciliation of cached balances against entries."""

from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from fenxiao.ledger.models import Account, Entry, Transaction
from fenxiao.money import HALF_FEN, ZERO, round_sum_to_fen


def entries_of(*, user_id: int) -> QuerySet:
    return (
        Entry.objects.filter(account__owner_id=user_id)
        .select_related("transaction", "account")
        .order_by("-pk")
    )


def balances_of(user_id: int) -> dict[str, Decimal]:
    """A distributor's cached balances: frozen, available, withdrawing."""
    found = dict(Account.objects.filter(owner_id=user_id).values_list("kind", "balance"))
    return {kind: found.get(kind, ZERO) for kind in Account.DISTRIBUTOR_KINDS}


def platform_balance(kind: str) -> Decimal:
    entries = Entry.objects.filter(account__owner=None, account__kind=kind)
    return round_sum_to_fen(entries.aggregate(s=Sum("amount"))["s"])


def accounts_with_balances(accounts: QuerySet | None = None) -> QuerySet:
    """Accounts annotated with `entries_balance`, the sum of their entries, in the same query:
    platform accounts keep no cached balance, so this is the one to show."""
    money = DecimalField(max_digits=14, decimal_places=2)
    total = Coalesce(Sum("entries__amount"), Value(ZERO), output_field=money)
    return (Account.objects.all() if accounts is None else accounts).annotate(entries_balance=total)


def platform_balances() -> dict[str, Decimal]:
    """Every platform account's balance summed from its entries, by kind, in one query
    (kinds without an account yet at 0.00)."""
    rows = (
        Entry.objects.filter(account__owner=None)
        .values_list("account__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    found = {kind: round_sum_to_fen(total) for kind, total in rows}
    return {kind: found.get(kind, ZERO) for kind in Account.PLATFORM_KINDS}


def ledger_differences() -> list[str]:
    """Transactions that do not sum to zero and cached balances that differ from entries."""
    problems = []
    sums = Entry.objects.values("transaction_id").annotate(total=Sum("amount"))
    # entries are whole fen: a real imbalance is at least 0.01, less is SQLite's float noise
    for row in sums.filter(Q(total__gte=HALF_FEN) | Q(total__lte=-HALF_FEN)):
        txn = Transaction.objects.get(pk=row["transaction_id"])
        problems.append(
            f"transaction {txn}: entries sum to {round_sum_to_fen(row['total'])}, not 0"
        )
    totals = dict(
        Entry.objects.exclude(account__owner=None)
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values_list("account_id", "total")
    )
    for account in Account.objects.exclude(owner=None).iterator():
        expected = round_sum_to_fen(totals.get(account.pk, ZERO))
        if account.balance != expected:
            problems.append(
                f"account {account.key}: cached balance {account.balance} != entries {expected}"
            )
    return problems


def cached_balance_differences(*, kind: str, expected: dict, what: str) -> list[str]:
    """Users whose cached `kind` balance differs from `expected` (a database SUM per user id,
    e.g. of their frozen commissions); `what` names that sum in the report."""
    balances = dict(
        Account.objects.filter(kind=kind).exclude(owner=None).values_list("owner_id", "balance")
    )
    problems = []
    for user_id in set(expected) | set(balances):
        want, have = round_sum_to_fen(expected.get(user_id)), balances.get(user_id) or ZERO
        if want != have:
            problems.append(f"user {user_id}: {kind} balance {have} != {what} {want}")
    return problems
