"""Points at checkout: spent with the order, back on cancel, back pro rata on refund; more
than owned is a 400 that changes nothing; commission counts points only when the plan says."""

from decimal import Decimal

import pytest

from fenxiao.marketing import points
from fenxiao.marketing.models import PointsEntry
from fenxiao.orders import services as orders
from fenxiao.orders.models import Order
from fenxiao.orders.services.orders import LineRequest
from tests.catalog.factories import SkuFactory
from tests.conftest import ADDRESS
from tests.distribution.flows import (
    amounts_by_level,
    buyer_under,
    line_of,
    make_distributor,
    pay,
    plan_set,
    refund,
)
from tests.marketing.points_flows import give, rule_on
from tests.orders.flows import assert_error

pytestmark = pytest.mark.django_db
Kind = PointsEntry.Kind


def order_body(sku, quantity: int, use_points: int) -> dict:
    return {
        "lines": [{"sku_id": sku.pk, "quantity": quantity}],
        "address": ADDRESS,
        "use_points": use_points,
    }


def test_points_pay_part_of_the_order_and_cancel_gives_them_back(buyer, buyer_api):
    # given: 100 points = ¥1, at most 50% of the order
    rule_on(per_yuan=100, max_share_percent=Decimal("50"))
    give(buyer, 5000)
    sku = SkuFactory(price=Decimal("30.00"), stock=5)

    preview = buyer_api.post("/orders/preview", order_body(sku, 2, 5000)).json()
    r = buyer_api.post("/orders", order_body(sku, 2, 5000))

    # then: ¥30 of the ¥60 paid with 3000 points, as previewed
    assert r.status_code == 201, r.content
    order = Order.objects.get(pk=r.json()["id"])
    assert (order.points_used, order.total) == (3000, Decimal("30.00"))
    assert preview["points_used"] == 3000 and preview["total"] == "30.00"
    assert points.points_balance(user_id=buyer.pk) == 2000

    # when: cancelled unpaid
    assert buyer_api.post(f"/orders/{order.pk}/cancel").status_code == 200
    assert points.points_balance(user_id=buyer.pk) == 5000
    assert points.points_differences() == []


def test_the_preview_offers_what_the_points_toggle_would_take(buyer, buyer_api):
    # given: 5000 points, 100 = ¥1, at most 50% of a ¥60 order
    rule_on(per_yuan=100, max_share_percent=Decimal("50"))
    give(buyer, 5000)
    sku = SkuFactory(price=Decimal("30.00"), stock=5)

    without = buyer_api.post("/orders/preview", order_body(sku, 2, 0)).json()
    small = buyer_api.post("/orders/preview", order_body(sku, 1, 0)).json()

    # then: the toggle offers 3000 points for ¥30 (the cap), not the whole balance; none used
    assert (without["points_balance"], without["points_usable"]) == (5000, 3000)
    assert (without["points_usable_value"], without["points_used"]) == ("30.00", 0)
    assert without["total"] == "60.00"
    assert (small["points_usable"], small["points_usable_value"]) == (1500, "15.00")


def test_the_preview_offers_no_points_while_points_are_off(buyer, buyer_api):
    give(buyer, 5000)
    sku = SkuFactory(price=Decimal("30.00"), stock=5)

    body = buyer_api.post("/orders/preview", order_body(sku, 1, 0)).json()

    assert (body["points_balance"], body["points_usable"], body["points_usable_value"]) == (
        0,
        0,
        "0.00",
    )


def test_more_points_than_owned_is_a_400_and_nothing_changes(buyer, buyer_api):
    rule_on()
    give(buyer, 99)
    sku = SkuFactory(price=Decimal("30.00"), stock=5)

    for path in ("/orders/preview", "/orders"):
        body = assert_error(buyer_api.post(path, order_body(sku, 1, 100)), 400)
        assert body["code"] == "points_insufficient"
        assert "积分不足" in body["message"]

    sku.refresh_from_db()
    assert (sku.stock, Order.objects.count()) == (5, 0)
    assert points.points_balance(user_id=buyer.pk) == 99


def test_refunds_return_the_points_of_the_refunded_units(buyer):
    # given: 3 units of ¥10, ¥15 paid with 1500 points (¥5 per unit)
    rule_on(earn_per_yuan=0)
    give(buyer, 1500)
    sku = SkuFactory(price=Decimal("10.00"), stock=5)
    order, _ = orders.order_place(
        buyer=buyer,
        lines=[LineRequest(sku.pk, 3)],
        address=ADDRESS,
        use_points=1500,
    )
    pay(order)
    line = line_of(order)
    assert line.points_amount == Decimal("15.00")

    # when: one unit refunded, then the other two
    refund(order, {line.pk: 1})
    assert points.points_balance(user_id=buyer.pk) == 500
    refund(order, {line.pk: 2})

    # then: every point is back
    assert points.points_balance(user_id=buyer.pk) == 1500
    assert points.points_differences() == []


@pytest.mark.parametrize(("counted", "level_one"), [(False, "1.50"), (True, "3.00")])
def test_commission_counts_points_only_when_the_plan_says(counted, level_one):
    plan_set(rates=[{"level": 1, "percent": "10"}], levels=1, points_count_for_commission=counted)
    rule_on()
    buyer = buyer_under(make_distributor())
    give(buyer, 1500)
    sku = SkuFactory(price=Decimal("30.00"), stock=5)
    order, _ = orders.order_place(
        buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=ADDRESS, use_points=1500
    )

    pay(order)

    assert order.total == Decimal("15.00")
    assert amounts_by_level(order) == {1: Decimal(level_one)}
