"""Points through the order life cycle: earned once when an order completes (buyer or the
auto-confirm job), on the cash paid after refunds so far; taken back when a completed order is
refunded; a refund before completion just lowers what is earned."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fenxiao.marketing import points
from fenxiao.marketing.models import PointsEntry
from fenxiao.orders import services as orders
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import buy, complete, line_of, refund
from tests.marketing.points_flows import rule_on

pytestmark = pytest.mark.django_db
Kind = PointsEntry.Kind


def test_completing_an_order_earns_points_once_even_when_the_job_runs_again(buyer):
    rule_on(earn_per_yuan=1)
    order = buy(buyer, (SkuFactory(price=Decimal("299.90")), 2))
    shipped = timezone.now() - timedelta(days=30)
    orders.order_ship(order_id=order.pk, carrier="顺丰速运", tracking_no="SF1", now=shipped)

    assert orders.orders_auto_confirm() == 1
    assert orders.orders_auto_confirm() == 0
    points.points_earn_for_order(
        user_id=buyer.pk, order_number=order.number, paid_amount=Decimal("599.80")
    )  # a retried hook

    assert points.points_balance(user_id=buyer.pk) == 599
    assert PointsEntry.objects.filter(kind=Kind.EARN).count() == 1


def test_a_refund_before_completion_lowers_what_is_earned(buyer):
    rule_on(earn_per_yuan=1)
    order = buy(buyer, (SkuFactory(price=Decimal("100.00")), 3))
    refund(order, {line_of(order).pk: 1})

    complete(order)

    assert points.points_balance(user_id=buyer.pk) == 200
    assert not PointsEntry.objects.filter(kind=Kind.REFUND_BACK).exists()


def test_refund_of_a_completed_order_takes_back_its_points(buyer):
    rule_on(earn_per_yuan=1)
    order = complete(buy(buyer, (SkuFactory(price=Decimal("50.00")), 4)))
    assert points.points_balance(user_id=buyer.pk) == 200

    refund(order, {line_of(order).pk: 1})

    assert points.points_balance(user_id=buyer.pk) == 150
    assert PointsEntry.objects.get(kind=Kind.REFUND_BACK).delta == -50
    assert points.points_differences() == []


def test_nothing_is_earned_with_points_off(buyer):
    rule_on(enabled=False)
    complete(buy(buyer, (SkuFactory(price=Decimal("50.00")), 1)))
    assert not PointsEntry.objects.exists()
