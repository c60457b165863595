"""The pending-payment query job: the real wechatpayv3 client over real HTTP asks the local
WeChat stub about payments whose notification never came, and a SUCCESS answer is applied
through the notification's own code path (once, whatever arrives later)."""

import logging
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from fenxiao.cli import main as fenxiao
from fenxiao.distribution.models import Commission
from fenxiao.orders.models import Order, Refund
from fenxiao.orders.tasks import cancel_unpaid_orders
from fenxiao.payments import providers, services
from fenxiao.payments.models import Payment, PaymentNotification
from tests.distribution.flows import bind_to, chain, plan_set
from tests.orders.flows import place, start_payment
from tests.payments import test_wechat_provider as wx
from tests.payments.wechat_stub import PaymentRecords

pytestmark = pytest.mark.django_db

wechat = wx.wechat  # the real provider against the local stub
mini_buyer = wx.mini_buyer


@pytest.fixture
def records(wechat):
    """WeChat's records of payments and its bills, served by the stub."""
    return PaymentRecords(wechat, mchid=wx.MCHID)


def start_wechat_payment(api, sku) -> tuple[dict, Payment]:
    order = place(api, sku, 2)
    r = api.post(f"/orders/{order['id']}/pay", {"provider": "wechat"})
    assert r.status_code == 200, r.content
    return order, Payment.objects.get(provider="wechat", out_trade_no=order["number"])


def wechat_record(order: dict, *, state="SUCCESS", total=59980, mchid=wx.MCHID, openid="o1"):
    """The order query's answer, as WeChat Pay v3 gives it."""
    record = {
        "mchid": mchid,
        "appid": wx.APPID,
        "out_trade_no": order["number"],
        "trade_type": "JSAPI",
        "trade_state": state,
        "trade_state_desc": "",
        "amount": {"total": total, "currency": "CNY"},
    }
    if state == "SUCCESS":
        record.update(
            transaction_id="4200000101202611300001",
            bank_type="OTHERS",
            success_time=timezone.localtime().isoformat(timespec="seconds"),
            payer={"openid": openid},
        )
    return record


def queries(stub) -> list[dict]:
    """The order queries asked of the stub (not the closes, on the same path)."""
    return [
        q
        for q in stub.requests
        if q["path"].startswith("/v3/pay/transactions/out-trade-no/")
        and not q["path"].endswith("/close")
    ]


def later() -> datetime:
    return timezone.now() + timedelta(minutes=6)


def test_a_payment_whose_notification_was_lost_is_paid_by_the_query_job_once(
    records, wechat, mini_buyer, sku, anon
):
    # given a buyer under two distributors, who paid in WeChat; the notification never came
    plan_set(levels=2, rates=[{"level": 1, "percent": "15"}, {"level": 2, "percent": "10"}])
    top, inviter = chain(2)
    user, api = mini_buyer
    assert bind_to(user, inviter)
    order, payment = start_wechat_payment(api, sku)
    records.transactions[order["number"]] = wechat_record(order, openid=user.openid)

    # when the job runs before PAYMENT_QUERY_AFTER, nothing is asked
    assert services.payments_query_pending() == 0
    assert queries(wechat) == []

    # when it runs after, WeChat is asked and its answer applied
    assert services.payments_query_pending(now=later()) == 1

    [query] = queries(wechat)
    assert query["signature_ok"]
    assert query["path"] == f"/v3/pay/transactions/out-trade-no/{order['number']}?mchid={wx.MCHID}"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert payment.transaction_id == "4200000101202611300001"
    assert payment.payer_openid == user.openid
    assert Order.objects.get(pk=order["id"]).status == Order.Status.PAID
    commissions = list(Commission.objects.filter(order_id=order["id"]).order_by("level"))
    assert [(c.beneficiary_id, str(c.amount)) for c in commissions] == [
        (inviter.pk, "89.97"),
        (top.pk, "59.98"),
    ]
    assert PaymentNotification.objects.get().notification_id == "query:4200000101202611300001"

    # then the late notification is answered 204 and changes nothing
    paid_at = payment.paid_at
    resource = wechat_record(order, openid=user.openid)
    r = wx.notify(anon.client, wechat, "TRANSACTION.SUCCESS", "transaction", resource)
    assert r.status_code == 204, r.content
    payment.refresh_from_db()
    assert payment.paid_at == paid_at
    assert Commission.objects.filter(order_id=order["id"]).count() == 2
    assert PaymentNotification.objects.count() == 2  # the query's and the notification's ids
    # and the job has nothing left to ask
    assert services.payments_query_pending(now=later()) == 0
    assert len(queries(wechat)) == 1
    assert fenxiao(["reconcile"]) == 0


@pytest.mark.parametrize("answer", ["NOTPAY", "CLOSED", "unknown to WeChat"])
def test_a_payment_wechat_has_not_seen_paid_is_left_as_it_is(
    records, wechat, mini_buyer, sku, answer
):
    _, api = mini_buyer
    order, payment = start_wechat_payment(api, sku)
    if answer != "unknown to WeChat":
        records.transactions[order["number"]] = wechat_record(order, state=answer)

    assert services.payments_query_pending(now=later()) == 0

    assert len(queries(wechat)) == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED and payment.transaction_id is None
    assert Order.objects.get(pk=order["id"]).status == Order.Status.PENDING_PAYMENT
    assert not PaymentNotification.objects.exists()


