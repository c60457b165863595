"""The console's 工作台, the ledger pages' balances, the order page, and the error pages."""

import re
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse

from fenxiao import urls
from fenxiao.ledger import services as ledger
from fenxiao.ledger.models import Account, Entry
from fenxiao.orders.models import Order
from fenxiao.payouts import services as payouts
from fenxiao.payouts.models import Withdrawal
from tests.console.conftest import ask_refund, pay, place
from tests.console.test_admin import result_rows
from tests.console.test_distribution_admin import html_of, network  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

HOME = reverse("admin:index")
ACCOUNTS = reverse("admin:ledger_account_changelist")
ENTRIES = reverse("admin:ledger_entry_changelist")


def credit(user, amount: str, source: str) -> None:
    """Settled commission into a distributor's `available`, posted through the ledger."""
    ledger.post(
        kind="commission_settle",
        source_id=source,
        legs=[
            (ledger.platform_key("commission_expense"), -Decimal(amount)),
            (ledger.user_key(user.pk, "available"), Decimal(amount)),
        ],
    )


def tile(html: str, tile_id: str) -> tuple[str, int]:
    """The link and the count of one home tile."""
    found = re.search(rf'id="{tile_id}" href="([^"]+)">([\d,.-]+)<', html)
    assert found, tile_id
    return found[1].replace("&amp;", "&"), found[2]


def entries_sum(kind: str) -> Decimal:
    amounts = Entry.objects.filter(account__owner=None, account__kind=kind)
    return sum((e.amount for e in amounts), Decimal("0.00"))


def test_home_tiles_count_what_waits_and_link_to_those_rows(
    console,
    network,  # noqa: F811
    shop,
    django_assert_max_num_queries,
):
    # given: two paid orders to ship, one unpaid; a refund asked; one application waiting
    # (the network's applicant); a distributor asking to withdraw ¥50
    place(network.top, shop.sku(shop.shirt))
    ask_refund(network.mat_order, 1)
    credit(network.top, "80.00", "home-1")
    payouts.withdrawal_request(
        user=network.top, amount="50.00", channel="sandbox", request_id="home-w1"
    )

    # when: the owner opens the console
    # session, user and the figures (8), the last 7 days' 数据概况 with its permission check
    # (12; on PostgreSQL one more, switching JIT off for the report)
    with django_assert_max_num_queries(21):
        html = html_of(console.get(HOME))

    # then: each tile counts the rows and opens the list filtered to exactly them
    expected = {
        "tile-to-ship": Order.objects.filter(status="paid"),
        "tile-refunds": network.mat_order.refunds.filter(status="requested"),
        "tile-applications": [network.applicant],
        "tile-withdrawals": Withdrawal.objects.filter(status="requested"),
    }
    counts = {"tile-to-ship": 1, "tile-refunds": 1, "tile-applications": 1, "tile-withdrawals": 1}
    counts["tile-to-ship"] = 2  # the band and the mat; the shirt is unpaid
    for tile_id, rows in expected.items():
        url, count = tile(html, tile_id)
        assert int(count) == counts[tile_id] == len(rows), tile_id
        listed = console.get(url)
        assert listed.status_code == 200, url
        assert listed.context["cl"].result_count == counts[tile_id], url
    assert tile(html, "tile-to-ship")[0].endswith("?status__exact=paid")
    assert tile(html, "tile-applications")[0].endswith("?status__exact=applied")
    assert tile(html, "tile-withdrawals")[0].endswith("?status__exact=requested")
    # and today's figures are still there
    assert 'id="fig-orders-paid">2<' in html and "今日概况" in html


def test_platform_balances_are_the_sum_of_their_entries(console, network):  # noqa: F811
    # given: commissions accrued by two paid orders, a settlement and a withdrawal, all
    # posted through the ledger service
    credit(network.a2, "1234.56", "balance-1")
    payouts.withdrawal_request(
        user=network.a2, amount="100.00", channel="sandbox", request_id="balance-w1"
    )
    expense = entries_sum("commission_expense")
    assert expense < Decimal("-1234.56")  # the accruals and the settlement
    platform = Account.objects.get(key="platform:commission_expense")
    assert platform.balance == Decimal("0.00")  # platform accounts keep no cached balance

    # when / then: the home page and the account list show the sum of the entries
    html = html_of(console.get(HOME))
    assert tile(html, "platform-commission_expense")[1] == f"{expense:,.2f}"
    rows = result_rows(console.get(ACCOUNTS + "?kind__exact=commission_expense"))
    assert f"{expense:,.2f}" in rows and "平台 · 佣金支出" in rows
    # distributor accounts read the same way, and agree with their cached balance
    available = Account.objects.get(key=f"user:{network.a2.pk}:available")
    rows = result_rows(console.get(ACCOUNTS + f"?q={network.a2.phone}"))
    assert f"{available.balance:,.2f}" in rows
    # each account links to its entries
    listed = console.get(ENTRIES + f"?account__id__exact={platform.pk}")
    assert listed.context["cl"].result_count == Entry.objects.filter(account=platform).count()


