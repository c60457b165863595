"""The demo shop comes with its look: name, logo, theme colour and banners on the home page."""

import pytest
from django.core.files.storage import default_storage

from fenxiao.demo import load_demo
from fenxiao.storefront.models import Banner, ShopSettings

pytestmark = pytest.mark.django_db


def test_the_demo_home_page_has_the_shops_look_and_banners(anon):
    load_demo()

    body = anon.get("/shop").json()

    assert body["name"] == "fenxiao 演示商城" and body["theme_color"] == "#FF5A36"
    assert body["logo"] and "{price}" in body["share_text"]
    assert 2 <= len(body["banners"]) <= 3
    links = [b["link"] for b in body["banners"]]
    assert any(link.startswith("/pages/product/detail?id=") for link in links)
    assert any(link.startswith("/pages/category/index?id=") for link in links)
    for banner in Banner.objects.all():
        assert default_storage.exists(banner.image.name)
    assert default_storage.exists(ShopSettings.objects.get().logo.name)
    assert len(body["recommended"]) == 10 and body["categories"]
