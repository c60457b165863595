"""A product list counts at most settings.CATALOG_COUNT_CAP matches ("10,000+"); beyond it the
page is read in the shelf order, which an index answers without ranking every match."""

import pytest
from django.db import connection

from fenxiao.catalog import selectors
from fenxiao.catalog.models import Product
from tests.catalog.factories import CategoryFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db

CAP = 4


@pytest.fixture(autouse=True)
def small_cap(settings):
    settings.CATALOG_COUNT_CAP = CAP


def shelf_product(name, *, sort=0, sales=0, tagline="好物推荐", status="on_shelf"):
    product = ProductFactory(name=name, sort=sort, sales=sales, tagline=tagline, status=status)
    SkuFactory(product=product)
    return product


def shelf_order(products) -> list[int]:
    return [p.pk for p in sorted(products, key=lambda p: (p.sort, -p.pk))]


def every_page(api, path, q, page_size=2) -> list[dict]:
    pages, page = [], 1
    while True:
        body = api.get(path, {"q": q, "page": page, "page_size": page_size}).json()
        pages.append(body)
        if len(body["items"]) < page_size:
            return pages
        page += 1


@pytest.fixture
def many(db):
    """Six products with 好物 (two in the name, best sellers last), one without, one off shelf."""
    found = [
        shelf_product("好物保温杯", sort=1),
        shelf_product("不锈钢水壶", sort=0, sales=50),
        shelf_product("每日好物坚果", sort=0),
        shelf_product("蓝牙耳机", sort=2, sales=90),
        shelf_product("纯棉毛巾", sort=0),
        shelf_product("收纳箱", sort=1, sales=10),
    ]
    shelf_product("机械键盘", tagline="手感出色")
    shelf_product("下架好物", status="off_shelf")
    return found


def test_more_matches_than_the_cap_count_up_to_the_cap_and_say_so(anon, many):
    body = anon.get("/products", {"q": "好物"}).json()

    assert body["count"] == CAP
    assert body["count_capped"] is True
    assert [p["id"] for p in body["items"]] == shelf_order(many)


def test_a_capped_search_pages_through_every_match_once_in_the_shelf_order(anon, many):
    pages = every_page(anon, "/products", "好物")

    ids = [p["id"] for page in pages for p in page["items"]]
    assert ids == shelf_order(many)
    assert all(page["count"] == CAP and page["count_capped"] for page in pages)


def test_the_cap_itself_is_an_exact_count(anon, many, settings):
    settings.CATALOG_COUNT_CAP = len(many)

    body = anon.get("/products", {"q": "好物", "page_size": 10}).json()

    assert body["count"] == len(many)
    assert body["count_capped"] is False
    # below the cap, name hits come first, then best sellers
    names = [p["name"] for p in body["items"]]
    assert names[:2] == ["每日好物坚果", "好物保温杯"]
    assert names[2:] == ["蓝牙耳机", "不锈钢水壶", "收纳箱", "纯棉毛巾"]


def test_fewer_matches_than_the_cap_are_counted_exactly(anon, many):
    body = anon.get("/products", {"q": "保温"}).json()

    assert (body["count"], body["count_capped"]) == (1, False)
    assert [p["name"] for p in body["items"]] == ["好物保温杯"]


def test_the_list_without_a_term_is_capped_too(anon, many):
    pages = every_page(anon, "/products", "", page_size=3)

    on_shelf = Product.objects.filter(status="on_shelf")
    assert [p["id"] for page in pages for p in page["items"]] == shelf_order(on_shelf)
    assert pages[0]["count"] == CAP and pages[0]["count_capped"] is True


def test_a_capped_search_within_a_category(anon, many):
    cups = CategoryFactory(name="杯具")
    in_category = [shelf_product(f"好物杯{i}", sort=i % 2) for i in range(CAP + 1)]
    for p in in_category:
        p.category = cups
        p.save(update_fields=["category"])

    body = anon.get("/products", {"q": "好物", "category": cups.pk, "page_size": 10}).json()

    assert body["count_capped"] is True
    assert [p["id"] for p in body["items"]] == shelf_order(in_category)


def test_staff_list_is_capped_and_includes_products_off_shelf(staff_api, many):
    pages = every_page(staff_api, "/admin/products", "好物", page_size=3)

    names = {p["name"] for page in pages for p in page["items"]}
    assert names == {p.name for p in many} | {"下架好物"}
    assert pages[0]["count"] == CAP and pages[0]["count_capped"] is True


def test_a_capped_page_costs_no_more_queries(anon, many, django_assert_max_num_queries):
    # count, page, images
    with django_assert_max_num_queries(3):
        body = anon.get("/products", {"q": "好物"}).json()
    assert body["count_capped"] is True


# --- a term the database's statistics put in more products than the cap --------------------


def analyze():
    """Statistics as autovacuum keeps them on a live database (PostgreSQL's planner reads them)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_product; ANALYZE catalog_product_grams")


def test_a_term_in_most_products_is_known_common_before_counting(many):
    analyze()

    assert selectors.term_likely_in_more_than("好物", CAP)
    assert not selectors.term_likely_in_more_than("保温", CAP)
    assert not selectors.term_likely_in_more_than("鲲鹏", CAP)


def test_a_term_common_only_counting_products_off_shelf_is_still_counted_exactly(anon, settings):
    # given: 好物 in five products on the shelf and three off it, the cap at five
    on_shelf = [shelf_product(f"好物{i}号", sales=i) for i in range(5)]
    for i in range(3):
        shelf_product(f"下架好物{i}", status="off_shelf")
    settings.CATALOG_COUNT_CAP = 5
    analyze()

    body = anon.get("/products", {"q": "好物", "page_size": 10}).json()

    assert (body["count"], body["count_capped"]) == (5, False)
    assert [p["id"] for p in body["items"]] == [p.pk for p in reversed(on_shelf)]  # best sellers
