"""Stock edits racing orders with real threads on PostgreSQL (issue 7, defect 3): the stock
ends as the initial stock minus units sold plus the staff's adjustments, and the history
lists every change. Skipped on SQLite, which serialises writers anyway."""

from collections import Counter

import pytest

from fenxiao.catalog.models import StockMove
from fenxiao.catalog.selectors import stock_differences
from fenxiao.orders.models import Order, OrderLine
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.concurrency import race
from tests.conftest import ADDRESS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_price_edits_racing_20_orders_never_reset_the_stock(make_api, staff_api):
    # given 40 units, read by staff before the sales start
    sku = SkuFactory(stock=40)
    url = f"/admin/products/{sku.product_id}"
    read = staff_api.get(url).json()["skus"][0]
    buyers = [make_api(UserFactory()) for _ in range(20)]
    edits = [
        {"id": sku.pk, "price": "199.00"},  # price only
        {"id": sku.pk, "price": "189.00", "stock": read["stock"]},  # echoes the stale read
        {"id": sku.pk, "price": "179.00", "stock_delta": 5, "stock_reason": "到货"},
    ]

    # when 20 buyers order 1 or 2 units while staff save three edits
    def work(i):
        if i < len(edits):
            r = staff_api.patch(url, {"skus": [edits[i]]})
        else:
            quantity = 1 + i % 2
            body = {"lines": [{"sku_id": sku.pk, "quantity": quantity}], "address": ADDRESS}
            r = buyers[i - len(edits)].post("/orders", body)
        return i, r.status_code, (r.json().get("code") if r.status_code >= 400 else None)

    results = race(len(edits) + len(buyers), work)

    # then every order got its units, the price-only edit and the adjustment went through,
    # the stale echo either came first (a harmless echo) or was refused: never a reset
    by_step = {i: (status, code) for i, status, code in results}
    assert by_step[0] == (200, None) and by_step[2] == (200, None)
    assert by_step[1] in ((200, None), (409, "stock_conflict"))
    assert Counter(s for i, s, _ in results if i >= len(edits)) == {201: 20}
    sold = sum(OrderLine.objects.values_list("quantity", flat=True))
    assert sold == 30
    sku.refresh_from_db()
    assert sku.stock == 40 - sold + 5
    # and the history lists every change, adding up to the stock
    moves = list(StockMove.objects.filter(sku=sku).order_by("id"))
    assert Counter(m.kind for m in moves) == {"initial": 1, "order": 20, "adjust": 1}
    assert sum(m.delta for m in moves) == sku.stock
    assert moves[-1].stock_after == sku.stock
    assert {m.order_number for m in moves if m.kind == "order"} == set(
        Order.objects.values_list("number", flat=True)
    )
    # each move's stock_after follows the one before it: no change slipped in between
    running = 0
    for move in moves:
        running += move.delta
        assert move.stock_after == running
    assert sku.stock_version == 21
    assert stock_differences() == []


def test_staff_adjustments_racing_orders_add_up(make_api, staff_api):
    sku = SkuFactory(stock=10)
    buyers = [make_api(UserFactory()) for _ in range(10)]

    def work(i):
        if i % 2:
            r = staff_api.post(f"/admin/skus/{sku.pk}/stock", {"delta": 2, "reason": "补货"})
            return "adjust", r.status_code
        body = {"lines": [{"sku_id": sku.pk, "quantity": 3}], "address": ADDRESS}
        return "order", buyers[i].post("/orders", body).status_code

    results = Counter(race(10, work))

    assert results["adjust", 200] == 5
    placed = results["order", 201]
    assert placed + results["order", 409] == 5
    sku.refresh_from_db()
    assert sku.stock == 10 + 5 * 2 - 3 * placed >= 0
    assert stock_differences() == []
