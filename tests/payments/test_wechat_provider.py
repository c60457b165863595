"""The real WeChat Pay provider, over real HTTP to a local stub of WeChat Pay v3: signed
requests, verified answers, and notifications signed with the platform key."""

import json
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.cli import main as fenxiao
from fenxiao.orders.models import Order, Refund
from fenxiao.payments import providers, services
from fenxiao.payments.models import Payment, ProviderRefund
from fenxiao.payments.providers.sandbox import notification_body, sign_notification
from tests.accounts.factories import UserFactory
from tests.conftest import ADDRESS
from tests.payments.wechat_stub import (
    new_key,
    stub_configured,
    verify,
)

pytestmark = pytest.mark.django_db

MCHID, APPID, APIV3_KEY, KEY_ID = "1230000109", "wxd678efh567hg6787", "a" * 32, "PUB_KEY_ID_01"


@pytest.fixture
def wechat(settings, tmp_path):
    stub = stub_configured(
        settings, tmp_path, mchid=MCHID, appid=APPID, apiv3_key=APIV3_KEY, key_id=KEY_ID
    )
    settings.PAYMENT_PROVIDERS = ["wechat", "sandbox"]
    providers.reset()
    yield stub
    stub.stop()
    providers.reset()


def notify(client, stub, event: str, original: str, resource: dict, key=None):
    body = notification_body(
        event_type=event,
        original_type=original,
        summary="",
        resource={"mchid": MCHID, **resource},
        apiv3_key=APIV3_KEY,
    )
    headers = sign_notification(private_key=key or stub.platform, serial=KEY_ID, body=body)
    return client.post(
        "/api/v1/payments/notify/wechat", body, content_type="application/json", headers=headers
    )


