"""Points services: earn once, spend, cancel returns, refund pro rata and take-back, expiry,
staff adjustment, reconciliation."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fenxiao.marketing import points
from fenxiao.marketing.errors import PointsDisabled, PointsInsufficient, PointsInvalid
from fenxiao.marketing.models import PointsAccount, PointsEntry
from fenxiao.marketing.terms import PointsTerms
from tests.marketing.points_flows import give, rule_on

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
Kind = PointsEntry.Kind


def balance(user) -> int:
    return points.points_balance(user_id=user.pk)


def test_earn_on_completion_counts_once_when_the_job_is_retried(buyer):
    rule_on(earn_per_yuan=2)

    first = points.points_earn_for_order(
        user_id=buyer.pk, order_number="N1", paid_amount=Decimal("199.99")
    )
    again = points.points_earn_for_order(
        user_id=buyer.pk, order_number="N1", paid_amount=Decimal("199.99")
    )

    assert first.delta == 399  # 2 per yuan, whole points only
    assert again is None
    assert balance(buyer) == 399
    assert PointsEntry.objects.filter(user=buyer, kind=Kind.EARN).count() == 1


def test_nothing_is_earned_while_points_are_off(buyer):
    rule_on(enabled=False)

    earned = points.points_earn_for_order(
        user_id=buyer.pk, order_number="N1", paid_amount=Decimal("100")
    )

    assert earned is None
    assert balance(buyer) == 0


def test_terms_for_pricing_carry_the_rule(buyer):
    rule_on(per_yuan=50, max_share_percent=Decimal("30"))
    give(buyer, 500)

    assert points.points_terms(user_id=buyer.pk, requested=None) is None
    terms = points.points_terms(user_id=buyer.pk, requested=200)

    assert terms == PointsTerms(
        balance=500, requested=200, per_yuan=50, max_share_percent=Decimal("30")
    )


@pytest.mark.parametrize("requested", [-1, 10**9, True])
def test_terms_refuse_a_bad_number(buyer, requested):
    rule_on()
    with pytest.raises(PointsInvalid):
        points.points_terms(user_id=buyer.pk, requested=requested)


def test_terms_refused_when_points_are_off(buyer):
    rule_on(enabled=False)
    with pytest.raises(PointsDisabled) as caught:
        points.points_terms(user_id=buyer.pk, requested=10)
    assert caught.value.status == 400
    assert "积分" in caught.value.message


def test_spending_more_than_owned_is_refused_and_changes_nothing(buyer):
    rule_on()
    give(buyer, 100)

    with pytest.raises(PointsInsufficient) as asked:
        points.points_terms(user_id=buyer.pk, requested=101)
    with pytest.raises(PointsInsufficient) as spent:
        points.points_spend(user_id=buyer.pk, points=101, order_number="N1")

    assert asked.value.status == spent.value.status == 400
    assert "积分不足" in spent.value.message
    assert balance(buyer) == 100
    assert not PointsEntry.objects.filter(kind=Kind.SPEND).exists()


def test_spend_then_cancel_returns_the_points_once(buyer):
    rule_on()
    give(buyer, 300)

    points.points_spend(user_id=buyer.pk, points=250, order_number="N1", value=Decimal("2.50"))
    assert balance(buyer) == 50
    points.points_return_for_order(order_number="N1")
    points.points_return_for_order(order_number="N1")

    assert balance(buyer) == 300
    assert PointsEntry.objects.filter(kind=Kind.RETURN, order_number="N1").count() == 1


def test_cancel_of_an_order_without_points_changes_nothing(buyer):
    assert points.points_return_for_order(order_number="N9") is None
    assert not PointsEntry.objects.exists()


def test_refunds_return_spent_points_pro_rata_and_all_of_them_in_the_end(buyer):
    # given: 333 points paid ¥3.33 of an order
    rule_on(earn_per_yuan=0)
    give(buyer, 333)
    points.points_spend(user_id=buyer.pk, points=333, order_number="N1", value=Decimal("3.33"))

    # when: a refund of goods carrying ¥1.00 of the points, then the rest, twice delivered
    points.points_return_for_refund(
        order_number="N1",
        refund_number="R1",
        points_value=Decimal("1.00"),
        refunded_amount=Decimal("10"),
    )
    assert balance(buyer) == 100
    for _ in range(2):
        points.points_return_for_refund(
            order_number="N1",
            refund_number="R2",
            points_value=Decimal("2.33"),
            refunded_amount=Decimal("20"),
        )

    # then: exactly what was spent came back
    assert balance(buyer) == 333


def test_refund_of_a_completed_order_takes_back_what_it_earned(buyer):
    rule_on(earn_per_yuan=1)
    points.points_earn_for_order(user_id=buyer.pk, order_number="N1", paid_amount=Decimal("99.90"))
    assert balance(buyer) == 99

    points.points_return_for_refund(
        order_number="N1",
        refund_number="R1",
        points_value=Decimal("0"),
        refunded_amount=Decimal("33.30"),
    )
    points.points_return_for_refund(
        order_number="N1",
        refund_number="R2",
        points_value=Decimal("0"),
        refunded_amount=Decimal("66.60"),
    )

    assert balance(buyer) == 0
    taken = PointsEntry.objects.filter(kind=Kind.REFUND_BACK).order_by("pk")
    assert [e.delta for e in taken] == [-33, -66]


def test_take_back_never_goes_below_zero_and_records_what_it_could_not_take(buyer):
    rule_on()
    points.points_earn_for_order(user_id=buyer.pk, order_number="N1", paid_amount=Decimal("100"))
    points.points_spend(user_id=buyer.pk, points=80, order_number="N2")

    points.points_return_for_refund(
        order_number="N1",
        refund_number="R1",
        points_value=Decimal("0"),
        refunded_amount=Decimal("100"),
    )

    entry = PointsEntry.objects.get(kind=Kind.REFUND_BACK)
    assert (entry.delta, entry.uncollected) == (-20, 80)
    assert balance(buyer) == 0
    assert points.points_differences() == []


def test_staff_adjustment_is_audited_and_needs_a_reason(buyer, staff):
    rule_on()

    entry = points.points_adjust(user_id=buyer.pk, delta=50, reason="补偿", staff=staff)
    with pytest.raises(PointsInvalid):
        points.points_adjust(user_id=buyer.pk, delta=5, reason="  ", staff=staff)
    with pytest.raises(PointsInsufficient):
        points.points_adjust(user_id=buyer.pk, delta=-51, reason="扣减", staff=staff)

    assert (entry.kind, entry.note, entry.created_by) == (Kind.ADJUST, "补偿", staff)
    assert balance(buyer) == 50


def test_year_end_expiry_takes_last_years_unused_points_first_in_first_out(buyer):
    # given: 300 points received in 2025, 100 of them spent, 40 more received in 2026
    rule_on(expire_at_year_end=True)
    give(buyer, 300, now=datetime(2025, 3, 1, tzinfo=SHANGHAI))
    points.points_spend(
        user_id=buyer.pk,
        points=100,
        order_number="N1",
        now=datetime(2025, 6, 1, tzinfo=SHANGHAI),
    )
    give(buyer, 40, now=datetime(2026, 1, 1, 0, 30, tzinfo=SHANGHAI))

    # when: the job runs on Dec 31 (nothing yet), then twice on Jan 1
    assert points.points_expire_due(now=datetime(2025, 12, 31, 23, 0, tzinfo=SHANGHAI)) == 0
    jan_first = datetime(2026, 1, 1, 1, 0, tzinfo=SHANGHAI)
    assert points.points_expire_due(now=jan_first) == 1
    assert points.points_expire_due(now=jan_first) == 0

    # then: the 200 left of 2025 expired, the 40 of 2026 remain
    assert balance(buyer) == 40
    assert PointsEntry.objects.get(kind=Kind.EXPIRE).delta == -200


def test_no_expiry_when_the_rule_is_off(buyer):
    rule_on(expire_at_year_end=False)
    give(buyer, 300, now=datetime(2024, 3, 1, tzinfo=SHANGHAI))

    assert points.points_expire_due(now=datetime(2026, 1, 2, tzinfo=SHANGHAI)) == 0
    assert balance(buyer) == 300


def test_reconcile_is_clean_and_reports_a_tampered_balance(buyer, capsys):
    from fenxiao.cli import cmd_reconcile

    rule_on()
    give(buyer, 120)
    points.points_spend(user_id=buyer.pk, points=20, order_number="N1")
    assert points.points_differences() == []

    PointsAccount.objects.filter(user=buyer).update(balance=500)

    assert points.points_differences() == [
        f"points of user {buyer.pk}: cached balance 500 != entries 100"
    ]
    assert cmd_reconcile(type("Opts", (), {"bills": None})()) == 1
    assert "cached balance 500 != entries 100" in capsys.readouterr().out


def test_refund_of_a_payment_after_cancel_does_not_return_points_twice(buyer):
    # given: points spent, the order cancelled unpaid (points back), then paid too late
    rule_on()
    give(buyer, 100)
    points.points_spend(user_id=buyer.pk, points=100, order_number="N1", value=Decimal("1.00"))
    points.points_return_for_order(order_number="N1")

    # when: the late payment is refunded in full
    made = points.points_return_for_refund(
        order_number="N1",
        refund_number="R1",
        points_value=Decimal("1.00"),
        refunded_amount=Decimal("9.00"),
    )

    # then
    assert made == []
    assert balance(buyer) == 100
