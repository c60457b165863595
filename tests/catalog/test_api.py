"""Public catalog (list, detail, categories) and staff product management through the API."""

import io
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from fenxiao.accounts.services import staff_create
from fenxiao.catalog.models import Category, Product, ProductImage, Sku
from fenxiao.catalog.services import category_save
from fenxiao.errors import DomainError
from tests.asserts import assert_error
from tests.catalog.factories import CategoryFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db


def png_bytes(size=(8, 6), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def upload(api, content: bytes, name="photo.png", content_type="image/png"):
    file = io.BytesIO(content)
    file.name = name
    return api.client.post(
        "/api/v1/admin/uploads",
        {"file": file},
        headers={"Authorization": f"Bearer {api.token}"},
    )


def rows() -> tuple[int, int, int, int]:
    return (
        Product.objects.count(),
        Sku.objects.count(),
        ProductImage.objects.count(),
        Category.objects.count(),
    )


def product_body(**over) -> dict:
    body = {
        "name": "智能保温杯",
        "description": "<p>316 不锈钢内胆</p>",
        "tagline": "一杯温暖一整天",
        "selling_points": ["12 小时保温", "温度显示"],
        "images": [],
        "status": "on_shelf",
        "skus": [
            {
                "code": "CUP-B",
                "specs": {"颜色": "黑色"},
                "price": "129.00",
                "stock": 20,
                "cost": "40",
            },
            {"code": "CUP-W", "specs": {"颜色": "白色"}, "price": "119.90", "stock": 0},
        ],
        "commission": None,
    }
    body.update(over)
    return body


# --- public list --------------------------------------------------------------------------


def test_product_list_is_paginated(anon):
    SkuFactory.create_batch(25)

    first = anon.get("/products", {"page_size": 10}).json()
    third = anon.get("/products", {"page_size": 10, "page": 3}).json()
    beyond = anon.get("/products", {"page_size": 10, "page": 4}).json()

    assert (first["count"], first["page"], first["page_size"]) == (25, 1, 10)
    assert len(first["items"]) == 10
    assert (third["page"], len(third["items"])) == (3, 5)
    assert beyond["items"] == [] and beyond["count"] == 25
    seen = [p["id"] for p in first["items"]]
    assert len(set(seen)) == 10


def test_product_list_shows_only_on_shelf_products(anon):
    on = SkuFactory(product__name="上架的杯子").product
    SkuFactory(product__name="下架的杯子", product__status=Product.Status.OFF_SHELF)
    SkuFactory(product__name="草稿的杯子", product__status=Product.Status.DRAFT)

    body = anon.get("/products").json()

    assert body["count"] == 1
    assert [p["id"] for p in body["items"]] == [on.pk]


def test_a_product_card_has_the_lowest_sellable_price_and_the_category(anon):
    category = CategoryFactory(name="家居")
    product = ProductFactory(category=category, tagline="好用", selling_points=["便宜"])
    SkuFactory(product=product, price=Decimal("59.00"))
    SkuFactory(product=product, price=Decimal("39.90"))
    SkuFactory(product=product, price=Decimal("9.90"), is_active=False)

    (item,) = anon.get("/products").json()["items"]

    assert item["price"] == "39.90"
    assert item["category"] == {"id": category.pk, "name": "家居"}
    assert item["tagline"] == "好用"
    assert item["selling_points"] == ["便宜"]
    assert item["image"] is None


def test_product_list_filters_by_category_including_its_subcategories(anon):
    food = CategoryFactory(name="食品")
    snacks = CategoryFactory(name="零食", parent=food)
    in_parent = SkuFactory(product__category=food).product
    in_child = SkuFactory(product__category=snacks).product
    SkuFactory(product__category=CategoryFactory(name="数码"))

    by_parent = anon.get("/products", {"category": food.pk}).json()
    by_child = anon.get("/products", {"category": snacks.pk}).json()

    assert {p["id"] for p in by_parent["items"]} == {in_parent.pk, in_child.pk}
    assert by_parent["count"] == 2
    assert [p["id"] for p in by_child["items"]] == [in_child.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page": -1},
        {"page": "x"},
        {"page_size": 0},
        {"page_size": 101},
        {"category": "食品"},
        {"q": "长" * 51},
        {"category": 0},
        {"category": 2**63},
        {"q": "烤鸭\x00礼盒"},
        {"q": "\x00"},
    ],
)
def test_product_list_with_bad_parameters_is_a_json_400(anon, params):
    assert_error(anon.get("/products", params), 400, "invalid_input")


