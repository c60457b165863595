"""GET /distributor/poster: a PNG whose QR code decodes to the distributor's product link,
whose Chinese text is drawn with real glyphs (no tofu), and, when the mini-program is
configured, which carries a mini-program code from WeChat (a local stub over real HTTP),
asked once per (distributor, product)."""

import io
import secrets

import pytest
import zxingcpp
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image, ImageFont

from fenxiao.catalog.models import Product, ProductImage
from fenxiao.distribution import links, poster
from fenxiao.distribution.errors import MiniProgramCodeFailed
from fenxiao.distribution.models import Distributor
from fenxiao.distribution.services import distributors
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProductFactory, SkuFactory
from tests.distribution.flows import D, code_of, make_distributor, plan_set
from tests.distribution.test_reads import writes_of
from tests.orders.flows import assert_error
from tests.wechat_api_stub import WechatApiStub, code_text

pytestmark = pytest.mark.django_db

PHOTO_COLOUR = (30, 120, 200)
NO_CJK_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def photo_png(colour=PHOTO_COLOUR, size=(900, 600), kind="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=kind)
    return out.getvalue()


@pytest.fixture
def product():
    """On the shelf, two SKUs (the poster shows the lower price), one photo."""
    product = ProductFactory(name="新疆阿克苏冰糖心苹果", tagline="脆甜多汁，产地直发")
    SkuFactory(product=product, price=D("59.90"))
    SkuFactory(product=product, price=D("39.90"))
    SkuFactory(product=product, price=D("9.90"), is_active=False)
    ProductImage.objects.create(
        product=product, image=SimpleUploadedFile("apple.png", photo_png(), "image/png")
    )
    return product


def get_poster(api, product_id):
    return api.get("/distributor/poster", {"product_id": product_id})


def decoded(png: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_poster_qr_code_decodes_to_the_distributors_product_link(make_api, product):
    # given: an active distributor
    me = make_distributor(nickname="小红")

    # when
    r = get_poster(make_api(me), product.pk)

    # then: a 750×1334 PNG whose only code is my H5 link of that product
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(r.content))
    assert (image.format, image.size) == ("PNG", (750, 1334))
    link = f"{django_settings.PUBLIC_BASE_URL}/products/{product.pk}?ref={code_of(me)}"
    assert decoded(r.content) == [link]
    # the product photo fills the top of the poster
    assert image.convert("RGB").getpixel((375, 300)) == PHOTO_COLOUR


def test_a_poster_without_a_photo_still_carries_the_link(make_api):
    me = make_distributor()
    sku = SkuFactory()
    r = get_poster(make_api(me), sku.product_id)
    assert r.status_code == 200
    assert decoded(r.content) == [
        links.product_share_url(code=code_of(me), product_id=sku.product_id)
    ]


def test_the_first_photo_in_display_order_is_drawn_and_a_broken_one_is_replaced(make_api, product):
    api = make_api(make_distributor())
    red = (200, 30, 30)
    ProductImage.objects.create(
        product=product,
        sort=-1,
        image=SimpleUploadedFile("red.jpg", photo_png(red, (2400, 1600), "JPEG"), "image/jpeg"),
    )
    r = get_poster(api, product.pk)
    pixel = Image.open(io.BytesIO(r.content)).convert("RGB").getpixel((375, 300))
    assert all(abs(a - b) <= 2 for a, b in zip(pixel, red, strict=True))

    # an unreadable file: a plain placeholder, and the poster still carries the link
    ProductImage.objects.create(
        product=product, sort=-2, image=SimpleUploadedFile("bad.png", b"not an image")
    )
    r = get_poster(api, product.pk)
    assert r.status_code == 200
    image = Image.open(io.BytesIO(r.content)).convert("RGB")
    assert image.getpixel((375, 300)) == (244, 244, 244)
    assert len(decoded(r.content)) == 1


def test_a_user_the_plan_makes_a_distributor_gets_a_poster_without_any_write(make_api, product):
    # given: mode everyone, a user who never opened the distributor centre (no row yet)
    user = UserFactory()
    api = make_api(user)

    with CaptureQueriesContext(connection) as captured:
        r = get_poster(api, product.pk)

    # then: the link carries the code /distributor/me shows; nothing was written
    assert r.status_code == 200, r.content
    shown = api.get("/distributor/me").json()["referral_code"]
    assert decoded(r.content) == [links.product_share_url(code=shown, product_id=product.pk)]
    assert writes_of(captured) == []
    assert not Distributor.objects.filter(pk=user.pk).exists()


def test_each_distributor_gets_their_own_code_and_cannot_name_another(make_api, product):
    a, b = make_distributor(), make_distributor()
    poster_a = get_poster(make_api(a), product.pk)
    # an extra user_id or ref parameter is ignored: the caller is the one on the poster
    poster_b = make_api(b).get(
        "/distributor/poster", {"product_id": product.pk, "user_id": a.pk, "ref": code_of(a)}
    )
    assert decoded(poster_a.content) == [
        links.product_share_url(code=code_of(a), product_id=product.pk)
    ]
    assert decoded(poster_b.content) == [
        links.product_share_url(code=code_of(b), product_id=product.pk)
    ]


# who may have one, and bad input


def test_only_active_distributors_get_a_poster(make_api, anon, product):
    plan_set(mode="apply")
    stranger = UserFactory()
    applicant = UserFactory()
    distributors.distributor_apply(user=applicant, reason="想推广")
    frozen = make_distributor()
    distributors.distributor_freeze(distributor_id=frozen.pk)

    assert_error(get_poster(make_api(stranger), product.pk), 403, "not_a_distributor")
    assert_error(get_poster(make_api(applicant), product.pk), 403, "not_a_distributor")
    r = assert_error(get_poster(make_api(frozen), product.pk), 403, "distributor_frozen")
    assert "冻结" in r["message"]
    assert_error(get_poster(anon, product.pk), 401, "unauthorized")


def test_unknown_or_off_shelf_products_and_bad_ids_are_refused(make_api, product):
    api = make_api(make_distributor())
    assert_error(get_poster(api, product.pk + 1000), 404, "product_not_found")
    Product.objects.filter(pk=product.pk).update(status=Product.Status.OFF_SHELF)
    assert_error(get_poster(api, product.pk), 404, "product_not_found")
    assert_error(api.get("/distributor/poster"), 400, "invalid_input")
    assert_error(api.get("/distributor/poster", {"product_id": "abc"}), 400, "invalid_input")
    assert_error(api.get("/distributor/poster", {"product_id": 0}), 400, "invalid_input")


# the font: real Chinese glyphs, or a clear refusal


def test_every_character_of_the_poster_has_a_real_glyph_in_the_chosen_font(product):
    # given: the font the poster uses (Debian's fonts-noto-cjk, installed by `make fonts`)
    font = poster.poster_font()
    assert "NotoSansCJK" in font.path
    strings = [
        product.name,
        product.tagline,
        "小红 推荐",
        "为你精选好物",
        "长按识别二维码 查看商品",
        "长按识别小程序码 查看商品",
        "暂无图片",
        "¥39.90起",
    ]
    for face in (font.regular(28), font.bold(38)):
        # the font's .notdef (tofu) glyph: what a character it lacks is drawn as
        tofu = face.getmask(poster.UNMAPPED)
        tofu_key = (tofu.size, bytes(tofu))
        for ch in "".join(strings).replace(" ", ""):
            mask = face.getmask(ch)
            assert (mask.size, bytes(mask)) != tofu_key, f"{ch!r} would be drawn as tofu"
            assert mask.getbbox() is not None, f"{ch!r} draws nothing"


def test_the_glyph_check_does_see_tofu():
    # a Latin-only font draws Chinese as .notdef: the same check must catch it
    latin = ImageFont.truetype(NO_CJK_FONT, 38)
    assert poster.has_glyph(latin, "A")
    assert not poster.has_glyph(latin, "推")
    cjk = poster.poster_font().regular(38)
    assert poster.has_glyph(cjk, "推") and not poster.has_glyph(cjk, "😀")
    # characters the font lacks are left out rather than drawn as boxes
    assert poster.printable(cjk, "小红😀") == "小红"


def test_an_emoji_nickname_still_gives_a_poster(make_api, product):
    me = make_distributor(nickname="🌸🌸")
    r = get_poster(make_api(me), product.pk)
    assert r.status_code == 200 and len(decoded(r.content)) == 1


@pytest.mark.parametrize("configured", [NO_CJK_FONT, "/nonexistent/font.ttc"])
def test_a_configured_font_without_chinese_is_refused_clearly(
    make_api, product, settings, configured
):
    settings.POSTER_FONT = configured
    r = assert_error(
        get_poster(make_api(make_distributor()), product.pk), 503, "poster_font_missing"
    )
    assert "FENXIAO_POSTER_FONT" in r["message"]


def test_no_cjk_font_installed_is_a_clear_503(make_api, product, settings):
    settings.POSTER_FONT = ""
    settings.POSTER_FONT_CANDIDATES = ["/nonexistent/NotoSansCJK-Regular.ttc", NO_CJK_FONT]
    r = assert_error(
        get_poster(make_api(make_distributor()), product.pk), 503, "poster_font_missing"
    )
    assert "fonts-noto-cjk" in r["message"]


# the mini-program code (WeChat configured), against a local stub over real HTTP


@pytest.fixture
def wechat(settings):
    # a fresh app id per test: stored codes are kept per app, in the run's media directory
    appid, secret = "wx" + secrets.token_hex(8), "s3cret"
    stub = WechatApiStub(appid=appid, secret=secret)
    settings.WECHAT_APPID, settings.WECHAT_SECRET = appid, secret
    settings.WECHAT_API_BASE = stub.url
    yield stub
    stub.stop()


def test_with_wechat_configured_the_poster_carries_the_mini_program_code(make_api, product, wechat):
    me = make_distributor()
    api = make_api(me)

    # when
    r = get_poster(api, product.pk)

    # then: one token, one code, asked with the scene and page the client reads
    assert r.status_code == 200, r.content
    scene = f"r={code_of(me)}&p={product.pk}"
    assert len(scene) <= 32
    assert len(wechat.token_requests) == 1
    [asked] = wechat.code_requests
    assert asked["access_token"] == wechat.tokens[-1]
    assert (asked["scene"], asked["page"]) == (scene, "pages/product/detail")
    assert (asked["check_path"], asked["env_version"]) == (True, "release")
    # the poster carries that code, and no H5 link
    assert decoded(r.content) == [code_text(page="pages/product/detail", scene=scene)]


def test_a_second_poster_is_served_without_asking_wechat_again(make_api, product, wechat):
    me = make_distributor()
    api = make_api(me)
    first = get_poster(api, product.pk)
    second = get_poster(api, product.pk)
    assert first.status_code == second.status_code == 200
    assert len(wechat.code_requests) == 1 and len(wechat.token_requests) == 1
    assert decoded(second.content) == decoded(first.content)

    # another product: a new code, with the cached token
    other = SkuFactory().product
    assert get_poster(api, other.pk).status_code == 200
    assert len(wechat.code_requests) == 2 and len(wechat.token_requests) == 1
    assert wechat.code_requests[1]["scene"] == f"r={code_of(me)}&p={other.pk}"

    # another distributor, same product: their own code
    them = make_distributor()
    r = get_poster(make_api(them), product.pk)
    assert decoded(r.content) == [
        code_text(page="pages/product/detail", scene=f"r={code_of(them)}&p={product.pk}")
    ]
    assert len(wechat.code_requests) == 3 and len(wechat.token_requests) == 1


def test_an_expired_token_is_renewed_once(make_api, product, wechat):
    api = make_api(make_distributor())
    assert get_poster(api, product.pk).status_code == 200
    wechat.expire_token()

    r = get_poster(api, SkuFactory().product_id)

    assert r.status_code == 200, r.content
    assert len(wechat.token_requests) == 2
    assert [c["access_token"] for c in wechat.code_requests[1:]] == [
        wechat.tokens[-3],  # the cached one, refused
        wechat.tokens[-1],  # the renewed one
    ]


def test_wechat_refusing_the_code_is_a_clear_502_and_nothing_is_kept(make_api, product, wechat):
    api = make_api(make_distributor())
    wechat.refuse_code = {"errcode": 41030, "errmsg": "invalid page hint"}
    assert_error(get_poster(api, product.pk), 502, "wxacode_failed")
    # once WeChat answers again, the code is asked for (the refusal was not stored)
    wechat.refuse_code = None
    assert get_poster(api, product.pk).status_code == 200
    assert len(wechat.code_requests) == 2


def test_wrong_credentials_are_a_clear_502(make_api, product, wechat, settings):
    settings.WECHAT_SECRET = "wrong"
    assert_error(get_poster(make_api(make_distributor()), product.pk), 502, "wxacode_failed")
    assert wechat.code_requests == []


def test_the_scene_never_exceeds_wechats_32_characters():
    assert links.mini_program_scene(code="ABCD2345", product_id=10**9) == "r=ABCD2345&p=1000000000"
    with pytest.raises(MiniProgramCodeFailed):
        links.mini_program_scene(code="A" * 16, product_id=10**12)


def test_a_trial_version_is_asked_for_without_the_path_check(make_api, product, wechat, settings):
    # pages of a trial or development version are unknown to WeChat's path check
    settings.WECHAT_CODE_ENV = "trial"
    assert get_poster(make_api(make_distributor()), product.pk).status_code == 200
    [asked] = wechat.code_requests
    assert (asked["env_version"], asked["check_path"]) == ("trial", False)
