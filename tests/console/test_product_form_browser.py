"""The product page in a real browser: an owner builds a product with specs, selling points and
a rich description with a picture, typing no JSON; a form error keeps everything entered."""

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from fenxiao.catalog.models import Product
from tests.console.conftest import STAFF_PASSWORD, place
from tests.console.test_browser import CHROMIUM, page  # noqa: F401 (the browser fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: apt-get install -y chromium (or `make chromium`)",
    ),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
SKU_ROWS = "#skus-group tr.form-row:not(.empty-form)"
EDITOR = ".prose-editor .ProseMirror[contenteditable=true]"


def picture(tmp_path, name: str, color) -> Path:
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def screenshot(page, name: str) -> None:  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def open_new_product(page, owner) -> None:  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/admin/")
    page.fill("#id_username", owner.phone)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#today-figures")
    page.goto("/admin/catalog/product/add/")
    page.wait_for_selector("#sku-generator")
    page.wait_for_selector(EDITOR)


def fill_selling_points(page, points: list[str]) -> None:  # noqa: F811
    for i, point in enumerate(points):
        if i:
            page.click("button.list-text-add")
        page.locator("[data-list-text] input").nth(i).fill(point)


def write_description(page, text: str, image: Path) -> None:  # noqa: F811
    page.click(EDITOR)
    page.keyboard.type(text)
    with page.expect_file_chooser() as chooser:
        page.click(".prose-menubar button:has-text('上传图片')")
    chooser.value.set_files(str(image))
    page.wait_for_selector(f"{EDITOR} img[src^='/media/products/detail/']")


def generate_skus(page, specs: dict[str, str]) -> None:  # noqa: F811
    for i, (name, values) in enumerate(specs.items()):
        if i:
            page.click("button.spec-add")
        row = page.locator("#sku-generator .spec-row").nth(i)
        row.locator(".spec-name").fill(name)
        row.locator(".spec-values").fill(values)
    page.click("button.spec-generate")


def test_owner_creates_a_product_with_two_specs_without_typing_json(page, make_staff, tmp_path):  # noqa: F811
    owner = make_staff("owner")
    open_new_product(page, owner)

    # given the product's name, selling points and a rich description with a picture
    page.fill("#id_name", "纯棉印花T恤")
    page.select_option("#id_status", "on_shelf")
    fill_selling_points(page, ["新疆长绒棉", "不起球不变形"])
    write_description(page, "柔软透气，四季可穿。", picture(tmp_path, "detail.png", (200, 30, 30)))

    # the editor speaks Chinese
    assert page.locator(".prose-menubar [title='加粗']").count() == 1
    assert page.locator(".prose-menubar [title='bold']").count() == 0

    # when the owner enters two specs and generates the SKUs
    generate_skus(page, {"颜色": "黑色，白色", "尺码": "M, L"})

    # then the grid has one row per combination, and bulk prices and stocks fill all of them
    rows = page.locator(SKU_ROWS)
    assert rows.count() == 4
    specs = [rows.nth(i).locator("[name$='-specs']").input_value() for i in range(4)]
    assert specs == ["颜色:黑色;尺码:M", "颜色:黑色;尺码:L", "颜色:白色;尺码:M", "颜色:白色;尺码:L"]
    page.fill(".bulk-price", "59.9")
    page.fill(".bulk-stock", "30")
    page.click("button.bulk-apply")
    assert "已设置 4 个新 SKU 的初始库存" in page.inner_text(".spec-message")
    for i in range(4):
        rows.nth(i).locator("[name$='-code']").fill(f"TEE-{i + 1}")
    rows.nth(3).locator("[name$='-price']").fill("69.90")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # the grid fits
    screenshot(page, "product-add.png")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    screenshot(page, "product-saved.png")

    # and the product is on the storefront with its SKUs, selling points and picture
    product = Product.objects.get(name="纯棉印花T恤")
    detail = page.request.get(f"/api/v1/products/{product.pk}").json()
    got = sorted((s["code"], s["specs"], s["price"], s["stock"]) for s in detail["skus"])
    assert got == [  # specs compared as dicts: PostgreSQL's jsonb does not keep key order
        ("TEE-1", {"颜色": "黑色", "尺码": "M"}, "59.90", 30),
        ("TEE-2", {"颜色": "黑色", "尺码": "L"}, "59.90", 30),
        ("TEE-3", {"颜色": "白色", "尺码": "M"}, "59.90", 30),
        ("TEE-4", {"颜色": "白色", "尺码": "L"}, "69.90", 30),
    ]
    assert detail["selling_points"] == ["新疆长绒棉", "不起球不变形"]
    assert "柔软透气，四季可穿。" in detail["description"]
    src = detail["description"].split('<img src="', 1)[1].split('"', 1)[0]
    assert src.startswith("/media/products/detail/")
    assert page.request.get(src).headers["content-type"] == "image/png"


