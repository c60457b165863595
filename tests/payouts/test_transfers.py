"""Transfer bills through the sandbox channel: the distributor's confirmation over the API,
what other apps read (enabled channels, successful transfers for bill reconciliation)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.payouts import selectors, services
from fenxiao.payouts.models import PayoutTransfer
from tests.payouts.flows import approve, assert_books_clean, balances, confirm, rich_distributor

pytestmark = pytest.mark.django_db


def test_the_distributor_confirms_a_sandbox_transfer_over_the_api(
    make_api, staff_api, django_capture_on_commit_callbacks
):
    user = rich_distributor("100.00")
    api, stranger = make_api(user), make_api(rich_distributor("10.00"))
    body = {"amount": "60.00", "channel": "sandbox", "request_id": "s1"}
    withdrawal = api.post("/wallet/withdrawals", body).json()
    assert withdrawal["transfer"] is None
    early = api.post(f"/wallet/withdrawals/{withdrawal['id']}/sandbox-confirm")
    assert (early.status_code, early.json()["code"]) == (409, "withdrawal_state")
    with django_capture_on_commit_callbacks(execute=True):
        staff_api.post(f"/admin/withdrawals/{withdrawal['id']}/approve")

    shown = api.get(f"/wallet/withdrawals/{withdrawal['id']}").json()
    assert shown["status"] == "approved"
    assert shown["transfer"]["state"] == "WAIT_USER_CONFIRM" and shown["transfer"]["package_info"]
    assert (shown["transfer"]["mch_id"], shown["transfer"]["app_id"]) == (
        "1900000000",
        "wxsandbox00000000",
    )
    other = stranger.post(f"/wallet/withdrawals/{withdrawal['id']}/sandbox-confirm")
    assert (other.status_code, other.json()["code"]) == (404, "withdrawal_not_found")

    r = api.post(f"/wallet/withdrawals/{withdrawal['id']}/sandbox-confirm")

    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["transfer"]["state"]) == ("paid", "SUCCESS")
    again = api.post(f"/wallet/withdrawals/{withdrawal['id']}/sandbox-confirm")
    assert (again.status_code, again.json()["code"]) == (409, "withdrawal_state")
    refreshed = api.post(f"/wallet/withdrawals/{withdrawal['id']}/refresh")
    assert refreshed.json()["status"] == "paid"
    assert balances(user)["available"] == 40
    assert_books_clean()


def test_bank_withdrawals_cannot_be_confirmed_through_the_sandbox(make_api, staff):
    user = rich_distributor("100.00")
    api = make_api(user)
    account = {"bank_name": "招商银行", "card_no": "6225880000000000", "holder": "张三"}
    body = {"amount": "10", "channel": "bank", "request_id": "b", "account": account}
    withdrawal = api.post("/wallet/withdrawals", body).json()
    r = api.post(f"/wallet/withdrawals/{withdrawal['id']}/sandbox-confirm")
    assert (r.status_code, r.json()["code"]) == (404, "withdrawal_not_found")
    assert api.post(f"/wallet/withdrawals/{withdrawal['id']}/refresh").json()["transfer"] is None


def test_channels_enabled_follow_the_setting(settings):
    settings.PAYOUT_CHANNELS = ["wechat", "bank"]
    assert selectors.channels_enabled() == [
        {"channel": "wechat", "label": "微信零钱", "account_fields": []},
        {
            "channel": "bank",
            "label": "银行卡",
            "account_fields": ["bank_name", "card_no", "holder"],
        },
    ]


def test_transfers_finished_between_lists_successful_bills_for_the_bills(staff):
    user = rich_distributor("100.00")
    paid, waiting = (
        services.withdrawal_request(user=user, amount=a, channel="sandbox", request_id=a)[0]
        for a in ("12.34", "5.00")
    )
    approve(paid, staff)
    approve(waiting, staff)
    confirm(paid)
    transfer = PayoutTransfer.objects.get(withdrawal=paid)
    start = timezone.now() - timedelta(hours=1)

    rows = selectors.transfers_finished_between(start, start + timedelta(hours=2))

    assert rows == [
        {
            "out_bill_no": transfer.out_bill_no,
            "transfer_bill_no": transfer.transfer_bill_no,
            "amount_cents": 1234,
            "finished_at": transfer.finished_at,
            "channel": "sandbox",
        }
    ]
    assert selectors.transfers_finished_between(start - timedelta(days=1), start) == []
