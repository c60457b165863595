"""Payment notifications over the real HTTP path: forged, stale, replayed or mismatched ones are
refused and change nothing; a genuine one is applied once and answered 204 at once."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.utils import timezone
from wechatpayv3.utils import aes_decrypt

from fenxiao import cli
from fenxiao.catalog.models import Product, Sku
from fenxiao.distribution.models import Commission
from fenxiao.ledger.models import Account, Entry, Transaction
from fenxiao.orders.models import Order, Refund
from fenxiao.payments import providers
from fenxiao.payments.errors import NotificationRejected
from fenxiao.payments.models import Payment, PaymentNotification, ProviderRefund
from fenxiao.payments.providers.sandbox import encrypt_resource, sign_notification
from tests.distribution.flows import bind_to, chain
from tests.orders.flows import approve, assert_error, place, request_refund, start_payment

pytestmark = pytest.mark.django_db

NOTIFY = "/api/v1/payments/notify/sandbox"


def deliver(headers: dict, body: str, path: str = NOTIFY):
    """POST a notification the way WeChat does: its headers and the raw JSON body."""
    return Client().post(path, body, content_type="application/json", headers=headers)


@pytest.fixture
def sandbox():
    return providers.get("sandbox")


@pytest.fixture(autouse=True)
def _reconciled(db, capsys):
    """Whatever a test did, money, payments and stock still agree afterwards."""
    yield
    capsys.readouterr()
    assert cli.main(["reconcile"]) == 0, capsys.readouterr().out


@pytest.fixture
def pending(buyer_api, sku):
    """An order of 2 × ¥299.90 with its sandbox payment started, not yet paid."""
    order = place(buyer_api, sku, 2)
    payment = start_payment(buyer_api, order["id"])
    return {
        "order_id": order["id"],
        "payment_id": payment["payment_id"],
        "out_trade_no": payment["out_trade_no"],
        "cents": 59980,
    }


def state(pending) -> dict:
    """What a refused notification must not change."""
    payment = Payment.objects.get(pk=pending["payment_id"])
    order = Order.objects.get(pk=pending["order_id"])
    return {
        "payment": (payment.status, payment.transaction_id, payment.paid_at),
        "order": (order.status, order.paid_at, order.refunded_amount),
        "handled": PaymentNotification.objects.count(),
        "sales": list(Product.objects.values_list("sales", flat=True)),
        "stock": list(Sku.objects.values_list("stock", flat=True)),
        "refunds": Refund.objects.count(),
    }


@pytest.fixture
def referred(buyer):
    """The buyer followed a link of the lower of two distributors: a payment makes two
    commissions and their ledger transactions."""
    _, parent = chain(2)
    assert bind_to(buyer, parent)
    return parent


def books() -> dict:
    """The money a payment moves besides the order: commissions and the ledger."""
    commissions = Commission.objects.order_by("pk")
    return {
        "commissions": list(commissions.values_list("pk", "status", "amount")),
        "transactions": Transaction.objects.count(),
        "entries": Entry.objects.count(),
        "balances": list(Account.objects.order_by("pk").values_list("pk", "balance")),
    }


def genuine(sandbox, pending, **overrides) -> tuple[dict, str]:
    kw = {"out_trade_no": pending["out_trade_no"], "amount_cents": pending["cents"], **overrides}
    return sandbox.payment_notification(**kw)


def resign(sandbox, body: str, **kw) -> dict:
    return sign_notification(
        private_key=sandbox.keys.private_key, serial=sandbox.keys.serial, body=body, **kw
    )


def assert_paid_once(pending, sales: int = 2):
    payment = Payment.objects.get(pk=pending["payment_id"])
    assert payment.status == Payment.Status.PAID
    assert Order.objects.get(pk=pending["order_id"]).status == Order.Status.PAID
    assert Payment.objects.filter(order_id=pending["order_id"], status="paid").count() == 1
    assert list(Product.objects.values_list("sales", flat=True)) == [sales]


# a genuine notification


def test_a_genuine_notification_is_applied_and_answered_204(sandbox, pending):
    # (WeChat gives up after 5 s: how fast the answer comes is measured in bench/, not here)
    headers, body = genuine(sandbox, pending)
    r = deliver(headers, body)
    assert r.status_code == 204, r.content
    assert_paid_once(pending)
    payment = Payment.objects.get(pk=pending["payment_id"])
    resource = json.loads(aes_decrypt(apiv3_key=sandbox.keys.apiv3_key, **_cipher(body)))
    assert payment.transaction_id == resource["transaction_id"]
    assert PaymentNotification.objects.get().notification_id == json.loads(body)["id"]


def _cipher(body: str) -> dict:
    resource = json.loads(body)["resource"]
    return {
        "nonce": resource["nonce"],
        "ciphertext": resource["ciphertext"],
        "associated_data": resource["associated_data"],
    }


def test_the_sandbox_delivers_the_same_notification_it_returns(buyer_api, sandbox, pending):
    # given the buyer "pays" in the sandbox
    r = buyer_api.post(f"/payments/sandbox/{pending['payment_id']}/complete")
    assert r.status_code == 200, r.content
    delivered = r.json()["notification"]
    assert_paid_once(pending)
    # when that exact notification arrives again over HTTP, it is a redelivery: taken, no effect
    before = state(pending)
    assert deliver(delivered["headers"], delivered["body"]).status_code == 204
    assert state(pending) == before


@pytest.mark.parametrize("seconds", [-290, 290])
def test_a_timestamp_within_five_minutes_is_accepted(sandbox, pending, seconds):
    _, body = genuine(sandbox, pending)
    headers = resign(sandbox, body, timestamp=int(time.time()) + seconds)
    assert deliver(headers, body).status_code == 204
    assert_paid_once(pending)


# forged and stale notifications: 401 and nothing changes


def test_a_wrong_signature_is_refused(sandbox, pending):
    headers, body = genuine(sandbox, pending)
    _, other_body = genuine(sandbox, pending)
    forged = {**headers, "Wechatpay-Signature": resign(sandbox, other_body)["Wechatpay-Signature"]}
    before = state(pending)
    assert_error(deliver(forged, body), 401, "invalid_signature")
    garbage = {**headers, "Wechatpay-Signature": "not-base64!!"}
    assert_error(deliver(garbage, body), 401, "invalid_signature")
    assert state(pending) == before
    # the genuine one still goes through afterwards
    assert deliver(headers, body).status_code == 204
    assert_paid_once(pending)


def test_a_changed_body_is_refused(sandbox, pending):
    # given a genuine notification for ¥599.80 and one that says ¥0.01
    headers, body = genuine(sandbox, pending)
    _, cheaper = genuine(sandbox, pending, amount_cents=1)
    before = state(pending)
    # when the cheaper body travels with the genuine signature, or a field is edited
    assert_error(deliver(headers, cheaper), 401, "invalid_signature")
    edited = body.replace("支付成功", "支付成功!")
    assert edited != body
    assert_error(deliver(headers, edited), 401, "invalid_signature")
    # or the signed timestamp or nonce is changed
    moved = {**headers, "Wechatpay-Timestamp": str(int(headers["Wechatpay-Timestamp"]) + 1)}
    assert_error(deliver(moved, body), 401, "invalid_signature")
    assert_error(deliver({**headers, "Wechatpay-Nonce": "x" * 32}, body), 401, "invalid_signature")
    # then nothing happened
    assert state(pending) == before


def test_the_five_minute_limit_is_exact(sandbox, pending):
    # the clock is fixed here: over HTTP a second boundary would move while the test runs
    _, body = genuine(sandbox, pending)
    signed_at = int(time.time())
    now = datetime.fromtimestamp(signed_at, tz=UTC)
    for seconds in (-300, 300):
        headers = resign(sandbox, body, timestamp=signed_at + seconds)
        assert sandbox.verify(headers=headers, body=body, now=now).id
    for seconds in (-301, 301):
        headers = resign(sandbox, body, timestamp=signed_at + seconds)
        with pytest.raises(NotificationRejected) as refused:
            sandbox.verify(headers=headers, body=body, now=now)
        assert refused.value.code == "stale_timestamp"


@pytest.mark.parametrize("seconds", [-310, 310, -3600, 86400])
def test_a_timestamp_more_than_five_minutes_off_is_refused(sandbox, pending, seconds):
    _, body = genuine(sandbox, pending)
    headers = resign(sandbox, body, timestamp=int(time.time()) + seconds)
    before = state(pending)
    assert_error(deliver(headers, body), 401, "stale_timestamp")
    assert state(pending) == before


def test_a_notification_signed_with_another_key_is_refused(sandbox, pending):
    _, body = genuine(sandbox, pending)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers = sign_notification(private_key=stranger, serial=sandbox.keys.serial, body=body)
    before = state(pending)
    assert_error(deliver(headers, body), 401, "invalid_signature")
    assert state(pending) == before


def test_an_unknown_serial_is_refused(sandbox, pending):
    headers, body = genuine(sandbox, pending)
    before = state(pending)
    for serial in ("PUB_KEY_ID_SOMEONE_ELSE", ""):
        r = deliver({**headers, "Wechatpay-Serial": serial}, body)
        assert_error(r, 401, "unknown_serial")
    assert state(pending) == before


@pytest.mark.parametrize(
    "header",
    ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"],
)
def test_a_missing_header_is_refused(sandbox, pending, header):
    headers, body = genuine(sandbox, pending)
    before = state(pending)
    r = deliver({k: v for k, v in headers.items() if k != header}, body)
    assert_error(r, 401)
    assert state(pending) == before


def test_no_headers_at_all_and_an_unknown_signature_type_are_refused(sandbox, pending):
    headers, body = genuine(sandbox, pending)
    before = state(pending)
    assert_error(deliver({}, body), 401, "missing_signature")
    r = deliver({**headers, "Wechatpay-Signature-Type": "HMAC-SHA256"}, body)
    assert_error(r, 401, "unsupported_signature")
    assert state(pending) == before


@pytest.mark.parametrize("timestamp", ["abc", "", "-5", "1.5e9", " 1700000000", "²", "9" * 400])
def test_a_garbage_timestamp_is_refused(sandbox, pending, timestamp):
    headers, body = genuine(sandbox, pending)
    before = state(pending)
    r = deliver({**headers, "Wechatpay-Timestamp": timestamp}, body)
    assert_error(r, 401, "missing_signature" if timestamp == "" else "invalid_timestamp")
    assert state(pending) == before


def _signed_garbage(sandbox, plaintext: str | None = None, **envelope) -> tuple[dict, str]:
    """A body signed with the genuine key whose content is wrong in some way."""
    resource = encrypt_resource(sandbox.keys.apiv3_key, plaintext or "{}", "transaction")
    data = {
        "id": "garbage-1",
        "event_type": "TRANSACTION.SUCCESS",
        "resource": {"original_type": "transaction", **resource},
        **envelope,
    }
    body = json.dumps(data)
    return resign(sandbox, body), body


GARBAGE_BODIES = {
    "not json": lambda sb: "this is not json",
    "empty": lambda sb: "",
    "a list": lambda sb: "[1, 2, 3]",
    "a string": lambda sb: '"TRANSACTION.SUCCESS"',
    "no resource": lambda sb: json.dumps({"id": "g", "event_type": "TRANSACTION.SUCCESS"}),
    "resource a string": lambda sb: _signed_garbage(sb, resource="abc")[1],
    "resource a list": lambda sb: _signed_garbage(sb, resource=[1])[1],
    "no id": lambda sb: _signed_garbage(sb, id=None)[1],
    "empty id": lambda sb: _signed_garbage(sb, id="")[1],
    "id a number": lambda sb: _signed_garbage(sb, id=12345)[1],
    "id too long": lambda sb: _signed_garbage(sb, id="x" * 65)[1],
    "event type too long": lambda sb: _signed_garbage(sb, event_type="TRANSACTION." + "X" * 40)[1],
    "event type a number": lambda sb: _signed_garbage(sb, event_type=5)[1],
    "ciphertext not base64": lambda sb: _signed_garbage(
        sb,
        resource={
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": "%%%",
            "nonce": "abcdefabcdef",
            "associated_data": "transaction",
        },
    )[1],
    "ciphertext of another key": lambda sb: _signed_garbage(
        sb,
        resource={
            "original_type": "transaction",
            **encrypt_resource("k" * 32, '{"out_trade_no": "x"}', "transaction"),
        },
    )[1],
    "nonce missing": lambda sb: _signed_garbage(
        sb,
        resource={
            k: v
            for k, v in encrypt_resource(sb.keys.apiv3_key, "{}", "transaction").items()
            if k != "nonce"
        },
    )[1],
    "other algorithm": lambda sb: _signed_garbage(
        sb,
        resource={
            **encrypt_resource(sb.keys.apiv3_key, "{}", "transaction"),
            "algorithm": "AEAD_AES_128_CBC",
        },
    )[1],
    "plaintext not json": lambda sb: _signed_garbage(sb, plaintext="not json")[1],
    "plaintext a list": lambda sb: _signed_garbage(sb, plaintext="[1, 2]")[1],
    "plaintext a number": lambda sb: _signed_garbage(sb, plaintext="42")[1],
}


@pytest.mark.parametrize("kind", list(GARBAGE_BODIES))
def test_a_garbage_body_is_refused_even_when_validly_signed(sandbox, pending, kind):
    body = GARBAGE_BODIES[kind](sandbox)
    before = state(pending)
    # unsigned, and signed with the platform key
    unsigned_headers, _ = genuine(sandbox, pending)
    assert_error(deliver(unsigned_headers, body), 401, "invalid_signature")
    r = deliver(resign(sandbox, body), body)
    assert_error(r, 401)
    assert state(pending) == before


# redeliveries: WeChat retries whatever it did not see answered 2xx, so 204 and no effect


def test_a_redelivered_notification_is_answered_204_and_changes_nothing(sandbox, pending):
    headers, body = genuine(sandbox, pending)
    assert deliver(headers, body).status_code == 204
    paid = state(pending)
    # the very same delivery, and the same notification id re-signed with a fresh time
    assert deliver(headers, body).status_code == 204
    assert deliver(resign(sandbox, body), body).status_code == 204
    assert state(pending) == paid
    assert_paid_once(pending)


def test_a_redelivery_leaves_order_payment_commissions_and_ledger_as_they_were(
    sandbox, referred, pending
):
    # given a genuine notification that paid the order and made the commissions
    headers, body = genuine(sandbox, pending)
    assert deliver(headers, body).status_code == 204
    paid, paid_books = state(pending), books()
    assert len(paid_books["commissions"]) == 2
    assert paid_books["entries"] > 0
    # when our 204 was lost and WeChat delivers it again, at once and later re-signed
    for again in (headers, headers, resign(sandbox, body)):
        r = deliver(again, body)
        # then it is taken (WeChat stops retrying) and nothing moves
        assert r.status_code == 204, r.content
        assert r.content == b""
    assert state(pending) == paid
    assert books() == paid_books
    assert_paid_once(pending)


def test_a_tampered_redelivery_is_refused_before_it_counts_as_a_redelivery(
    sandbox, referred, pending
):
    # given a notification already handled
    headers, body = genuine(sandbox, pending)
    assert deliver(headers, body).status_code == 204
    paid, paid_books = state(pending), books()
    notification_id = json.loads(body)["id"]
    # when the same notification id comes back with its body altered
    edited = body.replace("支付成功", "支付成功!")
    assert json.loads(edited)["id"] == notification_id
    assert_error(deliver(headers, edited), 401, "invalid_signature")
    # or with the signature altered, or signed by another key
    _, other = genuine(sandbox, pending)
    swapped = {**headers, "Wechatpay-Signature": resign(sandbox, other)["Wechatpay-Signature"]}
    assert_error(deliver(swapped, body), 401, "invalid_signature")
    garbled = {**headers, "Wechatpay-Signature": "AAAA"}
    assert_error(deliver(garbled, body), 401, "invalid_signature")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = sign_notification(private_key=stranger, serial=sandbox.keys.serial, body=body)
    assert_error(deliver(forged, body), 401, "invalid_signature")
    # then it is refused as forged (not waved through as a redelivery) and nothing moved
    assert state(pending) == paid
    assert books() == paid_books


def test_a_second_genuine_notification_for_a_paid_order_changes_nothing(sandbox, pending):
    # WeChat may confirm the same payment again under a new notification id
    assert deliver(*genuine(sandbox, pending)).status_code == 204
    paid = state(pending)
    r = deliver(*genuine(sandbox, pending))
    assert r.status_code == 204
    after = state(pending)
    assert after["payment"] == paid["payment"]  # the first transaction id stays
    assert after["order"] == paid["order"]
    assert after["sales"] == paid["sales"] == [2]
    assert after["handled"] == paid["handled"] + 1


# genuine but not matching our records: 400 and nothing changes


def test_a_genuine_notification_with_the_wrong_amount_is_refused(sandbox, pending):
    before = state(pending)
    for cents in (1, pending["cents"] - 1, pending["cents"] + 1, 0):
        r = deliver(*genuine(sandbox, pending, amount_cents=cents))
        assert_error(r, 400, "notification_mismatch")
    assert state(pending) == before  # not even the notification id is used up
    assert deliver(*genuine(sandbox, pending)).status_code == 204
    assert_paid_once(pending)


def test_a_genuine_notification_for_an_unknown_order_number_is_refused(sandbox, pending):
    before = state(pending)
    r = deliver(*genuine(sandbox, pending, out_trade_no="20990101000000000000"))
    assert_error(r, 400, "notification_mismatch")
    assert state(pending) == before


def test_a_genuine_notification_for_another_merchant_or_not_paid_is_refused(sandbox, pending):
    before = state(pending)
    for change in ({"mchid": "1234567890"}, {"trade_state": "NOTPAY"}):
        plain = {
            "mchid": sandbox.mchid,
            "out_trade_no": pending["out_trade_no"],
            "transaction_id": "4200000000000",
            "trade_state": "SUCCESS",
            "amount": {"total": pending["cents"]},
            **change,
        }
        headers, body = _signed_garbage(sandbox, plaintext=json.dumps(plain), id=str(change))
        assert_error(deliver(headers, body), 400, "notification_mismatch")
    assert state(pending) == before


def test_a_notification_for_a_provider_not_enabled_is_refused(sandbox, pending):
    headers, body = genuine(sandbox, pending)
    before = state(pending)
    for provider in ("wechat", "alipay", "x" * 300):
        r = deliver(headers, body, path=f"/api/v1/payments/notify/{provider}")
        assert_error(r, 400, "provider_unavailable")
    assert state(pending) == before


# genuine but not in WeChat's format: 400, and nothing written (not even the notification id)

MISSING = object()


def _resource(base: dict, change: dict) -> dict:
    resource = {**base, **change}
    return {k: v for k, v in resource.items() if v is not MISSING}


def _transaction(sandbox, pending, **change) -> dict:
    """The decrypted resource of a TRANSACTION.SUCCESS for the pending order, changed."""
    base = {
        "mchid": sandbox.mchid,
        "appid": sandbox.appid,
        "out_trade_no": pending["out_trade_no"],
        "transaction_id": "4200000000202401011234567890",
        "trade_type": "JSAPI",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "payer": {"openid": "o-buyer"},
        "amount": {"total": pending["cents"], "payer_total": pending["cents"], "currency": "CNY"},
    }
    return _resource(base, change)


MALFORMED_PAYMENTS = {
    "amount a list": lambda p: {"amount": [p["cents"]]},
    "amount a number": lambda p: {"amount": p["cents"]},
    "amount missing": lambda p: {"amount": MISSING},
    "amount.total a string": lambda p: {"amount": {"total": str(p["cents"])}},
    "amount.total a float": lambda p: {"amount": {"total": float(p["cents"])}},
    "amount.total true": lambda p: {"amount": {"total": True}},
    "amount.total missing": lambda p: {"amount": {"currency": "CNY"}},
    "payer a string": lambda p: {"payer": "o-buyer"},
    "payer a list": lambda p: {"payer": ["o-buyer"]},
    "payer.openid a number": lambda p: {"payer": {"openid": 42}},
    "payer.openid too long": lambda p: {"payer": {"openid": "o" * 65}},
    "out_trade_no a number": lambda p: {"out_trade_no": int(p["out_trade_no"])},
    "out_trade_no an object": lambda p: {"out_trade_no": {"value": p["out_trade_no"]}},
    "out_trade_no missing": lambda p: {"out_trade_no": MISSING},
    "out_trade_no too long": lambda p: {"out_trade_no": p["out_trade_no"] + "0" * 32},
    "transaction_id a number": lambda p: {"transaction_id": 4200000000202401011234567890},
    "transaction_id empty": lambda p: {"transaction_id": ""},
    "transaction_id too long": lambda p: {"transaction_id": "4" * 65},
    "trade_state null": lambda p: {"trade_state": None},
    "mchid a number": lambda p: {"mchid": 1900000000},
}


@pytest.mark.parametrize("kind", list(MALFORMED_PAYMENTS))
def test_a_genuine_payment_notification_of_the_wrong_shape_is_refused(sandbox, pending, kind):
    # given a correctly signed and encrypted notification whose resource has a wrong field
    resource = _transaction(sandbox, pending, **MALFORMED_PAYMENTS[kind](pending))
    headers, body = _signed_garbage(sandbox, plaintext=json.dumps(resource), id="malformed-1")
    before = state(pending)
    # when it arrives, then it is refused as malformed, never a 500
    assert_error(deliver(headers, body), 400, "malformed_notification")
    assert state(pending) == before
    # and the genuine payment still goes through afterwards
    assert deliver(*genuine(sandbox, pending)).status_code == 204
    assert_paid_once(pending)


def test_fields_we_do_not_read_are_allowed(sandbox, pending):
    # the same builder as above, unchanged but for fields WeChat may add
    resource = _transaction(
        sandbox,
        pending,
        promotion_detail=[{"coupon_id": "109519", "amount": 100}],
        scene_info={"device_id": "013467007045764"},
        payer={"openid": "o-buyer", "extra": 1},
    )
    headers, body = _signed_garbage(sandbox, plaintext=json.dumps(resource), id="extra-1")
    assert deliver(headers, body).status_code == 204
    assert_paid_once(pending)
    assert Payment.objects.get(pk=pending["payment_id"]).payer_openid == "o-buyer"


def test_a_payment_notification_without_a_payer_is_taken(sandbox, pending):
    resource = _transaction(sandbox, pending, payer=MISSING)
    headers, body = _signed_garbage(sandbox, plaintext=json.dumps(resource), id="no-payer")
    assert deliver(headers, body).status_code == 204
    assert_paid_once(pending)
    assert Payment.objects.get(pk=pending["payment_id"]).payer_openid == ""


def _refund(pending, **change) -> dict:
    base = {
        "mchid": "1900000000",
        "out_trade_no": pending["out_trade_no"],
        "transaction_id": "4200000000202401011234567890",
        "out_refund_no": "R" + pending["out_trade_no"],
        "refund_id": "50000000382019052709732678859",
        "refund_status": "SUCCESS",
        "amount": {"total": pending["cents"], "refund": 100, "payer_refund": 100},
    }
    return _resource(base, change)


MALFORMED_REFUNDS = {
    "amount a list": {"amount": [100]},
    "amount.refund a string": {"amount": {"total": 59980, "refund": "100"}},
    "amount.refund missing": {"amount": {"total": 59980}},
    "amount.total a string": {"amount": {"total": "59980", "refund": 100}},
    "out_refund_no a number": {"out_refund_no": 123},
    "out_refund_no missing": {"out_refund_no": MISSING},
    "refund_id an object": {"refund_id": {"id": "5000"}},
    "refund_id missing on success": {"refund_id": MISSING},
    "refund_status a list": {"refund_status": ["SUCCESS"]},
    "mchid missing": {"mchid": MISSING},
}


@pytest.mark.parametrize("kind", list(MALFORMED_REFUNDS))
def test_a_genuine_refund_notification_of_the_wrong_shape_is_refused(sandbox, pending, kind):
    resource = _refund(pending, **MALFORMED_REFUNDS[kind])
    headers, body = _signed_garbage(
        sandbox, plaintext=json.dumps(resource), id="malformed-r", event_type="REFUND.SUCCESS"
    )
    before = state(pending)
    assert_error(deliver(headers, body), 400, "malformed_notification")
    assert state(pending) == before
    assert ProviderRefund.objects.count() == 0


def test_a_payment_event_with_a_refund_resource_is_malformed(sandbox, pending):
    # a refund's resource under TRANSACTION.SUCCESS lacks trade_state, transaction's amount
    headers, body = _signed_garbage(
        sandbox, plaintext=json.dumps(_refund(pending, transaction_id=MISSING)), id="mixed"
    )
    before = state(pending)
    assert_error(deliver(headers, body), 400, "malformed_notification")
    assert state(pending) == before


# paying twice, and paying too late


def test_a_paid_order_cannot_be_paid_again(buyer_api, sandbox, pending):
    assert deliver(*genuine(sandbox, pending)).status_code == 204
    before = state(pending)
    r = buyer_api.post(f"/orders/{pending['order_id']}/pay", {})
    assert_error(r, 409, "order_not_payable")
    r = buyer_api.post(f"/payments/sandbox/{pending['payment_id']}/complete")
    assert_error(r, 409, "order_not_payable")
    assert state(pending) == before


def test_a_payment_confirmed_after_the_order_was_auto_cancelled_is_refunded(
    buyer_api, sandbox, sku, pending, capsys, django_capture_on_commit_callbacks
):
    # given the order was cancelled on the pay timeout and its stock released
    at = timezone.now() + timedelta(minutes=31)
    assert cli.main(["run-due", "--at", at.isoformat()]) == 0
    assert Order.objects.get(pk=pending["order_id"]).status == Order.Status.CANCELLED
    sku.refresh_from_db()
    assert sku.stock == 10
    # when WeChat confirms the payment the buyer made just before
    with django_capture_on_commit_callbacks(execute=True):
        r = deliver(*genuine(sandbox, pending))
    # then it is taken, and the money goes straight back once the payment is committed
    assert r.status_code == 204, r.content
    order = Order.objects.get(pk=pending["order_id"])
    assert order.status == Order.Status.REFUNDED
    assert order.refunded_amount == order.total
    refund = Refund.objects.get(order=order)
    assert refund.status == Refund.Status.REFUNDED
    assert refund.amount == order.total
    assert refund.return_stock is False
    assert ProviderRefund.objects.get(refund=refund).status == ProviderRefund.Status.SUCCESS
    # and the stock is not returned a second time, nor are sales counted
    sku.refresh_from_db()
    assert sku.stock == 10
    assert Product.objects.get(pk=sku.product_id).sales == 0
    assert_error(buyer_api.post(f"/orders/{order.pk}/pay", {}), 409, "order_not_payable")
    assert ProviderRefund.objects.count() == 1


def test_a_payment_for_an_order_the_buyer_cancelled_is_refunded(
    buyer_api, sandbox, sku, pending, django_capture_on_commit_callbacks
):
    assert buyer_api.post(f"/orders/{pending['order_id']}/cancel").status_code == 200
    headers, body = genuine(sandbox, pending)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert deliver(headers, body).status_code == 204
    assert len(callbacks) == 1  # the refund, sent once the payment is committed
    refunded = state(pending)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert deliver(headers, body).status_code == 204
        assert deliver(resign(sandbox, body), body).status_code == 204
    assert callbacks == []  # a redelivery sends nothing
    assert state(pending) == refunded
    order = Order.objects.get(pk=pending["order_id"])
    assert order.status == Order.Status.REFUNDED
    assert ProviderRefund.objects.get().amount == order.total
    sku.refresh_from_db()
    assert sku.stock == 10


# refund notifications use the same verifier


def test_refund_notifications_are_checked_against_our_records(buyer_api, staff_api, sandbox, sku):
    # given a paid order with one unit refunded through the sandbox
    order = place(buyer_api, sku, 2)
    r = buyer_api.post(
        f"/payments/sandbox/{start_payment(buyer_api, order['id'])['payment_id']}/complete"
    )
    assert r.status_code == 200
    order = buyer_api.get(f"/orders/{order['id']}").json()
    refund = approve(staff_api, request_refund(buyer_api, order, [1])["id"])
    provider_refund = ProviderRefund.objects.get(refund_id=refund["id"])
    payment = provider_refund.payment
    sku.refresh_from_db()
    stock = sku.stock

    def refund_notice(**kw):
        args = {
            "out_trade_no": payment.out_trade_no,
            "transaction_id": payment.transaction_id,
            "out_refund_no": provider_refund.out_refund_no,
            "refund_cents": 29990,
            "total_cents": 59980,
            **kw,
        }
        return sandbox.refund_notification(**args)

    # a wrong amount or an unknown refund number is refused
    assert_error(deliver(*refund_notice(refund_cents=59980)), 400, "notification_mismatch")
    assert_error(deliver(*refund_notice(out_refund_no="R-unknown")), 400, "notification_mismatch")
    # a tampered one is refused
    headers, body = refund_notice()
    _, bigger = refund_notice(refund_cents=59980)
    assert_error(deliver(headers, bigger), 401, "invalid_signature")
    # a genuine repeat of a refund already done changes nothing, nor does its redelivery
    assert deliver(headers, body).status_code == 204
    assert deliver(headers, body).status_code == 204
    after = buyer_api.get(f"/orders/{order['id']}").json()
    assert after["refunded_amount"] == "299.90"
    assert after["lines"][0]["refunded_quantity"] == 1
    sku.refresh_from_db()
    assert sku.stock == stock