def test_product_list_lists_20_products_in_a_few_queries(anon, django_assert_max_num_queries):
    for i in range(20):
        product = ProductFactory(category=CategoryFactory())
        SkuFactory.create_batch(2, product=product)
        ProductImage.objects.create(product=product, image=f"products/p{i}.png")

    with django_assert_max_num_queries(4):
        body = anon.get("/products", {"page_size": 20}).json()

    assert len(body["items"]) == 20
    assert all(item["image"] and item["price"] and item["category"] for item in body["items"])


def test_product_list_with_a_search_costs_no_more_queries(anon, django_assert_max_num_queries):
    for _ in range(20):
        SkuFactory(product__name="保温杯", product__category=CategoryFactory())

    with django_assert_max_num_queries(4):
        body = anon.get("/products", {"q": "保温杯", "page_size": 20}).json()

    assert body["count"] == 20


def test_staff_product_list_costs_a_few_queries(
    staff_api, django_assert_max_num_queries
):  # fmt: skip
    for i in range(20):
        product = ProductFactory(status=Product.Status.DRAFT, category=CategoryFactory())
        SkuFactory.create_batch(3, product=product)
        ProductImage.objects.create(product=product, image=f"products/p{i}.png")

    with django_assert_max_num_queries(7):
        body = staff_api.get("/admin/products", {"page_size": 20}).json()

    assert len(body["items"]) == 20
    assert all(len(item["skus"]) == 3 for item in body["items"])


# --- public detail ------------------------------------------------------------------------


def test_product_detail_has_sellable_skus_tagline_and_selling_points(anon):
    product = ProductFactory(tagline="送礼首选", selling_points=["顺丰包邮", "七天无理由"])
    black = SkuFactory(product=product, specs={"颜色": "黑色"}, price=Decimal("99.00"), stock=3)
    SkuFactory(product=product, specs={"颜色": "红色"}, is_active=False)

    r = anon.get(f"/products/{product.pk}")

    assert r.status_code == 200, r.content
    body = r.json()
    assert body["tagline"] == "送礼首选"
    assert body["selling_points"] == ["顺丰包邮", "七天无理由"]
    assert body["status"] == "on_shelf"
    assert [{k: s[k] for k in ("id", "price", "stock", "specs")} for s in body["skus"]] == [
        {"id": black.pk, "price": "99.00", "stock": 3, "specs": {"颜色": "黑色"}}
    ]
    assert "cost" not in body["skus"][0]  # the buying price is the merchant's secret


def test_product_detail_in_a_few_queries(anon, sku, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert anon.get(f"/products/{sku.product_id}").status_code == 200


def test_an_unknown_product_is_a_json_404(anon):
    assert_error(anon.get("/products/999999"), 404, "product_not_found")


def test_a_product_path_that_is_not_a_number_is_a_json_400(anon):
    assert_error(anon.get("/products/abc"), 400, "invalid_input")


@pytest.mark.parametrize("status", [Product.Status.DRAFT, Product.Status.OFF_SHELF])
def test_a_product_not_on_shelf_is_404_publicly_but_visible_to_staff(anon, staff_api, status):
    product = SkuFactory(product__status=status).product

    assert_error(anon.get(f"/products/{product.pk}"), 404, "product_not_found")
    staff_view = staff_api.get(f"/admin/products/{product.pk}")
    assert staff_view.status_code == 200
    assert staff_view.json()["status"] == status


# --- categories ---------------------------------------------------------------------------


def test_category_tree_has_two_levels_of_active_categories(anon):
    food = CategoryFactory(name="食品", sort=1)
    CategoryFactory(name="零食", parent=food)
    CategoryFactory(name="停用", parent=food, is_active=False)
    CategoryFactory(name="数码", sort=2)

    tree = anon.get("/categories").json()

    assert [c["name"] for c in tree] == ["食品", "数码"]
    assert [c["name"] for c in tree[0]["children"]] == ["零食"]


def test_staff_create_a_category_and_a_subcategory(staff_api):
    top = staff_api.post("/admin/categories", {"name": "食品"})
    assert top.status_code == 201, top.content

    sub = staff_api.post("/admin/categories", {"name": "零食", "parent_id": top.json()["id"]})

    assert sub.status_code == 201, sub.content
    assert Category.objects.get(pk=sub.json()["id"]).parent_id == top.json()["id"]


def test_a_third_category_level_is_refused(staff_api):
    food = CategoryFactory(name="食品")
    snacks = CategoryFactory(name="零食", parent=food)
    before = rows()

    r = staff_api.post("/admin/categories", {"name": "薯片", "parent_id": snacks.pk})

    body = assert_error(r, 400, "category_too_deep")
    assert "两级" in body["message"]
    assert rows() == before


def test_a_category_with_children_cannot_move_under_another(db):
    food = CategoryFactory(name="食品")
    CategoryFactory(name="零食", parent=food)
    drinks = CategoryFactory(name="饮料")
    food.parent = drinks

    with pytest.raises(DomainError) as caught:
        category_save(category=food)

    assert caught.value.code == "category_too_deep"
    assert Category.objects.get(pk=food.pk).parent_id is None


def test_a_category_cannot_be_its_own_parent(db):
    food = CategoryFactory(name="食品")
    food.parent_id = food.pk

    with pytest.raises(DomainError):
        category_save(category=food)

    assert Category.objects.get(pk=food.pk).parent_id is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "x" * 51},
        {"name": "a\x00"},
        {"name": "a", "parent_id": 99999},
        {"name": "a", "parent_id": 2**63},
        {"name": "a", "sort": 2**31},
    ],
)
def test_a_bad_category_is_refused_and_nothing_written(staff_api, body):
    before = rows()

    r = staff_api.post("/admin/categories", body)

    assert 400 <= r.status_code < 500
    assert set(r.json()) >= {"code", "message"}
    assert rows() == before


