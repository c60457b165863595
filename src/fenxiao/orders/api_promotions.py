"""Staff 满减 promotions: marketing's promotions with the sales they brought.

It lives in orders (marketing ← orders) because the sales are orders that carry the
promotion; marketing itself never reads orders."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictBool, StringConstraints

from fenxiao.accounts.auth import require_perm
from fenxiao.api_docs import one_of, raises
from fenxiao.catalog.schemas import Id as PathId
from fenxiao.errors import PermissionDenied
from fenxiao.marketing import promotions
from fenxiao.marketing.errors import PromotionInvalid, PromotionNotFound, PromotionStateError
from fenxiao.marketing.models import Promotion
from fenxiao.money import ZERO
from fenxiao.orders.models import OrderDiscount
from fenxiao.orders.schemas import Id
from fenxiao.orders.selectors import DiscountSales, discount_sales
from fenxiao.pagination import PageFilters, paginate

router = Router(tags=["staff: marketing"])
AmountText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]


PromotionStatus = one_of(Promotion.Status)


class TierIn(Schema):
    threshold: AmountText | int  # 满 threshold
    amount: AmountText | int  # 减 amount


class ScopeIn(Schema):
    category_ids: Annotated[list[Id], Field(max_length=200)] | None = None
    product_ids: Annotated[list[Id], Field(max_length=500)] | None = None


class PromotionIn(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    kind: Literal["full_reduction"] = "full_reduction"
    tiers: Annotated[list[TierIn], Field(max_length=promotions.MAX_TIERS)]
    scope: Literal["all"] | ScopeIn = "all"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    stack_with_coupon: StrictBool = True


class TierOut(Schema):
    threshold: Decimal
    amount: Decimal


class PromotionOut(Schema):
    id: int
    name: str
    kind: Literal["full_reduction"]
    tiers: list[TierOut]
    scope: str  # all | categories | products
    category_ids: list[int]
    product_ids: list[int]
    starts_at: datetime | None
    ends_at: datetime | None
    stack_with_coupon: bool
    status: PromotionStatus
    created_at: datetime
    order_count: int  # paid orders that got it
    paid_total: Decimal  # what those orders paid, less refunds


class PromotionFilters(PageFilters):
    status: PromotionStatus | None = None


class PromotionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PromotionOut]


def draft_of(payload: PromotionIn) -> promotions.PromotionDraft:
    scope, category_ids, product_ids = "all", (), ()
    if isinstance(payload.scope, ScopeIn):
        given = payload.scope.model_fields_set
        category_ids = tuple(payload.scope.category_ids or ())
        product_ids = tuple(payload.scope.product_ids or ())
        if given == {"category_ids"}:
            scope = "categories"
        elif given == {"product_ids"}:
            scope = "products"
        else:
            scope = "both"  # neither or both: refused by the service with a message
    return promotions.PromotionDraft(
        name=payload.name,
        tiers=[tier.dict() for tier in payload.tiers],
        scope=scope,
        category_ids=category_ids,
        product_ids=product_ids,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        stack_with_coupon=payload.stack_with_coupon,
    )


def out(promotion: Promotion, sales: DiscountSales | None) -> dict:
    return {
        **{f: getattr(promotion, f) for f in PromotionOut.model_fields if hasattr(promotion, f)},
        "order_count": sales.order_count if sales else 0,
        "paid_total": sales.paid_total if sales else ZERO,
    }


def with_sales(items: list[Promotion]) -> list[dict]:
    sales = discount_sales(kind=OrderDiscount.Kind.FULL_REDUCTION, source_ids=[p.pk for p in items])
    return [out(p, sales.get(p.pk)) for p in items]


@router.post(
    "/promotions",
    response={201: PromotionOut},
    summary="新建满减活动",
    openapi_extra=raises(PromotionInvalid, PermissionDenied),
)
def promotion_create(request, payload: PromotionIn):
    require_perm(request, "marketing.add_promotion")
    promotion = promotions.promotion_create(draft=draft_of(payload))
    return Status(201, out(promotion, None))


@router.get(
    "/promotions",
    response=PromotionPage,
    summary="满减活动列表",
    openapi_extra=raises(PermissionDenied),
)
def promotion_list(request, filters: Query[PromotionFilters]):
    require_perm(request, "marketing.view_promotion")
    page = paginate(promotions.promotions_list(status=filters.status), filters)
    page["items"] = with_sales(page["items"])
    return page


def _move(request, promotion_id: int, action: str) -> dict:
    require_perm(request, "marketing.change_promotion")
    promotion = promotions.promotion_set_status(promotion_id=promotion_id, action=action)
    return with_sales([promotion])[0]


@router.post(
    "/promotions/{promotion_id}/pause",
    response=PromotionOut,
    summary="暂停满减活动",
    openapi_extra=raises(PermissionDenied, PromotionNotFound, PromotionStateError),
)
def promotion_pause(request, promotion_id: PathId):
    return _move(request, promotion_id, "pause")


@router.post(
    "/promotions/{promotion_id}/resume",
    response=PromotionOut,
    summary="恢复满减活动",
    openapi_extra=raises(PermissionDenied, PromotionNotFound, PromotionStateError),
)
def promotion_resume(request, promotion_id: PathId):
    return _move(request, promotion_id, "resume")


@router.post(
    "/promotions/{promotion_id}/end",
    response=PromotionOut,
    summary="结束满减活动",
    openapi_extra=raises(PermissionDenied, PromotionNotFound, PromotionStateError),
)
def promotion_end(request, promotion_id: PathId):
    return _move(request, promotion_id, "end")
