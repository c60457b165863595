from ninja import Schema

from fenxiao.catalog.schemas import CategoryNode, ProductCard
from fenxiao.media import MediaUrl


class BannerOut(Schema):
    id: int
    image: MediaUrl
    title: str
    # "" | "/pages/product/detail?id=N" | "/pages/category/index?id=N"
    link: str


class ShopOut(Schema):
    name: str
    logo: MediaUrl | None
    theme_color: str
    # a template: {name}, {price}, {tagline} and {url} are filled in by the client
    share_text: str
    banners: list[BannerOut]
    categories: list[CategoryNode]
    recommended: list[ProductCard]
