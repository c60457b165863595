"""Races with real threads on PostgreSQL: overselling, double payment, double refund.

Each test asserts the invariant afterwards (units sold, payments, refunds, reconciliation),
not only that nothing crashed. Skipped on SQLite, which serialises writers anyway.
"""

from collections import Counter

import pytest
from django.test import Client

from fenxiao import cli
from fenxiao.accounts.services import staff_create, token_issue
from fenxiao.catalog.models import Product
from fenxiao.orders.models import Order, OrderLine, Refund
from fenxiao.payments import providers
from fenxiao.payments.models import Payment, PaymentNotification, ProviderRefund
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.concurrency import race
from tests.conftest import ADDRESS, Api
from tests.orders.flows import pay, place, request_refund, start_payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOTIFY = "/api/v1/payments/notify/sandbox"


def assert_reconciled(capsys) -> None:
    capsys.readouterr()
    assert cli.main(["reconcile"]) == 0, capsys.readouterr().out


def answer(r) -> tuple[int, str | None]:
    return r.status_code, (r.json().get("code") if r.content else None)


def test_fifty_buyers_racing_for_ten_units_buy_exactly_ten(make_api, sku, capsys):
    # given 50 buyers and a sku with 10 units
    buyers = [make_api(UserFactory()) for _ in range(50)]

    # when they all order one unit at the same moment
    def buy(i):
        return answer(
            buyers[i].post(
                "/orders", {"lines": [{"sku_id": sku.pk, "quantity": 1}], "address": ADDRESS}
            )
        )

    results = Counter(race(50, buy))
    # then exactly 10 succeed and the rest are told it is sold out
    assert results == {(201, None): 10, (409, "out_of_stock"): 40}
    sku.refresh_from_db()
    assert sku.stock == 0
    assert Order.objects.count() == 10
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 10
    assert Order.objects.values("buyer").distinct().count() == 10
    assert_reconciled(capsys)


def test_buyers_of_several_units_never_oversell(make_api, sku, capsys):
    buyers = [make_api(UserFactory()) for _ in range(20)]

    def buy(i):
        return answer(
            buyers[i].post(
                "/orders", {"lines": [{"sku_id": sku.pk, "quantity": 3}], "address": ADDRESS}
            )
        )

    results = Counter(race(20, buy))
    assert results == {(201, None): 3, (409, "out_of_stock"): 17}
    sku.refresh_from_db()
    assert sku.stock == 1  # 10 - 3 × 3, never below zero
    assert_reconciled(capsys)


def test_orders_of_two_skus_in_opposite_order_do_not_deadlock(make_api, capsys):
    # given two skus of 10 units, and buyers who list them in opposite orders
    a, b = SkuFactory(stock=10), SkuFactory(stock=10)
    buyers = [make_api(UserFactory()) for _ in range(30)]

    def buy(i):
        first, second = (a, b) if i % 2 else (b, a)
        lines = [{"sku_id": first.pk, "quantity": 1}, {"sku_id": second.pk, "quantity": 1}]
        return answer(buyers[i].post("/orders", {"lines": lines, "address": ADDRESS}))

    results = Counter(race(30, buy))
    # then no request fails for any other reason than the stock running out
    assert results == {(201, None): 10, (409, "out_of_stock"): 20}
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.stock, b.stock) == (0, 0)
    assert_reconciled(capsys)


def test_one_request_id_sent_ten_times_at_once_makes_one_order(buyer_api, sku, capsys):
    body = {"lines": [{"sku_id": sku.pk, "quantity": 2}], "address": ADDRESS, "request_id": "r"}
    apis = [Api(buyer_api.token) for _ in range(10)]
    results = race(10, lambda i: apis[i].post("/orders", body))
    assert sorted(r.status_code for r in results) == [200] * 9 + [201]
    assert len({r.json()["id"] for r in results}) == 1
    assert Order.objects.count() == 1
    sku.refresh_from_db()
    assert sku.stock == 8
    assert_reconciled(capsys)


def test_one_notification_delivered_twenty_times_at_once_pays_once(buyer_api, sku, capsys):
    # given an unpaid order of 2 and the one genuine notification of its payment
    order = place(buyer_api, sku, 2)
    payment = start_payment(buyer_api, order["id"])
    headers, body = providers.get("sandbox").payment_notification(
        out_trade_no=payment["out_trade_no"], amount_cents=59980
    )

    # when WeChat delivers it 20 times at once
    def deliver(i):
        return answer(Client().post(NOTIFY, body, content_type="application/json", headers=headers))

    results = Counter(race(20, deliver))
    # then one delivery pays the order; the others are taken as redeliveries, with no effect
    assert results == {(204, None): 20}
    assert Order.objects.get(pk=order["id"]).status == Order.Status.PAID
    assert Payment.objects.filter(order_id=order["id"], status="paid").count() == 1
    assert PaymentNotification.objects.count() == 1
    assert Product.objects.get(pk=sku.product_id).sales == 2  # counted once
    assert_reconciled(capsys)


