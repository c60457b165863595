"""Posting to the ledger: the only way money moves. One transaction per (kind, source id)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from fenxiao import db
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


class Held(NamedTuple):
    """An account as posting needs it: its id, and whether its balance is cached."""

    pk: int
    is_cached: bool


def _accounts_locked(keys: list[str]) -> dict[str, Held]:
    """The accounts of these keys by key, created if missing (a concurrent creator wins
    quietly); user accounts (the cached ones) locked in primary-key order, platform ones read
    (never locked: they are summed). One statement when they all exist."""
    found = _held(locks.accounts_locking_users(keys))
    missing = [_account(key) for key in keys if key not in found]
    if missing:
        Account.objects.bulk_create(missing, ignore_conflicts=True)
        found = _held(locks.accounts_locking_users(keys))
    return found


def _held(rows) -> dict[str, Held]:
    return {key: Held(pk, owner is not None) for pk, key, owner in rows}


def _balanced(kind: str, source_id: str, legs) -> list[tuple[str, Decimal]]:
    """The legs that move money; UnbalancedTransaction unless they add up to zero."""
    legs = [(key, amount) for key, amount in legs if amount != ZERO]
    if sum((amount for _, amount in legs), ZERO) != ZERO:
        raise UnbalancedTransaction(f"{kind}:{source_id} does not sum to zero: {legs}")
    return legs


def accounts_lock(keys) -> None:
    """Lock these accounts, created if missing, in primary-key order — for a caller inside a
    transaction about to post several times: taking every lock first, in the one order all
    callers use, is what keeps two of them from deadlocking (say a refund clawing back from
    `available` and then reversing from `frozen`, against a settlement moving frozen to
    available)."""
    _accounts_locked(sorted(set(keys)))


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
    legs = _balanced(kind, source_id, legs)
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
    accounts = _accounts_locked(keys)
    Entry.objects.bulk_create(
        Entry(transaction=txn, account_id=accounts[key].pk, amount=amount) for key, amount in legs
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


def post_many(*, kind: str, postings: list[Posting], now: datetime | None = None) -> int:
    """Post many balanced transactions of one kind (a batch of settlements) in a few statements,
    whatever their number, with post()'s rules: each (kind, source id) once — one posted before
    raises IntegrityError and the caller's transaction rolls back, so callers pick postings not
    yet posted under their own row locks — and cached balances changed under row locks taken
    in primary-key order. An unbalanced posting raises before anything is written. Returns how
    many were posted."""
    kept = [(posting, _balanced(kind, posting.source_id, posting.legs)) for posting in postings]
    if not kept:
        return 0
    _write_many(kind, kept, now or timezone.now())
    return len(kept)


# no savepoint of its own: it runs inside its caller's transaction (a purchase, a settlement
# batch), which an error here rolls back whole
@transaction.atomic(savepoint=False)
def _write_many(kind: str, kept: list[tuple[Posting, list]], now: datetime) -> None:
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    txn_ids = _insert(
        Transaction,
        ["kind", "source_id", "memo", "created_at"],
        [(kind, p.source_id, p.memo[:200], at) for p, _ in kept],
        returning=True,
    )
    keys = sorted({key for _, legs in kept for key, _ in legs})
    accounts = _accounts_locked(keys)
    _insert(
        Entry,
        ["transaction_id", "account_id", "amount"],
        [
            (txn_id, accounts[key].pk, ops.adapt_decimalfield_value(amount, 14, 2))
            for txn_id, (_, legs) in zip(txn_ids, kept, strict=True)
            for key, amount in legs
        ],
    )
    deltas: dict[int, Decimal] = {}
    for _, legs in kept:
        for key, amount in legs:
            if accounts[key].is_cached:
                deltas[accounts[key].pk] = deltas.get(accounts[key].pk, ZERO) + amount
    _add_to_balances(deltas)


def _insert(model, columns: list[str], rows: list[tuple], *, returning: bool = False) -> list:
    """INSERT rows a thousand a statement (bulk_create's model instances cost more than the
    database's work here); with `returning`, the new ids in the rows' order."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            part = rows[start : start + 1000]
            if connection.vendor == "postgresql":
                source, params = db.unnest(model, columns, part, "v")
                sql = f"INSERT INTO {table} ({names}) SELECT * FROM {source}"
            else:
                sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(part))}"
                params = [value for row in part for value in row]
            cursor.execute(sql + (" RETURNING id" if returning else ""), params)
            if returning:
                ids += [row[0] for row in cursor.fetchall()]
    return ids


def _add_to_balances(deltas: dict[int, Decimal], chunk: int = 1000) -> None:
    """balance += delta for each account: one UPDATE … FROM a list per thousand accounts
    (the ORM's CASE WHEN of as many branches costs more to build than to run)."""
    table = Account._meta.db_table
    items = sorted(deltas.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), chunk):
            part = items[start : start + chunk]
            if connection.vendor == "postgresql":
                source, params = db.unnest(Account, ["id", "balance"], part, "v")
                # the ids again as a key: a generic plan (it guesses ten rows in the list)
                # then finds the accounts by index, not by scanning the table
                cursor.execute(
                    f"UPDATE {table} SET balance = {table}.balance + v.balance "
                    f"FROM {source} WHERE {table}.id = v.id AND {table}.id = ANY(%s::bigint[])",
                    [*params, params[0]],
                )
                continue
            rows = ", ".join(["(%s, %s)"] * len(part))
            cursor.execute(
                f"WITH v(id, delta) AS (VALUES {rows}) "
                f"UPDATE {table} SET balance = {table}.balance + v.delta "
                f"FROM v WHERE {table}.id = v.id",
                [value for pair in part for value in pair],
            )
