"""The console's product page cannot write a stale stock: stock is read-only and changed by
an adjustment with a reason, recorded in the stock history (issue 7, defect 3)."""

import pytest
from django.urls import reverse

from fenxiao.catalog.models import Sku, StockMove
from fenxiao.catalog.selectors import stock_differences
from tests.console.conftest import place

pytestmark = pytest.mark.django_db

MOVES = reverse("admin:catalog_stockmove_changelist")


def change_url(product) -> str:
    return reverse("admin:catalog_product_change", args=[product.pk])


def form_data(response) -> dict:
    """What the browser would send back for the page as it was read: every form's values."""
    data = {}

    def add(form):
        for name in form.fields:
            key = form.add_prefix(name)
            value = form[name].value()  # as the page renders it
            if isinstance(value, bool) or value is None:
                if value:
                    data[key] = "on"
                continue
            data[key] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.initial_forms:
            add(form)
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
    return data


def test_the_sku_row_shows_stock_read_only_with_an_adjustment(console, shop):
    r = console.get(change_url(shop.band))

    html = r.content.decode()
    assert 'name="skus-0-stock"' not in html
    assert 'name="skus-0-stock_change"' in html and "库存增减" in html
    assert 'name="skus-0-stock_reason"' in html and "调整原因" in html
    assert f"{MOVES}?sku__id__exact={shop.sku(shop.band).pk}" in html


def test_saving_a_page_read_before_sales_does_not_reset_the_stock(console, shop, shopper):
    # given the page read at stock 10, then 3 units sold
    sku = shop.sku(shop.band)
    data = form_data(console.get(change_url(shop.band)))
    place(shopper, sku, 3)

    # when the staff save a new price from that page (even with a forged stock field)
    data |= {"skus-0-price": "199.00", "skus-0-stock": "10"}
    r = console.post(change_url(shop.band), data)

    # then the price changes and the stock stays what the orders left
    assert r.status_code == 302, r.context and r.context["errors"]
    sku.refresh_from_db()
    assert (str(sku.price), sku.stock) == ("199.00", 7)
    assert stock_differences() == []


def test_an_adjustment_with_a_reason_applies_to_the_current_stock(console, shop, shopper):
    sku = shop.sku(shop.band)
    data = form_data(console.get(change_url(shop.band)))
    place(shopper, sku, 3)

    data |= {"skus-0-stock_change": "5", "skus-0-stock_reason": "到货"}
    r = console.post(change_url(shop.band), data)

    assert r.status_code == 302
    sku.refresh_from_db()
    assert sku.stock == 12
    move = StockMove.objects.filter(sku=sku).first()
    assert (move.kind, move.delta, move.stock_after, move.reason) == ("adjust", 5, 12, "到货")
    assert move.staff.phone == "13700000001"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"skus-0-stock_change": "5"}, "调整库存请填写原因"),
        ({"skus-0-stock_change": "-11", "skus-0-stock_reason": "报损"}, "库存不足"),
    ],
)
def test_a_bad_adjustment_is_a_form_error_and_changes_nothing(console, shop, change, message):
    sku = shop.sku(shop.band)
    data = form_data(console.get(change_url(shop.band)))
    before = list(Sku.objects.values()), StockMove.objects.count()

    r = console.post(change_url(shop.band), data | change | {"skus-0-price": "1.00"})

    assert r.status_code == 200 and message in r.content.decode()
    assert (list(Sku.objects.values()), StockMove.objects.count()) == before
    sku.refresh_from_db()
    assert sku.stock == 10


def test_a_new_sku_row_takes_its_number_as_initial_stock(console, shop):
    data = form_data(console.get(change_url(shop.band)))
    data |= {
        "skus-TOTAL_FORMS": 2,
        "skus-1-code": "BAND-02",
        "skus-1-specs": "颜色:白色",
        "skus-1-price": "239.00",
        "skus-1-cost": "0",
        "skus-1-is_active": "on",
        "skus-1-stock_change": "6",
    }

    r = console.post(change_url(shop.band), data)

    assert r.status_code == 302, r.context and r.context["errors"]
    new = Sku.objects.get(code="BAND-02")
    assert (new.stock, new.specs) == (6, {"颜色": "白色"})
    assert list(new.stock_moves.values_list("kind", "delta")) == [("initial", 6)]


def test_the_stock_history_lists_every_change_read_only(console, shop, shopper):
    sku = shop.sku(shop.band)
    order = place(shopper, sku, 2)

    r = console.get(f"{MOVES}?sku__id__exact={sku.pk}")

    assert r.status_code == 200
    html = r.content.decode()
    assert "库存记录" in html and "初始库存" in html and "下单" in html
    assert order.number in html and "-2" in html
    assert shop.sku(shop.mat).code not in html
    assert console.get(reverse("admin:catalog_stockmove_add")).status_code == 403
    move = StockMove.objects.filter(sku=sku).first()
    page = console.post(reverse("admin:catalog_stockmove_change", args=[move.pk]), {"delta": "100"})
    assert page.status_code == 403
    move.refresh_from_db()
    assert move.delta == -2


def test_service_staff_can_read_the_stock_history(client, make_staff, shop):
    client.force_login(make_staff("service"))

    assert client.get(MOVES).status_code == 200


@pytest.mark.parametrize(
    "specs, message",
    [("黑色", "缺少冒号：请写成 规格名:规格值"), ('{"颜色": "白色"}', "规格不用 JSON")],
)
def test_specs_are_names_and_values_not_json(console, shop, specs, message):
    data = form_data(console.get(change_url(shop.band)))

    r = console.post(change_url(shop.band), data | {"skus-0-specs": specs})

    assert r.status_code == 200 and message in r.content.decode()
    assert shop.sku(shop.band).specs == {"颜色": "黑色"}
