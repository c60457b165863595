"""Commissions: created frozen at payment, settled after the freeze days, reversed pro rata
by refunds before settlement and clawed back after. Every amount moves through the ledger."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from fenxiao import db
from fenxiao.distribution import locks, rules, selectors
from fenxiao.distribution.models import (
    Commission,
    Distributor,
    Grade,
    OrderBeneficiary,
    Plan,
)
from fenxiao.distribution.services.binding import bind_on_first_order
from fenxiao.distribution.services.distributors import distributor_ensure
from fenxiao.distribution.services.plan import plan_get, plan_with_overrides
from fenxiao.ledger import services as ledger
from fenxiao.ledger.models import Account
from fenxiao.money import ZERO, round_sum_to_fen, truncate_to_fen
from fenxiao.orders.models import Order, OrderLine, Refund, RefundLine

Kind = Account.Kind
EXPENSE = ledger.platform_key(Kind.COMMISSION_EXPENSE)
OPEN_REFUND = [Refund.Status.REQUESTED, Refund.Status.APPROVED]


def _base(plan_base: str, paid: Decimal, unit_cost: Decimal, quantity: int) -> Decimal:
    if plan_base == Plan.Base.PROFIT:
        return max(ZERO, paid - unit_cost * quantity)
    return paid


def _rate_for(level: int, product_rates, grade: Grade | None, plan_rates):
    """Precedence: product override > the beneficiary's grade > the plan default."""
    for source, rates in (
        ("product", product_rates),
        ("grade", grade and grade.rates),
        ("plan", plan_rates),
    ):
        for rate in rules.parse_rates(rates or [], levels=3):
            if rate.level == level:
                return source, rate
    return None, None


def commissions_create_for_order(*, order: Order, now: datetime) -> list[Commission]:
    """Called by payments in the transaction that marks the order paid. Idempotent: the chain
    snapshot and the commissions are unique per (order, level) and (line, level); the buyer's
    own row (level 0) is written first, so even an order whose buyer had no inviter is
    snapshotted once and a later call never attributes it to an inviter bound since."""
    lines = sorted(order.lines.all(), key=lambda line: line.pk)  # prefetched when paid
    plan, overrides = plan_with_overrides(line.product_id for line in lines)
    if plan.self_purchase:
        # in mode everyone (or threshold, once reached) the buyer is a distributor even if
        # their profile was never opened: make it exist before the chain is read
        distributor_ensure(user=order.buyer, plan=plan, now=now)
    if not _snapshot_buyer(order):
        return []  # snapshotted (and paid out) already
    if plan.bind_on == Plan.BindOn.FIRST_ORDER:
        bind_on_first_order(buyer=order.buyer, order=order, now=now, plan=plan)
    chain = selectors.beneficiary_chain(buyer_id=order.buyer_id, plan=plan, now=now)
    db.insert(
        OrderBeneficiary(
            order=order,
            level=link.level,
            user_id=link.user_id,
            grade_id=link.distributor and link.distributor.grade_id,
            active=link.active,
        )
        for link in chain
    )
    paying = [link for link in chain if link.active]
    if not paying:
        return []
    created = []
    for line in lines:
        picked = {}
        for link in paying:
            source, rate = _rate_for(
                link.level,
                overrides.get(line.product_id),
                link.distributor.grade,
                plan.rates,
            )
            if rate is not None:
                picked[link.level] = (link, source, rate)
        paid = line.amount + (line.points_amount if plan.points_count_for_commission else ZERO)
        base = _base(plan.base, paid, line.unit_cost, line.quantity)
        amounts = rules.line_amounts(
            paid=paid,
            base=base,
            quantity=line.quantity,
            rates=[rate for _, _, rate in picked.values()],
            share=plan.max_commission_share,
        )
        created += [
            Commission(
                order=order,
                line=line,
                level=level,
                beneficiary_id=link.user_id,
                order_number=order.number,
                product_name=line.product_name,
                sku_id=line.sku_id,
                quantity=line.quantity,
                base=base,
                base_kind=plan.base,
                rate_kind=rate.kind,
                rate=rate.value,
                rate_source=source,
                original_amount=amounts[level],
                amount=amounts[level],
                share_cap=plan.max_commission_share,
                points_counted=plan.points_count_for_commission,
                created_at=now,
            )
            for level, (link, source, rate) in sorted(picked.items())
            if amounts[level] > ZERO
        ]
    # all rows in one INSERT, their accruals in one posting (the accounts are locked above)
    created = db.insert(created)
    ledger.post_many(
        kind="commission_accrue",
        now=now,
        postings=[
            ledger.Posting(
                source_id=str(c.pk),
                legs=[
                    (ledger.user_key(c.beneficiary_id, Kind.FROZEN), c.amount),
                    (EXPENSE, -c.amount),
                ],
                memo=f"订单 {order.number} 第 {c.level} 级佣金",
            )
            for c in created
        ],
    )
    return created


def _snapshot_buyer(order: Order) -> bool:
    """The order's level-0 row: its buyer as a distributor now (grade, active), or not one;
    one statement, unless written before (then False: the order was snapshotted already)."""
    table = OrderBeneficiary._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (order_id, level, user_id, grade_id, active)"
            " SELECT %s, 0, %s, d.grade_id, COALESCE(d.status = %s, FALSE)"
            " FROM (SELECT 1) AS one LEFT JOIN distribution_distributor d ON d.user_id = %s"
            " WHERE TRUE ON CONFLICT DO NOTHING RETURNING 1",  # WHERE: SQLite's parser needs it
            [order.pk, order.buyer_id, Distributor.Status.ACTIVE, order.buyer_id],
        )
        return cursor.fetchone() is not None


