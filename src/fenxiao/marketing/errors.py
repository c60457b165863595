"""Domain errors of marketing: promotions, coupons, points."""

from fenxiao.errors import Conflict, DomainError, NotFound


class CouponNotApplicable(DomainError):
    code = "coupon_not_applicable"
    message = "该优惠券不适用于本订单"


class PromotionInvalid(DomainError):
    code = "promotion_invalid"
    message = "满减活动设置无效"


class PromotionNotFound(NotFound):
    code = "promotion_not_found"
    message = "满减活动不存在"


class PromotionStateError(Conflict):
    code = "invalid_promotion_state"
    message = "满减活动当前状态不允许该操作"
