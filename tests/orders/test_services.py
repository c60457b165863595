"""Order and refund services: periodic jobs as of a moment, guards, and refund arithmetic."""

import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fenxiao import cli
from fenxiao.catalog.models import Product
from fenxiao.orders import services
from fenxiao.orders.errors import InvalidOrder, OrderNotFound, OrderStateError, OutOfStock
from fenxiao.orders.models import Order, OrderLine, Refund
from fenxiao.orders.numbers import insert_numbered
from fenxiao.orders.services.orders import LineRequest
from fenxiao.orders.services.refunds import RefundLineRequest
from fenxiao.payments import providers
from fenxiao.payments import services as payments
from fenxiao.payments.selectors import reconciliation_differences
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.conftest import ADDRESS

pytestmark = pytest.mark.django_db


def place(buyer, *lines, now=None, request_id=None) -> Order:
    order, created = services.order_place(
        buyer=buyer,
        lines=[LineRequest(sku_id=sku.pk, quantity=q) for sku, q in lines],
        address=dict(ADDRESS),
        request_id=request_id,
        now=now,
    )
    assert created
    return order


def pay(order: Order) -> None:
    """Pay through the sandbox: the payment service, a signed notification, the handler."""
    payment, _ = payments.payment_start(order_id=order.pk, buyer=order.buyer)
    headers, body = providers.get("sandbox").payment_notification(
        out_trade_no=payment.out_trade_no, amount_cents=int(payment.amount * 100)
    )
    payments.notification_handle(provider_name="sandbox", headers=headers, body=body)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def run_due(at, capsys) -> str:
    """`fenxiao run-due --at <ISO>`, in process; returns what it printed."""
    assert cli.main(["run-due", "--at", at.isoformat()]) == 0
    return capsys.readouterr().out


def stock_of(sku) -> int:
    sku.refresh_from_db()
    return sku.stock


# placing, guarded in the service too (not only by the API schema)


@pytest.mark.parametrize("quantity", [0, -1, 1000])
def test_the_service_refuses_quantities_out_of_bounds(buyer, sku, quantity):
    with pytest.raises(InvalidOrder):
        services.order_place(
            buyer=buyer, lines=[LineRequest(sku_id=sku.pk, quantity=quantity)], address=ADDRESS
        )
    assert Order.objects.count() == 0 and stock_of(sku) == 10


def test_the_service_refuses_empty_and_oversized_orders(buyer, sku):
    with pytest.raises(InvalidOrder):
        services.order_place(buyer=buyer, lines=[], address=ADDRESS)
    with pytest.raises(InvalidOrder):
        services.order_place(
            buyer=buyer, lines=[LineRequest(sku_id=sku.pk, quantity=1)] * 51, address=ADDRESS
        )
    with pytest.raises(InvalidOrder):  # 600 + 600 of one sku is more than 999
        services.order_place(
            buyer=buyer, lines=[LineRequest(sku_id=sku.pk, quantity=600)] * 2, address=ADDRESS
        )
    assert Order.objects.count() == 0 and stock_of(sku) == 10


def test_out_of_stock_rolls_back_the_whole_order(buyer, sku):
    scarce = SkuFactory(stock=2)
    with pytest.raises(OutOfStock):
        place(buyer, (sku, 4), (scarce, 3))
    assert Order.objects.count() == 0 and OrderLine.objects.count() == 0
    assert (stock_of(sku), stock_of(scarce)) == (10, 2)


def test_a_taken_order_number_is_drawn_again_and_the_order_placed(buyer, sku, monkeypatch):
    # the numbers' randomness is the system's (secrets), so the draws are set there: the second
    # order of the same second first draws the first one's digits
    draws = iter([7, 7, 8])
    monkeypatch.setattr(secrets, "randbelow", lambda _: next(draws))
    now = timezone.now()
    first = place(buyer, (sku, 1), now=now)
    second = place(buyer, (sku, 2), now=now)

    assert first.number.endswith("00000007") and second.number.endswith("00000008")
    assert first.number[:14] == second.number[:14]
    assert next(draws, None) is None
    assert list(Order.objects.order_by("pk").values_list("number", flat=True)) == [
        first.number,
        second.number,
    ]
    assert sku.stock - stock_of(sku) == 3
    assert [line.quantity for line in second.lines.all()] == [2]


def test_a_refund_under_a_taken_number_draws_again(buyer, sku, monkeypatch):
    order = place(buyer, (sku, 1))
    draws = iter([5, 5, 6])
    monkeypatch.setattr(secrets, "randbelow", lambda _: next(draws))
    now = timezone.now()
    first, second = (
        insert_numbered(Refund(order=order, reason="退", amount=Decimal(0)), "R", now=now)
        for _ in range(2)
    )

    assert (first.number[-8:], second.number[-8:]) == ("00000005", "00000006")
    assert first.number.startswith("R") and first.number[:15] == second.number[:15]
    assert next(draws, None) is None
    assert set(Refund.objects.values_list("number", flat=True)) == {first.number, second.number}


