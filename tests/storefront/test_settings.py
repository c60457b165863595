"""Shop settings and banners as the services keep them: one settings row, checked values."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.catalog.errors import InvalidImage
from fenxiao.catalog.models import Category
from fenxiao.catalog.services import category_save
from fenxiao.storefront.errors import InvalidShopSettings
from fenxiao.storefront.models import Banner, ShopSettings
from fenxiao.storefront.selectors import shop_settings
from fenxiao.storefront.services import banner_save, shop_image_store, shop_settings_save
from tests.catalog.factories import SkuFactory
from tests.storefront.conftest import picture_bytes

pytestmark = pytest.mark.django_db


def test_there_is_one_settings_row_whoever_saves(db):
    shop_settings_save(shop=ShopSettings(name="第一版"))
    # a second, separately made settings object updates the same row
    shop_settings_save(shop=ShopSettings(name="第二版", theme_color="#00aa00"))

    assert ShopSettings.objects.count() == 1
    saved = shop_settings()
    assert (saved.pk, saved.name, saved.theme_color) == (1, "第二版", "#00AA00")


@pytest.mark.parametrize(
    "color", ["red", "#12345", "#1234567", "#GGGGGG", "123456", "#12345\n", "＃123456", ""]
)
def test_a_theme_colour_must_be_hash_rrggbb(color):
    with pytest.raises(InvalidShopSettings) as exc:
        shop_settings_save(shop=ShopSettings(name="店", theme_color=color))
    assert "#RRGGBB" in exc.value.message or "不能为空" in exc.value.message
    assert not ShopSettings.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "{title} 只要 {price}",  # unknown placeholder
        "{name!r}",  # conversion
        "{price:>10}",  # format spec
        "{name.__class__}",  # attribute access
        "{0}",  # positional
        "{name",  # unbalanced
        "name}",
    ],
)
def test_a_share_text_may_use_only_the_known_placeholders(text):
    with pytest.raises(InvalidShopSettings) as exc:
        shop_settings_save(shop=ShopSettings(name="店", share_text=text))
    assert "占位符" in exc.value.message
    assert not ShopSettings.objects.exists()


def test_a_share_text_with_known_placeholders_and_escaped_braces_is_kept():
    text = "{name} 只要 ¥{price}，{tagline} {url} {{限时}}"
    shop_settings_save(shop=ShopSettings(name="店", share_text=text))
    assert shop_settings().share_text == text


def test_a_banner_links_to_one_target_and_ends_after_it_starts(stored_picture):
    sku = SkuFactory()
    category = category_save(category=Category(name="运动"))
    with pytest.raises(InvalidShopSettings):
        banner_save(
            banner=Banner(
                image=stored_picture(), title="两者", product=sku.product, category=category
            )
        )
    now = timezone.now()
    with pytest.raises(InvalidShopSettings) as exc:
        banner_save(
            banner=Banner(
                image=stored_picture(), title="倒序", starts_at=now, ends_at=now - timedelta(1)
            )
        )
    assert "结束时间" in exc.value.message
    with pytest.raises(InvalidShopSettings):
        banner_save(banner=Banner(title="无图"))
    assert not Banner.objects.exists()


def test_uploaded_pictures_are_checked_like_product_pictures_and_kept_apart():
    path = shop_image_store(content=picture_bytes("PNG"), filename="logo.png")
    assert path.startswith("storefront/") and path.endswith(".png")

    with pytest.raises(InvalidImage):
        shop_image_store(content=b"not a picture", filename="x.png")
    with pytest.raises(InvalidImage):
        shop_image_store(content=picture_bytes("BMP"), filename="x.bmp")  # format not allowed
