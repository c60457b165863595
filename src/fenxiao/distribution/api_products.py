"""Staff product management: the catalog's products saved with their own commission rates.

It lives above catalog (catalog ← orders ← distribution) because a product's staff view and
writes carry the per-product commission override, which belongs to distribution.
"""

from ninja import Query, Router, Status

from fenxiao.accounts.auth import require_perm
from fenxiao.api_docs import raises
from fenxiao.catalog import selectors as catalog_selectors
from fenxiao.catalog import services as catalog_services
from fenxiao.catalog.api import ProductFilters, StaffPage, detail, page_of
from fenxiao.catalog.errors import (
    CategoryNotFound,
    FreightTemplateNotFound,
    InvalidImage,
    ProductInvalid,
    ProductNotFound,
    SkuNotFound,
    StockBelowZero,
    StockConflict,
    StockInvalid,
    StockTooLarge,
)
from fenxiao.catalog.schemas import ProductIn, ProductPatch, StaffProductOut
from fenxiao.distribution.errors import PlanInvalid, PlanLevelsExceeded, PlanShareExceeded
from fenxiao.distribution.services import products as product_services
from fenxiao.errors import PermissionDenied

router = Router(tags=["staff: catalog"])


def staff_detail(product_id: int) -> dict:
    product = catalog_selectors.product_detail(product_id=product_id, on_shelf_only=False)
    return {**detail(product), "commission": product_services.commission_of(product_id)}


@router.get(
    "/products",
    response=StaffPage,
    summary="商品列表（后台）",
    openapi_extra=raises(PermissionDenied),
)
def staff_product_list(request, filters: Query[ProductFilters]):
    require_perm(request, "catalog.view_product")

    def products(many: bool):
        return catalog_selectors.product_list(
            q=filters.q, category_id=filters.category, on_shelf_only=False, many=many
        ).prefetch_related("images", "skus")

    return page_of(products, filters, detail)


@router.get(
    "/products/{product_id}",
    response=StaffProductOut,
    summary="商品详情（后台）",
    openapi_extra=raises(PermissionDenied, ProductNotFound),
)
def staff_product_detail(request, product_id: int):
    require_perm(request, "catalog.view_product")
    return staff_detail(product_id)


# what creating or changing a product (with its SKUs, stock and commission rates) may refuse
PRODUCT_WRITE_ERRORS = raises(
    InvalidImage,
    PlanInvalid,
    PlanLevelsExceeded,
    PlanShareExceeded,
    ProductInvalid,
    StockInvalid,
    PermissionDenied,
    CategoryNotFound,
    FreightTemplateNotFound,
    ProductNotFound,
    SkuNotFound,
    StockBelowZero,
    StockConflict,
    StockTooLarge,
)


@router.post(
    "/products",
    response={201: StaffProductOut},
    summary="新建商品",
    openapi_extra=PRODUCT_WRITE_ERRORS,
)
def product_create(request, payload: ProductIn):
    staff = require_perm(request, "catalog.add_product")
    product = product_services.product_create(staff=staff, **payload.dict())
    return Status(201, staff_detail(product.id))


@router.patch(
    "/products/{product_id}",
    response=StaffProductOut,
    summary="修改商品",
    openapi_extra=PRODUCT_WRITE_ERRORS,
)
def product_update(request, product_id: int, payload: ProductPatch):
    """SKUs matched by id keep their stock unless the PATCH asks for a change: see SkuPatchIn."""
    staff = require_perm(request, "catalog.change_product")
    fields = payload.dict(exclude_unset=True)
    product_services.product_update(product_id=product_id, staff=staff, **fields)
    return staff_detail(product_id)


@router.delete(
    "/products/{product_id}",
    response={200: StaffProductOut, 204: None},
    summary="删除商品",
    openapi_extra=raises(PermissionDenied, ProductNotFound),
)
def product_delete(request, product_id: int):
    """204 when deleted; 200 with the product, now off the shelf, when orders keep it."""
    require_perm(request, "catalog.delete_product")
    if catalog_services.product_delete(product_id=product_id):
        return Status(204, None)
    return Status(200, staff_detail(product_id))
