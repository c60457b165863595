"""The request_id race on PostgreSQL with real threads (issue 7, defect 8): one order, the
identical retries get it back, the ones with other content get 409."""

from collections import Counter

import pytest

from fenxiao.catalog.selectors import stock_differences
from fenxiao.orders.models import Order
from tests.concurrency import race
from tests.conftest import ADDRESS, Api

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_request_id_with_two_contents_at_once_makes_one_order(buyer_api, sku):
    apis = [Api(buyer_api.token) for _ in range(10)]

    def send(i):
        quantity = 1 + i % 2  # two different bodies under one request_id
        body = {"lines": [{"sku_id": sku.pk, "quantity": quantity}], "address": ADDRESS}
        r = apis[i].post("/orders", body | {"request_id": "same"})
        return quantity, r.status_code, (r.json()["code"] if r.status_code >= 400 else None)

    results = race(10, send)

    order = Order.objects.get()
    won = order.lines.get().quantity
    assert Counter((q == won, status, code) for q, status, code in results) == {
        (True, 201, None): 1,
        (True, 200, None): 4,
        (False, 409, "idempotency_conflict"): 5,
    }
    sku.refresh_from_db()
    assert sku.stock == 10 - won
    assert stock_differences() == []
