"""The public product list is served from a few seconds' cache (a promotion's crowd reads the
same pages over and over), and every catalog write — through the console's API, a bulk
status change, a SKU's price — shows on the next request all the same."""

from decimal import Decimal

import pytest
from django.test import override_settings

from fenxiao.catalog.models import Product, ProductImage
from fenxiao.catalog.services import products_set_status, sku_update
from tests.catalog.factories import ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thermos():
    product = ProductFactory(name="保温杯", status="on_shelf")
    SkuFactory(product=product, price=Decimal("59.00"))
    return product


def names(api) -> list[str]:
    return [item["name"] for item in api.get("/products").json()["items"]]


def test_a_page_read_again_comes_from_the_cache(anon, thermos):
    assert names(anon) == ["保温杯"]

    # a change behind the catalog's back (no service, no signal) is not seen ...
    Product.objects.filter(pk=thermos.pk).update(name="改过的名字")
    assert names(anon) == ["保温杯"]

    # ... where the cache is off, it is
    with override_settings(CATALOG_PAGE_CACHE_SECONDS=0):
        assert names(anon) == ["改过的名字"]


@override_settings(ALLOWED_HOSTS=["testserver", "shop.example.com"])
def test_another_query_or_host_is_another_page(anon, thermos):
    ProductImage.objects.create(product=thermos, image="products/thermos.jpg")
    assert anon.get("/products", {"q": "保温"}).json()["count"] == 1
    assert anon.get("/products", {"q": "鲲鹏"}).json()["count"] == 0

    # image URLs carry the host the page was asked through
    for _ in range(2):
        here = anon.get("/products").json()["items"][0]["image"]
        there = anon.get("/products", HTTP_HOST="shop.example.com")
        assert here.startswith("http://testserver/media/")
        assert there.json()["items"][0]["image"].startswith("http://shop.example.com/media/")
        assert there.headers["Content-Type"] == "application/json; charset=utf-8"


def test_a_product_edited_in_the_console_shows_at_once(anon, staff_api, thermos):
    assert names(anon) == ["保温杯"]

    r = staff_api.patch(f"/admin/products/{thermos.pk}", {"name": "不锈钢保温杯"})
    assert r.status_code == 200, r.content

    assert names(anon) == ["不锈钢保温杯"]


def test_products_taken_off_the_shelf_in_bulk_leave_the_list_at_once(anon, thermos):
    assert names(anon) == ["保温杯"]

    products_set_status(product_ids=[thermos.pk], status="off_shelf")

    assert names(anon) == []


def test_a_new_price_shows_at_once(anon, thermos):
    sku = thermos.skus.get()
    assert anon.get("/products").json()["items"][0]["price"] == "59.00"

    sku_update(sku_id=sku.pk, price=Decimal("49.00"), specs=sku.specs)

    assert anon.get("/products").json()["items"][0]["price"] == "49.00"
