"""Settlement after the freeze days, refunds before it (reversed pro rata) and after it
(clawed back, possibly into debt), and grades upgraded by the periodic job."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.cli import main as fenxiao
from fenxiao.distribution.models import Commission, Distributor, Grade
from fenxiao.distribution.rules import Rate, line_amounts
from fenxiao.distribution.services import grades
from fenxiao.distribution.services.commissions import commissions_settle_due
from fenxiao.ledger.models import Transaction
from fenxiao.orders import services as orders
from fenxiao.orders.models import Refund
from fenxiao.payments import services as payments
from fenxiao.payouts import services as payouts
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import (
    D,
    assert_ledger_clean,
    balances,
    buy,
    buyer_under,
    chain,
    commissions_of,
    complete,
    coupon_for,
    line_of,
    make_distributor,
    plan_set,
    refund,
    request_refund,
    transactions,
)

pytestmark = pytest.mark.django_db

ZERO = D("0.00")


def run_due(at) -> None:
    assert fenxiao(["run-due", "--at", at.isoformat()]) == 0


def statuses(order) -> dict[tuple[int, int], str]:
    return {(c.line_id, c.level): c.status for c in Commission.objects.filter(order=order)}


@pytest.fixture
def two_levels():
    top, parent = chain(2)
    return top, parent, buyer_under(parent)


# settlement after freeze_days from completion


def test_settles_freeze_days_after_completion_not_before(two_levels):
    top, parent, buyer = two_levels
    t0 = timezone.now()
    order = complete(buy(buyer, (SkuFactory(price=D("100.00")), 1)), at=t0)

    run_due(t0 + timedelta(days=7) - timedelta(seconds=1))
    assert set(statuses(order).values()) == {"frozen"}
    assert balances(parent) == {"frozen": D("15.00"), "available": ZERO, "withdrawing": 0}

    run_due(t0 + timedelta(days=7))
    assert set(statuses(order).values()) == {"settled"}
    assert balances(parent) == {"frozen": ZERO, "available": D("15.00"), "withdrawing": 0}
    assert balances(top)["available"] == D("10.00")
    settled = commissions_of(parent)[0]
    assert settled.settled_at == t0 + timedelta(days=7)
    for commission in Commission.objects.filter(order=order):
        assert transactions("commission_settle", str(commission.pk)) == 1
    # running again pays nothing twice
    run_due(t0 + timedelta(days=30))
    assert transactions("commission_settle") == 2
    assert balances(parent)["available"] == D("15.00")
    assert_ledger_clean()


def test_freeze_days_come_from_the_plan(two_levels):
    plan_set(freeze_days=0)
    _, parent, buyer = two_levels
    t0 = timezone.now()
    complete(buy(buyer, (SkuFactory(price=D("100.00")), 1)), at=t0)
    assert commissions_settle_due(now=t0) == 2
    assert balances(parent)["available"] == D("15.00")


def test_paid_or_shipped_orders_never_settle_auto_confirm_starts_the_clock(two_levels):
    _, parent, buyer = two_levels
    t0 = timezone.now()
    paid = buy(buyer, (SkuFactory(price=D("100.00")), 1))
    shipped = buy(buyer, (SkuFactory(price=D("50.00")), 1))
    orders.order_ship(order_id=shipped.pk, carrier="顺丰", tracking_no="1", now=t0)

    run_due(t0 + timedelta(days=10))  # auto-confirms the shipped order: completed now
    shipped.refresh_from_db()
    assert shipped.status == "completed"
    assert set(statuses(shipped).values()) == {"frozen"}

    run_due(t0 + timedelta(days=17))
    assert set(statuses(shipped).values()) == {"settled"}
    assert set(statuses(paid).values()) == {"frozen"}  # never completed: stays frozen
    assert balances(parent) == {"frozen": D("15.00"), "available": D("7.50"), "withdrawing": 0}
    assert_ledger_clean()


def test_no_settlement_while_a_refund_is_open_on_that_line(two_levels):
    _, parent, buyer = two_levels
    a, b = SkuFactory(price=D("100.00")), SkuFactory(price=D("40.00"))
    t0 = timezone.now()
    order = complete(buy(buyer, (a, 2), (b, 1)), at=t0)
    first, second = line_of(order, 0), line_of(order, 1)
    asked = request_refund(order, {first.pk: 1})

    run_due(t0 + timedelta(days=8))
    got = statuses(order)
    assert (got[(first.pk, 1)], got[(first.pk, 2)]) == ("frozen", "frozen")
    assert (got[(second.pk, 1)], got[(second.pk, 2)]) == ("settled", "settled")

    # approved on day 9 but the money not back yet (run-due sends a refund left unsent only
    # REFUND_RETRY_AFTER after its approval): still open
    orders.refund_mark_approved(refund_id=asked.pk, staff=None)
    Refund.objects.filter(pk=asked.pk).update(reviewed_at=t0 + timedelta(days=9))
    run_due(t0 + timedelta(days=9))
    assert statuses(order)[(first.pk, 1)] == "frozen"

    # refunded: one of two units reversed, the kept unit settles at the next run
    payments.refund_send(refund_id=asked.pk)
    run_due(t0 + timedelta(days=10))
    kept = Commission.objects.get(line=first, level=1)
    assert (kept.status, kept.amount, kept.original_amount) == ("settled", D("15.00"), D("30.00"))
    assert balances(parent) == {"frozen": ZERO, "available": D("21.00"), "withdrawing": 0}
    assert_ledger_clean()


def test_a_rejected_refund_releases_the_line(two_levels, staff):
    _, parent, buyer = two_levels
    t0 = timezone.now()
    order = complete(buy(buyer, (SkuFactory(price=D("100.00")), 1)), at=t0)
    asked = request_refund(order, {line_of(order).pk: 1})
    run_due(t0 + timedelta(days=8))
    assert balances(parent)["available"] == ZERO
    orders.refund_reject(refund_id=asked.pk, staff=staff, reason="已超过售后期")
    run_due(t0 + timedelta(days=8))
    assert balances(parent)["available"] == D("15.00")


def test_an_open_refund_without_lines_does_not_block_every_settlement(two_levels):
    # NOT IN over a subquery that yields NULL matches nothing in SQL: a refund row without
    # lines (there is none through the services today, but a console or import could leave
    # one) must not stop the whole shop's settlement
    _, parent, buyer = two_levels
    t0 = timezone.now()
    order = complete(buy(buyer, (SkuFactory(price=D("100.00")), 1)), at=t0)
    other = buy(buyer_under(None), (SkuFactory(), 1))
    Refund.objects.create(number="R-EMPTY", order=other, reason="空", amount=ZERO)
    assert commissions_settle_due(now=t0 + timedelta(days=8)) == 2
    assert set(statuses(order).values()) == {"settled"}


# refunds before settlement: reversed pro rata


def test_partial_refunds_in_a_row_reverse_pro_rata(two_levels):
    _, parent, buyer = two_levels
    order = buy(buyer, (SkuFactory(price=D("33.33"), stock=10), 3))  # paid 99.99
    line = line_of(order)
    assert {c.level: c.amount for c in Commission.objects.filter(line=line)} == {
        1: D("14.99"),
        2: D("9.99"),
    }
    expected = [
        # after each one-unit refund: kept 66.66 → 9.99 / 6.66; kept 33.33 → 4.99 / 3.33; none
        {1: D("9.99"), 2: D("6.66")},
        {1: D("4.99"), 2: D("3.33")},
        {1: ZERO, 2: ZERO},
    ]
    for step in expected:
        done = refund(order, {line.pk: 1})
        line.refresh_from_db()
        got = {c.level: c.amount for c in Commission.objects.filter(line=line)}
        assert got == step
        # never above what the kept part earns at the original rates
        kept = line_amounts(
            paid=line.amount - line.refunded_amount,
            base=line.amount - line.refunded_amount,
            quantity=line.quantity - line.refunded_quantity,
            rates=[Rate(1, "percent", D(15)), Rate(2, "percent", D(10))],
            share=D(50),
        )
        assert all(got[level] <= kept[level] for level in got)
        for c in Commission.objects.filter(line=line):
            assert transactions("commission_reverse", f"{c.pk}:{done.pk}") == 1
    assert set(statuses(order).values()) == {"reversed"}
    assert balances(parent)["frozen"] == ZERO
    assert_ledger_clean()


def test_fixed_rate_reverses_per_unit_refunded(two_levels):
    plan_set(rates=[{"level": 1, "fixed": "4.00"}, {"level": 2, "percent": "10"}])
    _, parent, buyer = two_levels
    order = buy(buyer, (SkuFactory(price=D("20.00"), stock=10), 5))
    line = line_of(order)
    refund(order, {line.pk: 2})
    got = {c.level: c.amount for c in Commission.objects.filter(line=line)}
    assert got == {1: D("12.00"), 2: D("6.00")}
    assert balances(parent)["frozen"] == D("12.00")


def test_refund_of_one_line_leaves_the_other_lines_commissions(two_levels):
    _, parent, buyer = two_levels
    order = buy(buyer, (SkuFactory(price=D("100.00")), 1), (SkuFactory(price=D("10.00")), 1))
    refund(order, {line_of(order, 0).pk: 1})
    assert [c.amount for c in commissions_of(parent)] == [ZERO, D("1.50")]
    assert balances(parent)["frozen"] == D("1.50")
    assert_ledger_clean()


def test_full_refund_of_a_discounted_line_reverses_exactly_what_was_earned(two_levels):
    _, parent, buyer = two_levels
    sku = SkuFactory(price=D("299.90"), stock=10)
    order = buy(buyer, (sku, 2), coupon=coupon_for(buyer, D("0.07")))
    line = line_of(order)
    assert line.amount == D("599.73")
    refund(order, {line.pk: 1})
    refund(order, {line.pk: 1})
    order.refresh_from_db()
    assert order.status == "refunded"
    assert balances(parent)["frozen"] == ZERO
    assert set(statuses(order).values()) == {"reversed"}
    assert_ledger_clean()


# refunds after settlement: clawed back from available, possibly into debt


def settle_now(order) -> None:
    """Complete the order 8 days ago and run settlement now."""
    complete(order, at=timezone.now() - timedelta(days=8))
    assert commissions_settle_due() > 0


def test_refund_after_settlement_claws_back_from_available(two_levels):
    top, parent, buyer = two_levels
    order = buy(buyer, (SkuFactory(price=D("100.00"), stock=10), 2))
    settle_now(order)
    assert balances(parent)["available"] == D("30.00")

    done = refund(order, {line_of(order).pk: 1})

    first = commissions_of(parent)[0]
    assert (first.status, first.amount, first.original_amount) == (
        "settled",
        D("15.00"),
        D("30.00"),
    )
    assert balances(parent) == {"frozen": ZERO, "available": D("15.00"), "withdrawing": 0}
    assert balances(top)["available"] == D("10.00")
    assert transactions("commission_clawback", f"{first.pk}:{done.pk}") == 1
    assert transactions("commission_reverse") == 0

    refund(order, {line_of(order).pk: 1})
    assert commissions_of(parent)[0].status == "reversed"
    assert balances(parent)["available"] == ZERO
    assert_ledger_clean()


def test_clawback_may_leave_a_debt_that_later_earnings_offset(two_levels):
    _, parent, buyer = two_levels
    order = buy(buyer, (SkuFactory(price=D("100.00"), stock=10), 1))
    settle_now(order)
    # the money leaves "available" on a withdrawal request
    payouts.withdrawal_request(user=parent, amount="15.00", channel="sandbox", request_id="w-1")

    refund(order, {line_of(order).pk: 1})

    assert balances(parent) == {"frozen": ZERO, "available": D("-15.00"), "withdrawing": D("15.00")}
    assert_ledger_clean()

    # later earnings settle into available and pay the debt off
    later = buy(buyer, (SkuFactory(price=D("60.00"), stock=10), 1))
    settle_now(later)
    assert balances(parent)["available"] == D("-6.00")
    again = buy(buyer, (SkuFactory(price=D("100.00"), stock=10), 1))
    settle_now(again)
    assert balances(parent)["available"] == D("9.00")
    assert_ledger_clean()


# grades: automatic upgrade by the periodic job


def test_grades_upgrade_by_the_periodic_job_and_new_rates_apply():
    silver = grades.grade_save(
        grade=Grade(
            name="银牌", rank=1, rates=[{"level": 1, "percent": "20"}], upgrade_own_sales=D("500")
        )
    )
    gold = grades.grade_save(
        grade=Grade(
            name="金牌",
            rank=2,
            rates=[{"level": 1, "percent": "25"}],
            upgrade_own_sales=D("1000"),
            upgrade_direct_buyers=2,
        )
    )
    me = make_distributor()
    first, second = buyer_under(me), buyer_under(me)
    sku = SkuFactory(price=D("300.00"), stock=50)
    t0 = timezone.now()

    paid = buy(first, (sku, 2))  # 600 paid but not completed: does not count
    run_due(t0)
    assert Distributor.objects.get(pk=me.pk).grade.is_default

    complete(paid, at=t0)
    run_due(t0)
    assert Distributor.objects.get(pk=me.pk).grade == silver

    # silver's 20% applies to the next order
    order = buy(second, (sku, 3))
    assert commissions_of(me)[-1].amount == D("180.00")
    assert commissions_of(me)[-1].rate_source == "grade"
    complete(order, at=t0)
    run_due(t0)  # own sales 1500, two direct recruits who bought: gold
    assert Distributor.objects.get(pk=me.pk).grade == gold

    # grades never go down by themselves: a full refund of the big order keeps gold
    refund(order, {line_of(order).pk: 3})
    run_due(t0)
    assert Distributor.objects.get(pk=me.pk).grade == gold
    assert_ledger_clean()


def test_no_upgrade_without_all_thresholds_of_a_grade():
    grades.grade_save(
        grade=Grade(name="金牌", rank=2, upgrade_own_sales=D("100"), upgrade_direct_buyers=2)
    )
    me = make_distributor()
    complete(buy(buyer_under(me), (SkuFactory(price=D("300.00")), 1)))
    run_due(timezone.now())
    assert Distributor.objects.get(pk=me.pk).grade.is_default
    assert Transaction.objects.filter(kind="commission_settle").count() == 0