def test_twenty_different_notifications_of_one_payment_pay_once(buyer_api, sku, capsys):
    order = place(buyer_api, sku, 2)
    payment = start_payment(buyer_api, order["id"])
    sandbox = providers.get("sandbox")
    notices = [
        sandbox.payment_notification(out_trade_no=payment["out_trade_no"], amount_cents=59980)
        for _ in range(20)
    ]

    def deliver(i):
        headers, body = notices[i]
        return answer(Client().post(NOTIFY, body, content_type="application/json", headers=headers))

    assert Counter(race(20, deliver)) == {(204, None): 20}
    paid = Payment.objects.get(pk=payment["payment_id"])
    assert paid.status == Payment.Status.PAID
    assert Order.objects.get(pk=order["id"]).status == Order.Status.PAID
    assert Product.objects.get(pk=sku.product_id).sales == 2
    assert PaymentNotification.objects.count() == 20
    assert_reconciled(capsys)


def test_two_staff_approving_the_same_refund_at_once_refund_once(buyer_api, capsys):
    # given two staff members and 20 paid orders, each with one unit asked back
    reviewers = [
        staff_create(phone="13800000001", password="staff-pass-123"),
        staff_create(phone="13800000002", password="staff-pass-123", role="service"),
    ]
    tokens = [token_issue(user=u) for u in reviewers]
    sku = SkuFactory(stock=40)
    refunds = []
    for _ in range(20):  # many rounds: the deadlock this once had needed an unlucky moment
        order = place(buyer_api, sku, 2)
        pay(buyer_api, order["id"])
        order = buyer_api.get(f"/orders/{order['id']}").json()
        refunds.append((order["id"], request_refund(buyer_api, order, [1])["id"]))
    sku.refresh_from_db()
    assert sku.stock == 0

    for order_id, refund_id in refunds:
        # when both approve it at the same moment
        def review(i, refund_id=refund_id):
            return answer(
                Client().post(
                    f"/api/v1/admin/refunds/{refund_id}/approve",
                    {},
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {tokens[i]}"},
                )
            )

        results = Counter(race(2, review))
        # then one refunds it and the other is told it is already decided
        assert results == {(200, None): 1, (409, "invalid_refund_state"): 1}, results
        assert Refund.objects.get(pk=refund_id).status == Refund.Status.REFUNDED
        assert ProviderRefund.objects.filter(refund_id=refund_id).count() == 1
        assert str(Order.objects.get(pk=order_id).refunded_amount) == "299.90"
    sku.refresh_from_db()
    assert sku.stock == 20  # one unit back per refund, not two
    assert Product.objects.get(pk=sku.product_id).sales == 20
    assert_reconciled(capsys)


def test_a_buyer_cancelling_while_the_payment_arrives_ends_consistent(buyer_api, sku, capsys):
    # given unpaid orders whose payments are confirmed while the buyer cancels them
    sandbox = providers.get("sandbox")
    outcomes = []
    for _ in range(10):
        order = place(buyer_api, sku, 1)
        payment = start_payment(buyer_api, order["id"])
        headers, body = sandbox.payment_notification(
            out_trade_no=payment["out_trade_no"], amount_cents=29990
        )
        canceller = Api(buyer_api.token)

        def act(i, order_id=order["id"], headers=headers, body=body, canceller=canceller):
            if i == 0:
                return canceller.post(f"/orders/{order_id}/cancel").status_code
            return (
                Client()
                .post(NOTIFY, body, content_type="application/json", headers=headers)
                .status_code
            )

        cancel_status, notify_status = race(2, act)
        # then the notification is always taken, and either the payment or the cancel won
        assert notify_status == 204
        final = Order.objects.get(pk=order["id"])
        if cancel_status == 200:
            assert final.status == Order.Status.REFUNDED
            assert final.refunded_amount == final.total
        else:
            assert cancel_status == 409
            assert final.status == Order.Status.PAID
        outcomes.append(final.status)
    sku.refresh_from_db()
    assert sku.stock == 10 - outcomes.count(Order.Status.PAID)
    assert Product.objects.get(pk=sku.product_id).sales == outcomes.count(Order.Status.PAID)
    assert_reconciled(capsys)
