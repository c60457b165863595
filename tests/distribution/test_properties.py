"""Properties (hypothesis) of the commission arithmetic and of refunds through the services:
never more than the promised share of what was paid, never more after a refund than the kept
part earns, every ledger transaction balanced, reconcile clean."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fenxiao.distribution.models import Commission
from fenxiao.distribution.rules import Rate, line_amounts
from fenxiao.distribution.services.commissions import commissions_settle_due
from fenxiao.ledger.models import Account, Entry, Transaction
from fenxiao.ledger.selectors import platform_balance
from fenxiao.money import FEN, ZERO, round_sum_to_fen, truncate_to_fen
from fenxiao.orders.models import OrderLine
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import (
    assert_ledger_clean,
    buyer_under,
    chain,
    complete,
    coupon_for,
    pay,
    place,
    plan_set,
    refund,
)

HUNDRED = Decimal(100)


def cents(low: int, high: int):
    return st.integers(min_value=low, max_value=high).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def rate_sets(draw, share: Decimal, levels: int | None = None):
    """1–3 levels of percent or fixed rates whose percentages fit within `share`."""
    levels = levels or draw(st.integers(min_value=1, max_value=3))
    room, rates = share, []
    for level in range(1, levels + 1):
        if draw(st.booleans()):
            value = draw(cents(0, int(room * 100)))
            room -= value
            rates.append(Rate(level, "percent", value))
        else:
            rates.append(Rate(level, "fixed", draw(cents(0, 50_000))))
    return rates


def promised(rate: Rate, base: Decimal, quantity: int) -> Decimal:
    """What a level was promised before truncation and the cap (exact)."""
    return base * rate.value / HUNDRED if rate.kind == "percent" else rate.value * quantity


# the arithmetic alone (fast: many examples)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_line_amounts_never_exceed_what_was_promised_nor_the_share(data):
    share = data.draw(cents(0, 10_000), label="share %")
    rates = data.draw(rate_sets(share), label="rates")
    quantity = data.draw(st.integers(min_value=1, max_value=999), label="quantity")
    paid = data.draw(cents(0, 99_999_999), label="paid")
    cost = data.draw(cents(0, 9_999_999), label="unit cost")
    base = data.draw(st.sampled_from([paid, max(ZERO, paid - cost * quantity)]), label="base")

    got = line_amounts(paid=paid, base=base, quantity=quantity, rates=rates, share=share)

    assert set(got) == {r.level for r in rates}
    for rate in rates:
        amount = got[rate.level]
        assert amount >= 0
        assert amount == amount.quantize(FEN)  # whole fen
        assert amount <= promised(rate, base, quantity)
    assert sum(got.values(), ZERO) <= paid * share / HUNDRED
    # the cap only bites when the promises together go above it; otherwise each level gets
    # its promise truncated to the fen, not a fen less
    if sum(truncate_to_fen(promised(r, base, quantity)) for r in rates) <= truncate_to_fen(
        paid * share / HUNDRED
    ):
        assert all(got[r.level] == truncate_to_fen(promised(r, base, quantity)) for r in rates)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_less_paid_never_earns_more_in_total(data):
    """The kept part of a line (fewer units, less paid) earns at most what the whole did."""
    share = data.draw(cents(0, 10_000))
    rates = data.draw(rate_sets(share))
    quantity = data.draw(st.integers(min_value=1, max_value=50))
    paid = data.draw(cents(1, 10_000_000))
    kept_qty = data.draw(st.integers(min_value=0, max_value=quantity))
    kept_paid = truncate_to_fen(paid * kept_qty / quantity)

    whole = line_amounts(paid=paid, base=paid, quantity=quantity, rates=rates, share=share)
    kept = line_amounts(paid=kept_paid, base=kept_paid, quantity=kept_qty, rates=rates, share=share)
    assert sum(kept.values(), ZERO) <= sum(whole.values(), ZERO)
    assert sum(kept.values(), ZERO) <= kept_paid * share / HUNDRED


# through the services: plans, orders, refunds and settlement (fewer examples)


@st.composite
def scenarios(draw):
    share = draw(cents(0, 10_000))
    levels = draw(st.integers(min_value=1, max_value=3))
    rates = draw(rate_sets(share, levels))
    lines = draw(
        st.lists(
            st.tuples(cents(1, 99_999), st.integers(min_value=1, max_value=5), cents(0, 5_000)),
            min_size=1,
            max_size=3,
        )
    )
    plan = {
        "levels": levels,
        "rates": [r.as_dict() for r in rates],
        "max_commission_share": str(share),
        "base": draw(st.sampled_from(["paid", "profit"])),
        "self_purchase": draw(st.booleans()),
    }
    refunds = draw(
        st.lists(
            st.tuples(st.integers(min_value=0, max_value=2), st.integers(min_value=1, max_value=5)),
            max_size=4,
        )
    )
    settle_after = draw(st.integers(min_value=0, max_value=len(refunds) + 1))
    return plan, lines, refunds, settle_after


def kept_earnings(line: OrderLine, commission: Commission) -> Decimal:
    """What the kept part of the line earns at this commission's rate (before the cap)."""
    kept_qty = line.quantity - line.refunded_quantity
    kept_paid = line.amount - line.refunded_amount
    base = kept_paid
    if commission.base_kind == "profit":
        base = max(ZERO, kept_paid - line.unit_cost * kept_qty)
    rate = Rate(commission.level, commission.rate_kind, commission.rate)
    return truncate_to_fen(promised(rate, base, kept_qty))


