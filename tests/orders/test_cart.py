"""The buyer's cart: lines per SKU, checked quantities, unavailable lines kept aside, totals in
Decimal, ownership, and POST /orders taking the bought lines out in its own transaction."""

from decimal import Decimal

import pytest
from django.conf import settings

from fenxiao.catalog.models import Product, Sku
from fenxiao.catalog.services import products_set_status
from fenxiao.demo.images import product_pictures
from fenxiao.orders.models import CartItem, Order
from fenxiao.orders.services.cart import CART_MAX_LINES
from tests.catalog.factories import ProductFactory, SkuFactory
from tests.conftest import ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_api(make_api):
    from tests.accounts.factories import UserFactory

    return make_api(UserFactory())


def add(api, sku, quantity=1):
    r = api.post("/cart/items", {"sku_id": sku.pk, "quantity": quantity})
    assert r.status_code == 200, r.content
    return r.json()


def lines(user) -> list[tuple[int, int, bool]]:
    return list(
        CartItem.objects.filter(user=user)
        .order_by("pk")
        .values_list("sku_id", "quantity", "selected")
    )


# --- adding -----------------------------------------------------------------------------


def test_an_added_sku_is_a_line_with_todays_price_and_picture(buyer_api, sku):
    cart = add(buyer_api, sku, 2)

    assert cart["count"] == 1 and cart["selected_count"] == 1
    assert cart["selected_quantity"] == 2 and cart["selected_total"] == "599.80"
    (line,) = cart["items"]
    assert line["sku_id"] == sku.pk and line["product_id"] == sku.product_id
    assert line["name"] == sku.product.name and line["specs"] == {"颜色": "黑色"}
    assert line["price"] == "299.90" and line["quantity"] == 2 and line["stock"] == 10
    assert line["available"] is True and line["selected"] is True
    assert line["unavailable_reason"] == "" and line["image"] is None  # the factory has none
    assert buyer_api.get("/cart").json() == cart


def test_adding_a_sku_already_in_the_cart_adds_to_its_line(buyer_api, buyer, sku):
    add(buyer_api, sku, 2)
    cart = add(buyer_api, sku, 3)

    assert [(i["sku_id"], i["quantity"]) for i in cart["items"]] == [(sku.pk, 5)]
    assert lines(buyer) == [(sku.pk, 5, True)]


def test_the_cart_is_read_newest_line_first(buyer_api):
    first, second = SkuFactory(), SkuFactory()
    add(buyer_api, first)
    cart = add(buyer_api, second)
    assert [i["sku_id"] for i in cart["items"]] == [second.pk, first.pk]


def test_an_unknown_sku_is_404_in_chinese(buyer_api, buyer, sku):
    r = buyer_api.post("/cart/items", {"sku_id": sku.pk + 1000, "quantity": 1})
    assert r.status_code == 404
    assert r.json() == {"code": "sku_not_found", "message": "商品不存在"}
    assert lines(buyer) == []


@pytest.mark.parametrize("unavailable", ["off_shelf", "draft", "inactive_sku"])
def test_a_sku_not_for_sale_is_409_and_not_added(buyer_api, buyer, sku, unavailable):
    if unavailable == "inactive_sku":
        Sku.objects.filter(pk=sku.pk).update(is_active=False)
    else:
        Product.objects.filter(pk=sku.product_id).update(status=unavailable)

    r = buyer_api.post("/cart/items", {"sku_id": sku.pk, "quantity": 1})

    assert r.status_code == 409
    assert r.json()["code"] == "sku_unavailable" and "下架" in r.json()["message"]
    assert lines(buyer) == []


def test_more_than_the_stock_is_409_with_what_is_left(buyer_api, buyer, sku):
    add(buyer_api, sku, 8)

    r = buyer_api.post("/cart/items", {"sku_id": sku.pk, "quantity": 3})  # 11 > 10

    assert r.status_code == 409
    assert r.json()["code"] == "out_of_stock" and "仅剩 10 件" in r.json()["message"]
    assert lines(buyer) == [(sku.pk, 8, True)]


def test_a_sold_out_sku_is_refused_as_sold_out(buyer_api, buyer):
    sold_out = SkuFactory(stock=0)
    r = buyer_api.post("/cart/items", {"sku_id": sold_out.pk, "quantity": 1})
    assert r.status_code == 409 and "已售罄" in r.json()["message"]
    assert lines(buyer) == []