def test_idempotent_placement_in_the_service(buyer, sku):
    first, created = services.order_place(
        buyer=buyer, lines=[LineRequest(sku.pk, 3)], address=ADDRESS, request_id="abc"
    )
    again, created_again = services.order_place(
        buyer=buyer, lines=[LineRequest(sku.pk, 3)], address=ADDRESS, request_id="abc"
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert stock_of(sku) == 7


def test_cancel_checks_the_buyer(buyer, sku):
    order = place(buyer, (sku, 2))
    with pytest.raises(OrderNotFound):
        services.order_cancel(order_id=order.pk, buyer=UserFactory())
    assert stock_of(sku) == 8
    services.order_cancel(order_id=order.pk, buyer=buyer)
    assert stock_of(sku) == 10


# periodic jobs: run-due as of a moment


def test_run_due_cancels_unpaid_orders_after_30_minutes_and_releases_stock(buyer, sku, capsys):
    # given an order of 2 and one of 1 from a second sku, both unpaid
    other = SkuFactory(stock=5)
    placed_at = timezone.now()
    order = place(buyer, (sku, 2), (other, 1), now=placed_at)
    assert (stock_of(sku), stock_of(other)) == (8, 4)
    # when 29 minutes have passed, nothing happens
    out = run_due(placed_at + timedelta(minutes=29), capsys)
    assert "cancel-unpaid-orders: 0" in out
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    # when 30 minutes have passed, it is cancelled and the stock is back
    out = run_due(placed_at + timedelta(minutes=30, seconds=1), capsys)
    assert "cancel-unpaid-orders: 1" in out
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.cancel_reason == "超时未支付"
    assert (stock_of(sku), stock_of(other)) == (10, 5)
    # and running again changes nothing (stock not returned twice)
    assert "cancel-unpaid-orders: 0" in run_due(placed_at + timedelta(hours=2), capsys)
    assert (stock_of(sku), stock_of(other)) == (10, 5)


def test_run_due_accepts_a_time_without_zone_as_shop_time(buyer, sku, capsys):
    placed_at = timezone.localtime()
    order = place(buyer, (sku, 1), now=placed_at)
    naive = (placed_at + timedelta(minutes=31)).replace(tzinfo=None)
    assert cli.main(["run-due", "--at", naive.isoformat()]) == 0
    assert "cancel-unpaid-orders: 1" in capsys.readouterr().out
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_run_due_leaves_paid_orders_alone(buyer, sku, capsys):
    placed_at = timezone.now()
    order = place(buyer, (sku, 2), now=placed_at)
    pay(order)
    run_due(placed_at + timedelta(hours=1), capsys)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert stock_of(sku) == 8


def test_run_due_confirms_receipt_ten_days_after_shipping(buyer, sku, capsys):
    order = place(buyer, (sku, 1))
    pay(order)
    shipped_at = timezone.now()
    services.order_ship(order_id=order.pk, carrier="中通", tracking_no="ZT1", now=shipped_at)
    # 9 days and 23 hours later the buyer still has time
    out = run_due(shipped_at + timedelta(days=9, hours=23), capsys)
    assert "auto-confirm-orders: 0" in out
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    # after 10 days it is completed, as of that moment
    at = shipped_at + timedelta(days=10, minutes=1)
    assert "auto-confirm-orders: 1" in run_due(at, capsys)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert order.completed_at == at
    assert "auto-confirm-orders: 0" in run_due(at + timedelta(days=1), capsys)


def test_auto_confirm_ignores_orders_not_shipped(buyer, sku):
    order = place(buyer, (sku, 1))
    pay(order)
    assert services.orders_auto_confirm(now=timezone.now() + timedelta(days=30)) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_confirmed_order_is_not_confirmed_again_by_the_job(buyer, sku):
    order = place(buyer, (sku, 1))
    pay(order)
    services.order_ship(order_id=order.pk, carrier="中通", tracking_no="ZT1")
    done = services.order_confirm(order_id=order.pk, buyer=buyer)
    assert services.orders_auto_confirm(now=timezone.now() + timedelta(days=11)) == 0
    order.refresh_from_db()
    assert order.completed_at == done.completed_at


# life-cycle guards


def test_ship_and_confirm_guards(buyer, sku):
    order = place(buyer, (sku, 1))
    with pytest.raises(OrderStateError):
        services.order_ship(order_id=order.pk, carrier="中通", tracking_no="1")
    with pytest.raises(OrderStateError):
        services.order_confirm(order_id=order.pk, buyer=buyer)
    pay(order)
    services.order_ship(order_id=order.pk, carrier="中通", tracking_no="1")
    with pytest.raises(OrderStateError):
        services.order_ship(order_id=order.pk, carrier="中通", tracking_no="2")
    with pytest.raises(OrderNotFound):
        services.order_confirm(order_id=order.pk, buyer=UserFactory())
    with pytest.raises(OrderStateError):
        services.order_cancel(order_id=order.pk, buyer=buyer)
    order.refresh_from_db()
    assert (order.status, order.tracking_no) == (Order.Status.SHIPPED, "1")


def test_paying_counts_sales_once_and_refunds_take_them_back(buyer, sku):
    order = place(buyer, (sku, 3))
    pay(order)
    assert Product.objects.get(pk=sku.product_id).sales == 3
    line = order.lines.get()
    refund = services.refund_request(
        order_id=order.pk, buyer=buyer, lines=[RefundLineRequest(line.pk, 2)], reason="坏了"
    )
    payments.refund_approve(refund_id=refund.pk, staff=None)
    assert Product.objects.get(pk=sku.product_id).sales == 1
    assert stock_of(sku) == 9


# refund arithmetic: pro rata, and the cents always add up


def discount_line(order: Order, amount: Decimal) -> OrderLine:
    """Give the order's only line a discount so that it paid `amount`, as a coupon would."""
    line = order.lines.get()
    discount = line.unit_price * line.quantity - amount
    OrderLine.objects.filter(pk=line.pk).update(amount=amount, discount=discount)
    Order.objects.filter(pk=order.pk).update(discount_amount=discount, total=amount)
    order.refresh_from_db()
    line.refresh_from_db()
    return line


def test_pro_rata_refunds_of_an_uneven_line_add_up_to_the_cent(buyer, staff):
    # given 3 units for which the buyer paid ¥100.00 in all
    sku = SkuFactory(price=Decimal("40.00"), stock=3)
    order = place(buyer, (sku, 3))
    line = discount_line(order, Decimal("100.00"))
    pay(order)
    # when they are refunded one by one
    amounts = []
    for _ in range(3):
        refund = services.refund_request(
            order_id=order.pk, buyer=buyer, lines=[RefundLineRequest(line.pk, 1)], reason="退"
        )
        amounts.append(refund.amount)
        payments.refund_approve(refund_id=refund.pk, staff=staff)
    # then each takes its share truncated to the fen and the last one the remainder
    assert amounts == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    order.refresh_from_db()
    line.refresh_from_db()
    assert line.refunded_amount == line.amount == sum(amounts)
    assert order.status == Order.Status.REFUNDED
    assert order.refunded_amount == order.total
    assert reconciliation_differences() == []


def test_a_rejected_request_gives_its_units_and_cents_back(buyer, staff):
    sku = SkuFactory(price=Decimal("40.00"), stock=3)
    order = place(buyer, (sku, 3))
    line = discount_line(order, Decimal("100.00"))
    pay(order)
    first = services.refund_request(
        order_id=order.pk, buyer=buyer, lines=[RefundLineRequest(line.pk, 2)], reason="退"
    )
    assert first.amount == Decimal("66.66")
    services.refund_reject(refund_id=first.pk, staff=staff, reason="不符合售后条件")
    everything = services.refund_request(
        order_id=order.pk, buyer=buyer, lines=[RefundLineRequest(line.pk, 3)], reason="全退"
    )
    assert everything.amount == Decimal("100.00")
    assert Refund.objects.get(pk=first.pk).status == Refund.Status.REJECTED


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    paid_fen=st.integers(min_value=1, max_value=10_000_000),
    quantity=st.integers(min_value=1, max_value=9),
    data=st.data(),
)
def test_any_split_of_a_line_refunds_exactly_what_it_paid(buyer, staff, paid_fen, quantity, data):
    # given a line of `quantity` units that paid `paid` in all (any number of fen)
    paid = Decimal(paid_fen) / 100
    unit = (Decimal(paid_fen // quantity + 1) / 100).quantize(Decimal("0.01"))
    sku = SkuFactory(price=unit, stock=quantity)
    order = place(buyer, (sku, quantity))
    line = discount_line(order, paid)
    pay(order)
    # when it is refunded in random parts
    parts = []
    left = quantity
    while left:
        part = data.draw(st.integers(min_value=1, max_value=left), label="part")
        parts.append(part)
        left -= part
    amounts = []
    for part in parts:
        refund = services.refund_request(
            order_id=order.pk, buyer=buyer, lines=[RefundLineRequest(line.pk, part)], reason="退"
        )
        # each part is its pro rata share truncated to the fen, the last one the remainder
        share = paid * part / quantity
        assert Decimal(0) <= refund.amount <= paid
        assert abs(refund.amount - share) < Decimal("0.01") * quantity
        amounts.append(refund.amount)
        payments.refund_approve(refund_id=refund.pk, staff=staff, return_stock=False)
    # then the parts add up to the cent and the order is fully refunded
    assert sum(amounts) == paid
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.refunded_amount == order.total == paid
    assert reconciliation_differences() == []


@pytest.mark.postgres
def test_an_order_number_has_one_index_its_unique_constraint(db):
    # Django adds a LIKE 'prefix%' index beside a unique text column; nothing asks that of an
    # order number, and every order wrote it twice (placed, then paid)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'orders_order'"
            " AND indexdef LIKE '%%(number%%'"
        )
        indexes = [row[0] for row in cursor.fetchall()]
    assert indexes == ["orders_order_number_key"]
    plan = Order.objects.filter(number="2026120100000000000001").explain()
    assert "orders_order_number_key" in plan
