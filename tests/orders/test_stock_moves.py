"""Orders move stock only through the catalog's stock services: every change is a StockMove."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fenxiao.catalog.models import StockMove
from fenxiao.catalog.selectors import stock_differences
from fenxiao.orders import services
from fenxiao.orders.errors import IdempotencyConflict, OutOfStock
from fenxiao.orders.services.orders import LineRequest
from fenxiao.orders.services.refunds import RefundLineRequest
from fenxiao.payments import services as payments
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.conftest import ADDRESS
from tests.orders.test_services import pay, place

pytestmark = pytest.mark.django_db


def moves(sku) -> list[tuple]:
    return list(
        StockMove.objects.filter(sku=sku)
        .order_by("id")
        .values_list("kind", "delta", "stock_after", "order_number")
    )


def test_placing_and_cancelling_record_moves_with_the_order_number(buyer):
    a, b = SkuFactory(stock=10), SkuFactory(stock=5)

    order = place(buyer, (b, 2), (a, 3))
    services.order_cancel(order_id=order.pk, buyer=buyer)

    assert moves(a) == [
        ("initial", 10, 10, ""),
        ("order", -3, 7, order.number),
        ("cancel", 3, 10, order.number),
    ]
    assert moves(b) == [
        ("initial", 5, 5, ""),
        ("order", -2, 3, order.number),
        ("cancel", 2, 5, order.number),
    ]
    assert StockMove.objects.get(sku=a, kind="cancel").reason == "买家取消"
    assert stock_differences() == []


def test_each_stock_change_bumps_the_version(buyer):
    sku = SkuFactory(stock=10)
    order = place(buyer, (sku, 1))
    sku.refresh_from_db()
    assert sku.stock_version == 1

    services.order_cancel(order_id=order.pk, buyer=buyer)

    sku.refresh_from_db()
    assert (sku.stock, sku.stock_version) == (10, 2)


def test_out_of_stock_leaves_no_move(buyer):
    plenty, scarce = SkuFactory(stock=10), SkuFactory(stock=1)

    with pytest.raises(OutOfStock):
        place(buyer, (plenty, 2), (scarce, 2))

    assert StockMove.objects.exclude(kind="initial").count() == 0
    assert stock_differences() == []


def test_a_refund_with_goods_returned_records_a_move_and_one_without_does_not(buyer, staff):
    sku = SkuFactory(price=Decimal("40.00"), stock=6)
    order = place(buyer, (sku, 4))
    pay(order)
    line = order.lines.get()

    def refund(quantity, return_stock):
        r = services.refund_request(
            order_id=order.pk,
            buyer=buyer,
            lines=[RefundLineRequest(line_id=line.pk, quantity=quantity)],
            reason="不想要了",
        )
        payments.refund_approve(refund_id=r.pk, staff=staff, return_stock=return_stock)
        return r

    returned = refund(1, True)
    refund(1, False)

    sku.refresh_from_db()
    assert sku.stock == 3
    assert moves(sku)[-1] == ("refund", 1, 3, order.number)
    assert StockMove.objects.get(sku=sku, kind="refund").reason == f"售后单 {returned.number}"
    assert StockMove.objects.filter(sku=sku, kind="refund").count() == 1
    assert stock_differences() == []


def test_the_history_adds_up_after_an_unpaid_order_times_out(buyer):
    sku = SkuFactory(stock=3)
    order = place(buyer, (sku, 3))

    services.orders_cancel_unpaid(now=order.pay_deadline)

    assert moves(sku)[-1] == ("cancel", 3, 3, order.number)
    assert StockMove.objects.get(sku=sku, kind="cancel").reason == "超时未支付"
    assert stock_differences() == []


def test_the_stock_history_costs_placement_one_query(buyer):
    """The reservation stays one conditional UPDATE per SKU, which returns the stock after;
    the history adds one INSERT of the moves, whatever the number of lines."""
    skus = [SkuFactory(stock=10) for _ in range(3)]

    with CaptureQueriesContext(connection) as placed:
        place(buyer, *[(s, 1) for s in skus])

    sql = [q["sql"] for q in placed.captured_queries]
    updates = [q for q in sql if q.startswith("UPDATE catalog_sku")]
    inserts = [q for q in sql if q.startswith('INSERT INTO "catalog_stockmove"')]
    stock_reads = [q for q in sql if q.startswith("SELECT") and 'AS "stock" FROM' in q]
    assert len(updates) == 3
    assert all("stock >=" in q and q.endswith("RETURNING stock") for q in updates)
    assert len(inserts) == 1 and stock_reads == []
    # the order, its lines, the SKUs read, the active promotions read (pricing), the products'
    # freight templates read, 3 reservations, the moves (+ the savepoint pair of the order's
    # transaction inside the test's)
    assert len(sql) <= 11
    after = StockMove.objects.filter(sku__in=skus, kind="order").values_list("stock_after")
    assert sorted(after) == [(9,), (9,), (9,)]


# idempotency (issue 7, defect 8)


def test_the_same_request_id_with_other_lines_is_a_conflict_in_the_service(buyer):
    sku = SkuFactory(stock=10)
    first, _ = services.order_place(
        buyer=buyer, lines=[LineRequest(sku.pk, 3)], address=ADDRESS, request_id="abc"
    )

    with pytest.raises(IdempotencyConflict):
        services.order_place(
            buyer=buyer, lines=[LineRequest(sku.pk, 4)], address=ADDRESS, request_id="abc"
        )

    again, created = services.order_place(
        buyer=buyer, lines=[LineRequest(sku.pk, 3)], address=dict(ADDRESS), request_id="abc"
    )
    assert (again.pk, created) == (first.pk, False)
    sku.refresh_from_db()
    assert sku.stock == 7


def test_an_order_kept_from_before_fingerprints_is_still_returned(buyer):
    sku = SkuFactory(stock=10)
    first, _ = services.order_place(
        buyer=buyer, lines=[LineRequest(sku.pk, 3)], address=ADDRESS, request_id="old"
    )
    type(first).objects.filter(pk=first.pk).update(request_fingerprint="")

    again, created = services.order_place(
        buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=ADDRESS, request_id="old"
    )

    assert (again.pk, created) == (first.pk, False)


def test_fingerprints_differ_per_content_not_per_buyer(buyer):
    sku = SkuFactory(stock=10)
    mine, _ = services.order_place(
        buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=ADDRESS, request_id="x"
    )
    theirs, _ = services.order_place(
        buyer=UserFactory(), lines=[LineRequest(sku.pk, 1)], address=ADDRESS, request_id="x"
    )
    other, _ = services.order_place(
        buyer=buyer, lines=[LineRequest(sku.pk, 2)], address=ADDRESS, request_id="y"
    )

    assert len(mine.request_fingerprint) == 64
    assert mine.request_fingerprint == theirs.request_fingerprint != other.request_fingerprint
