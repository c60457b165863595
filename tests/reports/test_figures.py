"""数据概况, 分销效果 and 排行榜 against the hand-built story (conftest), to the fen."""

from datetime import date
from decimal import Decimal

from fenxiao.distribution.services.commissions import commissions_settle_due
from fenxiao.orders.models import Order
from fenxiao.payouts.services import withdrawal_approve, withdrawal_mark_paid, withdrawal_request
from fenxiao.reports.periods import Period
from fenxiao.reports.selectors.dashboard import dashboard
from fenxiao.reports.selectors.effect import distribution_effect
from fenxiao.reports.selectors.rankings import rankings
from tests.distribution.flows import complete
from tests.reports.conftest import PERIOD, at

D = Decimal


def test_dashboard_figures_and_the_previous_period(story):
    found = dashboard(PERIOD)

    assert found.previous == Period(date(2026, 3, 7), date(2026, 3, 8))
    now = {f.key: f.now for f in found.figures}
    before = {f.key: f.before for f in found.figures}
    # paid: bob's mat 89.00 (03-09), alice's band 229.00 and mat 89.00, the self-purchase 79.00;
    # carol's cancelled order never paid; bob's refund (03-10) counts on its own day
    assert now == {
        "paid": D("486.00"),
        "refunded": D("89.00"),
        "net": D("397.00"),
        "orders": 4,
        "buyers": 3,
        "aov": D("121.50"),
        "users": 3,  # alice, bob, carol
        "linked": 1,  # alice came through the share
        "distributors": 0,
        "created": D("39.70"),  # 22.90 + 8.90 + 7.90 (the self-purchase)
        "settled": D("0.00"),
        "withdrawn": D("0.00"),
        "share": D("8.2"),  # 39.70 ÷ 486.00
    }
    assert before == {
        "paid": D("229.00"),
        "refunded": D("0.00"),
        "net": D("229.00"),
        "orders": 1,
        "buyers": 1,
        "aov": D("229.00"),
        "users": 2,  # dave and the distributor
        "linked": 0,
        "distributors": 1,
        "created": D("0.00"),
        "settled": D("0.00"),
        "withdrawn": D("0.00"),
        "share": D("0.0"),
    }
    assert found.figure("paid").change == D("112.2")  # (486 − 229) ÷ 229
    assert found.figure("users").change == D("50.0")
    assert found.figure("distributors").change == D("-100.0")
    assert found.figure("settled").change is None  # nothing before to compare with


def test_dashboard_series_put_each_amount_on_its_own_day(story):
    series = dashboard(PERIOD).series

    assert series["dates"] == ["03-09", "03-10"]
    assert series["sales"] == ["89.00", "397.00"]
    assert series["refunded"] == ["0.00", "89.00"]  # refunded the day after it was paid
    assert series["net"] == ["89.00", "308.00"]
    assert series["orders"] == [1, 3]
    assert series["users"] == [2, 1]
    assert series["linked"] == [1, 0]
    assert series["commission"] == ["0.00", "39.70"]


def test_a_day_in_the_shops_time_zone_ends_at_midnight_beijing_time(story):
    # alice's mat was paid at 20:00 on 03-10 in Beijing, 12:00 UTC: still 03-10
    only_the_tenth = dashboard(Period(date(2026, 3, 10), date(2026, 3, 10)))

    assert only_the_tenth.figure("paid").now == D("397.00")
    assert only_the_tenth.figure("paid").before == D("89.00")  # 03-09


def test_distribution_effect_funnel_k_factor_and_repurchase(story):
    effect = distribution_effect(PERIOD, "day", now=at(12, 0))

    ninth, tenth = effect.buckets
    # alice: the visit and sign-up on 03-09, her first order on 03-10, the day after
    assert (ninth.visits, ninth.signups, ninth.first_orders) == (1, 1, 0)
    assert (tenth.visits, tenth.signups, tenth.first_orders) == (0, 0, 1)
    assert (ninth.sales, ninth.driven_sales) == (D("89.00"), D("0.00"))
    # alice's two orders and the self-purchase earned commission; bob's did not
    assert (tenth.sales, tenth.driven_sales, tenth.driven_share) == (
        D("397.00"),
        D("397.00"),
        D("100.0"),
    )
    assert effect.totals.driven_share == D("81.7")  # 397 ÷ 486

    k = effect.k_factor
    assert (k.visits, k.sharers, k.signups) == (1, 1, 1)
    assert (k.invitations, k.conversion, k.k) == (D("1.00"), D("100.0"), D("1.00"))

    r = effect.repurchase
    assert (r.referred_buyers, r.referred_repeat, r.referred_rate) == (1, 1, D("100.0"))
    assert (r.other_buyers, r.other_repeat, r.other_rate) == (2, 0, D("0.0"))