def test_ledger_lists_page_by_fifty_in_chinese(console, shopper, django_assert_max_num_queries):
    for n in range(30):  # 60 entries
        credit(shopper, "1.00", f"page-{n}")
    with django_assert_max_num_queries(8):
        r = console.get(ENTRIES)
    assert r.context["cl"].list_per_page == 50
    assert len(r.context["cl"].result_list) == 50 and r.context["cl"].result_count == 60
    html = html_of(r)
    head = html.split("<thead>")[1].split("</thead>")[0]
    for label in ("时间", "业务类型", "账户", "金额（元）", "说明"):
        assert label in head
    for english in ("Pk", "PK", "Account", "ACCOUNT"):
        assert english not in head
    assert "佣金结算（转可提现）" in result_rows(r)
    assert len(console.get(ENTRIES + "?p=2").context["cl"].result_list) == 10


def test_an_order_page_reads_without_save_buttons_and_ships_a_paid_order(console, shop, shopper):
    unpaid = place(shopper, shop.sku(shop.mat))
    paid = pay(place(shopper, shop.sku(shop.band)))

    html = html_of(console.get(reverse("admin:orders_order_change", args=[unpaid.pk])))
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert "保存" not in html and 'id="ship-order"' not in html
    assert "订单详情" in html and "Request id" not in html and "请求指纹" not in html

    page = reverse("admin:orders_order_change", args=[paid.pk])
    html = html_of(console.get(page))
    assert "保存" not in html
    ship = reverse("admin:orders_order_ship", args=[paid.pk])
    assert 'id="ship-order"' in html and f'href="{ship}"' in html

    # the button opens the ship form for this order; confirming ships it
    form = html_of(console.get(ship))
    assert 'id="ship-form"' in form and paid.number in form
    r = console.post(
        ship,
        {
            "action": "ship_orders",
            "confirm": "1",
            "_selected_action": paid.pk,
            f"carrier_{paid.pk}": "顺丰速运",
            f"tracking_{paid.pk}": "SF1234567890",
        },
    )
    assert r.status_code == 302 and r["Location"] == page
    paid.refresh_from_db()
    assert (paid.status, paid.tracking_no) == (Order.Status.SHIPPED, "SF1234567890")
    assert 'id="ship-order"' not in html_of(console.get(page))


def test_a_service_staff_member_cannot_ship_from_the_order_page(client, make_staff, shop, shopper):
    paid = pay(place(shopper, shop.sku(shop.band)))
    client.force_login(make_staff("service"))
    html = html_of(client.get(reverse("admin:orders_order_change", args=[paid.pk])))
    assert 'id="ship-order"' not in html
    assert client.get(reverse("admin:orders_order_ship", args=[paid.pk])).status_code == 403


def test_pages_outside_the_api_say_not_found_in_chinese(client):
    r = client.get("/no-such-page/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "页面不存在" in html and "商家后台" in html and "Not Found" not in html
    assert "console/console.css" in html  # the console's look

    api = client.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_a_server_error_outside_the_api_is_a_chinese_page():
    page = urls.handler500(RequestFactory().get("/admin/orders/order/"))
    assert page.status_code == 500
    assert "服务器出错" in page.content.decode()

    api = urls.handler500(RequestFactory().get("/api/v1/orders"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"


def test_staff_roles_read_in_chinese_on_the_user_pages(console, make_staff):
    operator = make_staff("operator")
    users = reverse("admin:accounts_user_changelist")
    html = html_of(console.get(users))
    assert "店主（owner）" in html and "用户编号" in html
    assert html_of(console.get(users + "?role=operator")).count(operator.phone) >= 1
    assert console.get(users + "?role=operator").context["cl"].result_count == 1
    page = html_of(console.get(reverse("admin:accounts_user_change", args=[operator.pk])))
    assert "运营（operator）" in page and "客服（service）" in page
    # and a role's permissions read as what they allow
    group = operator.groups.get()
    page = html_of(console.get(reverse("admin:auth_group_change", args=[group.pk])))
    assert "订单 · 订单 · 可查看" in page and "Can view" not in page and "Can add" not in page


def test_the_front_page_shows_the_last_7_days_dashboard_to_who_may_read_reports(client, make_staff):
    client.force_login(make_staff("finance"))
    html = html_of(client.get(HOME))
    assert 'id="home-dashboard"' in html and "数据概况" in html
    assert 'id="fig-sales_paid"' in html or 'id="figures"' in html
    assert 'data-chart="sales"' in html and "reports/echarts.min.js" in html
    assert reverse("admin:reports_dashboard_changelist") in html

    client.force_login(make_staff("service"))  # customer service reads no reports
    html = html_of(client.get(HOME))
    assert 'id="home-dashboard"' not in html and "echarts" not in html
