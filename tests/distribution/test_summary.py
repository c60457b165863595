"""GET /distributor/summary (earnings by Shanghai day and month, balances, team per level,
grade and what the next one needs) and GET /distributor/team's member stats: computed in the
database with a fixed number of queries, never written, and only ever the caller's own."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fenxiao.distribution import centre
from fenxiao.distribution.models import Binding, Commission, Distributor, Grade
from fenxiao.distribution.services import distributors, grades
from fenxiao.orders import services as orders
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import (
    D,
    buy,
    buyer_under,
    code_of,
    complete,
    line_of,
    make_distributor,
    place,
    plan_set,
    refund,
)
from tests.distribution.test_reads import writes_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def dated(order, at: datetime) -> None:
    Commission.objects.filter(order=order).update(created_at=at)


@pytest.fixture
def sku():
    return SkuFactory(price=D("100.00"), stock=500)


def count_queries(call) -> tuple:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured), writes_of(captured)


# earnings


def test_earnings_count_by_the_shanghai_day_and_month_after_refunds(sku):
    # given: level 1 earns 15% (¥15.00 a unit); now is 00:30 on 15 March in Shanghai, which
    # is still 14 March in UTC
    me = make_distributor()
    now = shanghai(2026, 3, 15, 0, 30)
    today = buy(buyer_under(me), (sku, 1))
    dated(today, shanghai(2026, 3, 15, 0, 10))
    yesterday = buy(buyer_under(me), (sku, 2))  # same UTC day as now, not the same local day
    dated(yesterday, shanghai(2026, 3, 14, 23, 50))
    first_of_month = buy(buyer_under(me), (sku, 1))  # 28 February in UTC
    dated(first_of_month, shanghai(2026, 3, 1, 0, 5))
    last_month = buy(buyer_under(me), (sku, 1))
    dated(last_month, shanghai(2026, 2, 28, 23, 59))
    partly_refunded = buy(buyer_under(me), (sku, 2))
    refund(partly_refunded, {line_of(partly_refunded).pk: 1})  # ¥15.00 left
    dated(partly_refunded, shanghai(2026, 3, 15, 0, 20))
    reversed_ = buy(buyer_under(me), (sku, 1))
    refund(reversed_, {line_of(reversed_).pk: 1})
    dated(reversed_, shanghai(2026, 3, 15, 0, 25))
    assert Commission.objects.get(order=reversed_, level=1).status == "reversed"
    someone_else = buy(buyer_under(make_distributor()), (sku, 3))
    dated(someone_else, shanghai(2026, 3, 15, 0, 15))

    # when
    earned = centre.earnings(user_id=me.pk, now=now)

    # then
    assert earned == {
        "earned_today": D("30.00"),  # today + what is left of the partly refunded order
        "earned_month": D("75.00"),  # + yesterday 30 + the first of the month 15
        "earned_total": D("90.00"),  # + last month 15
    }


def test_the_summary_of_a_distributor(make_api, sku):
    me = make_distributor()
    buy(buyer_under(me), (sku, 2))
    body = make_api(me).get("/distributor/summary").json()
    assert body["status"] == "active"
    assert body["referral_code"] == code_of(me)
    assert body["share_url"].endswith(f"/?ref={code_of(me)}")
    assert (body["earned_today"], body["earned_month"], body["earned_total"]) == (
        "30.00",
        "30.00",
        "30.00",
    )
    assert body["balances"] == {"frozen": "30.00", "available": "0.00", "withdrawing": "0.00"}
    assert body["team_counts"] == {"1": 1, "2": 0}
    assert body["grade"]["name"] == "普通分销商"
    assert body["next_grade"] is None  # no grade above has upgrade thresholds


def test_a_user_who_is_not_a_distributor_sees_their_status_and_nothing_else(make_api):
    plan_set(mode="apply")
    user = UserFactory()
    body = make_api(user).get("/distributor/summary").json()
    assert body == {
        "status": "none",
        "referral_code": None,
        "share_url": None,
        "earned_today": "0.00",
        "earned_month": "0.00",
        "earned_total": "0.00",
        "balances": {"frozen": "0.00", "available": "0.00", "withdrawing": "0.00"},
        "team_counts": {"1": 0, "2": 0},
        "grade": None,
        "next_grade": None,
    }
    distributors.distributor_apply(user=user, reason="想推广")
    assert make_api(user).get("/distributor/summary").json()["status"] == "applied"


def test_the_summary_needs_a_log_in(anon):
    r = anon.get("/distributor/summary")
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


# team counts: per level, never deeper than the plan or three


def deep_chain() -> list:
    """me ← child ← grandchild ← great-grandchild."""
    me = make_distributor()
    child = make_distributor(inviter=me)
    grandchild = make_distributor(inviter=child)
    buyer_under(grandchild)
    return me


@pytest.mark.parametrize(
    "levels, max_levels, expected",
    [
        (2, 3, {"1": 1, "2": 1}),
        (3, 3, {"1": 1, "2": 1, "3": 1}),
        (3, 2, {"1": 1, "2": 1}),  # FENXIAO_MAX_LEVELS caps a stored plan
        (1, 3, {"1": 1}),
    ],
)
def test_team_counts_stop_at_the_plans_levels(make_api, settings, levels, max_levels, expected):
    plan_set(levels=levels, rates=[{"level": n, "percent": "1"} for n in range(1, levels + 1)])
    settings.MAX_LEVELS = max_levels
    me = deep_chain()
    assert make_api(me).get("/distributor/summary").json()["team_counts"] == expected


# grade progress


def grade(name, rank, **thresholds) -> Grade:
    return grades.grade_save(grade=Grade(name=name, rank=rank, **thresholds))


def test_next_grade_shows_each_threshold_against_completed_sales(make_api, sku):
    # given: a manual-only grade (no thresholds) and two automatic ones above the default
    grade("合伙人（人工指定）", 1)
    silver = grade("银牌", 2, upgrade_team_sales=D("1000.00"), upgrade_direct_buyers=2)
    gold = grade("金牌", 3, upgrade_own_sales=D("5000.00"))
    me = make_distributor()
    complete(buy(buyer_under(me), (sku, 3)))  # completed: counts
    buy(buyer_under(me), (sku, 5))  # paid, not completed: does not count yet
    api = make_api(me)

    # when
    body = api.get("/distributor/summary").json()

    # then: the lowest automatic grade above, with where I stand
    assert body["next_grade"] == {
        "id": silver.pk,
        "name": "银牌",
        "needs": [
            {
                "label": "团队完成销售额",
                "kind": "amount",
                "current": "300.00",
                "target": "1000.00",
                "met": False,
            },
            {"label": "已购直推人数", "kind": "count", "current": 1, "target": 2, "met": False},
        ],
    }

    # once on silver, gold is next; at the top, nothing is
    Distributor.objects.filter(pk=me.pk).update(grade=silver)
    body = api.get("/distributor/summary").json()
    assert body["grade"] == {"id": silver.pk, "name": "银牌", "rank": 2}
    assert body["next_grade"]["name"] == "金牌"
    assert body["next_grade"]["needs"] == [
        {
            "label": "个人推广完成销售额",
            "kind": "amount",
            "current": "300.00",
            "target": "5000.00",
            "met": False,
        }
    ]
    Distributor.objects.filter(pk=me.pk).update(grade=gold)
    assert api.get("/distributor/summary").json()["next_grade"] is None


# only one's own


def test_each_distributor_sees_only_their_own_summary(make_api, sku):
    a, b = make_distributor(), make_distributor()
    buy(buyer_under(a), (sku, 1))
    buy(buyer_under(b), (sku, 4))
    buyer_under(b)
    # an extra user_id parameter is ignored
    mine = make_api(a).get("/distributor/summary", {"user_id": b.pk}).json()
    assert (mine["referral_code"], mine["earned_total"]) == (code_of(a), "15.00")
    assert mine["team_counts"] == {"1": 1, "2": 0}
    theirs = make_api(b).get("/distributor/summary").json()
    assert (theirs["earned_total"], theirs["team_counts"]["1"]) == ("60.00", 2)


# reads: no writes, a fixed number of queries


def test_the_summary_writes_nothing_and_takes_the_same_queries_for_any_amount_of_data(
    make_api, sku
):
    grade("银牌", 2, upgrade_team_sales=D("1000.00"))
    me = make_distributor()
    api = make_api(me)
    api.get("/me")  # the token's first use is bookkeeping of the auth layer
    small, small_queries, small_writes = count_queries(lambda: api.get("/distributor/summary"))

    for _ in range(4):
        buyer = buyer_under(me)
        complete(buy(buyer, (sku, 1)))
        buy(buyer_under(make_distributor(inviter=me)), (sku, 2))
    large, large_queries, large_writes = count_queries(lambda: api.get("/distributor/summary"))

    assert small.status_code == large.status_code == 200
    assert large.json()["team_counts"] == {"1": 8, "2": 4}
    assert small_writes == large_writes == []
    assert small_queries == large_queries
    # auth 2, plan 1, profile 1, earnings 1, balances 1, team 2, next grade 1 + metrics 3
    assert large_queries <= 12, large_queries


def test_a_user_without_a_row_is_summarised_without_creating_one(make_api):
    user = UserFactory()  # mode everyone: a distributor on paper, no row yet
    api = make_api(user)
    body, _, writes = count_queries(lambda: api.get("/distributor/summary").json())
    assert body["status"] == "active" and body["referral_code"]
    assert body["grade"]["name"] == "普通分销商"
    assert writes == []
    assert not Distributor.objects.filter(pk=user.pk).exists()


# the team list: join date, orders and sales per member


def test_team_members_carry_join_date_orders_and_sales(make_api, sku):
    me = make_distributor()
    member = buyer_under(me)
    buy(member, (sku, 1))
    complete(buy(member, (sku, 2)))
    partly = buy(member, (sku, 2))
    refund(partly, {line_of(partly).pk: 1})
    fully = buy(member, (sku, 1))
    refund(fully, {line_of(fully).pk: 1})  # fully refunded: not counted
    cancelled = place(member, (sku, 1))
    orders.order_cancel(order_id=cancelled.pk, buyer=member)
    place(member, (sku, 1))  # unpaid: not counted
    quiet = buyer_under(me)

    team = make_api(me).get("/distributor/team", {"level": 1}).json()

    by_id = {m["user_id"]: m for m in team}
    joined = datetime.fromisoformat(by_id[member.pk]["joined_at"])
    bound_at = Binding.objects.get(pk=member.pk).bound_at
    assert joined == bound_at.replace(microsecond=bound_at.microsecond // 1000 * 1000)  # JSON: ms
    assert (by_id[member.pk]["orders"], by_id[member.pk]["sales"]) == (3, "400.00")
    assert (by_id[quiet.pk]["orders"], by_id[quiet.pk]["sales"]) == (0, "0.00")
    # the older names stay, with the same values
    assert by_id[member.pk]["order_count"] == 3
    assert by_id[member.pk]["bound_at"] == by_id[member.pk]["joined_at"]


def test_the_team_list_takes_the_same_queries_for_one_member_or_many(make_api, sku):
    me = make_distributor()
    buy(buyer_under(me), (sku, 1))
    api = make_api(me)
    api.get("/me")
    one, one_queries, writes = count_queries(lambda: api.get("/distributor/team"))
    for _ in range(5):
        member = make_distributor(inviter=me)
        buy(member, (sku, 1))
        buyer_under(member)
    many, many_queries, _ = count_queries(lambda: api.get("/distributor/team"))
    assert len(one.json()) == 1 and len(many.json()) == 6
    assert [m["team_size"] for m in many.json()][:5] == [1] * 5
    assert one_queries == many_queries <= 4 and writes == []


def test_team_lists_only_the_callers_downline(make_api):
    a, b = make_distributor(), make_distributor()
    a_child, b_child = buyer_under(a), buyer_under(b)
    r = make_api(a).get("/distributor/team", {"level": 1, "user_id": b.pk})
    assert [m["user_id"] for m in r.json()] == [a_child.pk]
    assert [m["user_id"] for m in make_api(b).get("/distributor/team").json()] == [b_child.pk]