def test_a_line_above_the_order_limit_is_refused(buyer_api, buyer):
    big = SkuFactory(stock=5000)
    add(buyer_api, big, settings.ORDER_MAX_QUANTITY)

    r = buyer_api.post("/cart/items", {"sku_id": big.pk, "quantity": 1})

    assert r.status_code == 400 and r.json()["code"] == "invalid_quantity"
    assert lines(buyer) == [(big.pk, settings.ORDER_MAX_QUANTITY, True)]


@pytest.mark.parametrize(
    "body",
    [
        {"sku_id": 1, "quantity": 0},
        {"sku_id": 1, "quantity": -1},
        {"sku_id": 1, "quantity": 1000},
        {"sku_id": 1, "quantity": "2"},
        {"sku_id": 1, "quantity": 1.5},
        {"sku_id": 0, "quantity": 1},
        {"sku_id": 2**63, "quantity": 1},
        {"sku_id": "abc", "quantity": 1},
        {"quantity": 1},
        [],
    ],
)
def test_malformed_additions_are_400_and_change_nothing(buyer_api, buyer, sku, body):
    if isinstance(body, dict) and body.get("sku_id") == 1:
        body = {**body, "sku_id": sku.pk}
    r = buyer_api.post("/cart/items", body)
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid_input" and r.json()["message"]
    assert lines(buyer) == []


def test_the_cart_holds_at_most_a_hundred_lines(buyer_api, buyer):
    product = ProductFactory()
    skus = [SkuFactory(product=product) for _ in range(CART_MAX_LINES + 1)]
    CartItem.objects.bulk_create(
        CartItem(user=buyer, sku=s, quantity=1) for s in skus[:CART_MAX_LINES]
    )

    r = buyer_api.post("/cart/items", {"sku_id": skus[-1].pk, "quantity": 1})

    assert r.status_code == 409 and r.json()["code"] == "cart_full"
    assert "100" in r.json()["message"]
    assert CartItem.objects.filter(user=buyer).count() == CART_MAX_LINES
    # a SKU already in the full cart can still be added to
    assert add(buyer_api, skus[0], 1)["count"] == CART_MAX_LINES


def test_the_cart_needs_a_log_in(anon, sku):
    assert anon.get("/cart").status_code == 401
    assert anon.post("/cart/items", {"sku_id": sku.pk, "quantity": 1}).status_code == 401
    assert not CartItem.objects.exists()


# --- changing and removing ----------------------------------------------------------------


def test_a_line_changes_quantity_and_selection(buyer_api, buyer, sku):
    item = add(buyer_api, sku, 1)["items"][0]

    r = buyer_api.patch(f"/cart/items/{item['id']}", {"quantity": 4})
    assert r.status_code == 200 and r.json()["selected_total"] == "1199.60"

    cart = buyer_api.patch(f"/cart/items/{item['id']}", {"selected": False}).json()
    assert cart["items"][0]["quantity"] == 4 and cart["items"][0]["selected"] is False
    assert cart["selected_count"] == 0 and cart["selected_total"] == "0.00"
    assert lines(buyer) == [(sku.pk, 4, False)]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"quantity": 11}, 409, "out_of_stock"),
        ({"quantity": 0}, 400, "invalid_input"),
        ({"quantity": 1000}, 400, "invalid_input"),
        ({"selected": "yes"}, 400, "invalid_input"),
        ({"quantity": "3"}, 400, "invalid_input"),
    ],
)
def test_a_bad_change_is_refused_and_changes_nothing(buyer_api, buyer, sku, body, status, code):
    item = add(buyer_api, sku, 2)["items"][0]

    r = buyer_api.patch(f"/cart/items/{item['id']}", body)

    assert r.status_code == status and r.json()["code"] == code
    assert lines(buyer) == [(sku.pk, 2, True)]


def test_the_quantity_of_an_off_shelf_line_cannot_change_but_it_can_be_unselected(
    buyer_api, buyer, sku
):
    item = add(buyer_api, sku, 2)["items"][0]
    products_set_status(product_ids=[sku.product_id], status="off_shelf")

    r = buyer_api.patch(f"/cart/items/{item['id']}", {"quantity": 3})
    assert r.status_code == 409 and r.json()["code"] == "sku_unavailable"
    r = buyer_api.patch(f"/cart/items/{item['id']}", {"selected": False})
    assert r.status_code == 200
    assert lines(buyer) == [(sku.pk, 2, False)]


