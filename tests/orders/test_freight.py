"""Freight in orders: the order's total includes its templates' freight, the preview shows the
same freight as the placement, and freight is never part of the commission base."""

from decimal import Decimal

import pytest

from fenxiao.accounts.services import address_create
from fenxiao.catalog.models import FreightTemplate, Product, Sku
from fenxiao.catalog.services import freight_template_save
from fenxiao.distribution.models import Commission
from fenxiao.marketing.promotions import PromotionDraft, promotion_create
from fenxiao.orders.models import Order
from tests.catalog.factories import SkuFactory
from tests.conftest import ADDRESS
from tests.distribution.flows import buyer_under, make_distributor, pay, place, plan_set

D = Decimal
pytestmark = pytest.mark.django_db

XINJIANG = {**ADDRESS, "province": "新疆", "city": "乌鲁木齐市", "district": "天山区"}
TIBET = {**ADDRESS, "province": "西藏自治区", "city": "拉萨市", "district": "城关区"}


@pytest.fixture
def shipped_sku() -> Sku:
    """¥100.00 a unit; first unit ¥10, then ¥5 a unit; 新疆 ¥20 + ¥15; no delivery to 西藏."""
    template = freight_template_save(
        name="普通快递",
        first_units=1,
        first_fee=D("10.00"),
        additional_units=1,
        additional_fee=D("5.00"),
        no_delivery=["西藏"],
        rules=[
            {
                "provinces": ["新疆"],
                "first_units": 1,
                "first_fee": D("20.00"),
                "additional_units": 1,
                "additional_fee": D("15.00"),
            }
        ],
    )
    sku = SkuFactory(price=D("100.00"), stock=10)
    Product.objects.filter(pk=sku.product_id).update(freight_template=template)
    return sku


def body(sku, quantity, address=ADDRESS):
    return {"lines": [{"sku_id": sku.pk, "quantity": quantity}], "address": address}


def test_the_orders_total_includes_freight_and_the_preview_equals_the_placement(
    buyer_api, shipped_sku
):
    preview = buyer_api.post("/orders/preview", body(shipped_sku, 3, XINJIANG))
    placed = buyer_api.post("/orders", body(shipped_sku, 3, XINJIANG))

    assert preview.status_code == 200, preview.content
    assert placed.status_code == 201, placed.content
    preview, order = preview.json(), placed.json()
    # 新疆: 20 + 2 × 15
    assert preview["freight"] == "50.00" and preview["total"] == "350.00"
    assert preview["freight_known"] is True
    for key in ("items_total", "discounts", "freight", "total"):
        assert order[key] == preview[key], key
    stored = Order.objects.get(pk=order["id"])
    assert (stored.shipping_fee, stored.total) == (D("50.00"), D("350.00"))
    # the lines hold the goods only
    assert sum(line.amount for line in stored.lines.all()) == D("300.00")


def test_an_undeliverable_province_refuses_the_order_and_changes_nothing(buyer_api, shipped_sku):
    for path in ("/orders/preview", "/orders"):
        r = buyer_api.post(path, body(shipped_sku, 1, TIBET))

        assert r.status_code == 400, r.content
        assert r.json()["code"] == "freight_undeliverable"
        assert "不配送至西藏自治区" in r.json()["message"]
    assert not Order.objects.exists()
    shipped_sku.refresh_from_db()
    assert shipped_sku.stock == 10


def test_a_preview_without_an_address_uses_the_default_address(buyer, buyer_api, shipped_sku):
    # no address at all: freight not known yet
    r = buyer_api.post("/orders/preview", {"lines": body(shipped_sku, 2)["lines"]})
    assert r.status_code == 200, r.content
    assert (r.json()["freight"], r.json()["freight_known"]) == ("0.00", False)
    assert r.json()["total"] == "200.00"

    # with a default address in 新疆: its rule (20 + 15)
    address_create(user=buyer, is_default=True, **XINJIANG)
    r = buyer_api.post("/orders/preview", {"lines": body(shipped_sku, 2)["lines"]})
    assert (r.json()["freight"], r.json()["freight_known"]) == ("35.00", True)
    assert r.json()["total"] == "235.00"


def test_freight_is_not_in_the_commission_base(shipped_sku):
    # given level 1 at 15%, a buyer invited by a distributor
    plan_set(levels=1, rates=[{"level": 1, "percent": "15"}])
    buyer = buyer_under(make_distributor())

    # when 2 units are bought to 广东省 (10 + 5 freight) and paid
    order = place(buyer, (shipped_sku, 2))
    pay(order)

    # then the buyer paid the freight, and the commission is on the goods only
    assert (order.shipping_fee, order.total) == (D("15.00"), D("215.00"))
    commission = Commission.objects.get(order=order)
    assert commission.base == D("200.00")
    assert commission.amount == D("30.00")


def test_free_above_compares_what_the_goods_are_paid_after_discounts(buyer_api, shipped_sku):
    # given free shipping from ¥199 and 满200减20
    template = Product.objects.get(pk=shipped_sku.product_id).freight_template
    FreightTemplate.objects.filter(pk=template.pk).update(free_above=D("199.00"))
    promotion_create(
        draft=PromotionDraft(name="满200减20", tiers=[{"threshold": "200", "amount": "20"}])
    )

    # 2 × ¥100 = ¥200 listed, ¥180 paid: below ¥199, so 10 + 5 freight
    r = buyer_api.post("/orders/preview", body(shipped_sku, 2))
    assert (r.json()["freight"], r.json()["total"]) == ("15.00", "195.00")

    # 3 × ¥100 = ¥300, ¥280 paid: free
    r = buyer_api.post("/orders/preview", body(shipped_sku, 3))
    assert (r.json()["freight"], r.json()["total"]) == ("0.00", "280.00")
