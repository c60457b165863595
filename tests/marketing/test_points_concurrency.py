"""Points spent by two orders at once on PostgreSQL with real threads: never below zero."""

from decimal import Decimal

import pytest

from fenxiao.errors import DomainError
from fenxiao.marketing import points
from fenxiao.marketing.errors import PointsInsufficient
from fenxiao.marketing.models import PointsEntry
from fenxiao.orders import services as orders
from fenxiao.orders.models import Order
from fenxiao.orders.services.orders import LineRequest
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.concurrency import race
from tests.conftest import ADDRESS
from tests.marketing.points_flows import give, rule_on

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_points_spent_twice_at_once_never_go_below_zero():
    # given: 100 points, and four orders each wanting 60
    rule_on()
    buyer = UserFactory()
    give(buyer, 100)

    def spend(i):
        try:
            points.points_spend(user_id=buyer.pk, points=60, order_number=f"N{i}")
            return "spent"
        except PointsInsufficient as exc:
            return exc.message

    # when
    results = race(4, spend)

    # then: one order got them, the others a Chinese refusal; the balance holds
    assert results.count("spent") == 1
    assert all(r.startswith("积分不足") for r in results if r != "spent")
    assert points.points_balance(user_id=buyer.pk) == 40
    assert PointsEntry.objects.filter(kind=PointsEntry.Kind.SPEND).count() == 1
    assert points.points_differences() == []


def test_earn_delivered_twice_at_once_counts_once():
    rule_on()
    buyer = UserFactory()

    race(
        4,
        lambda i: points.points_earn_for_order(
            user_id=buyer.pk, order_number="N1", paid_amount=Decimal("88.80")
        ),
    )

    assert points.points_balance(user_id=buyer.pk) == 88
    assert points.points_differences() == []


def test_two_orders_spending_the_same_points_at_once_one_is_refused():
    # given: 1000 points (¥10), two orders each using all of them
    rule_on(per_yuan=100, max_share_percent=Decimal("100"))
    buyer = UserFactory()
    give(buyer, 1000)
    sku = SkuFactory(price=Decimal("20.00"), stock=10)

    def place(i):
        try:
            orders.order_place(
                buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=ADDRESS, use_points=1000
            )
            return "placed"
        except DomainError as exc:
            return (exc.status, exc.message)

    # when
    results = race(2, place)

    # then: one order, the other a Chinese 400; stock and points hold
    assert results.count("placed") == 1
    refused = next(r for r in results if r != "placed")
    assert refused[0] == 400 and "积分不足" in refused[1]
    sku.refresh_from_db()
    assert (Order.objects.count(), sku.stock) == (1, 9)
    assert points.points_balance(user_id=buyer.pk) == 0
    assert points.points_differences() == []
