"""A coupon through an order's life: used when the order is paid, back to the buyer when the
order is cancelled unpaid (by the buyer or by the payment timeout)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fenxiao.marketing import selectors
from fenxiao.marketing.models import Coupon, UserCoupon
from fenxiao.orders.services import orders_cancel_unpaid
from tests.conftest import ADDRESS
from tests.marketing.factories import UserCouponFactory

pytestmark = pytest.mark.django_db


def place_with_coupon(api, buyer, sku, mine) -> dict:
    body = {"lines": [{"sku_id": sku.pk, "quantity": 1}], "address": ADDRESS, "coupon_id": mine.pk}
    r = api.post("/orders", body)
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["total"] == "289.90"  # ¥299.90 less the ¥10 coupon
    return order


def test_paying_the_order_uses_its_coupon(buyer, buyer_api, sku):
    mine = UserCouponFactory(user=buyer)
    order = place_with_coupon(buyer_api, buyer, sku, mine)

    payment = buyer_api.post(f"/orders/{order['id']}/pay", {}).json()
    r = buyer_api.post(f"/payments/sandbox/{payment['payment_id']}/complete")

    assert r.status_code == 200, r.content
    mine.refresh_from_db()
    assert (mine.status, mine.order_number) == ("used", order["number"])
    assert mine.order_total == Decimal(order["total"])
    assert Coupon.objects.get().used == 1
    assert selectors.coupon_sales([mine.coupon_id]) == {mine.coupon_id: Decimal(order["total"])}


def test_cancelling_unpaid_returns_the_coupon(buyer, buyer_api, sku):
    mine = UserCouponFactory(user=buyer)
    order = place_with_coupon(buyer_api, buyer, sku, mine)

    assert buyer_api.post(f"/orders/{order['id']}/cancel").status_code == 200

    mine.refresh_from_db()
    assert (mine.status, mine.order_number) == ("unused", "")
    assert [c["id"] for c in buyer_api.get("/me/coupons?status=unused").json()["items"]] == [
        mine.pk
    ]


def test_the_payment_timeout_returns_the_coupon(buyer, buyer_api, sku):
    mine = UserCouponFactory(user=buyer)
    place_with_coupon(buyer_api, buyer, sku, mine)

    assert orders_cancel_unpaid(now=timezone.now() + timedelta(hours=2)) == 1

    mine.refresh_from_db()
    assert mine.status == UserCoupon.Status.UNUSED