def test_lift_compares_daily_averages_around_the_plans_first_save(story):
    lift = distribution_effect(PERIOD, now=at(12, 0)).lift

    assert lift.activated_at == at(8, 12)
    # before: dave's 229.00 two hours earlier (the shop's first sale: one day to average);
    # after: four orders, 486.00, over the 4 days to "now" (03-12 00:00 less 03-08 12:00)
    assert (lift.days_before, lift.days_after) == (1, 4)
    assert (lift.sales_before, lift.sales_after) == (D("229.00"), D("486.00"))
    assert lift.per_day("sales", "after") == D("121.50")
    assert lift.per_day("orders", "before") == D("1.00")
    assert lift.change("sales") == D("-46.9")


def test_weeks_and_months_group_the_same_rows(story):
    weeks = distribution_effect(PERIOD, "week", now=at(12, 0)).buckets
    months = distribution_effect(PERIOD, "month", now=at(12, 0)).buckets

    assert [b.start for b in weeks] == [date(2026, 3, 9)]  # a Monday
    assert [b.start for b in months] == [date(2026, 3, 1)]
    for found in (weeks[0], months[0]):
        assert (found.visits, found.signups, found.first_orders) == (1, 1, 1)
        assert (found.sales, found.driven_sales) == (D("486.00"), D("397.00"))


def test_rankings(story):
    found = rankings(PERIOD)

    (top,) = found.by_sales
    assert (top.user_id, top.name, top.value, top.extra) == (
        story.distributor.pk,
        "小王",
        D("397.00"),  # alice's 229.00 + 89.00 and their own 79.00, before bob's refund
        3,
    )
    assert [(r.user_id, r.value, r.extra) for r in found.by_commission] == [
        (story.distributor.pk, D("39.70"), 3)
    ]
    assert [(r.user_id, r.value) for r in found.by_team] == [(story.distributor.pk, 1)]
    shop = story.shop
    assert [(r.product_id, r.value, r.extra) for r in found.products_by_sales] == [
        (shop.band.pk, D("229.00"), 1),
        (shop.mat.pk, D("178.00"), 2),
        (shop.shirt.pk, D("79.00"), 1),
    ]
    assert [(r.product_id, r.value, r.extra) for r in found.products_by_shares] == [
        (shop.band.pk, 1, 1)
    ]


def test_an_empty_period_reads_as_zero_not_an_error(story):
    found = dashboard(Period(date(2025, 1, 1), date(2025, 1, 7)))

    assert found.figure("paid").now == D("0.00")
    assert found.figure("aov").now is None
    assert found.figure("share").now is None
    assert found.series["sales"] == ["0.00"] * 7


def test_settled_commission_and_paid_withdrawals_count_on_their_own_days(story):
    # given: the distributor's self-purchase completes on 03-10, its 7.90 is settled by the
    # job that runs after the 7 frozen days, at 01:00 on 03-18,
    # and they withdraw 5.00 by bank card, paid by finance on 03-19
    shirt = Order.objects.get(buyer=story.distributor)
    complete(shirt, at=at(10, 12))
    assert commissions_settle_due(now=at(18, 1)) == 1
    withdrawal, _ = withdrawal_request(
        user=story.distributor,
        amount=D("5.00"),
        channel="bank",
        request_id="r1",
        account={"bank_name": "招商银行", "card_no": "6214000000000000", "holder": "小王"},
        now=at(18, 10),
    )
    withdrawal_approve(withdrawal_id=withdrawal.pk, staff=None, now=at(19, 9))
    withdrawal_mark_paid(withdrawal_id=withdrawal.pk, staff=None, reference="B1", now=at(19, 10))

    # when
    found = dashboard(Period(date(2026, 3, 18), date(2026, 3, 19)))

    # then
    assert found.figure("settled").now == D("7.90")
    assert found.figure("withdrawn").now == D("5.00")
    assert found.figure("created").now == D("0.00")  # created 03-10, not in this period
    assert dashboard(PERIOD).figure("settled").now == D("0.00")


def test_just_after_midnight_in_beijing_is_the_new_day_week_and_month(story):
    # dave's order moves to 00:30 on Sunday 03-01 in Beijing (16:30 UTC on 02-28, a Saturday);
    # bob's to 23:30 on Sunday 03-08, the last minute but one of that week
    Order.objects.filter(buyer=story.dave).update(paid_at=at(1, 0, 30))
    Order.objects.filter(buyer=story.bob).update(paid_at=at(8, 23, 30))
    span = Period(date(2026, 2, 28), date(2026, 3, 9))

    days = dashboard(span).series
    weeks = distribution_effect(span, "week", now=at(12, 0)).buckets
    months = distribution_effect(span, "month", now=at(12, 0)).buckets

    assert days["sales"][:2] == ["0.00", "229.00"]  # 02-28 nothing, 03-01 dave's
    assert days["sales"][8:] == ["89.00", "0.00"]  # 03-08 bob's, 03-09 nothing
    assert [(b.start, b.sales) for b in weeks] == [
        (date(2026, 2, 23), D("229.00")),  # the week of Monday 02-23 holds Sunday 03-01
        (date(2026, 3, 2), D("89.00")),
        (date(2026, 3, 9), D("0.00")),
    ]
    assert [(b.start, b.sales) for b in months] == [
        (date(2026, 2, 1), D("0.00")),
        (date(2026, 3, 1), D("318.00")),
    ]
