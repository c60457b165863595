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


class CouponNotFound(NotFound):
    code = "coupon_not_found"
    message = "优惠券不存在"


class CouponInvalid(DomainError):
    code = "invalid_coupon"
    message = "优惠券设置无效"


class CouponUnavailable(Conflict):
    code = "coupon_unavailable"
    message = "该优惠券当前不可领取"


class CouponSoldOut(Conflict):
    code = "coupon_sold_out"
    message = "优惠券已被领完"


class CouponLimitReached(Conflict):
    code = "coupon_limit_reached"
    message = "已达到该优惠券的领取上限"


class CouponExpired(Conflict):
    code = "coupon_expired"
    message = "优惠券已过期或尚未生效"


class CouponUsed(Conflict):
    code = "coupon_used"
    message = "优惠券已使用或已被其他订单占用"


class CouponNotShareable(Conflict):
    code = "coupon_not_shareable"
    message = "该优惠券不支持分销商分享"


class PointsDisabled(DomainError):
    code = "points_disabled"
    message = "本店未开启积分抵扣"


class PointsInvalid(DomainError):
    code = "points_invalid"
    message = "积分数量无效"


class PointsInsufficient(DomainError):
    code = "points_insufficient"
    message = "积分不足"
