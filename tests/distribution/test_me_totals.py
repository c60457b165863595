"""/distributor/me totals: earned today / this month / in total (distribution's commissions)
and withdrawn / withdrawing (payouts' withdrawals), composed above both apps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.distribution.models import Commission
from fenxiao.distribution.services.commissions import commissions_settle_due
from fenxiao.payouts import services as payouts
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import D, buy, buyer_under, chain, complete

pytestmark = pytest.mark.django_db

BANK = {"bank_name": "招商银行", "card_no": "6225880000000000", "holder": "张三"}
NOTHING = {
    "earned_today": "0.00",
    "earned_month": "0.00",
    "earned_total": "0.00",
    "withdrawn_total": "0.00",
    "withdrawing": "0.00",
}


def withdraw(user, amount: str, request_id: str):
    withdrawal, _ = payouts.withdrawal_request(
        user=user, amount=amount, channel="bank", request_id=request_id, account=BANK
    )
    return withdrawal


def test_totals_after_a_settled_commission_and_a_paid_withdrawal(make_api, staff):
    # given: two sales of ¥100.00 at level 1 (15%): one settled and moved to an earlier month
    (seller,) = chain(1)
    buyer = buyer_under(seller)
    sku = SkuFactory(price=D("100.00"), stock=10)
    old_order = buy(buyer, (sku, 1))
    complete(old_order, at=timezone.now() - timedelta(days=8))
    assert commissions_settle_due() == 1
    Commission.objects.filter(order=old_order).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    buy(buyer, (sku, 1))  # today's, still frozen
    # ¥12.00 of the settled ¥15.00 withdrawn and paid, ¥3.00 requested
    paid = withdraw(seller, "12.00", "a")
    payouts.withdrawal_approve(withdrawal_id=paid.pk, staff=staff)
    payouts.withdrawal_mark_paid(withdrawal_id=paid.pk, staff=staff, reference="B1")
    withdraw(seller, "3.00", "b")

    body = make_api(seller).get("/distributor/me").json()

    assert body["totals"] == {
        "earned_today": "15.00",
        "earned_month": "15.00",
        "earned_total": "30.00",
        "withdrawn_total": "12.00",
        "withdrawing": "3.00",
    }
    assert body["balances"] == {"frozen": "15.00", "available": "0.00", "withdrawing": "3.00"}


def test_a_rejected_withdrawal_counts_in_neither_total(make_api, staff):
    (seller,) = chain(1)
    order = buy(buyer_under(seller), (SkuFactory(price=D("100.00"), stock=10), 1))
    complete(order, at=timezone.now() - timedelta(days=8))
    commissions_settle_due()
    rejected = withdraw(seller, "5.00", "a")
    payouts.withdrawal_reject(withdrawal_id=rejected.pk, staff=staff, reason="户名不符")

    totals = make_api(seller).get("/distributor/me").json()["totals"]

    assert (totals["withdrawn_total"], totals["withdrawing"]) == ("0.00", "0.00")
    assert totals["earned_total"] == "15.00"


def test_each_user_sees_their_own_totals_and_apply_answers_them_too(make_api, buyer):
    (seller,) = chain(1)
    buy(buyer_under(seller), (SkuFactory(price=D("100.00"), stock=10), 1))

    assert make_api(buyer).get("/distributor/me").json()["totals"] == NOTHING
    r = make_api(buyer).post("/distributor/apply", {})
    assert (r.status_code, r.json()["totals"]) == (200, NOTHING)
    assert make_api(seller).get("/distributor/me").json()["totals"]["earned_today"] == "15.00"
