"""Points (积分): the rule, the terms pricing uses, and every change of a user's points as one
append-only entry, once per (kind, source), with the cached balance under a row lock.

Expiry rule (when `expire_at_year_end` is on): on Jan 1 (shop time) the points received before
that day and not used expire. Points are used first in, first out: every debit (spend, refund
take-back, earlier expiry, negative adjustment) uses up the oldest points first, so what expires
is what was received before Jan 1 less everything ever taken out, if positive.
"""

import uuid
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from fenxiao.marketing import locks
from fenxiao.marketing.errors import PointsDisabled, PointsInsufficient, PointsInvalid
from fenxiao.marketing.models import PointsAccount, PointsEntry, PointsRule
from fenxiao.marketing.terms import PointsTerms
from fenxiao.money import ZERO

Kind = PointsEntry.Kind
MAX_POINTS = 100_000_000


def points_rule() -> PointsRule:
    return PointsRule.objects.get_or_create(pk=1)[0]


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_DOWN))


def _post(
    *,
    user_id: int,
    delta: int,
    kind: str,
    source_id: str,
    now: datetime | None,
    order_number: str = "",
    value: Decimal = ZERO,
    uncollected: int = 0,
    note: str = "",
    created_by=None,
) -> PointsEntry | None:
    """Record one entry and move the balance; None if (kind, source) was already recorded.
    The caller holds the account's row lock; a debit beyond the balance is refused."""
    account = locks.points_account_for_update(user_id)
    if account.balance + delta < 0:
        raise PointsInsufficient(f"积分不足：当前可用 {account.balance} 积分")
    try:
        with transaction.atomic():
            entry = PointsEntry.objects.create(
                user_id=user_id,
                delta=delta,
                kind=kind,
                source_id=source_id,
                order_number=order_number,
                value=value,
                uncollected=uncollected,
                note=note[:200],
                created_by=created_by,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return None
    PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + delta)
    return entry


def _entries_of_order(order_number: str, kind: str) -> list[PointsEntry]:
    return list(PointsEntry.objects.filter(order_number=order_number, kind=kind).order_by("pk"))


def points_terms(*, user_id: int, requested: int | None) -> PointsTerms | None:
    """What pricing needs to let the buyer pay with `requested` points; None when none asked."""
    if not requested:
        return None
    if isinstance(requested, bool) or not 0 < requested <= MAX_POINTS:
        raise PointsInvalid("使用的积分须为正整数")
    rule = points_rule()
    if not rule.enabled:
        raise PointsDisabled()
    balance = points_balance(user_id=user_id)
    if requested > balance:
        raise PointsInsufficient(
            f"积分不足：当前可用 {balance} 积分，本次请求使用 {requested} 积分"
        )
    return PointsTerms(
        balance=balance,
        requested=requested,
        per_yuan=rule.per_yuan,
        max_share_percent=rule.max_share_percent,
    )


@transaction.atomic
def points_spend(
    *, user_id: int, points: int, order_number: str, value: Decimal = ZERO, now=None
) -> PointsEntry | None:
    """Take `points` (worth `value` yuan off the order) at placement, inside the order's
    transaction; never below zero (PointsInsufficient, a 400)."""
    if points <= 0:
        return None
    return _post(
        user_id=user_id,
        delta=-points,
        kind=Kind.SPEND,
        source_id=f"order:{order_number}",
        order_number=order_number,
        value=value,
        note=f"订单 {order_number} 抵扣",
        now=now,
    )


@transaction.atomic
def points_return_for_order(*, order_number: str, now=None) -> PointsEntry | None:
    """Give back the points an order spent when it is cancelled unpaid."""
    spent = _entries_of_order(order_number, Kind.SPEND)
    if not spent:
        return None
    return _post(
        user_id=spent[0].user_id,
        delta=-spent[0].delta,
        kind=Kind.RETURN,
        source_id=f"order:{order_number}",
        order_number=order_number,
        value=spent[0].value,
        note=f"订单 {order_number} 取消，退回积分",
        now=now,
    )


@transaction.atomic
def points_earn_for_order(
    *, user_id: int, order_number: str, paid_amount: Decimal, now=None
) -> PointsEntry | None:
    """Points for a completed order: `paid_amount` is what the buyer paid for the goods after
    the refunds so far, without freight. Once per order, whatever retries."""
    rule = points_rule()
    points = _floor(paid_amount * rule.earn_per_yuan) if rule.enabled else 0
    if points <= 0:
        return None
    return _post(
        user_id=user_id,
        delta=points,
        kind=Kind.EARN,
        source_id=f"order:{order_number}",
        order_number=order_number,
        value=paid_amount,
        note=f"订单 {order_number} 完成",
        now=now,
    )


