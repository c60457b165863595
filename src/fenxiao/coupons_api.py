"""Claiming a coupon and a distributor's coupon share link: marketing's coupons composed with
distribution's referral codes, above both apps so that marketing never imports distribution."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja import Router, Status

from fenxiao.api_docs import raises
from fenxiao.catalog.schemas import Id  # lax: a path parameter arrives as text
from fenxiao.distribution import referral_codes
from fenxiao.distribution import selectors as distribution_selectors
from fenxiao.distribution.errors import ReferralCodeNotFound
from fenxiao.distribution.models import Distributor
from fenxiao.distribution.services import binding
from fenxiao.errors import DomainError, PermissionDenied
from fenxiao.marketing import coupons
from fenxiao.marketing import selectors as marketing_selectors
from fenxiao.marketing.api import user_coupon_out
from fenxiao.marketing.errors import (
    CouponLimitReached,
    CouponNotFound,
    CouponNotShareable,
    CouponSoldOut,
    CouponUnavailable,
)
from fenxiao.marketing.schemas import ClaimIn, SharedCouponOut, ShareOut, UserCouponOut

router = Router(tags=["coupons"])
VISIT_WINDOW = timedelta(minutes=30)


def referrer_id_of(code: str | None) -> int | None:
    """The user id of the active distributor whose referral code this is, or None."""
    if not code:
        return None
    code = code.strip().upper()
    found = distribution_selectors.distributor_by_code(code)
    if found is not None:
        return found.pk if found.status == Distributor.Status.ACTIVE else None
    user_id = referral_codes.user_id_for(code)
    if user_id is None:
        return None
    profile = distribution_selectors.distributor_profile(user_id=user_id)
    active = profile.status == Distributor.Status.ACTIVE and profile.referral_code == code
    return user_id if active else None


def _just_visited(user_id: int, referrer_id: int | None) -> bool:
    """The client reports the visit when the share link opens; the claim right after it is
    the same visit, not a second one."""
    if referrer_id is None:
        return False
    since = timezone.now() - VISIT_WINDOW
    return distribution_selectors.visited_since(
        user_id=user_id, inviter_id=referrer_id, since=since
    )


@router.post(
    "/coupons/{coupon_id}/claim",
    response={201: UserCouponOut},
    summary="领取优惠券",
    openapi_extra=raises(
        CouponNotFound, ReferralCodeNotFound, CouponLimitReached, CouponSoldOut, CouponUnavailable
    ),
)
def coupon_claim(request, coupon_id: Id, payload: ClaimIn | None = None):
    ref = payload.ref if payload else None
    referrer_id = referrer_id_of(ref)
    user_coupon = coupons.coupon_claim(
        user=request.auth, coupon_id=coupon_id, referrer_id=referrer_id
    )
    if ref and not _just_visited(request.auth.pk, referrer_id):
        try:  # the visit is recorded as from any link; a bad code never blocks the claim
            binding.referral_visit(user=request.auth, code=ref, source="coupon")
        except DomainError:
            pass
    return Status(201, user_coupon_out(user_coupon, user_coupon.received_at))


def _sharer_code(user_id: int) -> str:
    profile = distribution_selectors.distributor_profile(user_id=user_id)
    if profile.status != Distributor.Status.ACTIVE or not profile.referral_code:
        raise PermissionDenied("只有分销商可以分享优惠券")
    return profile.referral_code


def share_url(coupon_id: int, code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/coupons/{coupon_id}?ref={code}"


@router.get(
    "/coupons/{coupon_id}/share",
    response=ShareOut,
    summary="分享优惠券（分销商）",
    openapi_extra=raises(PermissionDenied, CouponNotFound, CouponNotShareable),
)
def coupon_share(request, coupon_id: Id):
    """The H5 link a distributor shares: opening it claims the coupon with their code."""
    coupon = marketing_selectors.coupon_to_share(coupon_id)
    code = _sharer_code(request.auth.pk)
    return {"coupon_id": coupon.pk, "ref": code, "url": share_url(coupon.pk, code)}


@router.get(
    "/distributor/coupons",
    response=list[SharedCouponOut],
    summary="可分享的优惠券（分销商）",
    openapi_extra=raises(PermissionDenied),
)
def distributor_coupons(request):
    """The coupons this distributor may share now, each with their own link."""
    code = _sharer_code(request.auth.pk)
    coupons = marketing_selectors.coupons_shareable(timezone.now())
    return [
        {"coupon": coupon, "ref": code, "url": share_url(coupon.pk, code)} for coupon in coupons
    ]
