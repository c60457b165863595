"""Substring search over name, tagline, selling points and category names, on both databases.

SQLite answers queries of three characters or more from the FTS5 trigram index and shorter
ones with LIKE; PostgreSQL answers both with LIKE backed by a pg_trgm GIN index.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fenxiao.catalog import selectors
from fenxiao.catalog.models import Category, Product
from fenxiao.catalog.services import (
    category_save,
    product_create,
    product_delete,
    product_update,
    products_set_status,
)
from tests.catalog.factories import CategoryFactory, SkuFactory
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.django_db


def make_product(name, *, tagline="", selling_points=(), category=None, status="on_shelf"):
    return product_create(
        name=name,
        tagline=tagline,
        selling_points=list(selling_points),
        category_id=category.pk if category else None,
        status=status,
        skus=[{"price": "10.00", "stock": 5}],
    )


def found(api, q, **params) -> list[int]:
    r = api.get("/products", {"q": q, "page_size": 100, **params})
    assert r.status_code == 200, r.content
    body = r.json()
    ids = [p["id"] for p in body["items"]]
    assert body["count"] == len(ids)
    return ids


@pytest.fixture
def duck(db):
    fresh = CategoryFactory(name="食品生鲜")
    deli = CategoryFactory(name="熟食", parent=fresh)
    return make_product(
        "北京烤鸭礼盒",
        tagline="百年老字号",
        selling_points=["真空包装", "顺丰冷链"],
        category=deli,
    )


@pytest.fixture
def cup(db):
    return make_product(
        "保温杯",
        tagline="一杯温暖",
        selling_points=["316不锈钢"],
        category=CategoryFactory(name="家居"),
    )


# --- what is found ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        # name: 1, 2, 3 characters, longer, whole, from the middle and the end
        "烤", "烤鸭", "北京烤", "京烤鸭礼", "北京烤鸭礼盒", "礼盒", "盒",
        # tagline
        "字", "字号", "老字号", "百年老字号",
        # selling points
        "冷", "冷链", "顺丰冷链", "真空包",
        # category, and its parent category
        "熟", "熟食", "生鲜", "品生", "食品生鲜",
    ],
)  # fmt: skip
def test_search_finds_any_substring(anon, duck, cup, q):
    assert found(anon, q) == [duck.pk]


@pytest.mark.parametrize("q", ["烤鸡", "北京烤鸡", "老字号鸭", "冷链包装", "熟食品", "鸭烤"])
def test_search_finds_nothing_for_text_that_is_not_there(anon, duck, cup, q):
    assert found(anon, q) == []


@pytest.mark.parametrize("q", ["IPHONE", "iphone", "Phone", "ph", "P", "iPhone 保护"])
def test_search_ignores_latin_case(anon, q):
    case = make_product("iPhone 保护壳")
    make_product("安卓充电器")

    assert found(anon, q) == [case.pk]


def test_search_ignores_surrounding_spaces(anon, duck):
    assert found(anon, "  烤鸭  ") == [duck.pk]
    assert found(anon, "   ") == [duck.pk]  # no query: everything on shelf


def test_search_within_a_category(anon, duck):
    other = make_product("烤鸭调料", category=CategoryFactory(name="调味品"))

    assert found(anon, "烤鸭", category=duck.category.parent_id) == [duck.pk]
    assert sorted(found(anon, "烤鸭")) == sorted([duck.pk, other.pk])


# --- ranking ------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["噪", "降噪", "降噪耳", "降噪耳机"])
def test_name_hits_rank_before_other_hits(anon, q):
    # given: the name hit is the oldest and sells least
    by_name = make_product("无线降噪耳机")
    by_tagline = make_product("头戴耳罩", tagline="主动降噪耳机体验")
    by_point = make_product("运动耳塞", selling_points=["降噪耳机同款芯片"])
    by_category = make_product("耳机收纳盒", category=CategoryFactory(name="降噪耳机配件"))
    Product.objects.exclude(pk=by_name.pk).update(sales=1000)
    make_product("蓝牙音箱")

    ids = found(anon, q)

    assert ids[0] == by_name.pk
    assert sorted(ids[1:]) == sorted([by_tagline.pk, by_point.pk, by_category.pk])


def test_all_name_hits_come_before_the_first_other_hit_across_pages(anon):
    names = [make_product(f"纯棉T恤{i}") for i in range(3)]
    others = [make_product(f"上衣{i}", tagline="纯棉T恤面料") for i in range(3)]
    Product.objects.filter(pk__in=[p.pk for p in others]).update(sales=99)

    first = anon.get("/products", {"q": "纯棉T恤", "page_size": 3}).json()
    second = anon.get("/products", {"q": "纯棉T恤", "page_size": 3, "page": 2}).json()

    assert {p["id"] for p in first["items"]} == {p.pk for p in names}
    assert {p["id"] for p in second["items"]} == {p.pk for p in others}
    assert first["count"] == 6


# --- the index follows every change -------------------------------------------------------


def test_renaming_a_category_updates_search(anon, duck):
    deli = duck.category
    deli.name = "卤味"

    category_save(category=deli)

    assert found(anon, "卤味") == [duck.pk]
    assert found(anon, "熟食") == []


def test_renaming_a_parent_category_updates_its_subcategories_products(anon, duck):
    fresh = duck.category.parent
    fresh.name = "年货礼品"

    category_save(category=fresh)

    assert found(anon, "年货") == [duck.pk]
    assert found(anon, "年货礼品") == [duck.pk]
    assert found(anon, "生鲜") == []


def test_moving_a_category_to_another_parent_updates_search(anon, duck):
    deli = duck.category
    deli.parent = CategoryFactory(name="节日年货")

    category_save(category=deli)

    assert found(anon, "节日年货") == [duck.pk]
    assert found(anon, "食品生鲜") == []


def test_renaming_a_category_in_the_console_updates_search(client, staff, anon, duck):
    deli = duck.category
    client.force_login(staff)

    r = client.post(
        f"/admin/catalog/category/{deli.pk}/change/",
        {"name": "熏酱", "parent": deli.parent_id, "sort": 0, "is_active": "on"},
    )

    assert r.status_code == 302, r.content
    assert Category.objects.get(pk=deli.pk).name == "熏酱"
    assert found(anon, "熏酱") == [duck.pk]
    assert found(anon, "熟食") == []


def test_deleting_a_category_in_the_console_updates_search(client, staff, anon):
    gifts = CategoryFactory(name="节日礼品")
    candle = make_product("香薰蜡烛", category=gifts)
    client.force_login(staff)

    r = client.post(f"/admin/catalog/category/{gifts.pk}/delete/", {"post": "yes"})

    assert r.status_code == 302, r.content
    assert not Category.objects.filter(pk=gifts.pk).exists()
    assert found(anon, "节日礼品") == []
    assert found(anon, "礼品") == []
    assert found(anon, "香薰") == [candle.pk]


def test_deleting_categories_in_bulk_in_the_console_updates_search(client, staff, anon):
    gifts, toys = CategoryFactory(name="节日礼品"), CategoryFactory(name="益智玩具")
    candle, puzzle = make_product("香薰蜡烛", category=gifts), make_product("拼图", category=toys)
    client.force_login(staff)

    r = client.post(
        "/admin/catalog/category/",
        {"action": "delete_selected", "_selected_action": [gifts.pk, toys.pk], "post": "yes"},
    )

    assert r.status_code == 302, r.content
    assert not Category.objects.filter(pk__in=[gifts.pk, toys.pk]).exists()
    assert found(anon, "礼品") == found(anon, "玩具") == []
    assert found(anon, "蜡烛") == [candle.pk]
    assert found(anon, "拼图") == [puzzle.pk]


def test_editing_a_product_through_the_service_updates_search(anon, duck):
    product_update(
        product_id=duck.pk, name="南京盐水鸭", tagline="金陵风味", selling_points=["当日现做"]
    )

    assert found(anon, "盐水鸭") == [duck.pk]
    assert found(anon, "金陵") == [duck.pk]
    assert found(anon, "现做") == [duck.pk]
    assert found(anon, "北京烤鸭") == []
    assert found(anon, "老字号") == []
    assert found(anon, "冷链") == []
    assert found(anon, "熟食") == [duck.pk]  # the category did not change


def test_editing_a_product_through_the_api_updates_search(staff_api, anon, duck):
    r = staff_api.patch(
        f"/admin/products/{duck.pk}",
        {"tagline": "米其林推荐", "category_id": CategoryFactory(name="预制菜").pk},
    )
    assert r.status_code == 200, r.content

    assert found(anon, "米其林") == [duck.pk]
    assert found(anon, "预制菜") == [duck.pk]
    assert found(anon, "老字号") == []
    assert found(anon, "熟食") == []
    assert found(anon, "烤鸭礼") == [duck.pk]  # the name did not change


def test_editing_a_product_in_the_console_updates_search(client, staff, anon, duck):
    sku = duck.skus.get()
    client.force_login(staff)

    r = client.post(
        f"/admin/catalog/product/{duck.pk}/change/",
        {
            "name": "南京盐水鸭",
            "category": duck.category_id,
            "status": "on_shelf",
            "sort": 0,
            "tagline": "金陵风味",
            "selling_points": ["当日现做"],
            "description": "",
            "skus-TOTAL_FORMS": 1,
            "skus-INITIAL_FORMS": 1,
            "skus-0-id": sku.pk,
            "skus-0-product": duck.pk,
            "skus-0-code": "",
            "skus-0-specs": "",
            "skus-0-price": "10.00",
            "skus-0-cost": "0",
            "skus-0-stock": 5,
            "skus-0-is_active": "on",
            "images-TOTAL_FORMS": 0,
            "images-INITIAL_FORMS": 0,
            # the product's own commission rates, an inline distribution adds to the page
            "commission-TOTAL_FORMS": 0,
            "commission-INITIAL_FORMS": 0,
        },
    )

    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    assert found(anon, "盐水鸭") == [duck.pk]
    assert found(anon, "金陵") == [duck.pk]
    assert found(anon, "现做") == [duck.pk]
    assert found(anon, "烤鸭") == []
    assert found(anon, "冷链") == []


def test_a_product_created_through_the_api_is_found(staff_api, anon):
    r = staff_api.post(
        "/admin/products",
        {
            "name": "云南普洱茶饼",
            "tagline": "十年陈香",
            "selling_points": ["古树原料"],
            "status": "on_shelf",
            "skus": [{"price": "268.00", "stock": 9}],
        },
    )
    assert r.status_code == 201, r.content

    for q in ("普洱", "普洱茶", "陈香", "古树原"):
        assert found(anon, q) == [r.json()["id"]]


def test_changes_that_do_not_touch_the_text_keep_the_product_findable(anon, duck):
    Product.objects.filter(pk=duck.pk).update(sales=5)
    product_update(product_id=duck.pk, skus=[{"price": "88.00", "stock": 1}])
    products_set_status(product_ids=[duck.pk], status="off_shelf")
    products_set_status(product_ids=[duck.pk], status="on_shelf")

    assert found(anon, "烤鸭礼盒") == [duck.pk]
    assert found(anon, "烤") == [duck.pk]


@pytest.mark.skipif(ON_POSTGRES, reason="the FTS5 index is SQLite's")
def test_the_sqlite_index_stays_consistent_with_the_products(duck, cup, staff_api):
    staff_api.patch(f"/admin/products/{duck.pk}", {"name": "烤鸭半只"})
    category_save(category=Category(pk=cup.category_id, name="厨房"))
    products_set_status(product_ids=[cup.pk], status="draft")
    product_delete(product_id=cup.pk)

    with connection.cursor() as cursor:
        # raises "database disk image is malformed" if the index drifted from the table
        cursor.execute(
            "INSERT INTO catalog_product_fts(catalog_product_fts) VALUES ('integrity-check')"
        )
        cursor.execute("SELECT count(*) FROM catalog_product_fts")
        assert cursor.fetchone()[0] == Product.objects.count() == 1


# --- what is never found ------------------------------------------------------------------


@pytest.mark.parametrize("q", ["鸭", "烤鸭", "烤鸭礼盒", "老字号", "熟食"])
@pytest.mark.parametrize("status", ["draft", "off_shelf"])
def test_products_off_shelf_are_never_found(anon, duck, q, status):
    make_product("北京烤鸭礼盒 二号", tagline="百年老字号", category=duck.category, status=status)

    assert found(anon, q) == [duck.pk]


def test_a_product_taken_off_the_shelf_disappears_from_search(staff_api, anon, duck):
    staff_api.patch(f"/admin/products/{duck.pk}", {"status": "off_shelf"})

    assert found(anon, "烤鸭") == []
    assert found(anon, "北京烤鸭") == []


def test_staff_search_includes_products_off_shelf(staff_api, duck):
    draft = make_product("烤鸭卷饼", status="draft")

    r = staff_api.get("/admin/products", {"q": "烤鸭"})

    assert {p["id"] for p in r.json()["items"]} == {duck.pk, draft.pk}


# --- wildcards and operators are plain text -----------------------------------------------


@pytest.fixture
def tricky(db):
    return {
        "percent": make_product("100%纯棉T恤"),
        "plain": make_product("纯棉T恤"),
        "underscore": make_product("a_b 收纳盒"),
        "letter": make_product("axb 收纳盒"),
        "quote": make_product('"经典"帆布包'),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("%", ["percent"]),
        ("%纯", ["percent"]),
        ("0%纯棉", ["percent"]),
        ("%%", []),
        ("%%%", []),
        ("%纯棉%", []),
        ("_", ["underscore"]),
        ("a_b", ["underscore"]),
        ("a_b 收", ["underscore"]),
        ("__", []),
        ("___", []),
        ("\\", []),
        ('"', ["quote"]),
        ('"经典"', ["quote"]),
        ("经典帆布", []),
        ("纯棉 OR 收纳", []),
        ("收纳*", []),
        ("NEAR(a b)", []),
        ("-纯棉", []),
        ("name:纯棉", []),
    ],
)
def test_wildcards_and_search_operators_in_the_query_are_literal(anon, tricky, q, expected):
    assert sorted(found(anon, q)) == sorted(tricky[key].pk for key in expected)


# --- index use and cost -------------------------------------------------------------------


@pytest.mark.skipif(ON_POSTGRES, reason="the FTS5 path is SQLite's")
def test_sqlite_answers_three_characters_or_more_from_the_trigram_index(duck):
    with CaptureQueriesContext(connection) as long_query:
        assert [p.pk for p in selectors.product_list(q="烤鸭礼")] == [duck.pk]
    with CaptureQueriesContext(connection) as short_query:
        assert [p.pk for p in selectors.product_list(q="烤鸭")] == [duck.pk]

    assert "catalog_product_fts MATCH" in long_query.captured_queries[0]["sql"]
    assert "catalog_product_fts" not in short_query.captured_queries[0]["sql"]


@pytest.mark.postgres
def test_postgres_answers_a_search_from_the_trigram_index(duck):
    # given: a catalogue big enough for the planner to prefer an index to reading it all
    Product.objects.bulk_create(
        Product(name=f"商品{i}", status="on_shelf", search_text=f"商品{i}\n好物推荐{i % 97}")
        for i in range(30_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product")

    plan = selectors.product_list(q="烤鸭礼盒").explain()

    assert "catalog_product_search_trgm" in plan
    assert [p.pk for p in selectors.product_list(q="烤鸭礼盒")] == [duck.pk]


def test_a_search_listing_20_products_costs_a_few_queries(anon, django_assert_max_num_queries):
    for i in range(25):
        SkuFactory(product__name=f"羊毛围巾{i}", product__category=CategoryFactory())
    for q in ("围", "羊毛", "羊毛围巾"):
        with django_assert_max_num_queries(4):
            body = anon.get("/products", {"q": q, "page_size": 20}).json()
        assert body["count"] == 25
        assert len(body["items"]) == 20


@pytest.mark.postgres
def test_a_short_term_reads_its_products_by_key_after_the_grams_index(anon):
    # as a join (IN), PostgreSQL hashed a scan of every product for a term in thousands (茶)
    tea = [make_product(f"红茶{i}号") for i in range(3)]
    make_product("保温杯")

    with CaptureQueriesContext(connection) as queries:
        body = anon.get("/products", {"q": "茶", "page_size": 2}).json()

    assert body["count"] == 3
    assert [p["id"] for p in body["items"]] == [p.pk for p in tea[::-1][:2]]
    reads = [q["sql"] for q in queries if "catalog_product_grams WHERE" in q["sql"]]
    by_key = [
        sql for sql in reads if "= ANY(ARRAY(SELECT product_id FROM catalog_product_grams" in sql
    ]
    # the estimate (EXPLAIN) keeps the join, which the planner sizes; count and page read by key
    assert len(by_key) == 2 and len(reads) == 3, reads