def _kept_amounts(line: OrderLine, commissions: list[Commission]) -> dict[int, Decimal]:
    """What each level earns on the part of the line the buyer kept, with the original rates."""
    kept_qty = line.quantity - line.refunded_quantity
    kept_paid = line.amount - line.refunded_amount
    if commissions[0].points_counted:
        kept_paid += line.points_amount - truncate_to_fen(
            line.points_amount * line.refunded_quantity / line.quantity
        )
    if kept_qty <= 0 or kept_paid <= 0:
        return {c.level: ZERO for c in commissions}
    base = _base(commissions[0].base_kind, kept_paid, line.unit_cost, kept_qty)
    return rules.line_amounts(
        paid=kept_paid,
        base=base,
        quantity=kept_qty,
        rates=[rules.Rate(c.level, c.rate_kind, c.rate) for c in commissions],
        share=commissions[0].share_cap,
    )


def commissions_adjust_for_refund(*, refund: Refund, now: datetime) -> None:
    """Called by payments in the transaction that completes a refund (lines already updated).
    Frozen commissions are reversed, settled ones clawed back (possibly into debt)."""
    line_ids = list(refund.lines.values_list("line_id", flat=True))
    # every commission row first, then ledger accounts: the order settlement locks them in
    locked = locks.commissions_for_update(line_ids=line_ids)
    ledger.accounts_lock(
        ledger.user_key(c.beneficiary_id, kind)
        for c in locked
        for kind in (Kind.FROZEN, Kind.AVAILABLE)
    )
    for line in OrderLine.objects.filter(pk__in=line_ids).order_by("pk"):
        commissions = sorted((c for c in locked if c.line_id == line.pk), key=lambda c: c.level)
        if not commissions:
            continue
        kept = _kept_amounts(line, commissions)
        for commission in commissions:
            target = min(commission.amount, kept.get(commission.level, ZERO))
            delta = commission.amount - target
            if delta <= ZERO:
                continue
            settled = commission.status == Commission.Status.SETTLED
            account = Kind.AVAILABLE if settled else Kind.FROZEN
            posted = ledger.post(
                kind="commission_clawback" if settled else "commission_reverse",
                source_id=f"{commission.pk}:{refund.pk}",
                now=now,
                legs=[
                    (ledger.user_key(commission.beneficiary_id, account), -delta),
                    (EXPENSE, delta),
                ],
                memo=f"售后 {refund.number} {'追回' if settled else '冲减'}佣金",
            )
            if posted is None:
                continue
            commission.amount = target
            if target == ZERO:
                commission.status = Commission.Status.REVERSED
            commission.save(update_fields=["amount", "status"])


def _due(now: datetime, plan: Plan):
    cutoff = now - timedelta(days=plan.freeze_days)
    # from the refund lines, never NULL: NOT IN (…, NULL) would match no commission at all
    open_lines = RefundLine.objects.filter(refund__status__in=OPEN_REFUND).values("line_id")
    return (
        Commission.objects.filter(
            status=Commission.Status.FROZEN,
            order__status=Order.Status.COMPLETED,
            order__completed_at__lte=cutoff,
        )
        .exclude(line_id__in=open_lines)
        .order_by("pk")
    )


def commissions_settle_due(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Settle every frozen commission whose order completed `freeze_days` ago and whose line
    has no open refund, `batch` at a time (FENXIAO_SETTLE_BATCH, 5000): each batch is one
    transaction, so a SIGKILL between them loses nothing and repeats nothing. Several workers
    at once share the work: each locks the rows it takes and passes over rows another holds."""
    now = now or timezone.now()
    batch = batch or settings.SETTLE_BATCH
    plan = plan_get()
    total = 0
    while True:
        settled = _settle_batch(now=now, plan=plan, size=batch)
        total += settled
        if settled < batch:  # none left, or the rest are another worker's
            return total


@transaction.atomic
def _settle_batch(*, now: datetime, plan: Plan, size: int) -> int:
    # commission rows first, then ledger accounts (post_many): the project's lock order
    rows = _mark_settled(_due(now, plan), size, now)
    if not rows:
        return 0
    postings = [
        ledger.Posting(
            source_id=str(pk),
            legs=[
                (ledger.user_key(beneficiary_id, Kind.FROZEN), -amount),
                (ledger.user_key(beneficiary_id, Kind.AVAILABLE), amount),
            ],
            memo=f"订单 {order_number} 佣金结算",
        )
        for pk, beneficiary_id, amount, order_number in rows
    ]
    ledger.post_many(kind="commission_settle", postings=postings, now=now)
    return len(rows)


def _mark_settled(due, size: int, now: datetime) -> list[tuple]:
    """Mark up to `size` of the due commissions settled, in one UPDATE of the rows its subquery
    locks; rows another worker holds are passed over (SKIP LOCKED), so that settlement workers
    share the work instead of queueing. Returns (pk, beneficiary_id, amount, order_number)
    tuples in pk order: a thousand model instances cost more than their settlement's SQL."""
    picked = due.select_for_update(skip_locked=True, of=("self",)).values("pk")[:size]
    sql, params = picked.query.sql_with_params()
    table = Commission._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, settled_at = %s WHERE id IN ({sql}) "
            "RETURNING id, beneficiary_id, amount, order_number",
            [
                Commission.Status.SETTLED,
                connection.ops.adapt_datetimefield_value(now),
                *params,
            ],
        )
        rows = cursor.fetchall()
    # SQLite hands back its decimals as floats: the nearest fen is the stored amount
    return sorted((pk, who, round_sum_to_fen(amount), number) for pk, who, amount, number in rows)
