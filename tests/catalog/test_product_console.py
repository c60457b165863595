"""The console's product page without JSON: selling points as lines, specs as names and values,
the rich-text detail sanitised, pictures uploaded to our media and kept across form errors."""

import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from PIL import Image

from fenxiao.catalog.forms import ProductForm, SpecsField, specs_parse, specs_text
from fenxiao.catalog.models import Product
from fenxiao.catalog.services import product_create
from fenxiao.catalog.widgets import ListTextWidget
from tests.catalog.test_stock_console import change_url, form_data

pytestmark = pytest.mark.django_db

ADD = reverse("admin:catalog_product_add")
UPLOAD = reverse("admin:catalog_product_upload_image")


def png(name="a.png", size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def new_product(**changes) -> dict:
    """What the add page posts for a product with one SKU and no pictures."""
    data = {
        "name": "手冲咖啡壶",
        "status": "draft",
        "sort": "0",
        "tagline": "",
        "selling_points": ["304 不锈钢", "细口出水"],
        "description": "<p>好用</p>",
        "skus-TOTAL_FORMS": "1",
        "skus-INITIAL_FORMS": "0",
        "skus-0-code": "POT-1",
        "skus-0-specs": "容量:600ml",
        "skus-0-price": "129.00",
        "skus-0-cost": "0",
        "skus-0-is_active": "on",
        "skus-0-stock_change": "8",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "commission-TOTAL_FORMS": "0",
        "commission-INITIAL_FORMS": "0",
    }
    return data | changes


def as_query(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


# selling points


def test_selling_points_render_as_lines_and_post_back_as_a_list():
    widget = ListTextWidget(add_label="添加卖点")

    html = widget.render("selling_points", ["双面防滑", "加厚 10mm"], attrs={"id": "id_sp"})

    assert html.count('name="selling_points"') == 3  # each line, and an empty one to add more
    assert 'value="双面防滑"' in html and 'value="加厚 10mm"' in html
    assert html.count('id="id_sp"') == 1
    posted = {"selling_points": [" 双面防滑 ", "", "加厚 10mm"]}
    form = ProductForm(data=as_query(posted | {"name": "瑜伽垫", "status": "draft", "sort": "0"}))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["selling_points"] == ["双面防滑", "加厚 10mm"]


@pytest.mark.parametrize(
    "points, message",
    [
        (["好", "长" * 201], "第 2 条卖点有 201 个字，每条最多 200 个字，请缩短"),
        ([f"卖点{i}" for i in range(22)], "卖点最多 20 条，现在有 22 条，请删去 2 条"),
    ],
)
def test_selling_points_errors_say_what_to_type(points, message):
    posted = {"name": "瑜伽垫", "status": "draft", "sort": "0", "selling_points": points}
    form = ProductForm(data=as_query(posted))

    assert not form.is_valid()
    assert form.errors["selling_points"] == [message]


def test_removing_every_selling_point_clears_them(console, shop):
    data = form_data(console.get(change_url(shop.band)))
    assert data["selling_points"] == ["续航 14 天"]
    del data["selling_points"]  # every line removed: the page posts none

    r = console.post(change_url(shop.band), data)

    assert r.status_code == 302
    shop.band.refresh_from_db()
    assert shop.band.selling_points == []


# specs


def test_specs_round_trip_between_the_grid_text_and_the_sku():
    specs = {"颜色": "黑色", "尺码": "XL"}

    assert specs_text(specs) == "颜色:黑色;尺码:XL"
    assert specs_parse(specs_text(specs)) == specs
    assert specs_parse("颜色：黑色；尺码：XL") == specs  # full-width, as Chinese keyboards type
    assert specs_parse("") == {}
    assert SpecsField().prepare_value(specs) == "颜色:黑色;尺码:XL"


def test_an_existing_product_opens_with_its_specs_as_text(console, shop):
    r = console.get(reverse("admin:catalog_product_change", args=[shop.band.pk]))

    html = r.content.decode()
    assert 'value="颜色:黑色"' in html
    assert 'value="{' not in html
    assert 'name="skus-0-DELETE"' not in html  # SKUs are made unsellable, never deleted


def test_two_sellable_skus_with_the_same_specs_are_refused(console):
    data = new_product(
        **{
            "skus-TOTAL_FORMS": "2",
            "skus-1-specs": "容量:600ml",
            "skus-1-price": "139.00",
            "skus-1-cost": "0",
            "skus-1-is_active": "on",
        }
    )

    r = console.post(ADD, data)

    assert r.status_code == 200
    assert "规格 容量:600ml 出现了两次" in r.content.decode()
    assert not Product.objects.filter(name="手冲咖啡壶").exists()


@pytest.mark.parametrize(
    "row, message",
    [
        ({"skus-0-price": ""}, "请填写售价，如 59.90"),
        ({"skus-0-price": "0"}, "售价须大于 0，如 59.90"),
        ({"skus-0-cost": "-1"}, "成本不能为负数，不知道可填 0"),
    ],
)
def test_sku_row_errors_say_what_to_type(console, row, message):
    r = console.post(ADD, new_product(**row))

    assert r.status_code == 200 and message in r.content.decode()
    assert not Product.objects.filter(name="手冲咖啡壶").exists()


def test_sellable_skus_must_share_their_spec_names(console):
    data = new_product(
        **{
            "skus-TOTAL_FORMS": "2",
            "skus-1-specs": "颜色:白色",
            "skus-1-price": "139.00",
            "skus-1-cost": "0",
            "skus-1-is_active": "on",
        }
    )

    r = console.post(ADD, data)

    assert r.status_code == 200
    assert "可售 SKU 的规格名须一致：第一行是 容量，而 颜色:白色 不同" in r.content.decode()
    r = console.post(ADD, data | {"skus-1-is_active": ""})  # an unsellable row may differ
    assert r.status_code == 302


def test_a_product_on_the_shelf_needs_a_sellable_sku(console):
    data = new_product(status="on_shelf", **{"skus-0-is_active": ""})

    r = console.post(ADD, data)

    assert r.status_code == 200
    assert "上架的商品至少需要一个可售 SKU" in r.content.decode()
    assert console.post(ADD, data | {"status": "draft"}).status_code == 302


# the rich-text detail


def test_the_console_keeps_rich_text_but_not_scripts(console):
    html = (
        '<h3>亮点</h3><p onclick="steal()">细口<script>alert(1)</script></p>'
        '<img src="/media/products/detail/a.png" onerror="steal()">'
        '<a href="javascript:steal()">链接</a>'
    )

    r = console.post(ADD, new_product(description=html))

    assert r.status_code == 302
    description = Product.objects.get(name="手冲咖啡壶").description
    assert (
        "<h3>亮点</h3>" in description and '<img src="/media/products/detail/a.png">' in description
    )
    for bad in ("script", "alert", "onclick", "onerror", "javascript"):
        assert bad not in description


def test_the_storefront_gets_the_detail_without_scripts(anon):
    product = product_create(
        name="香薰蜡烛",
        status="on_shelf",
        description="<p>安神</p><script>document.cookie</script><iframe src=//x></iframe>",
        skus=[{"price": "39.00", "stock": 3}],
    )

    r = anon.get(f"/products/{product.pk}")

    assert r.status_code == 200
    assert r.json()["description"] == "<p>安神</p>"


# pictures


def test_staff_upload_a_detail_picture_to_our_media(console):
    r = console.post(UPLOAD, {"image": png()})

    assert r.status_code == 201
    url = r.json()["url"]
    assert url.startswith("/media/products/detail/") and url.endswith(".png")
    assert default_storage.exists(url.removeprefix("/media/"))


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("a.png", b"not a picture"), "不是有效的图片文件"),
        (SimpleUploadedFile("big.png", b"0" * (5 * 1024 * 1024 + 1)), "图片不能超过 5 MB"),
    ],
)
def test_a_bad_upload_says_why_in_chinese(console, upload, message):
    r = console.post(UPLOAD, {"image": upload})

    assert r.status_code == 400
    assert message in r.json()["message"]


