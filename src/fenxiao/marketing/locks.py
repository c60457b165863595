"""Row locks of marketing. In the project's lock order (accounts/locks.py) coupons and points
come after SKUs and before distributors: coupon templates, user coupons, points accounts, by pk."""

from fenxiao.marketing.models import Coupon, PointsAccount


def coupon_for_update(coupon_id: int) -> Coupon | None:
    return Coupon.objects.select_for_update().filter(pk=coupon_id).first()


def points_account_for_update(user_id: int) -> PointsAccount:
    """The user's points account, created if missing, locked."""
    PointsAccount.objects.get_or_create(user_id=user_id)
    return PointsAccount.objects.select_for_update().get(user_id=user_id)
