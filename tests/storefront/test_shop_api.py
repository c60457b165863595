"""GET /shop: the home page's content in one read — settings, banners, categories, best sellers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.catalog.models import Category, Product
from fenxiao.catalog.services import category_save
from fenxiao.storefront.models import DEFAULT_SHARE_TEXT, DEFAULT_THEME_COLOR, Banner, ShopSettings
from fenxiao.storefront.services import banner_save, shop_settings_save
from tests.catalog.factories import ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db


def product(name: str, sales: int, status=Product.Status.ON_SHELF, category=None) -> Product:
    sku = SkuFactory(product=ProductFactory(name=name, status=status, category=category))
    Product.objects.filter(pk=sku.product_id).update(sales=sales)
    return sku.product


def banner(stored_picture, title: str, **fields) -> Banner:
    return banner_save(banner=Banner(image=stored_picture(), title=title, **fields))


def test_defaults_until_the_shop_is_set_up_and_the_read_writes_nothing(anon):
    r = anon.get("/shop")

    assert r.status_code == 200, r.content
    body = r.json()
    assert body["logo"] is None
    assert body["theme_color"] == DEFAULT_THEME_COLOR
    assert body["share_text"] == DEFAULT_SHARE_TEXT
    assert body["name"] and body["banners"] == [] and body["recommended"] == []
    assert not ShopSettings.objects.exists()  # a GET never creates the settings row


def test_the_shop_settings_as_staff_saved_them(anon, stored_picture):
    shop = ShopSettings(name="小鹿优选", theme_color="#12ab9f", share_text="{name} ¥{price} {url}")
    shop.logo = stored_picture("storefront/logo.png")
    shop_settings_save(shop=shop)

    body = anon.get("/shop").json()

    assert body["name"] == "小鹿优选"
    assert body["theme_color"] == "#12AB9F"
    assert body["share_text"] == "{name} ¥{price} {url}"
    assert body["logo"].startswith("http://testserver/media/storefront/logo") and body[
        "logo"
    ].endswith(".png")


def test_banners_shown_now_in_order_with_links_to_live_targets(anon, stored_picture):
    # given: a product on the shelf, one off it, an active and a hidden category
    live = product("在售手环", 1)
    gone = product("下架手环", 1, status=Product.Status.OFF_SHELF)
    shown = category_save(category=Category(name="运动"))
    hidden = category_save(category=Category(name="隐藏", is_active=False))
    now = timezone.now()
    b_category = banner(stored_picture, "分类", category=shown, sort=2)
    b_product = banner(stored_picture, "商品", product=live, sort=1)
    b_plain = banner(stored_picture, "无链接", sort=3)
    b_gone = banner(stored_picture, "下架商品", product=gone, sort=4)
    b_hidden = banner(stored_picture, "隐藏分类", category=hidden, sort=5)
    banner(stored_picture, "已关闭", is_active=False)
    banner(stored_picture, "未开始", starts_at=now + timedelta(hours=1))
    banner(stored_picture, "已结束", ends_at=now - timedelta(minutes=1))
    b_window = banner(
        stored_picture,
        "进行中",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        sort=6,
    )

    banners = anon.get("/shop").json()["banners"]

    assert [b["id"] for b in banners] == [
        b.pk for b in (b_product, b_category, b_plain, b_gone, b_hidden, b_window)
    ]
    links = {b["title"]: b["link"] for b in banners}
    assert links["商品"] == f"/pages/product/detail?id={live.pk}"
    assert links["分类"] == f"/pages/category/index?id={shown.pk}"
    assert links["无链接"] == links["下架商品"] == links["隐藏分类"] == ""
    assert all(b["image"].startswith("http://testserver/media/storefront/") for b in banners)


def test_categories_are_the_nodes_of_get_categories(anon):
    top = category_save(category=Category(name="数码"))
    category_save(category=Category(name="手环", parent=top))
    category_save(category=Category(name="耳机", parent=top, is_active=False))
    category_save(category=Category(name="隐藏", is_active=False))

    body = anon.get("/shop").json()

    assert body["categories"] == anon.get("/categories").json()
    assert [c["name"] for c in body["categories"]] == ["数码"]
    assert [c["name"] for c in body["categories"][0]["children"]] == ["手环"]


def test_recommended_are_on_shelf_best_sellers_at_most_ten(anon):
    for n in range(12):
        product(f"热卖{n}", sales=n * 10)
    product("下架爆款", sales=10_000, status=Product.Status.OFF_SHELF)
    product("草稿爆款", sales=10_000, status=Product.Status.DRAFT)
    no_sku = ProductFactory(name="无 SKU", status=Product.Status.ON_SHELF)
    Product.objects.filter(pk=no_sku.pk).update(sales=5_000)

    recommended = anon.get("/shop").json()["recommended"]

    assert [p["name"] for p in recommended] == [f"热卖{n}" for n in range(11, 1, -1)]
    card = recommended[0]
    assert card["price"] == "299.90" and card["sales"] == 110
    # the same card as the product list gives
    listed = {p["id"]: p for p in anon.get("/products", {"page_size": 50}).json()["items"]}
    assert card == listed[card["id"]]


def test_the_shop_is_read_in_a_handful_of_queries(
    anon, stored_picture, django_assert_max_num_queries
):
    # given: a full home page — settings, banners with targets, categories, products
    shop_settings_save(shop=ShopSettings(name="店"))
    top = category_save(category=Category(name="数码"))
    sub = category_save(category=Category(name="手环", parent=top))
    for n in range(12):
        product(f"商品{n}", sales=n, category=sub)
    first = Product.objects.first()
    for n in range(5):
        banner(stored_picture, f"图{n}", product=first if n % 2 else None)
    anon.get("/shop")  # warm up: content types and the like

    with django_assert_max_num_queries(6):
        r = anon.get("/shop")

    assert r.status_code == 200
    assert len(r.json()["banners"]) == 5 and len(r.json()["recommended"]) == 10