def test_select_all_and_none(buyer_api, buyer):
    a, b = SkuFactory(), SkuFactory()
    add(buyer_api, a)
    item = add(buyer_api, b)["items"][0]
    buyer_api.patch(f"/cart/items/{item['id']}", {"selected": False})

    assert buyer_api.patch("/cart", {"selected": True}).json()["selected_count"] == 2
    cart = buyer_api.patch("/cart", {"selected": False}).json()
    assert cart["selected_count"] == 0 and cart["count"] == 2
    assert buyer_api.patch("/cart", {"selected": "all"}).status_code == 400


def test_a_line_is_removed(buyer_api, buyer):
    a, b = SkuFactory(), SkuFactory()
    first = add(buyer_api, a)["items"][0]
    add(buyer_api, b)

    r = buyer_api.delete(f"/cart/items/{first['id']}")

    assert r.status_code == 200 and [i["sku_id"] for i in r.json()["items"]] == [b.pk]
    assert buyer_api.delete(f"/cart/items/{first['id']}").status_code == 404


def test_another_buyers_line_is_404_and_untouched(buyer_api, other_api, buyer, sku):
    item = add(buyer_api, sku, 2)["items"][0]

    for r in (
        other_api.patch(f"/cart/items/{item['id']}", {"quantity": 1}),
        other_api.patch(f"/cart/items/{item['id']}", {"selected": False}),
        other_api.delete(f"/cart/items/{item['id']}"),
    ):
        assert r.status_code == 404
        assert r.json() == {"code": "cart_item_not_found", "message": "购物车中没有该商品"}
    assert other_api.get("/cart").json()["items"] == []
    assert lines(buyer) == [(sku.pk, 2, True)]


@pytest.mark.parametrize("item_id", ["0", "abc", str(2**63), "-1"])
def test_bad_line_ids_are_4xx(buyer_api, item_id):
    r = buyer_api.patch(f"/cart/items/{item_id}", {"quantity": 1})
    assert r.status_code in (400, 404) and r.json()["code"]


# --- availability and totals ------------------------------------------------------------


def test_lines_that_cannot_be_bought_stay_but_leave_the_total(buyer_api, buyer):
    # given: four lines, all selected
    fine = SkuFactory(price=Decimal("0.10"), stock=10)
    cheap = SkuFactory(price=Decimal("0.20"), stock=10)
    gone = SkuFactory(stock=10)
    short = SkuFactory(stock=10)
    inactive = SkuFactory(stock=10)
    for s, q in ((fine, 3), (cheap, 1), (gone, 1), (short, 5), (inactive, 1)):
        add(buyer_api, s, q)

    # when: one goes off the shelf, one's stock falls below the line, one SKU is retired
    products_set_status(product_ids=[gone.product_id], status="off_shelf")
    Sku.objects.filter(pk=short.pk).update(stock=2)
    Sku.objects.filter(pk=inactive.pk).update(is_active=False)
    cart = buyer_api.get("/cart").json()

    # then: every line is still there; only the buyable ones count, summed exactly
    by_sku = {i["sku_id"]: i for i in cart["items"]}
    assert cart["count"] == 5
    assert (by_sku[gone.pk]["available"], by_sku[gone.pk]["unavailable_reason"]) == (
        False,
        "已下架",
    )
    assert by_sku[short.pk]["available"] is False
    assert by_sku[short.pk]["unavailable_reason"] == "库存不足"
    assert by_sku[short.pk]["stock"] == 2
    assert by_sku[inactive.pk]["unavailable_reason"] == "已下架"
    assert cart["selected_count"] == 2 and cart["selected_quantity"] == 4
    assert cart["selected_total"] == "0.50"  # 3 × 0.10 + 0.20: Decimal, not 0.5000000001

    # a sold-out line says so
    Sku.objects.filter(pk=fine.pk).update(stock=0)
    by_sku = {i["sku_id"]: i for i in buyer_api.get("/cart").json()["items"]}
    assert by_sku[fine.pk]["unavailable_reason"] == "已售罄"


