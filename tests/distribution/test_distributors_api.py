"""Who is a distributor (modes everyone / apply / threshold, staff review) and the
distributor's own views: me, team, commissions, wallet — each only ever one's own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.cli import main as fenxiao
from fenxiao.distribution.models import Distributor
from fenxiao.distribution.services.commissions import commissions_settle_due
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import (
    D,
    buy,
    buyer_under,
    chain,
    code_of,
    complete,
    line_of,
    make_distributor,
    plan_set,
    refund,
)
from tests.orders.flows import assert_error

pytestmark = pytest.mark.django_db

BALANCE_KEYS = {"frozen", "available", "withdrawing"}


def status_of(user) -> str | None:
    found = Distributor.objects.filter(pk=user.pk).first()
    return found and found.status


# /distributor/me


def test_me_in_mode_everyone_is_an_active_distributor_at_once(make_api, buyer):
    body = make_api(buyer).get("/distributor/me").json()
    assert body["status"] == "active"
    assert body["id"] == body["user_id"] == buyer.pk
    assert body["grade"]["name"] == "普通分销商"
    assert len(body["referral_code"]) == 8
    assert body["share_url"].endswith(f"?ref={body['referral_code']}")
    assert body["share_url"].startswith("http")
    assert body["inviter_id"] is None
    assert body["balances"] == {"frozen": "0.00", "available": "0.00", "withdrawing": "0.00"}
    # the GET wrote nothing; the code it showed works, and the first visit through it
    # creates the distributor with that very code
    assert not Distributor.objects.filter(pk=buyer.pk).exists()
    visitor = UserFactory()
    r = make_api(visitor).post("/referrals/visit", {"code": body["referral_code"].lower()})
    assert r.json() == {"bound": True, "inviter_id": buyer.pk}
    assert code_of(buyer) == body["referral_code"]
    assert make_api(buyer).get("/distributor/me").json() == {
        **body,
        "team_counts": {"1": 1, "2": 0, "3": 0},
    }


def test_me_shows_inviter_and_balances(make_api):
    top, parent = chain(2)
    buyer = buyer_under(parent)
    buy(buyer, (SkuFactory(price=D("299.90")), 1))
    body = make_api(parent).get("/distributor/me").json()
    assert body["inviter_id"] == top.pk
    assert body["balances"] == {"frozen": "44.98", "available": "0.00", "withdrawing": "0.00"}
    assert body["team_counts"] == {"1": 1, "2": 0, "3": 0}
    assert make_api(top).get("/distributor/me").json()["team_counts"]["2"] == 1


def test_me_needs_a_signed_in_user(anon):
    assert_error(anon.get("/distributor/me"), 401)


# mode apply: application and staff review


@pytest.fixture
def apply_mode():
    plan_set(mode="apply")


def test_apply_then_staff_approve(apply_mode, make_api, staff_api, buyer):
    api = make_api(buyer)
    assert api.get("/distributor/me").json()["status"] == "none"
    assert_error(api.get("/distributor/team"), 403, "not_a_distributor")

    r = api.post("/distributor/apply", {"real_name": "李四", "reason": "朋友多"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "applied"

    listed = staff_api.get("/admin/distributors", {"status": "applied"}).json()
    assert [(d["user_id"], d["real_name"], d["apply_reason"]) for d in listed] == [
        (buyer.pk, "李四", "朋友多")
    ]
    r = staff_api.post(f"/admin/distributors/{buyer.pk}/approve")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "active"
    assert r.json()["activated_at"]
    assert api.get("/distributor/me").json()["status"] == "active"
    assert Distributor.objects.get(pk=buyer.pk).reviewed_by.is_staff


def test_reject_with_a_note_then_apply_again(apply_mode, make_api, staff_api, buyer):
    api = make_api(buyer)
    api.post("/distributor/apply", {"reason": "想赚钱"})
    r = staff_api.post(f"/admin/distributors/{buyer.pk}/reject", {"note": "资料不全"})
    assert (r.json()["status"], r.json()["review_note"]) == ("rejected", "资料不全")
    assert api.get("/distributor/me").json()["status"] == "rejected"
    # a rejected user cannot be frozen, and may apply again
    assert_error(staff_api.post(f"/admin/distributors/{buyer.pk}/freeze"), 409)
    assert api.post("/distributor/apply", {"real_name": "李四"}).json()["status"] == "applied"


def test_freeze_and_unfreeze(make_api, staff_api, buyer):
    api = make_api(buyer)
    api.post("/distributor/apply")  # mode everyone: the row exists once a write asks for it
    r = staff_api.post(f"/admin/distributors/{buyer.pk}/freeze", {"note": "刷单"})
    assert r.json()["status"] == "frozen"
    assert api.get("/distributor/me").json()["status"] == "frozen"
    # a frozen distributor's link binds nobody
    other = make_api(UserFactory())
    assert other.post("/referrals/visit", {"code": code_of(buyer)}).json()["bound"] is False
    assert staff_api.post(f"/admin/distributors/{buyer.pk}/unfreeze").json()["status"] == "active"


def test_review_of_unknown_or_wrong_state_is_refused(apply_mode, make_api, staff_api, buyer):
    assert_error(staff_api.post("/admin/distributors/999999/approve"), 404)
    make_api(buyer).post("/distributor/apply", {})
    staff_api.post(f"/admin/distributors/{buyer.pk}/approve")
    assert_error(staff_api.post(f"/admin/distributors/{buyer.pk}/approve"), 409)
    assert_error(staff_api.post(f"/admin/distributors/{buyer.pk}/reject"), 409)
    assert status_of(buyer) == "active"


def test_review_is_staff_only(apply_mode, make_api, buyer):
    api = make_api(buyer)
    api.post("/distributor/apply", {})
    for action in ("approve", "reject", "freeze"):
        assert_error(api.post(f"/admin/distributors/{buyer.pk}/{action}"), 403)
    assert_error(api.get("/admin/distributors"), 403)
    assert status_of(buyer) == "applied"


def test_apply_in_mode_everyone_just_activates(make_api, buyer):
    assert make_api(buyer).post("/distributor/apply", {}).json()["status"] == "active"


# mode threshold: activated by completed spending, through the periodic job


def test_threshold_activates_after_completed_spending_via_run_due(make_api):
    plan_set(mode="threshold", threshold_amount="500.00")
    user = UserFactory()
    api = make_api(user)
    body = assert_error(api.post("/distributor/apply", {}), 400, "application_not_accepted")
    assert "500" in body["message"]
    sku = SkuFactory(price=D("299.90"), stock=10)

    first = buy(user, (sku, 1))
    complete(first)
    second = buy(user, (sku, 1))  # paid, not completed: does not count yet
    assert fenxiao(["run-due"]) == 0
    assert status_of(user) is None

    complete(second)
    assert fenxiao(["run-due"]) == 0
    assert status_of(user) == "active"
    assert api.get("/distributor/me").json()["status"] == "active"


def test_threshold_counts_what_was_kept_after_refunds():
    plan_set(mode="threshold", threshold_amount="500.00")
    user = UserFactory()
    order = buy(user, (SkuFactory(price=D("100.00"), stock=10), 6))
    complete(order)
    refund(order, {line_of(order).pk: 2})  # kept ¥400
    assert fenxiao(["run-due"]) == 0
    assert status_of(user) is None


# /distributor/team: only one's own downline


def test_team_by_level_with_order_counts_and_sales(make_api):
    plan_set(
        levels=3,
        rates=[
            {"level": 1, "percent": "10"},
            {"level": 2, "percent": "5"},
            {"level": 3, "percent": "1"},
        ],
    )
    me = make_distributor()
    child = make_distributor(inviter=me)
    grandchild = make_distributor(inviter=child)
    great = buyer_under(grandchild)
    sku = SkuFactory(price=D("100.00"), stock=50)
    buy(child, (sku, 1))
    buy(child, (sku, 2))
    order = buy(great, (sku, 3))
    refund(order, {line_of(order).pk: 1})
    stranger = make_distributor()
    buyer_under(stranger)

    api = make_api(me)
    level1 = api.get("/distributor/team", {"level": 1}).json()
    assert [(m["user_id"], m["order_count"], m["sales"], m["team_size"]) for m in level1] == [
        (child.pk, 2, "300.00", 1)
    ]
    assert level1[0]["distributor_status"] == "active"
    assert "****" in level1[0]["phone"]  # masked
    level2 = api.get("/distributor/team", {"level": 2}).json()
    assert [m["user_id"] for m in level2] == [grandchild.pk]
    level3 = api.get("/distributor/team", {"level": 3}).json()
    assert [(m["user_id"], m["order_count"], m["sales"]) for m in level3] == [
        (great.pk, 1, "200.00")
    ]
    seen = {m["user_id"] for lvl in (level1, level2, level3) for m in lvl}
    assert stranger.pk not in seen and me.pk not in seen
    # default level is 1; outside 1..3 is refused
    assert api.get("/distributor/team").json() == level1
    assert_error(api.get("/distributor/team", {"level": 4}), 400)
    assert_error(api.get("/distributor/team", {"level": 0}), 400)


def test_team_never_shows_another_distributors_downline(make_api):
    a = make_distributor()
    b = make_distributor()
    a_child = buyer_under(a)
    b_child = buyer_under(b)
    assert [m["user_id"] for m in make_api(a).get("/distributor/team").json()] == [a_child.pk]
    assert [m["user_id"] for m in make_api(b).get("/distributor/team").json()] == [b_child.pk]
    # there is no way to name another distributor in the query
    r = make_api(a).get("/distributor/team", {"level": 1, "user_id": b.pk})
    assert [m["user_id"] for m in r.json()] == [a_child.pk]


def test_team_query_count_does_not_grow_with_the_team(make_api, django_assert_max_num_queries):
    me = make_distributor()
    api = make_api(me)
    buyer_under(me)
    with django_assert_max_num_queries(12) as small:
        assert len(api.get("/distributor/team").json()) == 1
    for _ in range(8):
        buyer_under(me)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api.get("/distributor/team").json()) == 9


# /distributor/commissions and /wallet: only one's own


def test_commissions_list_filters_by_status_and_is_own_only(make_api):
    top, parent = chain(2)
    sku = SkuFactory(price=D("100.00"), stock=20)
    buyer = buyer_under(parent)
    done = complete(buy(buyer, (sku, 1)), at=timezone.now() - timedelta(days=8))
    open_ = buy(buyer, (sku, 2))
    gone = buy(buyer, (sku, 1))
    refund(gone, {line_of(gone).pk: 1})
    assert commissions_settle_due() == 2  # both levels of the completed order

    api = make_api(parent)
    every = api.get("/distributor/commissions").json()
    assert every["count"] == 3
    assert {(c["order_number"], c["status"], c["amount"]) for c in every["items"]} == {
        (done.number, "settled", "15.00"),
        (open_.number, "frozen", "30.00"),
        (gone.number, "reversed", "0.00"),
    }
    item = every["items"][0]
    assert set(item) >= {
        "id",
        "order_number",
        "product_name",
        "level",
        "base",
        "rate",
        "amount",
        "status",
        "created_at",
        "settled_at",
    }
    for status in ("frozen", "settled", "reversed"):
        got = api.get("/distributor/commissions", {"status": status}).json()
        assert [c["status"] for c in got["items"]] == [status]
    assert_error(api.get("/distributor/commissions", {"status": "paid"}), 400)
    # top sees only its own level-2 lines
    top_items = make_api(top).get("/distributor/commissions").json()["items"]
    assert {c["level"] for c in top_items} == {2}
    # a stranger sees nothing
    assert make_api(UserFactory()).get("/distributor/commissions").json()["count"] == 0


def test_wallet_and_entries_are_own_only(make_api):
    top, parent = chain(2)
    buyer = buyer_under(parent)
    order = complete(
        buy(buyer, (SkuFactory(price=D("100.00")), 1)), at=timezone.now() - timedelta(days=8)
    )
    commissions_settle_due()

    api = make_api(parent)
    assert api.get("/wallet").json() == {
        "frozen": "0.00",
        "available": "15.00",
        "withdrawing": "0.00",
    }
    entries = api.get("/wallet/entries").json()
    assert entries["count"] == 3  # accrued to frozen; settled: out of frozen, into available
    assert {(e["kind"], e["account"], e["amount"]) for e in entries["items"]} == {
        ("commission_accrue", "frozen", "15.00"),
        ("commission_settle", "frozen", "-15.00"),
        ("commission_settle", "available", "15.00"),
    }
    assert all(order.number in e["memo"] for e in entries["items"])
    top_entries = make_api(top).get("/wallet/entries").json()
    assert {e["amount"] for e in top_entries["items"]} == {"10.00", "-10.00"}
    stranger = make_api(UserFactory())
    assert stranger.get("/wallet").json() == {
        "frozen": "0.00",
        "available": "0.00",
        "withdrawing": "0.00",
    }
    assert stranger.get("/wallet/entries").json()["count"] == 0
    assert_error(stranger.get("/wallet/entries", {"page_size": 1000}), 400)