def assert_invariants() -> None:
    for line in OrderLine.objects.all():
        commissions = list(Commission.objects.filter(line=line))
        kept_paid = line.amount - line.refunded_amount
        for c in commissions:
            assert ZERO <= c.amount <= c.original_amount
            assert c.amount <= kept_earnings(line, c), (c, line)
            assert (c.status == "reversed") == (c.amount == ZERO)
        share = commissions[0].share_cap if commissions else ZERO
        assert sum((c.original_amount for c in commissions), ZERO) <= line.amount * share / 100
        assert sum((c.amount for c in commissions), ZERO) <= kept_paid * share / 100
    # the ledger holds exactly the commissions: what distributors have is what they earned
    earned = round_sum_to_fen(Commission.objects.aggregate(s=Sum("amount"))["s"])
    held = round_sum_to_fen(
        Entry.objects.filter(account__kind__in=Account.DISTRIBUTOR_KINDS).aggregate(
            s=Sum("amount")
        )["s"]
    )
    assert held == earned
    assert platform_balance(Account.Kind.COMMISSION_EXPENSE) == -earned
    assert_ledger_clean()


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_random_plans_orders_and_refunds_keep_the_books(scenario):
    plan, lines, refunds, settle_after = scenario
    # every example in its own savepoint, rolled back: examples do not see each other
    with transaction.atomic():
        plan_set(**plan)
        top = chain(3)
        buyer = buyer_under(top[-1])
        skus = [SkuFactory(price=price, cost=cost, stock=10) for price, _, cost in lines]
        # a coupon on the first line's product only, worth a seventh of that line
        price, quantity, _ = lines[0]
        off = truncate_to_fen(price * quantity / 7)
        coupon = coupon_for(buyer, off, product_ids=[skus[0].product_id]) if off else None
        items = [(sku, qty) for sku, (_, qty, _) in zip(skus, lines, strict=True)]
        order = place(buyer, *items, coupon=coupon)
        assert order.lines.order_by("pk").first().discount == off
        pay(order)
        assert_invariants()

        order_lines = list(order.lines.order_by("pk"))
        for step, (index, quantity) in enumerate(refunds):
            order.refresh_from_db()
            if step == settle_after and order.status == "paid":
                complete(order, at=order.paid_at)
                commissions_settle_due(now=order.paid_at + timedelta(days=365))
                assert_invariants()
            line = order_lines[index % len(order_lines)]
            line.refresh_from_db()
            left = line.quantity - line.refunded_quantity
            if left == 0:
                continue
            refund(order, {line.pk: min(quantity, left)})
            assert_invariants()
        for kind in ("commission_settle", "commission_reverse", "commission_clawback"):
            event(f"{kind}: {Transaction.objects.filter(kind=kind).exists()}")
        transaction.set_rollback(True)
