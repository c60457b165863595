"""Coupon races on PostgreSQL with real threads: the total and the per-user limit hold, and a
buyer's coupon goes to one order only."""

from collections import Counter

import pytest
from django.db import transaction

from fenxiao.catalog.models import Sku
from fenxiao.catalog.selectors import stock_differences
from fenxiao.errors import DomainError
from fenxiao.marketing import coupons
from fenxiao.marketing.models import Coupon, UserCoupon
from fenxiao.orders.models import Order
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.concurrency import race
from tests.conftest import ADDRESS
from tests.marketing.factories import CouponFactory, UserCouponFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 25  # the server's connections are shared with other test runs


def test_100_buyers_claiming_a_coupon_limited_to_10_get_exactly_10(make_api):
    # given
    coupon = CouponFactory(total=10)
    apis = [make_api(UserFactory()) for _ in range(100)]

    # when: 25 threads released together, each claiming for 4 buyers
    def claim(i):
        return [
            apis[b].post(f"/coupons/{coupon.pk}/claim").status_code for b in range(i, 100, THREADS)
        ]

    statuses = Counter(s for batch in race(THREADS, claim) for s in batch)

    # then
    assert statuses == {201: 10, 409: 90}
    coupon.refresh_from_db()
    assert coupon.issued == 10
    assert UserCoupon.objects.filter(coupon=coupon).count() == 10
    assert UserCoupon.objects.values("user").distinct().count() == 10


def test_one_buyer_claiming_at_once_gets_no_more_than_the_per_user_limit(buyer, make_api):
    coupon = CouponFactory(per_user=2)
    apis = [make_api(buyer) for _ in range(10)]

    statuses = Counter(race(10, lambda i: apis[i].post(f"/coupons/{coupon.pk}/claim").status_code))

    assert statuses == {201: 2, 409: 8}
    assert sorted(UserCoupon.objects.filter(user=buyer).values_list("seq", flat=True)) == [1, 2]
    coupon.refresh_from_db()
    assert coupon.issued == 2


def test_one_coupon_locked_by_two_orders_at_once_goes_to_one(buyer):
    mine = UserCouponFactory(user=buyer)

    def lock(i):
        try:
            with transaction.atomic():
                coupons.coupon_lock(user_coupon_id=mine.pk, buyer_id=buyer.pk, order_number=f"N{i}")
            return "locked"
        except DomainError as exc:
            return exc.code

    assert Counter(race(2, lock)) == {"locked": 1, "coupon_used": 1}
    mine.refresh_from_db()
    assert mine.status == UserCoupon.Status.LOCKED
    assert mine.order_number in ("N0", "N1")
    assert Coupon.objects.get().used == 0


def test_one_coupon_used_by_two_orders_at_once_goes_to_one_order(buyer, make_api):
    # given: a buyer's coupon and two SKUs with stock
    mine = UserCouponFactory(user=buyer)
    skus = [SkuFactory(stock=5), SkuFactory(stock=5)]
    apis = [make_api(buyer) for _ in range(2)]

    # when: two different orders with the same coupon at once
    def place(i):
        body = {
            "lines": [{"sku_id": skus[i].pk, "quantity": 1}],
            "address": ADDRESS,
            "coupon_id": mine.pk,
        }
        r = apis[i].post("/orders", body)
        return r.status_code, r.json().get("code")

    results = Counter(race(2, place))

    # then: one order has it; the other was refused and reserved nothing
    assert results == {(201, None): 1, (409, "coupon_used"): 1}
    order = Order.objects.get()
    mine.refresh_from_db()
    assert (mine.status, mine.order_number) == ("locked", order.number)
    assert sorted(s.stock for s in Sku.objects.all()) == [4, 5]
    assert stock_differences() == []
