"""Posting to the ledger: the only way money moves. One transaction per (kind, source id)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Value, When
from django.utils import timezone

from fenxiao.ledger import locks
from fenxiao.ledger.errors import UnbalancedTransaction
from fenxiao.ledger.models import Account, Entry, Transaction
from fenxiao.money import ZERO

Kind = Account.Kind


def user_key(user_id: int, kind: str) -> str:
    return f"user:{user_id}:{kind}"


def platform_key(kind: str) -> str:
    return f"platform:{kind}"


def _account(key: str) -> Account:
    scope, *rest = key.split(":")
    if scope == "user":
        return Account(key=key, kind=rest[1], owner_id=int(rest[0]))
    return Account(key=key, kind=rest[0], owner_id=None)


def _ensure_accounts(keys: list[str]) -> None:
    """Create the accounts that do not exist yet (a concurrent creator wins quietly)."""
    existing = set(Account.objects.filter(key__in=keys).values_list("key", flat=True))
    missing = [_account(key) for key in keys if key not in existing]
    if missing:
        Account.objects.bulk_create(missing, ignore_conflicts=True)


def accounts_lock(keys) -> None:
    """Lock these accounts, created if missing, in primary-key order — for a caller inside a
    transaction about to post several times: taking every lock first, in the one order all
    callers use, is what keeps two of them from deadlocking (say a refund clawing back from
    `available` and then reversing from `frozen`, against a settlement moving frozen to
    available)."""
    keys = sorted(set(keys))
    _ensure_accounts(keys)
    locks.accounts_for_update(key for key in keys if key.startswith("user:"))


@transaction.atomic
def post(
    *,
    kind: str,
    source_id: str,
    legs: list[tuple[str, Decimal]],
    memo: str = "",
    now: datetime | None = None,
) -> Transaction | None:
    """Post a balanced transaction once; returns None if (kind, source_id) was already posted.

    legs: (account key, signed amount). Cached balances change under a row lock.
    """
    legs = [(key, amount) for key, amount in legs if amount != ZERO]
    if sum((amount for _, amount in legs), ZERO) != ZERO:
        raise UnbalancedTransaction(f"{kind}:{source_id} does not sum to zero: {legs}")
    try:
        with transaction.atomic():
            txn = Transaction.objects.create(
                kind=kind, source_id=source_id, memo=memo[:200], created_at=now or timezone.now()
            )
    except IntegrityError:
        return None
    if not legs:
        return txn
    keys = sorted({key for key, _ in legs})
    _ensure_accounts(keys)
    accounts = locks.accounts_for_update(key for key in keys if key.startswith("user:"))
    accounts.update({a.key: a for a in Account.objects.filter(key__in=keys, owner=None)})
    Entry.objects.bulk_create(
        Entry(transaction=txn, account=accounts[key], amount=amount) for key, amount in legs
    )
    for key, amount in legs:
        if accounts[key].is_cached:
            Account.objects.filter(pk=accounts[key].pk).update(balance=F("balance") + amount)
    return txn


@dataclass(frozen=True)
class Posting:
    source_id: str
    legs: list[tuple[str, Decimal]]
    memo: str = ""


@transaction.atomic
def post_many(*, kind: str, postings: list[Posting], now: datetime | None = None) -> int:
    """Post many balanced transactions of one kind (a batch of settlements) in a few statements,
    whatever their number, with post()'s rules: each (kind, source id) once — one posted before
    raises IntegrityError and the whole batch rolls back, so callers pick postings not yet
    posted under their own row locks — and cached balances changed under row locks taken in
    primary-key order. Returns how many were posted."""
    now = now or timezone.now()
    kept = []
    for posting in postings:
        legs = [(key, amount) for key, amount in posting.legs if amount != ZERO]
        if sum((amount for _, amount in legs), ZERO) != ZERO:
            raise UnbalancedTransaction(f"{kind}:{posting.source_id} does not sum to zero: {legs}")
        kept.append((posting, legs))
    if not kept:
        return 0
    txns = Transaction.objects.bulk_create(
        Transaction(kind=kind, source_id=p.source_id, memo=p.memo[:200], created_at=now)
        for p, _ in kept
    )
    keys = sorted({key for _, legs in kept for key, _ in legs})
    _ensure_accounts(keys)
    accounts = locks.accounts_for_update(key for key in keys if key.startswith("user:"))
    accounts.update({a.key: a for a in Account.objects.filter(key__in=keys, owner=None)})
    Entry.objects.bulk_create(
        (
            Entry(transaction=txn, account=accounts[key], amount=amount)
            for txn, (_, legs) in zip(txns, kept, strict=True)
            for key, amount in legs
        ),
        batch_size=2000,
    )
    deltas: dict[int, Decimal] = {}
    for _, legs in kept:
        for key, amount in legs:
            if accounts[key].is_cached:
                deltas[accounts[key].pk] = deltas.get(accounts[key].pk, ZERO) + amount
    _add_to_balances(deltas)
    return len(kept)


def _add_to_balances(deltas: dict[int, Decimal], chunk: int = 500) -> None:
    """balance += delta for each account, a few hundred accounts a statement."""
    money = DecimalField(max_digits=14, decimal_places=2)
    items = sorted(deltas.items())
    for start in range(0, len(items), chunk):
        part = items[start : start + chunk]
        change = Case(*(When(pk=pk, then=Value(d)) for pk, d in part), output_field=money)
        Account.objects.filter(pk__in=[pk for pk, _ in part]).update(balance=F("balance") + change)
