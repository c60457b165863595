"""Every write of the storefront: the shop settings, banners and their pictures."""

from django.core.exceptions import ValidationError
from django.db import transaction

from fenxiao.catalog.services import image_store
from fenxiao.storefront.errors import InvalidShopSettings
from fenxiao.storefront.models import Banner, ShopSettings

IMAGE_FOLDER = "storefront"


def shop_image_store(*, content: bytes, filename: str = "") -> str:
    """Check an uploaded logo or banner like a product picture; returns its storage path."""
    return image_store(content=content, filename=filename, folder=IMAGE_FOLDER)


def _checked(obj, **options) -> None:
    try:
        obj.full_clean(**options)
    except ValidationError as exc:
        raise InvalidShopSettings("；".join(exc.messages)) from exc


@transaction.atomic
def shop_settings_save(*, shop: ShopSettings) -> ShopSettings:
    shop.pk = ShopSettings.SINGLETON_ID  # the one row, whoever saves first
    shop.theme_color = shop.theme_color.upper()
    # id 1 may exist already: the save updates it, so skip the uniqueness check
    _checked(shop, validate_unique=False)
    shop.save()
    return shop


@transaction.atomic
def banner_save(*, banner: Banner) -> Banner:
    _checked(banner)
    banner.save()
    return banner
