"""Reads of the storefront: the shop settings (defaults until saved) and the banners shown now."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from fenxiao.catalog import selectors as catalog_selectors
from fenxiao.catalog.models import Product
from fenxiao.storefront.models import Banner, ShopSettings

RECOMMENDED_LIMIT = 10


def shop_settings() -> ShopSettings:
    """The saved settings, or an unsaved row of defaults: a read never creates it."""
    found = ShopSettings.objects.filter(pk=ShopSettings.SINGLETON_ID).first()
    return found or ShopSettings(pk=ShopSettings.SINGLETON_ID)


def banners_shown(*, now: datetime | None = None) -> QuerySet:
    """Active banners inside their time window, with their link targets, in display order."""
    now = now or timezone.now()
    return (
        Banner.objects.filter(is_active=True)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("product", "category")
        .order_by("sort", "id")
    )


def banner_link(banner: Banner) -> str:
    """The client page a banner opens; a target that left the shop links nowhere."""
    if banner.product_id and banner.product.status == Product.Status.ON_SHELF:
        return f"/pages/product/detail?id={banner.product_id}"
    if banner.category_id and banner.category.is_active:
        return f"/pages/category/index?id={banner.category_id}"
    return ""


def recommended_products(*, limit: int = RECOMMENDED_LIMIT) -> QuerySet:
    """On-shelf products that can be bought, best sellers first."""
    return (
        catalog_selectors.product_cards()
        .filter(price_from__isnull=False)
        .order_by("-sales", "sort", "-id")[:limit]
    )
