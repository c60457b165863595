"""The report pages in the console: who may open them, what they show, how many queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fenxiao.distribution.services import binding
from tests.accounts.factories import UserFactory
from tests.distribution.flows import buy, code_of, make_distributor

PAGES = {
    "dashboard": "/admin/reports/dashboard/",
    "effect": "/admin/reports/distributioneffect/",
    "rankings": "/admin/reports/ranking/",
}
STORY_RANGE = {"from": "2026-03-09", "to": "2026-03-10"}
# the queries a page makes, whatever the number of rows: the session and the user, the
# selector's aggregates (dashboard 10, effect 7, rankings 5), and its transaction (a savepoint
# and its release; on PostgreSQL also SET LOCAL jit = off)
MAX_QUERIES = {"dashboard": 15, "effect": 12, "rankings": 10}


@pytest.mark.parametrize("role", ["owner", "operator", "finance"])
def test_owner_operator_and_finance_open_every_report(client, make_staff, role):
    client.force_login(make_staff(role))

    for url in PAGES.values():
        assert client.get(url).status_code == 200, url
    index = client.get("/admin/").content.decode()
    assert "数据报表" in index and "数据概况" in index
    group = client.get("/admin/reports/").content.decode()
    assert all(f'href="{url}"' in group for url in PAGES.values())


def test_service_staff_do_not_see_reports(client, make_staff):
    client.force_login(make_staff("service"))

    for url in PAGES.values():
        assert client.get(url).status_code == 403, url
    assert "数据概况" not in client.get("/admin/").content.decode()


def test_a_buyer_is_sent_to_the_log_in(client, db):
    client.force_login(UserFactory())

    response = client.get(PAGES["dashboard"])
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_dashboard_page_shows_the_figures_against_the_previous_period(console, story):
    page = console.get(PAGES["dashboard"], STORY_RANGE).content.decode()

    assert "2026-03-09 至 2026-03-10" in page
    assert "2026-03-07 至 2026-03-08" in page  # the previous period named
    assert "¥486.00" in page and "¥397.00" in page and "¥121.50" in page
    assert "↑ 112.2%" in page  # paid 486.00 against 229.00
    assert 'id="chart-sales"' in page and "/static/reports/echarts.min.js" in page


def test_effect_page_defines_the_k_factor(console, story):
    page = console.get(PAGES["effect"], {**STORY_RANGE, "grain": "week"}).content.decode()

    assert "K 因子 = 人均邀请数 × 邀请转化率" in page
    assert "周（周一）" in page
    assert "2026-03-08 12:00" in page  # the plan's first save, in Beijing time


def test_rankings_drill_down_to_the_distributors_pages(console, story):
    page = console.get(PAGES["rankings"], STORY_RANGE).content.decode()

    pk = story.distributor.pk
    assert f'href="/admin/distribution/distributor/{pk}/change/"' in page
    assert f'href="/admin/distribution/distributor/{pk}/tree/"' in page
    assert f"/admin/distribution/commission/?q={story.distributor.phone}" in page
    assert console.get(f"/admin/distribution/distributor/{pk}/tree/").status_code == 200


def test_a_bad_range_falls_back_to_seven_days_with_a_message(console):
    response = console.get(PAGES["dashboard"], {"from": "2026-03-10", "to": "2026-03-01"})

    assert response.status_code == 200
    assert "结束日期早于开始日期" in response.content.decode()


def _more_rows(shop, n: int) -> None:
    """n more buyers, each through a share link, each with a paid order."""
    sharer = make_distributor()
    for _ in range(n):
        buyer = UserFactory()
        binding.referral_visit(user=buyer, code=code_of(sharer), product_id=shop.mat.pk)
        buy(buyer, (shop.sku(shop.mat), 1))


@pytest.mark.parametrize("name", PAGES)
def test_query_count_does_not_grow_with_the_rows(
    console, story, django_assert_max_num_queries, name
):
    url = PAGES[name]
    console.get(url, {"range": "30"})  # the session and permissions are cached from here on
    with CaptureQueriesContext(connection) as few:
        assert console.get(url, {"range": "30"}).status_code == 200
    _more_rows(story.shop, 6)

    with django_assert_max_num_queries(MAX_QUERIES[name]):
        assert console.get(url, {"range": "30"}).status_code == 200
    with CaptureQueriesContext(connection) as many:
        console.get(url, {"range": "30"})
    assert len(many) == len(few), [q["sql"] for q in many]


def test_a_report_has_no_record_pages_of_its_own(console, story):
    # the pages stand on proxies of orders: no order is shown or changed through them
    order = story.alice.orders.first()
    assert console.get(f"/admin/reports/dashboard/{order.pk}/change/").status_code == 404
