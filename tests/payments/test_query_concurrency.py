"""On PostgreSQL with real threads: the pending-payment query job (real wechatpayv3 client
over real HTTP to the local stub) racing WeChat's notification of the same payment."""

from collections import Counter
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fenxiao import cli
from fenxiao.accounts.services import token_issue
from fenxiao.distribution.models import Commission
from fenxiao.orders.models import Order
from fenxiao.payments import services
from fenxiao.payments.models import Payment, PaymentNotification
from fenxiao.payments.providers.sandbox import notification_body, sign_notification
from tests.accounts.factories import UserFactory
from tests.concurrency import race
from tests.conftest import Api
from tests.distribution.flows import bind_to, chain, plan_set
from tests.orders.flows import place
from tests.payments import test_wechat_provider as wx
from tests.payments.test_query_job import wechat_record
from tests.payments.wechat_stub import PaymentRecords

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

wechat = wx.wechat


@pytest.fixture
def records(wechat):
    return PaymentRecords(wechat, mchid=wx.MCHID)


def test_the_query_job_racing_the_notification_pays_once(records, wechat, sku, capsys):
    # given buyers under two distributors, each with a WeChat payment whose notification is
    # late: WeChat's order query already says SUCCESS
    plan_set(levels=2, rates=[{"level": 1, "percent": "15"}, {"level": 2, "percent": "10"}])
    _, inviter = chain(2)
    later = timezone.now() + timedelta(minutes=6)
    for n in range(3):  # a few rounds, for a few interleavings
        user = UserFactory(openid=f"oRace{n}")
        assert bind_to(user, inviter)
        api = Api(token_issue(user=user))
        order = place(api, sku, 1)
        assert api.post(f"/orders/{order['id']}/pay", {"provider": "wechat"}).status_code == 200
        record = wechat_record(order, total=29990, openid=user.openid)
        record["transaction_id"] = f"42000009{n}"
        records.transactions[order["number"]] = record
        body = notification_body(
            event_type="TRANSACTION.SUCCESS",
            original_type="transaction",
            summary="支付成功",
            resource=record,
            apiv3_key=wx.APIV3_KEY,
        )
        headers = sign_notification(private_key=wechat.platform, serial=wx.KEY_ID, body=body)

        # when two query workers and two deliveries of the notification run at once
        def work(i, headers=headers, body=body):
            if i < 2:
                return ("query", services.payments_query_pending(now=later))
            r = Client().post(
                "/api/v1/payments/notify/wechat",
                body,
                content_type="application/json",
                headers=headers,
            )
            return ("notify", r.status_code)

        results = race(4, work)

        # then both deliveries are answered 204, the query's answer is applied at most once
        assert Counter(r for r in results if r[0] == "notify") == {("notify", 204): 2}
        assert sum(applied for kind, applied in results if kind == "query") <= 1
        # and the order is paid once
        payment = Payment.objects.get(out_trade_no=order["number"])
        assert payment.status == Payment.Status.PAID
        assert Order.objects.get(pk=order["id"]).status == Order.Status.PAID
        assert Commission.objects.filter(order_id=order["id"]).count() == 2
        # one row for the notification's id; one for the query's if it asked before the pay
        handled = PaymentNotification.objects.filter(out_trade_no=order["number"])
        assert handled.exclude(notification_id__startswith="query:").count() == 1
        assert handled.filter(notification_id__startswith="query:").count() <= 1

    assert Commission.objects.count() == 6
    capsys.readouterr()
    assert cli.main(["reconcile"]) == 0, capsys.readouterr().out
