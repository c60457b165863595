"""The home page's content in one read: shop settings, banners, categories, best sellers."""

from django.core.files.storage import default_storage
from ninja import Router

from fenxiao.catalog.api import card, category_tree
from fenxiao.storefront import selectors
from fenxiao.storefront.schemas import ShopOut

router = Router(tags=["storefront"])


@router.get("/shop", auth=None, response=ShopOut, summary="店铺首页信息")
def shop(request):
    settings = selectors.shop_settings()
    return {
        "name": settings.name,
        "logo": default_storage.url(settings.logo.name) if settings.logo else None,
        "theme_color": settings.theme_color.upper(),
        "share_text": settings.share_text,
        "banners": [
            {
                "id": banner.id,
                "image": default_storage.url(banner.image.name),
                "title": banner.title,
                "link": selectors.banner_link(banner),
            }
            for banner in selectors.banners_shown()
        ],
        # rendered by GET /categories' own code, so the nodes are the same
        "categories": category_tree(request),
        "recommended": [card(product) for product in selectors.recommended_products()],
    }