def test_the_console_refuses_a_third_category_level(client, staff):
    food = CategoryFactory(name="食品")
    snacks = CategoryFactory(name="零食", parent=food)
    client.force_login(staff)

    r = client.post(
        "/admin/catalog/category/add/",
        {"name": "薯片", "parent": snacks.pk, "sort": 0, "is_active": "on"},
    )

    assert r.status_code == 200  # the form again, with the error
    assert "parent" in r.context["adminform"].form.errors
    assert not Category.objects.filter(name="薯片").exists()


# --- staff: create ------------------------------------------------------------------------


def test_staff_create_a_product_with_skus_and_uploaded_images(staff_api, anon):
    category = CategoryFactory(name="水杯")
    # given: two images uploaded first
    paths = []
    for color in ((255, 0, 0), (0, 0, 255)):
        r = upload(staff_api, png_bytes(color=color))
        assert r.status_code == 201, r.content
        paths.append(r.json()["path"])
        assert r.json()["url"].endswith(r.json()["path"])

    # when
    r = staff_api.post("/admin/products", product_body(category_id=category.pk, images=paths))

    # then
    assert r.status_code == 201, r.content
    created = r.json()
    product = Product.objects.get(pk=created["id"])
    assert created["name"] == "智能保温杯"
    assert created["category"] == {"id": category.pk, "name": "水杯"}
    assert created["selling_points"] == ["12 小时保温", "温度显示"]
    assert [s["price"] for s in created["skus"]] == ["129.00", "119.90"]
    assert [s["cost"] for s in created["skus"]] == ["40.00", "0.00"]
    assert [img.image.name for img in product.images.all()] == paths
    assert len(created["images"]) == 2
    public = anon.get(f"/products/{product.pk}").json()
    assert public["images"] == created["images"]
    assert public["description"] == "<p>316 不锈钢内胆</p>"
    media = anon.client.get(public["images"][0])
    assert media.status_code == 200
    assert b"".join(media.streaming_content) == default_storage.open(paths[0]).read()


def test_a_product_may_refer_to_an_image_by_its_url(staff_api):
    uploaded = upload(staff_api, png_bytes()).json()

    r = staff_api.post("/admin/products", product_body(images=[uploaded["url"]]))

    assert r.status_code == 201, r.content
    assert Product.objects.get(pk=r.json()["id"]).images.get().image.name == uploaded["path"]


