"""The merchant console (Django admin) as staff use it: home figures, lists, actions, roles."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.urls import reverse

from fenxiao.catalog.models import Category, Product
from fenxiao.orders.models import Order, Refund
from fenxiao.orders.services import order_ship
from fenxiao.payments.models import ProviderRefund
from tests.accounts.factories import UserFactory
from tests.console.conftest import ask_refund, pay, place

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("admin:catalog_product_changelist")
ORDERS = reverse("admin:orders_order_changelist")
REFUNDS = reverse("admin:orders_refund_changelist")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def result_rows(response) -> str:
    """The HTML of a list page's result table only (not its filters or search box)."""
    assert response.status_code == 200
    return response.content.decode().split('id="result_list"', 1)[-1].split("</table>", 1)[0]


def act(client, url, action, objects, **extra):
    """Choose objects in a list and run an action, as the list page's "执行" button does."""
    data = {"action": action, "_selected_action": [o.pk for o in objects], "index": 0, **extra}
    return client.post(url, data, follow=True)


# the home page


def test_home_shows_todays_orders_and_sales(console, shop, shopper):
    # given: two orders paid today (¥229 + 2 × ¥89), one unpaid
    pay(place(shopper, shop.sku(shop.band)))
    pay(place(shopper, shop.sku(shop.mat), 2))
    place(shopper, shop.sku(shop.shirt))

    r = console.get(reverse("admin:index"))

    assert r.status_code == 200
    html = r.content.decode()
    assert "今日概况" in html
    assert '<strong id="fig-orders-placed">3</strong>' in html
    assert '<strong id="fig-orders-paid">2</strong>' in html
    assert '<strong id="fig-sales">¥407.00</strong>' in html
    assert '<strong id="fig-pending-payment">1</strong>' in html
    assert 'status__exact=paid">2</a>' in html  # to ship, a link to those orders


def test_console_needs_a_staff_log_in(client, shop):
    r = client.get(PRODUCTS)
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")

    client.force_login(UserFactory())  # a shopper, not staff
    assert client.get(PRODUCTS).status_code == 302


def test_staff_logs_in_with_phone_and_password(client, make_staff):
    make_staff("operator")
    r = client.post(
        reverse("admin:login"),
        {"username": "13700000002", "password": "console-pass-1", "next": "/admin/"},
    )
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert "今日概况" in client.get("/admin/").content.decode()


