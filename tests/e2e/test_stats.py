"""数据统计 in the distribution centre: a distributor's sales brought, orders, commission and
new members against the period before, commission by day; the advanced figures (by day and by
team level) only for a grade whose privileges include them, a hint naming that grade otherwise.
The seed's saver and analyst each brought a friend's ¥598.00 order today (10%: ¥59.80)."""

import re

import pytest

from tests.e2e.conftest import expect, hook, screenshot

pytestmark = [pytest.mark.browser]


def open_stats(person) -> None:
    """From the distribution centre's entry 数据统计."""
    person.open("/#/pages/distributor/index")
    hook(person, "dc-entry-stats").click()
    person.page.wait_for_url(re.compile(r"#/pages/distributor/stats$"))
    person.settle()


def test_a_distributor_sees_their_figures_and_what_a_better_grade_would_show(shop, new_user):
    saver = shop.distributor("saver")
    api = shop.anon.login(saver["phone"], shop.password)
    figures = api.get("/distributor/stats", range="7d")
    assert figures["totals"] == {
        "sales": "598.00",
        "orders": 1,
        "commission": "59.80",
        "new_members": 1,
    }

    person = new_user()
    person.log_in(saver["phone"], shop.password)
    open_stats(person)
    expect(hook(person, "stats-sales-value")).to_have_text("¥598.00")
    expect(hook(person, "stats-orders-value")).to_have_text("1")
    expect(hook(person, "stats-commission-value")).to_have_text("¥59.80")
    expect(hook(person, "stats-commission-change")).to_have_text("—")  # nothing the week before
    bars = hook(person, "stats-commission-chart").locator(".st-bar")
    expect(bars).to_have_count(7)
    heights = bars.evaluate_all("bars => bars.map(b => b.getBoundingClientRect().height)")
    assert heights[-1] > 0 and heights[:-1] == [0] * 6  # today's commission, nothing before
    expect(hook(person, "stats-locked")).to_contain_text(f"升级到「{shop.data['gold_grade']}」")
    expect(hook(person, "stats-advanced")).to_have_count(0)
    screenshot(person, "stats", "locked")

    hook(person, "stats-range-30d").click()
    expect(hook(person, "stats-commission-chart").locator(".st-bar")).to_have_count(30)
    expect(hook(person, "stats-dates")).to_contain_text("与前 30 天相比")
    person.watch.assert_clean()


def test_a_grade_with_team_reports_sees_each_day_and_each_level(shop, new_user):
    analyst = shop.distributor("analyst")
    api = shop.anon.login(analyst["phone"], shop.password)
    figures = api.get("/distributor/stats", range="7d")
    assert figures["advanced"] is True
    assert [(lv["level"], lv["members"], lv["sales"]) for lv in figures["levels"]] == [
        (1, 1, "598.00"),
        (2, 0, "0.00"),
    ]

    person = new_user()
    person.log_in(analyst["phone"], shop.password)
    open_stats(person)
    expect(hook(person, "stats-locked")).to_have_count(0)
    sales_bars = hook(person, "stats-sales-chart").locator(".st-bar")
    expect(sales_bars).to_have_count(7)
    heights = sales_bars.evaluate_all("bars => bars.map(b => b.getBoundingClientRect().height)")
    assert heights[-1] > 0
    level1 = hook(person, "stats-level-1")
    expect(level1).to_contain_text("¥598.00")
    expect(level1).to_contain_text("¥59.80")
    screenshot(person, "stats", "advanced")
    person.watch.assert_clean()