@transaction.atomic
def points_return_for_refund(
    *,
    order_number: str,
    refund_number: str,
    points_value: Decimal,
    refunded_amount: Decimal,
    now=None,
) -> list[PointsEntry]:
    """A completed refund: give back the points that paid for the refunded goods (their
    `points_value`, yuan) and take back what the order earned on `refunded_amount` (cash).

    Both are cumulative over the order's refunds, so once everything is refunded the buyer has
    exactly the spent points back and no earned points left; what the balance cannot give back
    is recorded as `uncollected`, never taken below zero."""
    source = f"refund:{refund_number}"
    made = []
    spent = _entries_of_order(order_number, Kind.SPEND)
    cancelled = PointsEntry.objects.filter(kind=Kind.RETURN, source_id=f"order:{order_number}")
    # a payment arriving after the cancel is refunded in full: its points came back on cancel
    if spent and points_value > ZERO and spent[0].value > ZERO and not cancelled.exists():
        spend = spent[0]
        before = [
            e
            for e in _entries_of_order(order_number, Kind.RETURN)
            if e.source_id != f"order:{order_number}"
        ]
        value_before = sum((e.value for e in before), ZERO)
        total_value = min(value_before + points_value, spend.value)
        due = _floor(-spend.delta * total_value / spend.value) - sum(e.delta for e in before)
        if due > 0:
            made.append(
                _post(
                    user_id=spend.user_id,
                    delta=due,
                    kind=Kind.RETURN,
                    source_id=source,
                    order_number=order_number,
                    value=total_value - value_before,
                    note=f"退款 {refund_number} 退回抵扣积分",
                    now=now,
                )
            )
    earned = _entries_of_order(order_number, Kind.EARN)
    if earned and refunded_amount > ZERO and earned[0].value > ZERO:
        earn = earned[0]
        before = _entries_of_order(order_number, Kind.REFUND_BACK)
        value_before = sum((e.value for e in before), ZERO)
        total_value = min(value_before + refunded_amount, earn.value)
        taken = sum(-e.delta + e.uncollected for e in before)
        due = _floor(earn.delta * total_value / earn.value) - taken
        if due > 0:
            balance = locks.points_account_for_update(earn.user_id).balance
            collected = min(due, balance)
            made.append(
                _post(
                    user_id=earn.user_id,
                    delta=-collected,
                    kind=Kind.REFUND_BACK,
                    source_id=source,
                    order_number=order_number,
                    value=total_value - value_before,
                    uncollected=due - collected,
                    note=f"退款 {refund_number} 扣回订单所得积分",
                    now=now,
                )
            )
    return [entry for entry in made if entry is not None]


@transaction.atomic
def points_adjust(*, user_id: int, delta: int, reason: str, staff, now=None) -> PointsEntry:
    """A staff adjustment with its reason; the entry is the audit row."""
    reason = (reason or "").strip()
    if not reason:
        raise PointsInvalid("请填写调整原因")
    if delta == 0 or abs(delta) > MAX_POINTS:
        raise PointsInvalid("调整的积分须为非零整数")
    return _post(
        user_id=user_id,
        delta=delta,
        kind=Kind.ADJUST,
        source_id=f"adjust:{uuid.uuid4().hex}",
        note=reason,
        created_by=staff,
        now=now,
    )


def _expiring(user_id: int, cutoff: datetime) -> int:
    entries = PointsEntry.objects.filter(user_id=user_id)
    received = entries.filter(delta__gt=0, created_at__lt=cutoff).aggregate(s=Sum("delta"))["s"]
    taken = entries.filter(delta__lt=0).aggregate(s=Sum("delta"))["s"]
    return max(0, (received or 0) + (taken or 0))


def points_expire_due(*, now: datetime | None = None) -> int:
    """On and after Jan 1, expire what each account received before that day and has not used
    (see the module docstring). Once per user and year; returns how many accounts expired."""
    now = now or timezone.now()
    if not points_rule().expire_at_year_end:
        return 0
    local = timezone.localtime(now)
    cutoff = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    done = PointsEntry.objects.filter(kind=Kind.EXPIRE, source_id__startswith=f"year:{local.year}:")
    expired = 0
    accounts = PointsAccount.objects.filter(balance__gt=0).exclude(
        user_id__in=done.values("user_id")
    )
    for user_id in accounts.values_list("user_id", flat=True).order_by("pk"):
        with transaction.atomic():
            balance = locks.points_account_for_update(user_id).balance
            points = min(_expiring(user_id, cutoff), balance)
            if points > 0 and _post(
                user_id=user_id,
                delta=-points,
                kind=Kind.EXPIRE,
                source_id=f"year:{local.year}:{user_id}",
                note=f"{local.year - 1} 年及以前获得的积分过期",
                now=now,
            ):
                expired += 1
    return expired


# reads


def points_balance(*, user_id: int) -> int:
    found = PointsAccount.objects.filter(user_id=user_id).values_list("balance", flat=True)
    return found.first() or 0


def points_entries_of(*, user_id: int):
    return PointsEntry.objects.filter(user_id=user_id).order_by("-pk")


def points_differences() -> list[str]:
    """Accounts whose cached balance differs from the sum of their entries."""
    totals = dict(
        PointsEntry.objects.values("user_id")
        .annotate(total=Sum("delta"))
        .values_list("user_id", "total")
    )
    balances = dict(PointsAccount.objects.values_list("user_id", "balance"))
    problems = []
    for user_id in sorted(set(totals) | set(balances)):
        want, have = totals.get(user_id) or 0, balances.get(user_id, 0)
        if want != have:
            problems.append(f"points of user {user_id}: cached balance {have} != entries {want}")
    return problems
