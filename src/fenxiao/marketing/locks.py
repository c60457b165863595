"""Row locks of marketing. In the project's lock order (accounts/locks.py) coupons come after
SKUs and before distributors: coupon templates, then user coupons, each by pk."""

from fenxiao.marketing.models import Coupon


def coupon_for_update(coupon_id: int) -> Coupon | None:
    return Coupon.objects.select_for_update().filter(pk=coupon_id).first()