def test_the_cart_is_read_in_a_fixed_number_of_queries(buyer_api, buyer, django_assert_num_queries):
    for n in range(3):
        product = ProductFactory()
        product.images.create(
            image=product_pictures(key=f"cart{n}", colors=((1, 2, 3), (4, 5, 6)))[0]
        )
        add(buyer_api, SkuFactory(product=product))
    buyer_api.get("/cart")  # the token's last use is written at most every few minutes

    with django_assert_num_queries(3):  # the token, the lines with SKUs and products, images
        few = buyer_api.get("/cart").json()
    for _ in range(5):
        add(buyer_api, SkuFactory())
    with django_assert_num_queries(3):
        many = buyer_api.get("/cart").json()

    assert len(few["items"]) == 3 and len(many["items"]) == 8
    assert all(
        i["image"].startswith("http://testserver/media/products/demo/cart") for i in few["items"]
    )


# --- checking out -----------------------------------------------------------------------


def order_with(api, sku_quantities, cart_item_ids, **extra):
    return api.post(
        "/orders",
        {
            "lines": [{"sku_id": s.pk, "quantity": q} for s, q in sku_quantities],
            "address": ADDRESS,
            "cart_item_ids": cart_item_ids,
            **extra,
        },
    )


def test_an_order_takes_exactly_its_lines_out_of_the_cart(buyer_api, buyer):
    a, b, c = SkuFactory(), SkuFactory(), SkuFactory()
    ids = {s.pk: add(buyer_api, s, 2)["items"][0]["id"] for s in (a, b, c)}

    r = order_with(buyer_api, [(a, 2), (b, 2)], [ids[a.pk], ids[b.pk]])

    assert r.status_code == 201, r.content
    assert [i["sku_id"] for i in buyer_api.get("/cart").json()["items"]] == [c.pk]
    assert Order.objects.filter(buyer=buyer).count() == 1


def test_an_order_naming_someone_elses_cart_line_is_404_and_nothing_happens(
    buyer_api, other_api, buyer, sku
):
    mine = add(buyer_api, sku, 1)["items"][0]["id"]
    theirs = add(other_api, SkuFactory(), 1)["items"][0]["id"]

    r = order_with(buyer_api, [(sku, 1)], [mine, theirs])

    assert r.status_code == 404 and r.json()["code"] == "cart_item_not_found"
    assert not Order.objects.exists()
    assert Sku.objects.get(pk=sku.pk).stock == 10  # nothing reserved
    assert CartItem.objects.count() == 2  # neither line taken


def test_an_order_that_fails_keeps_the_cart(buyer_api, buyer, sku):
    item = add(buyer_api, sku, 2)["items"][0]["id"]

    r = order_with(buyer_api, [(sku, 11)], [item])  # more than the stock

    assert r.status_code == 409
    assert lines(buyer) == [(sku.pk, 2, True)] and not Order.objects.exists()


def test_a_retried_order_returns_the_first_without_touching_the_cart_again(buyer_api, buyer):
    a, b = SkuFactory(), SkuFactory()
    first = add(buyer_api, a)["items"][0]["id"]
    r1 = order_with(buyer_api, [(a, 1)], [first], request_id="req-1")
    # the buyer adds the same SKU again meanwhile; the retry must not take that new line
    again = add(buyer_api, a)["items"][0]["id"]
    add(buyer_api, b)

    r2 = order_with(buyer_api, [(a, 1)], [first], request_id="req-1")

    assert (r1.status_code, r2.status_code) == (201, 200)
    assert r1.json()["id"] == r2.json()["id"]
    assert {i["id"] for i in buyer_api.get("/cart").json()["items"]} >= {again}


@pytest.mark.parametrize("ids", [[0], ["x"], [1] * 101, "1,2"])
def test_malformed_cart_item_ids_are_400(buyer_api, sku, ids):
    r = order_with(buyer_api, [(sku, 1)], ids)
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"
    assert not Order.objects.exists()


def test_orders_without_cart_item_ids_leave_the_cart_alone(buyer_api, buyer, sku):
    add(buyer_api, sku, 1)
    r = buyer_api.post(
        "/orders", {"lines": [{"sku_id": sku.pk, "quantity": 1}], "address": ADDRESS}
    )
    assert r.status_code == 201
    assert lines(buyer) == [(sku.pk, 1, True)]
