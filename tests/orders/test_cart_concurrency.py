"""Cart races on PostgreSQL with real threads: adds of one SKU at once make one line with every
unit; two orders taking the same cart lines at once place one order, the other gets 404."""

from collections import Counter

import pytest

from fenxiao.catalog.selectors import stock_differences
from fenxiao.orders.models import CartItem, Order
from fenxiao.orders.services.cart import CART_MAX_LINES
from tests.catalog.factories import ProductFactory, SkuFactory
from tests.concurrency import race
from tests.conftest import ADDRESS, Api

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_adds_of_one_sku_at_once_make_one_line_with_every_unit(buyer_api, buyer, sku):
    apis = [Api(buyer_api.token) for _ in range(8)]

    statuses = race(8, lambda i: apis[i].post("/cart/items", {"sku_id": sku.pk}).status_code)

    assert statuses == [200] * 8
    assert list(CartItem.objects.values_list("user_id", "sku_id", "quantity")) == [
        (buyer.pk, sku.pk, 8)
    ]


def test_the_line_limit_holds_when_adds_race(buyer_api, buyer):
    product = ProductFactory()
    skus = [SkuFactory(product=product) for _ in range(CART_MAX_LINES + 5)]
    CartItem.objects.bulk_create(
        CartItem(user=buyer, sku=s, quantity=1) for s in skus[: CART_MAX_LINES - 2]
    )
    apis = [Api(buyer_api.token) for _ in range(6)]
    extra = skus[CART_MAX_LINES - 2 :]

    def add(i):
        r = apis[i].post("/cart/items", {"sku_id": extra[i].pk, "quantity": 1})
        return r.status_code, r.json().get("code")

    results = race(6, add)

    assert Counter(results) == {(200, None): 2, (409, "cart_full"): 4}
    assert CartItem.objects.filter(user=buyer).count() == CART_MAX_LINES


def test_two_orders_taking_the_same_cart_line_at_once_place_one(buyer_api, buyer, sku):
    item = buyer_api.post("/cart/items", {"sku_id": sku.pk, "quantity": 2}).json()["items"][0]
    apis = [Api(buyer_api.token) for _ in range(4)]
    body = {
        "lines": [{"sku_id": sku.pk, "quantity": 2}],
        "address": ADDRESS,
        "cart_item_ids": [item["id"]],
    }

    results = race(4, lambda i: apis[i].post("/orders", body).status_code)

    assert sorted(results) == [201, 404, 404, 404]
    assert Order.objects.count() == 1 and not CartItem.objects.exists()
    sku.refresh_from_db()
    assert sku.stock == 8 and stock_differences() == []
