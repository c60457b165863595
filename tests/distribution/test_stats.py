"""GET /distributor/stats: a distributor's own figures to the fen over hand-built days — a
level-2 sale, a refund of one unit, a cancelled order, an order of the period before, members
bound in the window — and the advanced figures only where the grade grants team_reports."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fenxiao.distribution.models import Binding, Commission, Distributor, Grade
from fenxiao.distribution.stats import distributor_stats
from fenxiao.orders.models import Order
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import (
    buy,
    buyer_under,
    line_of,
    make_distributor,
    place,
    plan_set,
    refund,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
# "now": 10:00 on Nov 30 in Shanghai; the 7-day window is Nov 24..30
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)


def on(order: Order, day: int, hour: int = 12) -> None:
    """The order's commissions as if it had been paid on Nov `day` (Oct when day > 30)."""
    month = 11 if day <= 30 else 10
    at = datetime(2026, month, day if day <= 30 else day - 30, hour, tzinfo=SHANGHAI)
    Commission.objects.filter(order=order).update(created_at=at)


@pytest.fixture
def team():
    """A (the distributor we look at) ← B ← C and A ← D; every binding on Nov 29."""
    plan_set(levels=2, rates=[{"level": 1, "percent": "10"}, {"level": 2, "percent": "5"}])
    a = make_distributor(phone="13700000001")
    b = make_distributor(inviter=a)
    c = buyer_under(b)
    d = buyer_under(a)
    Binding.objects.update(bound_at=datetime(2026, 11, 29, 9, tzinfo=SHANGHAI))
    hundred, fifty = SkuFactory(price="100.00", stock=50), SkuFactory(price="50.00", stock=50)

    on(buy(d, (hundred, 1)), 28)  # A: level 1, ¥10.00
    on(buy(c, (hundred, 2)), 29, hour=23)  # A: level 2, ¥10.00 (B earns level 1)
    today = buy(d, (fifty, 2))  # A: level 1, ¥10.00, then one unit refunded: ¥5.00
    on(today, 30, hour=0)
    refund(today, {line_of(today).pk: 1})
    place(d, (hundred, 1))  # never paid: no commission
    on(buy(d, (SkuFactory(price="30.00"), 1)), 20)  # the period before: ¥3.00
    return a


def test_the_totals_of_the_window_and_the_period_before(team):
    stats = distributor_stats(user_id=team.pk, days=7, grade=None, now=NOW)

    assert (stats["start"].isoformat(), stats["end"].isoformat()) == ("2026-11-24", "2026-11-30")
    assert stats["totals"] == {
        "sales": Decimal("150.00"),  # ¥100 + what was kept of ¥100 (¥50 refunded)
        "orders": 2,
        "commission": Decimal("25.00"),  # 10 + 10 (level 2) + 5
        "new_members": 2,  # B and D
    }
    assert stats["previous"] == {
        "sales": Decimal("30.00"),
        "orders": 1,
        "commission": Decimal("3.00"),
        "new_members": 0,
    }
    commission = {d["date"].day: d["commission"] for d in stats["daily"]}
    assert list(commission) == [24, 25, 26, 27, 28, 29, 30]
    assert (commission[28], commission[29], commission[30]) == (
        Decimal("10.00"),
        Decimal("10.00"),  # 23:00 Shanghai is still the 29th, though the 29th ends at 16:00 UTC
        Decimal("5.00"),
    )
    assert sum(commission.values()) == stats["totals"]["commission"]
    assert not stats["advanced"] and stats["levels"] == []
    assert "sales" not in stats["daily"][0]


def test_a_grade_with_team_reports_sees_each_day_and_each_level(team):
    gold = Grade.objects.create(name="金牌分销商", rank=5, privileges={"team_reports": True})

    stats = distributor_stats(user_id=team.pk, days=7, grade=gold, now=NOW)

    days = {d["date"].day: d for d in stats["daily"]}
    assert (days[28]["sales"], days[28]["orders"]) == (Decimal("100.00"), 1)
    assert (days[29]["sales"], days[29]["orders"], days[29]["new_members"]) == (
        Decimal("0.00"),
        0,
        2,
    )
    assert (days[30]["sales"], days[30]["orders"]) == (Decimal("50.00"), 1)
    assert stats["levels"] == [
        {
            "level": 1,
            "members": 2,
            "sales": Decimal("150.00"),
            "orders": 2,
            "commission": Decimal("15.00"),
        },
        {
            "level": 2,
            "members": 1,
            "sales": Decimal("200.00"),
            "orders": 1,
            "commission": Decimal("10.00"),
        },
    ]


def test_the_api_shows_the_hint_to_a_grade_without_the_privilege(team, make_api):
    Grade.objects.create(name="金牌分销商", rank=5, privileges={"team_reports": True})

    r = make_api(team).get("/distributor/stats", {"range": "30d"})

    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["days"], len(body["daily"]), body["advanced"]) == (30, 30, False)
    assert body["unlock_grade"] == "金牌分销商"
    assert body["daily"][-1]["sales"] is None


def test_the_api_answers_in_a_bounded_number_of_queries(
    team, make_api, django_assert_max_num_queries
):
    gold = Grade.objects.create(name="金牌分销商", rank=5, privileges={"team_reports": True})
    Distributor.objects.filter(pk=team.pk).update(grade=gold)
    api = make_api(team)

    with django_assert_max_num_queries(14):
        r = api.get("/distributor/stats", {"range": "90d"})

    assert r.status_code == 200 and r.json()["advanced"] is True
    assert len(r.json()["daily"]) == 90


@pytest.mark.parametrize("bad", ["1y", "7", ""])
def test_a_bad_range_is_a_400_in_chinese(team, make_api, bad):
    r = make_api(team).get("/distributor/stats", {"range": bad})

    assert r.status_code == 400
    assert r.json()["code"] == "invalid_input"


def test_a_buyer_who_is_not_a_distributor_has_no_figures(buyer_api):
    plan_set(mode="apply")  # distributors apply and are approved: a buyer is none

    r = buyer_api.get("/distributor/stats")

    assert r.status_code == 403
    assert r.json()["code"] == "not_a_distributor"