def test_image_urls_in_the_api_are_absolute_and_may_be_sent_back(staff_api, anon):
    # the mini-program has no page origin: a picture's URL must carry the shop's own
    uploaded = upload(staff_api, png_bytes()).json()
    assert uploaded["url"] == f"http://testserver/media/{uploaded['path']}"
    created = staff_api.post("/admin/products", product_body(images=[uploaded["url"]])).json()
    absolute = f"http://testserver/media/{uploaded['path']}"

    card = anon.get("/products").json()["items"][0]
    detail = anon.get(f"/products/{created['id']}").json()
    staff = staff_api.get(f"/admin/products/{created['id']}").json()
    assert card["image"] == absolute
    assert detail["images"] == staff["images"] == created["images"] == [absolute]

    # a client that sends the images back as it got them keeps them
    r = staff_api.patch(f"/admin/products/{created['id']}", {"images": staff["images"]})
    assert r.status_code == 200, r.content
    assert r.json()["images"] == [absolute]
    assert Product.objects.get(pk=created["id"]).images.get().image.name == uploaded["path"]


def test_a_new_product_is_a_draft_unless_told(staff_api, anon):
    body = product_body()
    del body["status"]

    created = staff_api.post("/admin/products", body).json()

    assert created["status"] == "draft"
    assert_error(anon.get(f"/products/{created['id']}"), 404)


PRICE_CASES = ["-1", "0", "0.00", "abc", "", None, "1e30", "10000000", "99999999999.99", "NaN",
               "Infinity", "1.001", [1], {"yuan": 1}, True]  # fmt: skip
STOCK_CASES = [-1, 1.5, "5", "many", None, 10_000_001, True]


@pytest.mark.parametrize(
    "body",
    [
        *[product_body(skus=[{"price": p, "stock": 1}]) for p in PRICE_CASES],
        *[product_body(skus=[{"price": "9.90", "stock": s}]) for s in STOCK_CASES],
        product_body(skus=[{"price": "9.90", "stock": 1, "cost": "-1"}]),
        product_body(skus=[{"price": "9.90"}]),
        product_body(skus=[{"stock": 1}]),
        product_body(skus=[]),
        product_body(skus=None),
        product_body(skus="none"),
        product_body(name=""),
        product_body(name="   "),
        product_body(name="长" * 121),
        product_body(name=None),
        product_body(name="保温\x00杯"),
        product_body(selling_points=["\x00"]),
        product_body(skus=[{"price": "9.90", "stock": 1, "specs": {"颜\x00色": "黑"}}]),
        product_body(status="sold"),
        product_body(sort=2**31),
        product_body(sort="first"),
        product_body(category_id=2**63),
        product_body(category_id=0),
        product_body(
            skus=[{"price": "9.90", "stock": 1, "specs": {str(i): "v" for i in range(21)}}]
        ),
        product_body(skus=[{"price": "9.90", "stock": 1, "specs": {"": "黑"}}]),
        product_body(skus=[{"price": "9.90", "stock": 1, "specs": {"颜色": {"主色": "黑"}}}]),
        product_body(selling_points="卖点"),
        product_body(selling_points=["x"] * 21),
        product_body(category_id="水杯"),
        product_body(images="a.png"),
        {"skus": [{"price": "9.90", "stock": 1}]},
        [],
    ],
)
def test_bad_product_input_is_a_json_400_and_writes_nothing(staff_api, body):
    before = rows()

    r = staff_api.post("/admin/products", body)

    assert_error(r, 400, "invalid_input")
    assert rows() == before


def test_a_product_in_an_unknown_category_is_404_and_writes_nothing(staff_api):
    before = rows()

    r = staff_api.post("/admin/products", product_body(category_id=999999))

    assert_error(r, 404, "category_not_found")
    assert rows() == before


@pytest.mark.parametrize(
    "image",
    ["products/upload/never-uploaded.png", "../../etc/passwd", "/etc/passwd", "/media/../x.png",
     "http://evil.example/a.png", "products", ""],
)  # fmt: skip
def test_a_product_with_an_image_never_uploaded_is_refused_and_writes_nothing(staff_api, image):
    before = rows()

    r = staff_api.post("/admin/products", product_body(images=[image]))

    assert_error(r, 400, "invalid_image")
    assert rows() == before


# --- staff: uploads -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("PNG", ".png"), ("JPEG", ".jpg"), ("WEBP", ".webp"), ("GIF", ".gif")]
)
def test_upload_accepts_common_image_formats(staff_api, fmt, suffix):
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(out, fmt)

    r = upload(staff_api, out.getvalue(), name="whatever.bin")

    assert r.status_code == 201, r.content
    path = r.json()["path"]
    assert path.endswith(suffix)
    assert default_storage.open(path).read() == out.getvalue()


