"""Payment services: when an order may be paid, and a reconciliation that does notice."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fenxiao import cli
from fenxiao.errors import NotFound
from fenxiao.orders.models import Order
from fenxiao.orders.services import order_cancel, order_place
from fenxiao.orders.services.orders import LineRequest
from fenxiao.payments import providers, services
from fenxiao.payments.errors import OrderNotPayable, PaymentNotFound
from fenxiao.payments.models import Payment, PaymentNotification, ProviderRefund
from fenxiao.payments.selectors import reconciliation_differences
from tests.accounts.factories import UserFactory
from tests.conftest import ADDRESS
from tests.orders.flows import approve, pay, place, request_refund

pytestmark = pytest.mark.django_db


def test_an_order_past_its_pay_deadline_cannot_start_paying(buyer, sku):
    placed_at = timezone.now()
    order, _ = order_place(
        buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=ADDRESS, now=placed_at
    )
    payment, _ = services.payment_start(
        order_id=order.pk, buyer=buyer, now=placed_at + timedelta(minutes=29)
    )
    with pytest.raises(OrderNotPayable):
        services.payment_start(
            order_id=order.pk, buyer=buyer, now=placed_at + timedelta(minutes=30)
        )
    assert Payment.objects.get().pk == payment.pk
    assert payment.amount == Decimal("299.90")


def test_reconcile_reports_what_does_not_add_up(buyer_api, staff_api, sku, capsys):
    # given a paid order with a partial refund: everything agrees
    order = place(buyer_api, sku, 2)
    pay(buyer_api, order["id"])
    order = buyer_api.get(f"/orders/{order['id']}").json()
    approve(staff_api, request_refund(buyer_api, order, [1])["id"])
    assert reconciliation_differences() == []
    assert cli.main(["reconcile"]) == 0
    # when the books are damaged behind the services' back
    Order.objects.filter(pk=order["id"]).update(refunded_amount=Decimal("1.00"))
    # then reconcile says so and exits 1
    capsys.readouterr()
    assert cli.main(["reconcile"]) == 1
    out = capsys.readouterr().out
    assert order["number"] in out
    assert "1 difference" in out


def test_reconcile_names_each_kind_of_difference_in_a_few_queries(
    buyer_api, staff_api, sku, django_assert_max_num_queries
):
    # given three paid orders, one partly refunded: everything agrees
    orders = [place(buyer_api, sku, 2) for _ in range(3)]
    for order in orders:
        pay(buyer_api, order["id"])
    first = buyer_api.get(f"/orders/{orders[0]['id']}").json()
    approve(staff_api, request_refund(buyer_api, first, [1])["id"])
    assert reconciliation_differences() == []

    # when each is damaged a different way behind the services' back
    Order.objects.filter(pk=orders[0]["id"]).update(refunded_amount=Decimal("1.00"))
    second = Payment.objects.get(order_id=orders[1]["id"])
    Payment.objects.filter(pk=second.pk).update(amount=Decimal("1.00"))
    third = Payment.objects.get(order_id=orders[2]["id"])
    Payment.objects.create(
        order_id=third.order_id,
        provider="sandbox",
        out_trade_no=third.out_trade_no + "X",
        amount=third.amount,
        status=Payment.Status.PAID,
        transaction_id="T-again",
    )

    # then each is named, in a bounded number of queries whatever the number of orders
    with django_assert_max_num_queries(4):
        problems = reconciliation_differences()
    assert problems == [
        f"payment {second.out_trade_no}: amount 1.00 != order total 599.80",
        f"order {orders[0]['number']}: refunded 1.00 but provider refunds total 299.90",
        f"order {orders[2]['number']}: 2 paid payments, expected 1",
    ]


def test_a_notification_handled_twice_says_it_was_a_redelivery(buyer, sku):
    order, _ = order_place(buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=ADDRESS)
    payment, _ = services.payment_start(order_id=order.pk, buyer=buyer)
    headers, body = providers.get("sandbox").payment_notification(
        out_trade_no=payment.out_trade_no, amount_cents=29990
    )
    first = services.notification_handle(provider_name="sandbox", headers=headers, body=body)
    again = services.notification_handle(provider_name="sandbox", headers=headers, body=body)
    assert (first.redelivered, again.redelivered) == (False, True)
    assert first.notification == again.notification
    assert PaymentNotification.objects.count() == 1


def test_sandbox_payment_complete_pays_only_the_buyers_own_created_payment(buyer, sku):
    order, _ = order_place(buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=ADDRESS)
    started, _ = services.payment_start(order_id=order.pk, buyer=buyer)
    # someone else's payment, or one that does not exist, is not found
    for payment_id, who in ((started.pk, UserFactory()), (started.pk + 1, buyer)):
        with pytest.raises(PaymentNotFound):
            services.sandbox_payment_complete(payment_id=payment_id, buyer=who)
    # the buyer's own is paid through the sandbox's signed notification
    payment, headers, body = services.sandbox_payment_complete(payment_id=started.pk, buyer=buyer)
    assert (payment.status, payment.order.status) == (Payment.Status.PAID, Order.Status.PAID)
    assert json.loads(body)["event_type"] == "TRANSACTION.SUCCESS"
    assert headers["Wechatpay-Serial"] == providers.get("sandbox").keys.serial
    # and cannot be completed twice
    with pytest.raises(OrderNotPayable):
        services.sandbox_payment_complete(payment_id=started.pk, buyer=buyer)
    assert PaymentNotification.objects.count() == 1


def test_sandbox_payment_complete_needs_the_sandbox_enabled(buyer, sku, settings):
    order, _ = order_place(buyer=buyer, lines=[LineRequest(sku.pk, 1)], address=ADDRESS)
    started, _ = services.payment_start(order_id=order.pk, buyer=buyer)
    settings.PAYMENT_PROVIDERS = ["wechat"]
    with pytest.raises(NotFound):
        services.sandbox_payment_complete(payment_id=started.pk, buyer=buyer)
    assert Payment.objects.get(pk=started.pk).status == Payment.Status.CREATED


@pytest.mark.django_db(transaction=True)
def test_a_payment_for_a_cancelled_order_is_refunded_once_it_is_committed(buyer, sku):
    """No test transaction around this one: the refund is sent by a real on_commit."""
    # given an order the buyer cancelled after starting to pay
    order, _ = order_place(buyer=buyer, lines=[LineRequest(sku.pk, 2)], address=ADDRESS)
    payment, _ = services.payment_start(order_id=order.pk, buyer=buyer)
    order_cancel(order_id=order.pk, buyer=buyer)
    headers, body = providers.get("sandbox").payment_notification(
        out_trade_no=payment.out_trade_no, amount_cents=59980
    )
    # when the payment is confirmed
    services.notification_handle(provider_name="sandbox", headers=headers, body=body)
    # then the money has gone back by the time the handler returns
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert order.refunded_amount == Decimal("599.80")
    assert ProviderRefund.objects.get().status == ProviderRefund.Status.SUCCESS
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
    # and a redelivery sends no second refund
    again = services.notification_handle(provider_name="sandbox", headers=headers, body=body)
    assert again.redelivered
    assert ProviderRefund.objects.count() == 1
    assert reconciliation_differences() == []
