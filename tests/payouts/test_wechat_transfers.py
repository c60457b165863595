"""WeChat merchant transfers (商家转账) with the real wechatpayv3 client over real HTTP to the
local WeChat Pay stub: the signed scene-1005 bill, its notification (valid, forged, replayed,
malformed), query, the time-out cancel, and a create without answer."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wechatpayv3.utils import rsa_decrypt

from fenxiao.cli import main as fenxiao
from fenxiao.ledger.models import Entry
from fenxiao.payouts import providers, services
from fenxiao.payouts.models import PayoutTransfer, TransferNotification, Withdrawal
from tests.accounts.factories import UserFactory
from tests.distribution.flows import make_distributor
from tests.payments.wechat_stub import (
    TransferBills,
    new_key,
    stub_configured,
)
from tests.payouts.flows import D, approve, assert_books_clean, balances, credit, txns

pytestmark = pytest.mark.django_db

MCHID, APPID, APIV3_KEY, KEY_ID = "1230000109", "wxd678efh567hg6787", "b" * 32, "PUB_KEY_ID_02"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
VALID_ID = "11010519491231002X"


@pytest.fixture
def wechat(settings, tmp_path):
    stub = stub_configured(
        settings, tmp_path, mchid=MCHID, appid=APPID, apiv3_key=APIV3_KEY, key_id=KEY_ID
    )
    settings.PAYOUT_CHANNELS = ["wechat", "sandbox", "bank", "alipay"]
    settings.PUBLIC_BASE_URL = "https://shop.example.com"
    providers.reset()
    stub.bills = TransferBills(stub, mchid=MCHID, apiv3_key=APIV3_KEY)
    yield stub
    stub.stop()
    providers.reset()


@pytest.fixture
def payee(make_api):
    user = make_distributor(openid=OPENID)
    credit(user, "5000.00")
    return user, make_api(user)


def withdraw(api, amount: str, request_id: str = "w1") -> dict:
    r = api.post(
        "/wallet/withdrawals", {"amount": amount, "channel": "wechat", "request_id": request_id}
    )
    assert r.status_code == 201, r.content
    return r.json()


def creates(stub) -> list[dict]:
    return [q for q in stub.requests if q["path"] == "/v3/fund-app/mch-transfer/transfer-bills"]


def notify(anon, stub, number, **kw):
    headers, body = stub.bills.notification(number, **kw)
    r = anon.client.post(
        "/api/v1/payouts/notify/wechat", body, content_type="application/json", headers=headers
    )
    return r, (headers, body)


def later(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def run_due(django_capture_on_commit_callbacks, at: str) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # bills issued after commit
        assert fenxiao(["run-due", "--at", at]) == 0


def test_a_scene_1005_bill_is_issued_and_the_users_confirmation_pays(
    wechat, payee, staff, anon, make_api
):
    user, api = payee
    withdrawal = Withdrawal.objects.get(pk=withdraw(api, "100.00")["id"])

    approve(withdrawal, staff)

    # the bill: signed by us (the stub checked), scene 1005 with its report, net in fen
    call = creates(wechat)[-1]
    body = call["body"]
    assert call["signature_ok"]
    assert (body["out_bill_no"], body["transfer_scene_id"], body["openid"]) == (
        f"W{withdrawal.pk}N1",
        "1005",
        OPENID,
    )
    assert body["transfer_amount"] == 10000 and body["appid"] == APPID
    assert body["transfer_scene_report_infos"] == [
        {"info_type": "岗位类型", "info_content": "分销推广员"},
        {"info_type": "报酬说明", "info_content": "商品分销佣金"},
    ]
    assert body["user_recv_perception"] == "劳务报酬"
    assert body["notify_url"] == "https://shop.example.com/api/v1/payouts/notify/wechat"
    assert "user_name" not in body  # below ¥2,000
    # the client gets what wx.requestMerchantTransfer needs; the money is still held
    shown = api.get(f"/wallet/withdrawals/{withdrawal.pk}").json()
    bill = wechat.bills.bills[f"W{withdrawal.pk}N1"]
    assert shown["status"] == "approved"
    assert {k: v for k, v in shown["transfer"].items() if k != "confirm_before"} == {
        "state": "WAIT_USER_CONFIRM",
        "package_info": bill["package_info"],
        "mch_id": MCHID,
        "app_id": APPID,
    }
    assert balances(user)["withdrawing"] == D("100.00")

    # when the user confirms, WeChat notifies
    assert wechat.bills.finish(f"W{withdrawal.pk}N1", "SUCCESS")
    r, delivered = notify(anon, wechat, f"W{withdrawal.pk}N1")
    assert r.status_code == 204, r.content
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.paid_reference) == ("paid", bill["transfer_bill_no"])
    assert api.get(f"/wallet/withdrawals/{withdrawal.pk}").json()["transfer"]["package_info"] == ""

    # the same notification again: 204, nothing more
    headers, body = delivered
    again = anon.client.post(
        "/api/v1/payouts/notify/wechat", body, content_type="application/json", headers=headers
    )
    assert again.status_code == 204
    assert txns("withdrawal_paid", withdrawal.pk) == 1
    assert TransferNotification.objects.count() == 1
    assert balances(user) == {"frozen": 0, "available": D("4900.00"), "withdrawing": 0}
    assert_books_clean()


def test_forged_and_malformed_notifications_change_nothing(wechat, payee, staff, anon):
    _, api = payee
    withdrawal = approve(Withdrawal.objects.get(pk=withdraw(api, "50.00")["id"]), staff)
    out_bill_no = f"W{withdrawal.pk}N1"
    wechat.bills.finish(out_bill_no, "SUCCESS")
    entries = Entry.objects.count()

    forged, _ = notify(anon, wechat, out_bill_no, key=new_key())
    assert (forged.status_code, forged.json()["code"]) == (401, "invalid_signature")
    # genuine, but an amount as text is not WeChat's format
    malformed, _ = notify(anon, wechat, out_bill_no, transfer_amount="5000")
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_notification")
    assert "transfer_amount" in malformed.json()["message"]
    other_amount, _ = notify(anon, wechat, out_bill_no, transfer_amount=4999)
    assert (other_amount.status_code, other_amount.json()["code"]) == (400, "transfer_mismatch")
    unknown, _ = notify(anon, wechat, out_bill_no, out_bill_no="W999N1")
    assert unknown.status_code == 400

    assert Entry.objects.count() == entries
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "approved"
    assert PayoutTransfer.objects.get().state == "WAIT_USER_CONFIRM"
    assert not TransferNotification.objects.exists()
    assert notify(anon, wechat, out_bill_no)[0].status_code == 204
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "paid"


def test_a_failed_transfer_returns_the_money_once_with_its_reason(wechat, payee, staff, anon):
    user, api = payee
    withdrawal = approve(Withdrawal.objects.get(pk=withdraw(api, "80.00")["id"]), staff)
    wechat.bills.finish(f"W{withdrawal.pk}N1", "FAIL", fail_reason="ACCOUNT_FROZEN")

    assert notify(anon, wechat, f"W{withdrawal.pk}N1")[0].status_code == 204
    assert notify(anon, wechat, f"W{withdrawal.pk}N1")[0].status_code == 204  # another id

    withdrawal.refresh_from_db()
    assert withdrawal.status == "failed" and "ACCOUNT_FROZEN" in withdrawal.reason
    assert txns("withdrawal_return", withdrawal.pk) == 1
    assert balances(user)["available"] == D("5000.00")
    assert_books_clean()


def test_the_periodic_query_applies_a_lost_notification(
    wechat, payee, staff, django_capture_on_commit_callbacks
):
    _, api = payee
    withdrawal = approve(Withdrawal.objects.get(pk=withdraw(api, "30.00")["id"]), staff)
    wechat.bills.finish(f"W{withdrawal.pk}N1", "SUCCESS")  # its notification never arrives

    run_due(django_capture_on_commit_callbacks, later(minutes=1))
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "approved"  # not due yet
    run_due(django_capture_on_commit_callbacks, later(minutes=10))

    query = wechat.requests[-1]
    assert query["path"].endswith(f"/transfer-bills/out-bill-no/W{withdrawal.pk}N1")
    assert query["signature_ok"]
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "paid"
    assert_books_clean()


def test_a_bill_left_unconfirmed_is_cancelled_and_the_money_returned_once(
    wechat, payee, staff, anon, django_capture_on_commit_callbacks
):
    user, api = payee
    withdrawal = approve(Withdrawal.objects.get(pk=withdraw(api, "60.00")["id"]), staff)
    out_bill_no = f"W{withdrawal.pk}N1"

    run_due(django_capture_on_commit_callbacks, later(hours=23))
    assert wechat.bills.bills[out_bill_no]["state"] == "WAIT_USER_CONFIRM"
    run_due(django_capture_on_commit_callbacks, later(hours=25))

    cancel = [q for q in wechat.requests if q["path"].endswith("/cancel")]
    assert [q["path"].split("/")[-2] for q in cancel] == [out_bill_no]
    assert cancel[0]["signature_ok"]
    assert PayoutTransfer.objects.get().state == "CANCELING"
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "approved"
    # WeChat completes the cancel; a later query finds it, then its notification arrives
    wechat.bills.finish(out_bill_no, "CANCELLED")
    run_due(django_capture_on_commit_callbacks, later(hours=25, minutes=10))
    assert notify(anon, wechat, out_bill_no)[0].status_code == 204

    withdrawal.refresh_from_db()
    assert withdrawal.status == "cancelled" and "确认收款" in withdrawal.reason
    assert txns("withdrawal_return", withdrawal.pk) == 1
    assert balances(user) == {"frozen": 0, "available": D("5000.00"), "withdrawing": 0}
    assert_books_clean()


def test_a_create_without_answer_is_reissued_only_after_a_query_says_not_found(
    wechat, payee, staff, django_capture_on_commit_callbacks
):
    _, api = payee
    withdrawal = Withdrawal.objects.get(pk=withdraw(api, "40.00")["id"])
    wechat.bills.drop = "before"  # the request never reached WeChat

    approve(withdrawal, staff)
    first = PayoutTransfer.objects.get()
    assert first.state == "UNKNOWN" and first.fail_reason  # what went wrong, for staff

    run_due(django_capture_on_commit_callbacks, later(minutes=1))  # too early to tell
    assert PayoutTransfer.objects.count() == 1
    run_due(django_capture_on_commit_callbacks, later(minutes=10))

    first.refresh_from_db()
    second = PayoutTransfer.objects.get(attempt=2)
    assert first.state == "NOT_FOUND"
    assert (second.out_bill_no, second.state) == (f"W{withdrawal.pk}N2", "WAIT_USER_CONFIRM")
    sent = [q["body"]["out_bill_no"] for q in creates(wechat)]
    assert sent == [f"W{withdrawal.pk}N1", f"W{withdrawal.pk}N2"]
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "approved"
    assert_books_clean()


def test_a_create_whose_answer_was_lost_is_found_by_the_query_and_never_reissued(
    wechat, payee, staff, django_capture_on_commit_callbacks
):
    _, api = payee
    withdrawal = Withdrawal.objects.get(pk=withdraw(api, "40.00")["id"])
    wechat.bills.drop = "after"  # WeChat made the bill, its answer was lost

    approve(withdrawal, staff)
    assert PayoutTransfer.objects.get().state == "UNKNOWN"
    run_due(django_capture_on_commit_callbacks, later(minutes=10))

    transfer = PayoutTransfer.objects.get()
    bill = wechat.bills.bills[f"W{withdrawal.pk}N1"]
    assert (transfer.state, transfer.package_info) == ("WAIT_USER_CONFIRM", bill["package_info"])
    # the package comes from the same out_bill_no asked again, never a new bill
    assert {q["body"]["out_bill_no"] for q in creates(wechat)} == {f"W{withdrawal.pk}N1"}
    assert list(wechat.bills.bills) == [f"W{withdrawal.pk}N1"]


def test_the_distributor_can_refresh_and_only_their_own(wechat, payee, staff, make_api):
    _, api = payee
    withdrawal = approve(Withdrawal.objects.get(pk=withdraw(api, "20.00")["id"]), staff)
    wechat.bills.finish(f"W{withdrawal.pk}N1", "SUCCESS")

    stranger = make_api(make_distributor())
    r = stranger.post(f"/wallet/withdrawals/{withdrawal.pk}/refresh")
    assert (r.status_code, r.json()["code"]) == (404, "withdrawal_not_found")
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "approved"

    r = api.post(f"/wallet/withdrawals/{withdrawal.pk}/refresh")
    assert (r.status_code, r.json()["status"], r.json()["transfer"]["state"]) == (
        200,
        "paid",
        "SUCCESS",
    )


def test_real_name_is_sent_encrypted_from_2000_yuan_and_openid_is_required(
    wechat, payee, staff, make_api
):
    user, api = payee
    r = api.post(
        "/wallet/withdrawals", {"amount": "2000.00", "channel": "wechat", "request_id": "big"}
    )
    assert (r.status_code, r.json()["code"]) == (409, "identity_required")
    services.identity_set(user=user, real_name="张三", id_number=VALID_ID)
    withdrawal = Withdrawal.objects.get(pk=withdraw(api, "2000.00", "big")["id"])

    approve(withdrawal, staff)

    body = creates(wechat)[-1]["body"]
    assert body["transfer_amount"] == 200000
    assert rsa_decrypt(body["user_name"], wechat.platform_key) == "张三"

    h5_user = make_distributor()
    credit(h5_user, "100.00")
    r = make_api(h5_user).post(
        "/wallet/withdrawals", {"amount": "10", "channel": "wechat", "request_id": "x"}
    )
    assert (r.status_code, r.json()["code"]) == (409, "openid_required")
    assert "小程序" in r.json()["message"]
    assert not Withdrawal.objects.filter(user=h5_user).exists()


def test_wechat_is_refused_when_the_channel_is_not_enabled(settings, make_api):
    settings.PAYOUT_CHANNELS = ["sandbox", "bank", "alipay"]
    user = UserFactory(openid=OPENID)
    r = make_api(user).post(
        "/wallet/withdrawals", {"amount": "10", "channel": "wechat", "request_id": "x"}
    )
    assert (r.status_code, r.json()["code"]) == (400, "unknown_channel")
    notified = make_api(user).client.post("/api/v1/payouts/notify/wechat", "{}", content_type="")
    assert notified.status_code == 404


def test_after_the_last_attempt_without_a_bill_the_withdrawal_fails_and_money_returns(
    wechat, payee, staff, django_capture_on_commit_callbacks
):
    user, api = payee
    withdrawal = Withdrawal.objects.get(pk=withdraw(api, "40.00")["id"])
    wechat.bills.drop = "before"
    approve(withdrawal, staff)
    for minutes in (10, 20, 30):  # each attempt's request is lost too, until the last
        wechat.bills.drop = "before"
        run_due(django_capture_on_commit_callbacks, later(minutes=minutes))

    states = list(PayoutTransfer.objects.order_by("attempt").values_list("state", flat=True))
    assert states == ["NOT_FOUND"] * 3
    withdrawal.refresh_from_db()
    assert withdrawal.status == "failed" and "3 次" in withdrawal.reason
    assert txns("withdrawal_return", withdrawal.pk) == 1
    assert balances(user)["available"] == D("5000.00")
    assert not wechat.bills.bills
    assert_books_clean()