def test_the_upload_needs_staff_who_may_edit_products_and_a_csrf_token(client, make_staff):
    assert client.post(UPLOAD, {"image": png()}).status_code == 302  # to the log-in page
    client.force_login(make_staff("service"))
    assert client.post(UPLOAD, {"image": png()}).status_code == 403
    owner = Client(enforce_csrf_checks=True)
    owner.force_login(make_staff("owner"))
    assert owner.post(UPLOAD, {"image": png()}).status_code == 403  # no CSRF token


def test_a_chosen_picture_survives_a_form_error(console):
    data = new_product(
        name="",
        **{"images-TOTAL_FORMS": "1", "images-0-sort": "0", "images-0-upload": png("cup.png")},
    )

    # when the page comes back with an error (the name is missing)
    r = console.post(ADD, data)

    # then the picture is stored and carried by the page, with the lines and the SKU entered
    assert r.status_code == 200 and "请填写商品名称，如：纯棉短袖" in r.content.decode()
    image_form = r.context["inline_admin_formsets"][1].formset.forms[0]
    stored = image_form["stored"].value()
    assert stored.startswith("products/upload/") and default_storage.exists(stored)
    html = r.content.decode()
    assert f'value="{stored}"' in html and "/media/" + stored in html
    assert 'value="304 不锈钢"' in html and 'value="容量:600ml"' in html

    # and saving again without choosing the file again keeps it
    del data["images-0-upload"]
    r = console.post(ADD, data | {"name": "手冲咖啡壶", "images-0-stored": stored})
    assert r.status_code == 302
    product = Product.objects.get(name="手冲咖啡壶")
    assert [i.image.name for i in product.images.all()] == [stored]
    assert product.selling_points == ["304 不锈钢", "细口出水"]
    assert product.skus.get().specs == {"容量": "600ml"}


def test_a_picture_path_not_uploaded_by_us_is_refused(console):
    data = new_product(**{"images-TOTAL_FORMS": "1", "images-0-stored": "../../etc/passwd"})

    r = console.post(ADD, data)

    assert r.status_code == 200 and "图片已失效，请重新选择" in r.content.decode()


def test_a_saved_picture_whose_file_went_missing_does_not_block_saving(console, shop):
    data = form_data(console.get(change_url(shop.band)))
    default_storage.delete(shop.band.images.get().image.name)

    r = console.post(change_url(shop.band), data | {"tagline": "新推荐语"})

    assert r.status_code == 302, r.context and r.context["errors"]
    shop.band.refresh_from_db()
    assert shop.band.tagline == "新推荐语"


def test_descriptions_written_before_sanitising_are_cleaned_once():
    migration = importlib.import_module("fenxiao.catalog.migrations.0009_clean_descriptions")
    old = Product.objects.create(name="旧商品", description="<p>旧</p><script>x()</script>")

    migration.clean_descriptions(django_apps, None)

    old.refresh_from_db()
    assert old.description == "<p>旧</p>"
