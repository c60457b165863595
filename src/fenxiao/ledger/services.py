"""Posting to the ledger: the only way money moves. One transaction per (kind, source id)."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
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


def _ensure_accounts(keys: list[str]) -> None:
    for key in keys:
        scope, *rest = key.split(":")
        if scope == "user":
            owner_id, kind = int(rest[0]), rest[1]
        else:
            owner_id, kind = None, rest[0]
        Account.objects.get_or_create(key=key, defaults={"kind": kind, "owner_id": owner_id})


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