def test_a_form_error_keeps_what_the_owner_entered(page, make_staff, tmp_path):  # noqa: F811
    owner = make_staff("owner")
    open_new_product(page, owner)

    # given everything entered but the name, with a product picture chosen
    fill_selling_points(page, ["一次成型", "可机洗"])
    write_description(page, "加厚款。", picture(tmp_path, "detail.png", (30, 160, 60)))
    generate_skus(page, {"颜色": "灰色，粉色", "尺码": "S，M"})
    page.fill(".bulk-price", "88")
    page.fill(".bulk-stock", "12")
    page.click("button.bulk-apply")
    page.click("#images-group .add-row a")
    page.set_input_files(
        "#images-group tr.form-row:not(.empty-form) input[type=file]",
        str(picture(tmp_path, "cover.png", (20, 20, 160))),
    )

    # when the owner saves, the page comes back with the missing name
    page.click("input[name=_save]")
    page.wait_for_selector(".errornote")
    screenshot(page, "product-form-error.png")

    # then the lines, the specs, the SKU grid and both pictures are still there
    lines = page.locator("[data-list-text] input")
    assert [lines.nth(i).input_value() for i in range(lines.count())] == ["一次成型", "可机洗", ""]
    spec_rows = page.locator("#sku-generator .spec-row")
    assert [
        (row.locator(".spec-name").input_value(), row.locator(".spec-values").input_value())
        for row in spec_rows.all()
    ] == [("颜色", "灰色，粉色"), ("尺码", "S，M")]
    rows = page.locator(SKU_ROWS)
    assert rows.count() == 4
    assert {row.locator("[name$='-price']").input_value() for row in rows.all()} == {"88.00"}
    assert {row.locator("[name$='-stock_change']").input_value() for row in rows.all()} == {"12"}
    assert page.locator(f"{EDITOR} img[src^='/media/products/detail/']").count() == 1
    cover = page.locator("#images-group img.stored-image")
    assert cover.count() == 1

    # and naming the product saves it all without choosing anything again
    page.fill("#id_name", "儿童卫衣")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    product = Product.objects.get(name="儿童卫衣")
    assert product.selling_points == ["一次成型", "可机洗"]
    assert product.skus.count() == 4
    assert product.images.get().image.name.startswith("products/upload/")
    assert '<img src="/media/products/detail/' in product.description


def test_dropping_a_spec_value_makes_an_ordered_sku_unsellable_not_deleted(
    page,  # noqa: F811
    make_staff,
    shop,
    shopper,
):
    owner = make_staff("owner")
    black = shop.sku(shop.band)
    order = place(shopper, black)
    open_new_product(page, owner)
    page.goto(f"/admin/catalog/product/{shop.band.pk}/change/")
    page.wait_for_selector("#sku-generator")

    # the generator opens with the product's specs; the owner replaces 黑色 by 白色
    row = page.locator("#sku-generator .spec-row").nth(0)
    assert (row.locator(".spec-name").input_value(), row.locator(".spec-values").input_value()) == (
        "颜色",
        "黑色",
    )
    row.locator(".spec-values").fill("白色")
    page.click("button.spec-generate")
    assert "1 个已保存的 SKU 不在新规格中，已设为不可售" in page.inner_text(".spec-message")
    page.fill(".bulk-price", "239")
    page.fill(".bulk-stock", "5")
    page.click("button.bulk-apply")
    assert page.inner_text(f"{SKU_ROWS}.sku-retired .sku-retired-note") == "规格已移除，保存后停售"
    screenshot(page, "product-specs-changed.png")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")

    black.refresh_from_db()
    assert (black.is_active, black.specs, black.stock) == (False, {"颜色": "黑色"}, 9)
    white = shop.band.skus.get(is_active=True)
    assert (white.specs, str(white.price), white.stock) == ({"颜色": "白色"}, "239.00", 5)
    assert order.lines.get().sku_id == black.pk
