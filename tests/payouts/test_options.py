"""GET /wallet/withdrawals/options: what the client needs to draw the withdrawal form, read
from the distributor's grade, the plan, the ledger and today's withdrawals; distributors only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.payouts import services
from fenxiao.payouts.models import Withdrawal
from tests.distribution.flows import plan_set
from tests.payouts.flows import rich_distributor

pytestmark = pytest.mark.django_db

URL = "/wallet/withdrawals/options"
BANK = {"bank_name": "招商银行", "card_no": "6225880000000000", "holder": "张三"}


def test_the_form_options_of_a_distributor(make_api, staff, settings):
    # given: the shop's channels, a grade with its limits, flat tax, and withdrawals today
    settings.PAYOUT_CHANNELS = ["sandbox", "bank", "alipay"]
    user = rich_distributor(
        "500.00",
        withdraw_min="10.00",
        withdraw_daily_max="300.00",
        withdraw_daily_count="4",
        withdraw_fee_percent="0.6",
    )
    plan_set(tax_mode="flat", tax_rate="3")
    services.identity_set(user=user, real_name="张三", id_number="11010519491231002X")
    services.withdrawal_request(user=user, amount="120.00", channel="sandbox", request_id="a")
    rejected, _ = services.withdrawal_request(
        user=user, amount="30.00", channel="bank", request_id="b", account=BANK
    )
    services.withdrawal_reject(withdrawal_id=rejected.pk, staff=staff, reason="卡号有误")
    # yesterday's does not count for today
    Withdrawal.objects.filter(pk=rejected.pk).update(created_at=timezone.now() - timedelta(days=1))
    services.withdrawal_request(
        user=user,
        amount="15.00",
        channel="sandbox",
        request_id="c",
        now=timezone.now() - timedelta(days=1),
    )

    r = make_api(user).get(URL)

    assert r.status_code == 200, r.content
    body = r.json()
    bank_fields = ["bank_name", "card_no", "holder"]
    assert body["channels"] == [
        {"channel": "sandbox", "label": "微信零钱（沙箱演示）", "account_fields": []},
        {"channel": "bank", "label": "银行卡", "account_fields": bank_fields},
        {"channel": "alipay", "label": "支付宝", "account_fields": ["account", "holder"]},
    ]
    assert {k: v for k, v in body.items() if k != "channels"} == {
        "identity_required": True,
        "identity_registered": True,
        "min_amount": "10.00",
        "daily_max_amount": "300.00",
        "daily_max_count": 4,
        "fee_percent": "0.60",
        "available": "365.00",
        "today_amount": "120.00",
        "today_count": 1,
    }


def test_identity_not_needed_without_tax_and_not_yet_registered(make_api):
    user = rich_distributor("0.00")
    body = make_api(user).get(URL).json()
    assert (body["identity_required"], body["identity_registered"]) == (False, False)
    assert (body["available"], body["today_amount"], body["today_count"]) == ("0.00", "0.00", 0)
    assert body["daily_max_count"] == 3  # the grade's default


def test_only_the_shops_enabled_channels_are_offered(make_api, settings):
    settings.PAYOUT_CHANNELS = ["bank"]
    body = make_api(rich_distributor("10.00")).get(URL).json()
    assert [c["channel"] for c in body["channels"]] == ["bank"]


def test_only_distributors_get_the_options(buyer_api, anon):
    r = buyer_api.get(URL)
    assert (r.status_code, r.json()["code"]) == (403, "not_a_distributor")
    assert r.json()["message"] == "仅已生效的分销商可以提现"
    assert anon.get(URL).status_code == 401


def test_options_read_in_a_fixed_number_of_queries(make_api, django_assert_max_num_queries):
    user = rich_distributor("100.00")
    api = make_api(user)
    with django_assert_max_num_queries(8):
        assert api.get(URL).status_code == 200