def huge_png_header() -> bytes:
    """A tiny file that claims to be a 60,000 × 60,000 picture (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"hello, I am not a picture", "photo.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo.svg"),
        (png_bytes()[:40], "truncated.png"),
        (b"", "empty.png"),
        (b"%PDF-1.4\n", "doc.pdf"),
    ],
)
def test_upload_refuses_what_is_not_an_image(staff_api, content, name):
    r = upload(staff_api, content, name=name)

    assert_error(r, 400, "invalid_image")


def test_upload_refuses_a_decompression_bomb(staff_api):
    assert_error(upload(staff_api, huge_png_header()), 400, "invalid_image")


def test_upload_without_a_file_is_a_json_400(staff_api):
    r = staff_api.client.post(
        "/api/v1/admin/uploads", {}, headers={"Authorization": f"Bearer {staff_api.token}"}
    )

    assert_error(r, 400)


def test_upload_needs_the_right_to_change_products(make_api):
    service = make_api(staff_create(phone="13800000200", password="svc-pass-123", role="service"))

    assert_error(upload(service, png_bytes()), 403, "forbidden")


# --- staff: update ------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(staff_api):
    sku = SkuFactory(product__name="旧名字", product__tagline="旧推荐语")

    r = staff_api.patch(f"/admin/products/{sku.product_id}", {"name": "新名字"})

    assert r.status_code == 200, r.content
    assert r.json()["name"] == "新名字"
    assert r.json()["tagline"] == "旧推荐语"
    sku.refresh_from_db()
    assert (sku.price, sku.stock, sku.is_active) == (Decimal("299.90"), 10, True)


def test_patch_replaces_the_sku_list_keeping_ids_of_kept_skus(staff_api, anon):
    product = ProductFactory()
    kept = SkuFactory(product=product, price=Decimal("10.00"))
    dropped = SkuFactory(product=product)

    read = {s["id"]: s for s in staff_api.get(f"/admin/products/{product.pk}").json()["skus"]}
    # an absolute stock goes with the version it was read at (issue 7)
    kept_in = {"id": kept.pk, "price": "12.50", "stock": 7}
    kept_in["stock_version"] = read[kept.pk]["stock_version"]

    r = staff_api.patch(
        f"/admin/products/{product.pk}", {"skus": [kept_in, {"price": "20", "stock": 1}]}
    )

    assert r.status_code == 200, r.content
    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert (kept.price, kept.stock) == (Decimal("12.50"), 7)
    assert dropped.is_active is False  # kept for old orders, no longer sold
    public = anon.get(f"/products/{product.pk}").json()
    assert [s["price"] for s in public["skus"]] == ["12.50", "20.00"]


def test_patch_replaces_the_pictures_in_the_given_order(staff_api, anon):
    first, second, third = (upload(staff_api, png_bytes(color=(i, i, i))).json() for i in (1, 2, 3))
    created = staff_api.post("/admin/products", product_body(images=[first["path"]])).json()

    r = staff_api.patch(
        f"/admin/products/{created['id']}", {"images": [third["path"], second["url"]]}
    )

    assert r.status_code == 200, r.content
    assert anon.get(f"/products/{created['id']}").json()["images"] == [third["url"], second["url"]]
    cleared = staff_api.patch(f"/admin/products/{created['id']}", {"images": []})
    assert cleared.json()["images"] == []
    assert not ProductImage.objects.filter(product_id=created["id"]).exists()


def test_patch_cannot_take_a_sku_of_another_product(staff_api):
    product = SkuFactory(price=Decimal("10.00")).product
    foreign = SkuFactory(price=Decimal("99.00"))

    r = staff_api.patch(
        f"/admin/products/{product.pk}", {"skus": [{"id": foreign.pk, "price": "1", "stock": 1}]}
    )

    assert_error(r, 400, "product_invalid")
    foreign.refresh_from_db()
    assert (foreign.product_id, foreign.price) != (product.pk, Decimal("1"))
    assert foreign.price == Decimal("99.00")
    assert product.skus.get().is_active is True


@pytest.mark.parametrize(
    "change",
    [
        {"name": None},
        {"name": ""},
        {"status": None},
        {"status": "gone"},
        {"tagline": None},
        {"description": None},
        {"selling_points": None},
        {"sort": None},
        {"skus": []},
        {"skus": None},
        {"skus": [{"price": "-5", "stock": 1}]},
        {"skus": [{"price": "5", "stock": -1}]},
        {"skus": [{"id": 2**63, "price": "5", "stock": 1}]},
        {"skus": [{"id": 999999, "price": "5", "stock": 1}]},
        {"sort": 2**31},
        {"images": ["products/upload/missing.png"]},
        {"category_id": 999999},
    ],
)
def test_bad_patch_is_a_json_4xx_and_changes_nothing(staff_api, change):
    sku = SkuFactory(product__name="不变的商品", product__tagline="不变")
    product = sku.product
    before = (
        rows(),
        list(Product.objects.filter(pk=product.pk).values()),
        list(Sku.objects.values()),
    )

    r = staff_api.patch(f"/admin/products/{product.pk}", change)

    assert 400 <= r.status_code < 500, r.content
    assert set(r.json()) >= {"code", "message"}
    after = (
        rows(),
        list(Product.objects.filter(pk=product.pk).values()),
        list(Sku.objects.values()),
    )
    assert after == before


def test_patch_can_clear_the_category(staff_api):
    product = SkuFactory(product__category=CategoryFactory()).product

    r = staff_api.patch(f"/admin/products/{product.pk}", {"category_id": None})

    assert r.status_code == 200, r.content
    assert r.json()["category"] is None


def test_patch_of_an_unknown_product_is_404(staff_api):
    assert_error(staff_api.patch("/admin/products/999999", {"name": "x"}), 404, "product_not_found")


def test_patch_takes_a_product_off_the_shelf(staff_api, anon, sku):
    r = staff_api.patch(f"/admin/products/{sku.product_id}", {"status": "off_shelf"})

    assert r.status_code == 200
    assert_error(anon.get(f"/products/{sku.product_id}"), 404)
    assert anon.get("/products").json()["count"] == 0


# --- staff: delete ------------------------------------------------------------------------


def test_delete_removes_a_product_never_ordered(staff_api, sku):
    r = staff_api.delete(f"/admin/products/{sku.product_id}")

    assert r.status_code == 204
    assert not Product.objects.filter(pk=sku.product_id).exists()
    assert not Sku.objects.filter(pk=sku.pk).exists()


def test_delete_of_an_ordered_product_takes_it_off_the_shelf(staff_api, anon, paid_order, sku):
    r = staff_api.delete(f"/admin/products/{sku.product_id}")

    # 200 with the product (not 204): the client can tell it was kept, off the shelf
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "off_shelf"
    product = Product.objects.get(pk=sku.product_id)
    assert product.status == Product.Status.OFF_SHELF
    assert Sku.objects.filter(pk=sku.pk).exists()
    assert_error(anon.get(f"/products/{sku.product_id}"), 404)
    # the buyer's order still shows what was bought
    order = staff_api.get(f"/admin/orders/{paid_order['id']}").json()
    assert order["lines"][0]["product_name"] == product.name


def test_delete_of_an_unknown_product_is_404(staff_api):
    assert_error(staff_api.delete("/admin/products/999999"), 404, "product_not_found")


# --- staff rights -------------------------------------------------------------------------


def test_service_staff_can_view_but_not_change_products(make_api, sku):
    service = make_api(staff_create(phone="13800000300", password="svc-pass-123", role="service"))
    before = rows()

    assert service.get(f"/admin/products/{sku.product_id}").status_code == 200
    assert_error(service.post("/admin/products", product_body()), 403, "forbidden")
    assert_error(service.patch(f"/admin/products/{sku.product_id}", {"name": "x"}), 403)
    assert_error(service.delete(f"/admin/products/{sku.product_id}"), 403)
    assert_error(service.post("/admin/categories", {"name": "新分类"}), 403)
    assert rows() == before
    assert Product.objects.get(pk=sku.product_id).name != "x"


def test_a_buyer_cannot_manage_products(buyer_api, sku):
    before = rows()

    assert_error(buyer_api.post("/admin/products", product_body()), 403, "forbidden")
    assert_error(buyer_api.patch(f"/admin/products/{sku.product_id}", {"name": "x"}), 403)
    assert_error(buyer_api.delete(f"/admin/products/{sku.product_id}"), 403)
    assert_error(buyer_api.get("/admin/products"), 403)
    assert rows() == before