@pytest.fixture
def mini_buyer(make_api):
    user = UserFactory(openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    return user, make_api(user)


def place(api, sku, quantity=1):
    r = api.post(
        "/orders", {"lines": [{"sku_id": sku.pk, "quantity": quantity}], "address": ADDRESS}
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_pay_refund_and_notifications_through_wechat(wechat, mini_buyer, sku, staff_api, anon):
    user, api = mini_buyer
    order = place(api, sku, 2)

    r = api.post(f"/orders/{order['id']}/pay", {"provider": "wechat"})
    assert r.status_code == 200, r.content
    params = r.json()["params"]
    jsapi = wechat.requests[-1]
    assert jsapi["path"] == "/v3/pay/transactions/jsapi" and jsapi["signature_ok"]
    assert jsapi["body"]["amount"]["total"] == 59980
    assert jsapi["body"]["payer"]["openid"] == user.openid
    assert jsapi["body"]["out_trade_no"] == order["number"]
    # the mini-program's wx.requestPayment parameters are signed with the merchant key
    signed = f"{APPID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    assert verify(wechat.merchant.public_key(), signed, params["paySign"])

    r = notify(
        anon.client,
        wechat,
        "TRANSACTION.SUCCESS",
        "transaction",
        {
            "out_trade_no": order["number"],
            "transaction_id": "4200000001",
            "trade_state": "SUCCESS",
            "amount": {"total": 59980, "currency": "CNY"},
            "payer": {"openid": user.openid},
        },
    )
    assert r.status_code == 204, r.content
    assert Order.objects.get(pk=order["id"]).status == "paid"

    line = order["lines"][0]
    refund_id = api.post(
        f"/orders/{order['id']}/refunds",
        {"lines": [{"line_id": line["id"], "quantity": 1}], "reason": "买多了"},
    ).json()["id"]
    r = staff_api.post(f"/admin/refunds/{refund_id}/approve", {})
    assert r.status_code == 200 and r.json()["status"] == "approved"  # WeChat answers later
    call = wechat.requests[-1]
    assert call["path"] == "/v3/refund/domestic/refunds" and call["signature_ok"]
    assert call["body"]["amount"] == {"refund": 29990, "total": 59980, "currency": "CNY"}
    assert call["body"]["transaction_id"] == "4200000001"

    refund = Refund.objects.get(pk=refund_id)
    r = notify(
        anon.client,
        wechat,
        "REFUND.SUCCESS",
        "refund",
        {
            "out_trade_no": order["number"],
            "out_refund_no": refund.number,
            "refund_id": "50000001",
            "refund_status": "SUCCESS",
            "amount": {"total": 59980, "refund": 29990},
        },
    )
    assert r.status_code == 204, r.content
    assert Refund.objects.get(pk=refund_id).status == "refunded"
    assert fenxiao(["reconcile"]) == 0


def test_a_notification_signed_with_another_key_is_refused(wechat, mini_buyer, sku, anon):
    user, api = mini_buyer
    order = place(api, sku)
    api.post(f"/orders/{order['id']}/pay", {"provider": "wechat"})
    r = notify(
        anon.client,
        wechat,
        "TRANSACTION.SUCCESS",
        "transaction",
        {
            "out_trade_no": order["number"],
            "transaction_id": "4200000002",
            "trade_state": "SUCCESS",
            "amount": {"total": 29990},
            "payer": {"openid": user.openid},
        },
        key=new_key(),
    )
    assert r.status_code == 401 and r.json()["code"] == "invalid_signature"
    assert Order.objects.get(pk=order["id"]).status == "pending_payment"


def test_an_answer_that_does_not_verify_is_a_provider_error(wechat, mini_buyer, sku):
    _, api = mini_buyer
    order = place(api, sku)
    wechat.sign_answers = False
    r = api.post(f"/orders/{order['id']}/pay", {"provider": "wechat"})
    assert r.status_code == 502 and r.json()["code"] == "provider_error"
    assert Payment.objects.get(out_trade_no=order["number"]).prepay_id == ""


def test_the_payment_of_a_cancelled_order_is_closed_at_wechat(wechat, mini_buyer, sku):
    _, api = mini_buyer
    order = place(api, sku)
    payment_id = api.post(f"/orders/{order['id']}/pay", {"provider": "wechat"}).json()["payment_id"]
    api.post(f"/orders/{order['id']}/cancel")
    assert fenxiao(["run-due"]) == 0
    close = wechat.requests[-1]
    assert close["path"] == f"/v3/pay/transactions/out-trade-no/{order['number']}/close"
    assert close["signature_ok"] and close["body"] == {"mchid": MCHID}
    assert Payment.objects.get(pk=payment_id).status == "closed"


def test_an_h5_buyer_without_openid_is_told_to_pay_in_the_mini_program(wechat, buyer_api, sku):
    order = place(buyer_api, sku)
    r = buyer_api.post(f"/orders/{order['id']}/pay", {"provider": "wechat"})
    assert r.status_code == 409 and "小程序" in r.json()["message"]
    assert json.loads(r.content)["code"] == "order_not_payable"


def test_a_late_payment_is_taken_even_when_its_refund_cannot_be_sent_at_once(
    wechat, mini_buyer, sku, anon, settings, django_capture_on_commit_callbacks
):
    # given a WeChat payment started, then the order cancelled by the buyer
    user, api = mini_buyer
    order = place(api, sku, 2)
    api.post(f"/orders/{order['id']}/pay", {"provider": "wechat"})
    assert api.post(f"/orders/{order['id']}/cancel").status_code == 200
    # when WeChat confirms the payment while its refund API answers unverifiably
    wechat.sign_answers = False
    paid = {
        "out_trade_no": order["number"],
        "transaction_id": "4200000003",
        "trade_state": "SUCCESS",
        "amount": {"total": 59980},
        "payer": {"openid": user.openid},
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = notify(anon.client, wechat, "TRANSACTION.SUCCESS", "transaction", paid)
    # then the payment is still taken (the refund is sent after it is committed): 204, or
    # WeChat would redeliver it for a day
    assert r.status_code == 204, r.content
    assert wechat.requests[-1]["path"] == "/v3/refund/domestic/refunds"
    provider_refund = ProviderRefund.objects.get()
    assert provider_refund.status == ProviderRefund.Status.PROCESSING
    assert provider_refund.refund.status == Refund.Status.APPROVED
    assert Payment.objects.get(out_trade_no=order["number"]).status == Payment.Status.PAID
    # and the periodic retry sends the same refund again once WeChat answers properly
    wechat.sign_answers = True
    later = timezone.now() + settings.REFUND_RETRY_AFTER + timedelta(seconds=1)
    assert services.refunds_retry(now=later) == 1
    sent = [q for q in wechat.requests if q["path"] == "/v3/refund/domestic/refunds"]
    assert [q["body"]["out_refund_no"] for q in sent] == [provider_refund.out_refund_no] * 2
    assert sent[-1]["body"]["amount"] == {"refund": 59980, "total": 59980, "currency": "CNY"}
    done = {
        "out_trade_no": order["number"],
        "out_refund_no": provider_refund.out_refund_no,
        "refund_id": "50000003",
        "refund_status": "SUCCESS",
        "amount": {"total": 59980, "refund": 59980},
    }
    assert notify(anon.client, wechat, "REFUND.SUCCESS", "refund", done).status_code == 204
    assert Order.objects.get(pk=order["id"]).status == Order.Status.REFUNDED
    assert fenxiao(["reconcile"]) == 0


def test_threads_of_one_worker_paying_at_once_each_send_their_own_signature(wechat):
    # wechatpayv3 keeps one `headers={}` default across calls: unless each call has its own,
    # a thread sends another's Authorization and WeChat answers SIGN_ERROR
    provider = providers.get("wechat")
    failures = []

    def pay(n: int) -> None:
        for i in range(15):
            try:
                provider.create_payment(
                    out_trade_no=f"T{n:02d}{i:03d}",
                    amount_cents=100 + i,
                    description="保温杯",
                    payer_openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                )
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                failures.append(repr(exc))

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert failures == []
    assert len(wechat.requests) == 8 * 15
    assert all(r["signature_ok"] for r in wechat.requests)
