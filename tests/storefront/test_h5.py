"""fenxiao serves the H5 client: index at /, hashed assets cached, share links into the client."""

import gzip

import pytest
from django.test import Client


@pytest.fixture
def build(tmp_path, settings):
    """A stand-in H5 build, laid out like `uni build` writes it."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html><head><script type="module" src="/h5/assets/index-BvFKeQC2.js">'
        "</script></head><body><div id=app></div></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "assets" / "index-BvFKeQC2.js").write_text("console.log('商城')", encoding="utf-8")
    (tmp_path / "assets" / "uni.f0e2d87d.css").write_text("page{}", encoding="utf-8")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "logo.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "static" / "app-icon-large.js").write_text("x", encoding="utf-8")
    settings.CLIENT_H5_DIR = tmp_path
    return tmp_path


@pytest.fixture
def client():
    return Client(HTTP_HOST="127.0.0.1")


def test_root_serves_the_h5_index_uncached(build, client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert b"/h5/assets/index-BvFKeQC2.js" in response.content


def test_root_with_a_referral_code_serves_the_same_index(build, client):
    # share_url is <origin>/?ref=CODE: the client reads the code from the address itself
    response = client.get("/?ref=ABC123")
    assert response.status_code == 200
    assert b"<div id=app>" in response.content


def test_hashed_assets_have_their_types_and_a_long_cache(build, client):
    js = client.get("/h5/assets/index-BvFKeQC2.js")
    assert js.status_code == 200
    assert js["Content-Type"] == "text/javascript; charset=utf-8"
    assert js["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(js.streaming_content) == "console.log('商城')".encode()

    css = client.get("/h5/assets/uni.f0e2d87d.css")
    assert css["Content-Type"] == "text/css; charset=utf-8"
    assert css["Cache-Control"] == "public, max-age=31536000, immutable"


def test_unhashed_files_are_revalidated(build, client):
    response = client.get("/h5/static/logo.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "no-cache"
    # a long name outside assets/ is not a content hash
    assert client.get("/h5/static/app-icon-large.js")["Cache-Control"] == "no-cache"


def test_a_precompressed_asset_is_sent_to_browsers_that_accept_gzip(build, client):
    source = build / "assets" / "index-BvFKeQC2.js"
    source.with_name(source.name + ".gz").write_bytes(gzip.compress(source.read_bytes()))

    response = client.get("/h5/assets/index-BvFKeQC2.js", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert gzip.decompress(b"".join(response.streaming_content)) == source.read_bytes()

    plain = client.get("/h5/assets/index-BvFKeQC2.js")
    assert not plain.has_header("Content-Encoding")


@pytest.mark.parametrize(
    "path",
    ["/h5/assets/missing-AAAAAAAA.js", "/h5/../index.html", "/h5/%2e%2e/%2e%2e/pyproject.toml"],
)
def test_missing_or_outside_files_are_404(build, client, path):
    assert client.get(path).status_code == 404


def test_without_a_build_the_root_says_how_to_make_one(tmp_path, settings, client):
    settings.CLIENT_H5_DIR = tmp_path / "nothing-here"
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "商城客户端尚未构建" in text and "make client" in text
    assert response["Cache-Control"] == "no-cache"


def test_a_product_share_link_opens_the_product_page_with_its_code(build, client):
    response = client.get("/products/42?ref=ABC123")
    assert response.status_code == 302
    assert response["Location"] == "/#/pages/product/detail?id=42&ref=ABC123"


def test_a_product_share_link_without_a_code(build, client):
    response = client.get("/products/7")
    assert response["Location"] == "/#/pages/product/detail?id=7"


def test_a_malformed_code_is_dropped_not_passed_into_the_page(build, client):
    response = client.get("/products/7?ref=<script>")
    assert response["Location"] == "/#/pages/product/detail?id=7"


def test_the_h5_pages_are_read_only(build, client):
    assert client.post("/").status_code == 405
    assert client.post("/products/7").status_code == 405


@pytest.mark.django_db
def test_the_favicon_is_a_square_of_the_shop_colour_until_a_logo_is_set(client, stored_picture):
    from io import BytesIO

    from PIL import Image

    from fenxiao.storefront.models import ShopSettings
    from fenxiao.storefront.services import shop_settings_save

    shop_settings_save(shop=ShopSettings(name="店", theme_color="#00AA00"))
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert Image.open(BytesIO(r.content)).getpixel((5, 5)) == (0, 170, 0)

    shop = ShopSettings.objects.get()
    shop.logo = stored_picture("storefront/logo.png")
    shop_settings_save(shop=shop)
    r = client.get("/favicon.ico")
    assert r.status_code == 302 and r["Location"].endswith("/media/storefront/logo.png")


def test_a_coupon_share_link_opens_the_coupon_page_with_its_code(build, client):
    response = client.get("/coupons/5?ref=ABC123")
    assert response.status_code == 302
    assert response["Location"] == "/#/pages/coupon/detail?coupon=5&ref=ABC123"
    dropped = client.get("/coupons/5?ref=<script>")
    assert dropped["Location"] == "/#/pages/coupon/detail?coupon=5"
    assert client.post("/coupons/5").status_code == 405
