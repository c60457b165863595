"""导出 CSV / XLSX on the console's lists: the rows the list shows with its filters and search,
streamed; refused to staff who cannot see the list and for filters the list would refuse."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.catalog.factories import SkuFactory
from tests.console.conftest import pay, place
from tests.distribution.flows import buy, buyer_under, make_distributor, plan_set

pytestmark = pytest.mark.django_db

ORDERS = reverse("admin:orders_order_changelist")


def csv_rows(response) -> list[list[str]]:
    assert response.streaming  # row by row, never the whole file in memory
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_order_list_offers_both_exports_with_its_current_filters(console, shop, shopper):
    page = console.get(ORDERS, {"status__exact": "paid"}).content.decode()

    assert 'href="export/csv/?status__exact=paid"' in page and "导出 CSV" in page
    assert 'href="export/xlsx/?status__exact=paid"' in page and "导出 XLSX" in page


def test_an_export_holds_the_rows_the_filtered_list_shows(console, shop, shopper):
    paid = pay(place(shopper, shop.sku(shop.band)))
    unpaid = place(shopper, shop.sku(shop.mat), quantity=2)

    only_paid = csv_rows(console.get(ORDERS + "export/csv/", {"status__exact": "paid"}))
    everything = csv_rows(console.get(ORDERS + "export/csv/"))
    searched = csv_rows(console.get(ORDERS + "export/csv/", {"q": unpaid.number}))

    assert only_paid[0][:4] == ["订单号", "状态", "买家手机号", "商品金额"]
    assert [(r[0], r[1], r[7]) for r in only_paid[1:]] == [(paid.number, "待发货", "229.00")]
    assert sorted(r[0] for r in everything[1:]) == sorted([paid.number, unpaid.number])
    assert [r[0] for r in searched[1:]] == [unpaid.number]


def test_the_xlsx_export_is_a_sheet_with_money_as_numbers(console, shop, shopper):
    order = pay(place(shopper, shop.sku(shop.shirt), quantity=3))

    r = console.get(ORDERS + "export/xlsx/")

    assert r.status_code == 200
    assert r["Content-Disposition"].startswith('attachment; filename="orders-')
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content)))["订单"]
    cells = [sheet["A2"].value, sheet["B2"].value, sheet["H2"].value]
    assert cells == [order.number, "待发货", 237]
    assert sheet["H2"].number_format == "0.00"


def test_staff_who_cannot_see_a_list_cannot_export_it(client, make_staff):
    client.force_login(make_staff("service"))  # customer service has no withdrawals

    r = client.get(reverse("admin:payouts_withdrawal_changelist") + "export/csv/")

    assert r.status_code == 403


def test_a_filter_the_list_refuses_and_an_unknown_format_are_refused(console):
    bad_filter = console.get(ORDERS + "export/csv/", {"no_such_field": "1"})
    bad_format = console.get(ORDERS + "export/pdf/")

    assert bad_filter.status_code == 400
    assert "筛选条件无效" in bad_filter.content.decode()
    assert bad_format.status_code == 404


@pytest.mark.parametrize(
    ("url", "header"),
    [
        ("admin:distribution_commission_changelist", ["编号", "分销商手机号", "分销商昵称"]),
        ("admin:distribution_distributor_changelist", ["用户编号", "手机号", "昵称"]),
        ("admin:payouts_withdrawal_changelist", ["编号", "手机号", "昵称", "渠道"]),
    ],
)
def test_commissions_distributors_and_withdrawals_export_with_chinese_headers(console, url, header):
    rows = csv_rows(console.get(reverse(url) + "export/csv/"))

    assert rows[0][: len(header)] == header


def test_a_commission_row_says_who_earns_what_on_which_order(console):
    plan_set(levels=1, rates=[{"level": 1, "percent": "10"}])
    sharer = make_distributor(phone="13700000088", nickname="小林")
    sku = SkuFactory(price="59.90")
    order = buy(buyer_under(sharer), (sku, 2))

    url = reverse("admin:distribution_commission_changelist") + "export/csv/"
    rows = csv_rows(console.get(url, {"status__exact": "frozen"}))

    assert [r[1:12] for r in rows[1:]] == [
        ["13700000088", "小林", "1", order.number, sku.product.name, "2", "119.80", "10.00%",
         "11.98", "11.98", "待结算"],
    ]  # fmt: skip