def test_static_and_media_are_served_without_debug(client, settings, shop):
    assert settings.DEBUG is False
    r = client.get("/static/admin/css/base.css")
    assert r.status_code == 200 and b"body" in b"".join(r.streaming_content)

    picture = shop.band.images.get().image
    assert default_storage.exists(picture.name)
    r = client.get(picture.url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"


# lists with filters and search


@pytest.mark.parametrize(
    "url, present, absent",
    [
        (PRODUCTS, ["智能运动手环", "加厚瑜伽垫", "¥229.00"], []),
        (PRODUCTS + "?status__exact=off_shelf", [], ["智能运动手环"]),
        (PRODUCTS + "?q=心率", ["智能运动手环"], ["加厚瑜伽垫"]),  # tagline
        (PRODUCTS + "?q=防滑", ["加厚瑜伽垫"], ["智能运动手环"]),  # selling point
        (PRODUCTS + "?q=mat-01", ["加厚瑜伽垫"], ["纯棉短袖"]),  # SKU code
        (PRODUCTS + "?q=运动户外", ["加厚瑜伽垫"], ["智能运动手环"]),  # category name
        ("category:数码电子", ["智能运动手环"], ["加厚瑜伽垫", "纯棉短袖"]),
        (reverse("admin:catalog_category_changelist"), ["智能穿戴", "健身器材"], []),
        (reverse("admin:catalog_category_changelist") + "?parent=none", ["服饰"], ["健身器材"]),
        (reverse("admin:catalog_category_changelist") + "?q=器材", ["健身器材"], ["服饰"]),
        (reverse("admin:accounts_user_changelist") + "?q=小鹿", ["小鹿"], []),
    ],
)
def test_catalog_and_user_lists_filter_and_search(console, shop, shopper, url, present, absent):
    if url.startswith("category:"):
        top = Category.objects.get(name=url.removeprefix("category:"))
        url = f"{PRODUCTS}?category={top.pk}"  # a top-level category includes its children
    rows = result_rows(console.get(url))
    for text in present:
        assert text in rows, text
    for text in absent:
        assert text not in rows, text


def test_order_and_refund_lists_filter_and_search(console, shop, shopper):
    unpaid = place(shopper, shop.sku(shop.shirt))
    paid = pay(place(shopper, shop.sku(shop.band)))
    refund = ask_refund(pay(place(shopper, shop.sku(shop.mat))), 1, reason="尺码不合适")

    def rows(url):
        return result_rows(console.get(url))

    to_ship = rows(ORDERS + "?status__exact=paid")
    assert paid.number in to_ship and unpaid.number not in to_ship
    assert unpaid.number in rows(ORDERS + "?status__exact=pending_payment")
    found = rows(ORDERS + f"?q={paid.number}")
    assert paid.number in found and unpaid.number not in found
    assert paid.number in rows(ORDERS + f"?q={shopper.phone}")
    assert refund.number in rows(REFUNDS + "?status__exact=requested")
    assert refund.number not in rows(REFUNDS + "?status__exact=refunded")
    assert refund.number in rows(REFUNDS + "?q=尺码")
    for name in ["payment", "providerrefund", "paymentnotification"]:
        assert console.get(reverse(f"admin:payments_{name}_changelist")).status_code == 200
    assert console.get(reverse("admin:orders_order_change", args=[paid.pk])).status_code == 200
    assert console.get(reverse("admin:orders_refund_change", args=[refund.pk])).status_code == 200


def test_product_list_queries_do_not_grow_with_products(
    console, shop, django_assert_max_num_queries
):
    sub = Category.objects.get(name="智能穿戴")
    for i in range(20):
        Product.objects.create(name=f"手环 {i}", category=sub, status="on_shelf")
    with django_assert_max_num_queries(10):
        r = console.get(PRODUCTS + "?status__exact=on_shelf")
    assert r.status_code == 200 and "手环 19" in r.content.decode()
    with django_assert_max_num_queries(10):
        assert console.get(PRODUCTS + "?q=手环").status_code == 200


def test_order_list_queries_do_not_grow_with_orders(console, shop, django_assert_max_num_queries):
    buyers = UserFactory.create_batch(5)
    for buyer in buyers:
        pay(place(buyer, shop.sku(shop.mat)))
        place(buyer, shop.sku(shop.shirt))
    with django_assert_max_num_queries(9):
        r = console.get(ORDERS)
    assert r.status_code == 200 and r.context["cl"].result_count == 10
    with django_assert_max_num_queries(9):
        assert console.get(REFUNDS).status_code == 200


# actions


def test_take_off_shelf_and_back(console, shop):
    r = act(console, PRODUCTS, "take_off_shelf", [shop.band, shop.mat])

    assert r.status_code == 200
    assert "已下架 2 个商品" in messages_of(r)
    statuses = dict(Product.objects.values_list("name", "status"))
    assert statuses == {
        "智能运动手环": "off_shelf",
        "加厚瑜伽垫": "off_shelf",
        "纯棉短袖": "on_shelf",
    }

    r = act(console, PRODUCTS, "put_on_shelf", [shop.band])
    assert "已上架 1 个商品" in messages_of(r)
    shop.band.refresh_from_db()
    assert shop.band.status == "on_shelf"


def test_a_product_without_sellable_sku_cannot_go_on_shelf(console, shop):
    empty = Product.objects.create(name="空壳商品", status="draft")
    r = act(console, PRODUCTS, "put_on_shelf", [empty])
    assert any("没有可售 SKU" in m for m in messages_of(r))
    empty.refresh_from_db()
    assert empty.status == "draft"


def test_ship_through_the_intermediate_form(console, shop, shopper):
    first = pay(place(shopper, shop.sku(shop.band)))
    second = pay(place(shopper, shop.sku(shop.mat)))
    unpaid = place(shopper, shop.sku(shop.shirt))

    # when: the action is chosen, a form asks for carrier and tracking number
    r = act(console, ORDERS, "ship_orders", [first, second, unpaid])
    html = r.content.decode()
    assert r.status_code == 200 and "确认发货" in html
    assert first.number in html and second.number in html and unpaid.number not in html
    assert "1 个不是待发货状态" in html

    # and: it is filled in for the first one only
    r = console.post(
        ORDERS,
        {
            "action": "ship_orders",
            "_selected_action": [first.pk, second.pk],
            "confirm": "1",
            f"carrier_{first.pk}": "顺丰速运",
            f"tracking_{first.pk}": "SF1234567890",
            f"carrier_{second.pk}": "中通快递",
            f"tracking_{second.pk}": "",
        },
        follow=True,
    )

    # then
    assert "已发货 1 个订单" in messages_of(r)
    assert any(second.number in m and "缺少" in m for m in messages_of(r))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.carrier, first.tracking_no) == (
        "shipped",
        "顺丰速运",
        "SF1234567890",
    )
    assert first.shipped_at is not None
    assert second.status == "paid"


def test_ship_with_nothing_to_ship_warns(console, shop, shopper):
    unpaid = place(shopper, shop.sku(shop.band))
    r = act(console, ORDERS, "ship_orders", [unpaid])
    assert "所选订单中没有待发货的订单" in messages_of(r)
    unpaid.refresh_from_db()
    assert unpaid.status == "pending_payment"


