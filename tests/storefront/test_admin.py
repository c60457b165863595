"""The console pages of the storefront: one settings page, the banners list, roles."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fenxiao.accounts.services import staff_create
from fenxiao.storefront.models import Banner, ShopSettings
from fenxiao.storefront.selectors import shop_settings
from fenxiao.storefront.services import banner_save
from tests.storefront.conftest import picture_bytes

pytestmark = pytest.mark.django_db

SETTINGS_LIST = reverse("admin:storefront_shopsettings_changelist")
SETTINGS_PAGE = reverse("admin:storefront_shopsettings_change", args=[1])
BANNERS = reverse("admin:storefront_banner_changelist")
BANNER_ADD = reverse("admin:storefront_banner_add")
PHONES = {"owner": "13700000001", "operator": "13700000002"}
PHONES |= {"finance": "13700000003", "service": "13700000004"}


@pytest.fixture
def console_as(client):
    def log_in(role: str):
        client.force_login(staff_create(phone=PHONES[role], password="console-pass-1", role=role))
        return client

    return log_in


def upload(name="logo.png", fmt="PNG"):
    return SimpleUploadedFile(name, picture_bytes(fmt), content_type=f"image/{fmt.lower()}")


def settings_form(**changes):
    return {
        "name": "小鹿优选",
        "theme_color": "#12ab9f",
        "share_text": "{name} 只要 ¥{price}",
        **changes,
    }


def errors_of(response) -> str:
    html = response.content.decode()
    assert response.status_code == 200  # the form again, with its errors
    return html


def test_the_settings_list_goes_straight_to_the_one_settings_page(console_as):
    console = console_as("owner")

    r = console.get(SETTINGS_LIST)

    assert r.status_code == 302 and r["Location"] == SETTINGS_PAGE
    page = console.get(SETTINGS_PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "店铺设置" in html and "主题色" in html and "分享文案" in html
    assert not ShopSettings.objects.exists()  # showing the defaults saves nothing


def test_the_settings_cannot_be_added_or_deleted(console_as):
    console = console_as("owner")
    assert console.get(reverse("admin:storefront_shopsettings_add")).status_code == 403
    assert console.get(reverse("admin:storefront_shopsettings_delete", args=[1])).status_code in (
        302,
        403,
    )
    # another id than the one row is not a page
    r = console.get(reverse("admin:storefront_shopsettings_change", args=[2]))
    assert r.status_code == 302 and not ShopSettings.objects.filter(pk=2).exists()


def test_the_owner_changes_the_logo_colour_and_share_text(console_as):
    console = console_as("owner")

    r = console.post(SETTINGS_PAGE, settings_form(logo=upload()))

    assert r.status_code == 302, errors_of(r)[:2000]
    shop = shop_settings()
    assert (shop.pk, shop.name, shop.theme_color) == (1, "小鹿优选", "#12AB9F")
    assert shop.logo.name.startswith("storefront/") and default_storage.exists(shop.logo.name)
    # saving again updates the same row
    r = console.post(SETTINGS_PAGE, settings_form(name="第二版"))
    assert r.status_code == 302
    assert ShopSettings.objects.count() == 1 and shop_settings().name == "第二版"
    assert shop_settings().logo.name == shop.logo.name  # kept when no new file is chosen


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"theme_color": "red"}, "#RRGGBB"),
        ({"share_text": "{title} 只要 {price}"}, "占位符"),
        ({"logo": SimpleUploadedFile("x.png", b"not a picture")}, "图片"),
        ({"logo": "bmp"}, "只支持"),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_saved(console_as, changes, message):
    console = console_as("owner")
    if changes.get("logo") == "bmp":
        changes = {"logo": upload("x.bmp", "BMP")}

    r = console.post(SETTINGS_PAGE, settings_form(**changes))

    assert message in errors_of(r)
    assert not ShopSettings.objects.exists()


def test_banners_are_listed_with_thumbnail_sort_and_switch(console_as, stored_picture):
    console = console_as("operator")
    banner_save(banner=Banner(image=stored_picture(), title="夏日大促", sort=3))

    r = console.get(BANNERS)

    html = r.content.decode()
    assert r.status_code == 200 and "首页轮播图" in html
    assert "夏日大促" in html and '<img src="/media/storefront/' in html
    assert 'name="form-0-sort"' in html and 'name="form-0-is_active"' in html  # editable


def test_the_operator_adds_a_banner_with_an_uploaded_picture(console_as):
    console = console_as("operator")

    r = console.post(
        BANNER_ADD, {"image": upload("b.png"), "title": "新品上市", "sort": 1, "is_active": "on"}
    )

    assert r.status_code == 302, errors_of(r)[:2000]
    banner = Banner.objects.get()
    assert banner.title == "新品上市" and banner.image.name.startswith("storefront/")


def test_a_banner_refuses_a_file_that_is_not_a_picture(console_as):
    console = console_as("operator")
    bad = SimpleUploadedFile("b.png", b"GIF89a broken", content_type="image/png")

    r = console.post(BANNER_ADD, {"image": bad, "title": "坏图", "sort": 1})

    assert "图片" in errors_of(r)
    assert not Banner.objects.exists()


@pytest.mark.parametrize("role", ["finance", "service"])
def test_other_roles_see_the_shop_settings_but_cannot_change_them(console_as, role):
    console = console_as(role)

    assert console.get(SETTINGS_PAGE).status_code == 200
    assert console.get(BANNERS).status_code == 200
    r = console.post(SETTINGS_PAGE, settings_form())
    assert r.status_code == 403
    assert console.get(BANNER_ADD).status_code == 403
    assert not ShopSettings.objects.exists()


def test_the_migrations_gave_the_roles_their_storefront_permissions(db):
    # the groups as the data migration left them, before any staff_create refreshes them
    def codenames(role):
        perms = Group.objects.get(name=role).permissions.filter(
            content_type__app_label="storefront"
        )
        return set(perms.values_list("codename", flat=True))

    assert {"change_shopsettings", "add_banner", "change_banner", "delete_banner"} <= codenames(
        "operator"
    )
    assert codenames("finance") == codenames("service") == {"view_shopsettings", "view_banner"}
