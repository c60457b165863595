"""Payment services: when an order may be paid, and a reconciliation that does notice."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fenxiao import cli
from fenxiao.orders.models import Order
from fenxiao.orders.services import order_place
from fenxiao.orders.services.orders import LineRequest
from fenxiao.payments import services
from fenxiao.payments.errors import OrderNotPayable
from fenxiao.payments.models import Payment
from fenxiao.payments.selectors import reconciliation_differences
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