def test_approve_refund_pays_back_and_returns_stock(console, shop, shopper):
    sku = shop.sku(shop.band)
    order = pay(place(shopper, sku, 2))
    refund = ask_refund(order, 2)
    sku.refresh_from_db()
    assert sku.stock == 8

    r = act(console, REFUNDS, "approve", [refund])

    assert any("已同意 1 个售后单" in m for m in messages_of(r))
    refund.refresh_from_db()
    order.refresh_from_db()
    sku.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED and refund.return_stock is True
    assert refund.reviewed_by.phone == "13700000001"
    assert order.status == Order.Status.REFUNDED
    assert order.refunded_amount == Decimal("458.00")
    assert sku.stock == 10
    assert refund.provider_refund.status == ProviderRefund.Status.SUCCESS


def test_approve_partial_refund_without_stock(console, shop, shopper):
    sku = shop.sku(shop.mat)
    order = pay(place(shopper, sku, 3))
    order_ship(order_id=order.pk, carrier="顺丰速运", tracking_no="SF1")
    refund = ask_refund(order, 1, reason="外包装破损")

    act(console, REFUNDS, "approve_without_stock", [refund])

    refund.refresh_from_db()
    order.refresh_from_db()
    sku.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED and refund.return_stock is False
    assert order.status == Order.Status.SHIPPED  # two of three units are still with the buyer
    assert order.refunded_amount == Decimal("89.00")
    assert sku.stock == 7


def test_reject_refund_asks_for_a_reason(console, shop, shopper):
    order = pay(place(shopper, shop.sku(shop.band)))
    refund = ask_refund(order, 1)

    # when: chosen from the list, a form asks why
    r = act(console, REFUNDS, "reject", [refund])
    assert r.status_code == 200 and "拒绝原因" in r.content.decode()

    # and: sent without a reason, it asks again and changes nothing
    data = {"action": "reject", "_selected_action": [refund.pk], "confirm": "1"}
    r = console.post(REFUNDS, {**data, "reject_reason": "  "})
    assert r.status_code == 200 and "请填写拒绝原因" in r.content.decode()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REQUESTED

    # then: with a reason, the request is rejected and the order is untouched
    r = console.post(REFUNDS, {**data, "reject_reason": "商品已拆封使用"}, follow=True)
    assert "已拒绝 1 个售后单" in messages_of(r)
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == Refund.Status.REJECTED
    assert refund.reject_reason == "商品已拆封使用"
    assert order.status == Order.Status.PAID and order.refunded_amount == 0


def test_review_actions_skip_refunds_already_reviewed(console, shop, shopper):
    refund = ask_refund(pay(place(shopper, shop.sku(shop.band))), 1)
    act(console, REFUNDS, "approve", [refund])

    r = act(console, REFUNDS, "reject", [refund])

    assert "所选售后单中没有待审核的" in messages_of(r)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REFUNDED


def test_category_form_keeps_two_levels(console, shop):
    sub = Category.objects.get(name="智能穿戴")
    r = console.post(
        reverse("admin:catalog_category_add"), {"name": "第三级", "parent": sub.pk, "sort": 0}
    )
    assert r.status_code == 200  # the form again, with an error
    assert not Category.objects.filter(name="第三级").exists()

    top = Category.objects.get(name="服饰")
    r = console.post(
        reverse("admin:catalog_category_add"),
        {"name": "女装", "parent": top.pk, "sort": 0, "is_active": "on"},
    )
    assert r.status_code == 302
    assert Category.objects.get(name="女装").parent == top


# roles


def test_service_staff_cannot_change_products(client, make_staff, shop):
    client.force_login(make_staff("service"))

    r = client.get(PRODUCTS)
    assert r.status_code == 200 and "智能运动手环" in r.content.decode()
    assert "take_off_shelf" not in r.content.decode()  # no shelf actions offered

    act(client, PRODUCTS, "take_off_shelf", [shop.band])
    change = reverse("admin:catalog_product_change", args=[shop.band.pk])
    r = client.post(change, {"name": "改名", "status": "off_shelf"})

    assert r.status_code == 403
    shop.band.refresh_from_db()
    assert (shop.band.name, shop.band.status) == ("智能运动手环", "on_shelf")


def test_finance_cannot_ship_but_operator_can(client, make_staff, shop, shopper):
    order = pay(place(shopper, shop.sku(shop.band)))
    ship = {f"carrier_{order.pk}": "顺丰速运", f"tracking_{order.pk}": "SF9", "confirm": "1"}

    client.force_login(make_staff("finance"))
    client.post(ORDERS, {"action": "ship_orders", "_selected_action": [order.pk], **ship})
    order.refresh_from_db()
    assert order.status == "paid"

    client.force_login(make_staff("operator"))
    client.post(ORDERS, {"action": "ship_orders", "_selected_action": [order.pk], **ship})
    order.refresh_from_db()
    assert order.status == "shipped"
