"""Coupons: the coupon centre and a buyer's coupons; staff create, issue, pause and end.
Claiming (which may record a referral visit) and share links are in fenxiao/coupons_api.py."""

from django.utils import timezone
from ninja import Query, Router, Schema, Status

from fenxiao.accounts.auth import OptionalTokenAuth, require_perm
from fenxiao.api_docs import raises
from fenxiao.catalog.schemas import Id  # lax: a path parameter arrives as text
from fenxiao.errors import PermissionDenied
from fenxiao.marketing import coupons, selectors
from fenxiao.marketing.errors import (
    CouponInvalid,
    CouponLimitReached,
    CouponNotFound,
    CouponSoldOut,
    CouponUnavailable,
)
from fenxiao.marketing.models import Coupon
from fenxiao.marketing.schemas import (
    AvailableCouponOut,
    CouponIn,
    IssueIn,
    IssueOut,
    MyCouponFilters,
    ProductOffersOut,
    StaffCouponOut,
    UserCouponOut,
)
from fenxiao.money import ZERO
from fenxiao.pagination import PageFilters, paginate

router = Router(tags=["coupons"])
admin_router = Router(tags=["staff: coupons"])


class UserCouponPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[UserCouponOut]


class StaffCouponPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[StaffCouponOut]


def user_coupon_out(user_coupon, now) -> dict:
    return {
        "id": user_coupon.pk,
        "coupon": user_coupon.coupon,
        "status": selectors.display_status(user_coupon, now),
        "valid_from": user_coupon.valid_from,
        "valid_to": user_coupon.valid_to,
        "source": user_coupon.source,
        "order_number": user_coupon.order_number,
        "received_at": user_coupon.received_at,
        "used_at": user_coupon.used_at,
    }


def _with(coupon: Coupon, **figures) -> Coupon:
    """The template with figures the output shows beside its fields (claimed, sales...)."""
    for name, value in figures.items():
        setattr(coupon, name, value)
    return coupon


def offer_out(row: dict) -> Coupon:
    """A row of the coupon centre: the template with what this buyer may still claim."""
    return _with(
        row["coupon"], claimed=row["claimed"], can_claim=row["can_claim"], sold_out=row["sold_out"]
    )


@router.get(
    "/coupons/available",
    auth=OptionalTokenAuth(),
    response=list[AvailableCouponOut],
    summary="可领取的优惠券",
)
def coupons_available(request):
    rows = selectors.coupons_available(user_id=request.auth.pk, now=timezone.now())
    return [offer_out(row) for row in rows]


@router.get(
    "/coupons/{coupon_id}",
    auth=OptionalTokenAuth(),
    response=AvailableCouponOut,
    summary="优惠券详情",
    openapi_extra=raises(CouponNotFound),
)
def coupon_detail(request, coupon_id: Id):
    """One coupon a buyer may claim, in the coupon centre or through a share link."""
    row = selectors.coupon_offer(coupon_id=coupon_id, user_id=request.auth.pk, now=timezone.now())
    return offer_out(row)


@router.get(
    "/products/{product_id}/offers",
    auth=OptionalTokenAuth(),
    response=ProductOffersOut,
    summary="商品的满减与优惠券",
)
def product_offers(request, product_id: Id):
    """The 满减 and claimable coupons a product page shows (empty for a product not for sale)."""
    offers = selectors.product_offers(
        product_id=product_id, user_id=request.auth.pk, now=timezone.now()
    )
    return {
        "promotions": offers["promotions"],
        "coupons": [offer_out(row) for row in offers["coupons"]],
    }


@router.get("/me/coupons", response=UserCouponPage, summary="我的优惠券")
def my_coupons(request, filters: Query[MyCouponFilters]):
    now = timezone.now()
    qs = selectors.user_coupons(user_id=request.auth.pk, status=filters.status, now=now)
    return paginate(qs, filters, lambda uc: user_coupon_out(uc, now))


def staff_coupon_out(coupon: Coupon, sales: dict) -> Coupon:
    return _with(coupon, sales=sales.get(coupon.pk, ZERO))


@admin_router.post(
    "/coupons",
    response={201: StaffCouponOut},
    summary="新建优惠券",
    openapi_extra=raises(CouponInvalid, PermissionDenied),
)
def coupon_create(request, payload: CouponIn):
    require_perm(request, "marketing.add_coupon")
    coupon = coupons.coupon_create(**payload.model_fields_for_create())
    return Status(201, staff_coupon_out(coupon, {}))


@admin_router.get(
    "/coupons",
    response=StaffCouponPage,
    summary="优惠券列表（后台）",
    openapi_extra=raises(PermissionDenied),
)
def coupon_list(request, filters: Query[PageFilters]):
    require_perm(request, "marketing.view_coupon")
    page = paginate(Coupon.objects.order_by("-pk"), filters)
    sales = selectors.coupon_sales([c.pk for c in page["items"]])
    page["items"] = [staff_coupon_out(c, sales) for c in page["items"]]
    return page


@admin_router.post(
    "/coupons/{coupon_id}/issue",
    response=IssueOut,
    summary="发放优惠券",
    openapi_extra=raises(
        PermissionDenied, CouponNotFound, CouponLimitReached, CouponSoldOut, CouponUnavailable
    ),
)
def coupon_issue(request, coupon_id: Id, payload: IssueIn):
    require_perm(request, "marketing.change_coupon")
    return coupons.coupon_issue_to(coupon_id=coupon_id, user_ids=payload.user_ids)


def _set_status(request, coupon_id: int, status: str) -> dict:
    require_perm(request, "marketing.change_coupon")
    coupon = coupons.coupon_set_status(coupon_id=coupon_id, status=status)
    return staff_coupon_out(coupon, selectors.coupon_sales([coupon.pk]))


@admin_router.post(
    "/coupons/{coupon_id}/pause",
    response=StaffCouponOut,
    summary="暂停优惠券",
    openapi_extra=raises(PermissionDenied, CouponNotFound, CouponUnavailable),
)
def coupon_pause(request, coupon_id: Id):
    return _set_status(request, coupon_id, Coupon.Status.PAUSED)


@admin_router.post(
    "/coupons/{coupon_id}/resume",
    response=StaffCouponOut,
    summary="恢复优惠券",
    openapi_extra=raises(PermissionDenied, CouponNotFound, CouponUnavailable),
)
def coupon_resume(request, coupon_id: Id):
    return _set_status(request, coupon_id, Coupon.Status.ACTIVE)


@admin_router.post(
    "/coupons/{coupon_id}/end",
    response=StaffCouponOut,
    summary="结束优惠券",
    openapi_extra=raises(PermissionDenied, CouponNotFound, CouponUnavailable),
)
def coupon_end(request, coupon_id: Id):
    return _set_status(request, coupon_id, Coupon.Status.ENDED)