@pytest.mark.parametrize(
    "mismatch", [{"total": 100}, {"mchid": "1900000999"}], ids=["amount", "mchid"]
)
def test_an_answer_that_does_not_match_our_payment_is_logged_and_not_applied(
    records, wechat, mini_buyer, sku, caplog, mismatch
):
    _, api = mini_buyer
    order, payment = start_wechat_payment(api, sku)
    records.transactions[order["number"]] = wechat_record(order, **mismatch)

    with caplog.at_level(logging.WARNING, logger="fenxiao.payments.services"):
        assert services.payments_query_pending(now=later()) == 0

    assert order["number"] in caplog.text and "not applied" in caplog.text
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED
    assert Order.objects.get(pk=order["id"]).status == Order.Status.PENDING_PAYMENT
    assert not PaymentNotification.objects.exists()
    assert not Commission.objects.exists()


def test_run_due_asks_before_the_timeout_cancels_the_order(records, wechat, mini_buyer, sku):
    # given a payment WeChat took, its notification lost, and the order's pay deadline passed
    user, api = mini_buyer
    order, payment = start_wechat_payment(api, sku)
    records.transactions[order["number"]] = wechat_record(order, openid=user.openid)
    Order.objects.filter(pk=order["id"]).update(pay_deadline=timezone.now())

    # when the periodic jobs run
    assert fenxiao(["run-due", "--at", later().isoformat()]) == 0

    # then the order is paid, not cancelled
    assert len(queries(wechat)) == 1
    assert Order.objects.get(pk=order["id"]).status == Order.Status.PAID
    assert fenxiao(["reconcile"]) == 0


def paid_in_its_last_minute(records, mini_buyer, sku):
    """An order paid in WeChat a minute before its deadline, the notification lost (the
    server killed while handling it): (order, payment, deadline)."""
    user, api = mini_buyer
    order, payment = start_wechat_payment(api, sku)
    records.transactions[order["number"]] = wechat_record(order, openid=user.openid)
    deadline = timezone.now() + timedelta(minutes=1)
    Order.objects.filter(pk=order["id"]).update(pay_deadline=deadline)
    return order, payment, deadline


def assert_paid_not_cancelled(wechat, order, payment):
    assert len(queries(wechat)) == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
    assert Order.objects.get(pk=order["id"]).status == Order.Status.PAID
    assert not Refund.objects.exists()


def test_a_payment_made_in_the_orders_last_minutes_is_asked_about_before_the_timeout(
    records, wechat, mini_buyer, sku
):
    order, payment, deadline = paid_in_its_last_minute(records, mini_buyer, sku)

    # when the periodic jobs run just after the deadline, the payment only 2 minutes old
    at = deadline + timedelta(minutes=1)
    assert at < payment.created_at + settings.PAYMENT_QUERY_AFTER
    assert fenxiao(["run-due", "--at", at.isoformat()]) == 0

    # then WeChat was asked first: the order is paid, not cancelled and refunded
    assert_paid_not_cancelled(wechat, order, payment)
    assert fenxiao(["reconcile"]) == 0


def test_the_timeout_job_alone_asks_about_overdue_payments_before_cancelling(
    records, wechat, mini_buyer, sku
):
    order, payment, deadline = paid_in_its_last_minute(records, mini_buyer, sku)

    # when beat runs the timeout job before the query job in that minute
    cancel_unpaid_orders((deadline + timedelta(minutes=1)).isoformat())

    # then WeChat was asked first: the order is paid, not cancelled
    assert_paid_not_cancelled(wechat, order, payment)


def test_the_sandbox_answers_notpay_for_a_payment_nobody_completed(buyer_api, sku):
    order = place(buyer_api, sku)
    payment_id = start_payment(buyer_api, order["id"])["payment_id"]
    payment = Payment.objects.get(pk=payment_id)

    assert (
        providers.get("sandbox").query_payment(out_trade_no=payment.out_trade_no)["trade_state"]
        == "NOTPAY"
    )
    assert fenxiao(["run-due", "--at", later().isoformat()]) == 0

    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED
    assert Order.objects.get(pk=order["id"]).status == Order.Status.PENDING_PAYMENT


def test_the_sandbox_answers_success_for_a_completed_payment(paid_order):
    payment = Payment.objects.get(order_id=paid_order["id"])
    answer = providers.get("sandbox").query_payment(out_trade_no=payment.out_trade_no)
    assert answer["trade_state"] == "SUCCESS"
    assert answer["transaction_id"] == payment.transaction_id
    assert answer["amount"]["total"] == 59980
    assert providers.get("sandbox").query_payment(out_trade_no="no-such-payment") is None


def test_the_payment_is_dated_when_wechat_took_it_so_it_falls_on_the_bills_day(
    records, wechat, mini_buyer, sku
):
    # given a payment WeChat took just before midnight, found by the query after it
    user, api = mini_buyer
    order, payment = start_wechat_payment(api, sku)
    record = wechat_record(order, openid=user.openid)
    record["success_time"] = "2026-11-29T23:58:00+08:00"
    records.transactions[order["number"]] = record
    Payment.objects.filter(pk=payment.pk).update(
        created_at=datetime.fromisoformat("2026-11-29T23:50:00+08:00")
    )

    assert (
        services.payments_query_pending(now=datetime.fromisoformat("2026-11-30T00:04:00+08:00"))
        == 1
    )

    payment.refresh_from_db()
    assert timezone.localtime(payment.paid_at).isoformat() == "2026-11-29T23:58:00+08:00"
    # then the bill of the 29th lists it and the 30th's does not miss it
    assert [
        p.pk
        for p in services.selectors.payments_paid_between(
            provider="wechat",
            start=datetime.fromisoformat("2026-11-29T00:00:00+08:00"),
            end=datetime.fromisoformat("2026-11-30T00:00:00+08:00"),
        )
    ] == [payment.pk]
