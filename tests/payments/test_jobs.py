"""Payments' periodic jobs: closing payments of cancelled orders, retrying failed refunds."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from fenxiao.cli import main as fenxiao
from fenxiao.orders.models import Refund
from fenxiao.orders.services import refund_mark_approved
from fenxiao.payments import providers
from fenxiao.payments.models import Payment, ProviderRefund
from fenxiao.payments.providers.sandbox import notification_body
from tests.conftest import ADDRESS

pytestmark = pytest.mark.django_db


def test_a_cancelled_orders_payment_is_closed_and_cannot_be_paid(buyer_api, sku):
    order = buyer_api.post(
        "/orders", {"lines": [{"sku_id": sku.pk, "quantity": 1}], "address": ADDRESS}
    ).json()
    payment_id = buyer_api.post(f"/orders/{order['id']}/pay", {}).json()["payment_id"]
    assert buyer_api.post(f"/orders/{order['id']}/cancel").status_code == 200

    assert fenxiao(["run-due"]) == 0

    assert Payment.objects.get(pk=payment_id).status == "closed"
    r = buyer_api.post(f"/payments/sandbox/{payment_id}/complete")
    assert r.status_code == 409 and r.json()["code"] == "order_not_payable"
    assert fenxiao(["reconcile"]) == 0


def test_a_refund_the_provider_failed_is_sent_again_and_completes(
    paid_order, buyer_api, staff, anon, sku
):
    line = paid_order["lines"][0]
    refund_id = buyer_api.post(
        f"/orders/{paid_order['id']}/refunds",
        {"lines": [{"line_id": line["id"], "quantity": 1}], "reason": "坏了"},
    ).json()["id"]
    refund = refund_mark_approved(refund_id=refund_id, staff=staff)
    payment = Payment.objects.get(order_id=paid_order["id"])
    provider_refund = ProviderRefund.objects.create(
        refund=refund, payment=payment, out_refund_no=refund.number, amount=refund.amount
    )
    # WeChat answers the refund with REFUND.ABNORMAL (e.g. the buyer's card was closed)
    sandbox = providers.get("sandbox")
    body = notification_body(
        event_type="REFUND.ABNORMAL",
        original_type="refund",
        summary="退款异常",
        apiv3_key=sandbox.keys.apiv3_key,
        resource={
            "mchid": sandbox.mchid,
            "out_trade_no": payment.out_trade_no,
            "out_refund_no": refund.number,
            "refund_status": "ABNORMAL",
            "amount": {"refund": 29990, "total": 59980},
        },
    )
    r = anon.client.post(
        "/api/v1/payments/notify/sandbox",
        body,
        content_type="application/json",
        headers=sandbox.signed(body),
    )
    assert r.status_code == 204, r.content
    provider_refund.refresh_from_db()
    assert provider_refund.status == "failed"
    assert Refund.objects.get(pk=refund_id).status == "approved"
    sku.refresh_from_db()
    assert sku.stock == 8  # nothing returned yet

    assert fenxiao(["run-due"]) == 0

    assert Refund.objects.get(pk=refund_id).status == "refunded"
    provider_refund.refresh_from_db()
    assert provider_refund.status == "success"
    sku.refresh_from_db()
    assert sku.stock == 9
    assert (
        json.loads(buyer_api.get(f"/orders/{paid_order['id']}").content)["refunded_amount"]
        == "299.90"
    )
    assert fenxiao(["reconcile"]) == 0


def test_a_refund_approved_but_never_sent_is_sent_by_the_retry_job(
    paid_order, buyer_api, staff, sku
):
    # given a refund approved, the process killed before it asked the provider: no provider
    # refund exists (the state the approval's own transaction leaves)
    line = paid_order["lines"][0]
    refund_id = buyer_api.post(
        f"/orders/{paid_order['id']}/refunds",
        {"lines": [{"line_id": line["id"], "quantity": 1}], "reason": "坏了"},
    ).json()["id"]
    refund_mark_approved(refund_id=refund_id, staff=staff)
    assert not ProviderRefund.objects.exists()

    # when the periodic jobs run now, the refund may still be on its way: left alone
    assert fenxiao(["run-due"]) == 0
    assert not ProviderRefund.objects.exists()

    # when they run after REFUND_RETRY_AFTER
    later = timezone.now() + settings.REFUND_RETRY_AFTER + timedelta(minutes=1)
    assert fenxiao(["run-due", "--at", later.isoformat()]) == 0

    # then the money went back, once
    assert Refund.objects.get(pk=refund_id).status == "refunded"
    assert ProviderRefund.objects.get().status == "success"
    sku.refresh_from_db()
    assert sku.stock == 9
    assert fenxiao(["reconcile"]) == 0
