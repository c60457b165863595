"""Public catalog (list, search, detail, categories); staff categories, uploads and stock.

The staff product endpoints (they carry the per-product commission) are composed above
this app, in `distribution/api_products.py`; the helpers below render for both.
"""

from contextlib import nullcontext
from typing import Annotated

from django.conf import settings
from django.core.files.storage import default_storage
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StringConstraints

from fenxiao import db
from fenxiao.accounts.auth import require_perm
from fenxiao.api_docs import raises
from fenxiao.catalog import page_cache, selectors, services
from fenxiao.catalog.api_freight import router as freight_router
from fenxiao.catalog.errors import (
    CategoryNotFound,
    CategoryTooDeep,
    InvalidImage,
    ProductNotFound,
    SkuNotFound,
    StockBelowZero,
    StockInvalid,
    StockTooLarge,
)
from fenxiao.catalog.models import Category, Product
from fenxiao.catalog.schemas import (
    CategoryIn,
    CategoryNode,
    CategoryOut,
    Id,
    ProductCard,
    ProductOut,
    StaffProductOut,
    StaffSkuOut,
    StockAdjustIn,
    StockMoveOut,
    UploadOut,
)
from fenxiao.errors import PermissionDenied
from fenxiao.money import yuan
from fenxiao.pagination import PageFilters, paginate

router = Router(tags=["catalog"])
admin_router = Router(tags=["staff: catalog"])


class ProductFilters(PageFilters):
    q: Annotated[str, StringConstraints(max_length=50)] = ""
    category: Id | None = None


class CardPage(Schema):
    count: int = Field(description="matching products, counted up to 10,000 (CATALOG_COUNT_CAP)")
    count_capped: bool = Field(description='more products match than `count`: shown as "10,000+"')
    page: int
    page_size: int
    items: list[ProductCard]


class StaffPage(CardPage):
    items: list[StaffProductOut]


class StockMovePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[StockMoveOut]


# Above this many matches a page is ranked on narrow rows first: sorting that many wide rows
# (description included) spills to disk. Below it one query is faster (bench/RESULTS.md).
NARROW_RANKING_FROM = 5000


def page_of(products, filters: ProductFilters, render) -> dict:
    """A page of `products(many)` (a selector's list: see `selectors.product_list`). A term the
    database's statistics put in more products than the cap is counted from `products(True)`,
    testing each row's text until the cap's worth have matched: through the term's index each
    of those rows costs more (PostgreSQL reads a wide grams row, SQLite every match's id)."""
    cap = settings.CATALOG_COUNT_CAP
    # a term's or a category's statements are planned for it: see db.unprepared
    with db.unprepared() if filters.q.strip() or filters.category else nullcontext():
        common = bool(filters.q.strip()) and selectors.term_likely_in_more_than(filters.q, cap)
        return paginate(
            products(False),
            filters,
            render,
            narrow_from=NARROW_RANKING_FROM,
            count_cap=cap,
            when_capped=lambda: products(True),
            count_from=products(True) if common else None,
        )


def image_urls(product: Product) -> list[str]:
    return [default_storage.url(img.image.name) for img in product.images.all()]


def card(product: Product) -> dict:
    """A product of `selectors.product_cards` as the list shows it."""
    return {
        "id": product.id,
        "name": product.name,
        "tagline": product.tagline,
        "selling_points": product.selling_points,
        "category": product.category,
        "image": default_storage.url(product.image_path) if product.image_path else None,
        # SQLite hands MIN() of a decimal column back as a float: bring it to the fen again
        "price": None if product.price_from is None else yuan(product.price_from),
        "sales": product.sales,
    }


def detail(product: Product) -> dict:
    return {
        **{
            f: getattr(product, f)
            for f in (
                "id",
                "name",
                "category",
                "description",
                "tagline",
                "selling_points",
                "status",
                "sales",
                "sort",
                "freight_template_id",
            )
        },
        "images": image_urls(product),
        "skus": list(product.skus.all()),
    }


@router.get("/products", auth=None, response=CardPage, summary="商品列表与搜索")
def product_list(request, filters: Query[ProductFilters]):
    return page_cache.cached(request, lambda: card_page(request, filters))


def card_page(request, filters: ProductFilters) -> dict:
    """A page of the public list, validated as Ninja validates a response: with the request,
    which makes image URLs absolute."""

    def products(many: bool):
        return selectors.product_cards(q=filters.q, category_id=filters.category, many=many)

    page = page_of(products, filters, card)
    return CardPage.model_validate(page, context={"request": request}).model_dump()


@router.get(
    "/products/{product_id}",
    auth=None,
    response=ProductOut,
    summary="商品详情",
    openapi_extra=raises(ProductNotFound),
)
def product_detail(request, product_id: int):
    return detail(selectors.product_detail(product_id=product_id))


@router.get("/categories", auth=None, response=list[CategoryNode], summary="商品分类树")
def category_tree(request):
    roots = Category.objects.filter(parent=None, is_active=True).prefetch_related("children")
    return [
        {
            **CategoryOut.from_orm(c).dict(),
            "children": [ch for ch in c.children.all() if ch.is_active],
        }
        for c in roots
    ]


@admin_router.post(
    "/categories",
    response={201: CategoryOut},
    summary="新建商品分类",
    openapi_extra=raises(CategoryTooDeep, PermissionDenied, CategoryNotFound),
)
def category_create(request, payload: CategoryIn):
    require_perm(request, "catalog.add_category")
    return Status(201, services.category_save(category=Category(**payload.dict())))


@admin_router.post(
    "/uploads",
    response={201: UploadOut},
    summary="上传商品图片",
    openapi_extra=raises(InvalidImage, PermissionDenied),
)
def upload_image(request, file: File[UploadedFile]):
    require_perm(request, "catalog.change_product")
    path = services.image_store(content=file.read(), filename=file.name or "")
    return Status(201, {"path": path, "url": default_storage.url(path)})


@admin_router.post(
    "/skus/{sku_id}/stock",
    response=StaffSkuOut,
    summary="库存增减",
    openapi_extra=raises(
        StockInvalid, PermissionDenied, SkuNotFound, StockBelowZero, StockTooLarge
    ),
)
def sku_stock_adjust(request, sku_id: Id, payload: StockAdjustIn):
    """Add or remove units (+n / −n) with a reason; recorded in the SKU's stock history."""
    staff = require_perm(request, "catalog.change_product")
    return services.stock_adjust(
        sku_id=sku_id, delta=payload.delta, reason=payload.reason, staff=staff
    )


@admin_router.get(
    "/skus/{sku_id}/stock-moves",
    response=StockMovePage,
    summary="SKU 库存记录",
    openapi_extra=raises(PermissionDenied, SkuNotFound),
)
def sku_stock_moves(request, sku_id: Id, filters: Query[PageFilters]):
    require_perm(request, "catalog.view_product")
    return paginate(selectors.stock_moves_of(sku_id=sku_id), filters)


admin_router.add_router("/", freight_router)
