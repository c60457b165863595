"""The one pricing step: items, promotions, a coupon and points in, a quote to the fen out.

Pure: no database, no clock. Order of application:
1. each 满减 promotion, in the order given, on the items its scope covers: the best tier whose
   threshold the covered items' list amount reaches, never more than what is left of them;
2. the coupon on what is left of the items it covers — except items touched by a promotion
   with `stack_with_coupon=False` (they keep that promotion only); its threshold is checked
   against what is left of the items it may apply to (activity first, then the coupon);
3. points on what is left of the whole order, at most `max_share_percent` of it;
4. freight added (never part of a line's paid amount).
Each discount is spread over the lines it covers in proportion to what is left of them, in
whole fen, the remainder going to the largest fractional shares (ties: smaller key first).
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from math import gcd

from fenxiao.marketing.errors import CouponNotApplicable
from fenxiao.marketing.terms import (
    CouponTerms,
    Discount,
    Item,
    PointsTerms,
    PromotionTerms,
    Quote,
)
from fenxiao.money import ZERO, to_integer_fen, truncate_to_fen

FULL_REDUCTION = "full_reduction"
COUPON = "coupon"
POINTS = "points"
POINTS_NAME = "积分抵扣"


def allocate(amount: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """Split `amount` (at most the sum of weights) over the keys in proportion to their
    weights, in whole fen adding up exactly; no share exceeds its weight."""
    total = sum(to_integer_fen(w) for w in weights.values())
    fen = to_integer_fen(amount)
    if fen == 0 or total == 0:
        return dict.fromkeys(weights, ZERO)
    if fen > total:
        raise ValueError("cannot allocate more than the weights")
    shares: dict[int, int] = {}
    remainders: list[tuple[int, int]] = []
    for key, weight in weights.items():
        share, rest = divmod(fen * to_integer_fen(weight), total)
        shares[key] = share
        remainders.append((-rest, key))
    left = fen - sum(shares.values())
    for _, key in sorted(remainders)[:left]:
        shares[key] += 1
    return {key: Decimal(share) / 100 for key, share in shares.items()}


def best_tier(tiers: Iterable[tuple[Decimal, Decimal]], amount: Decimal) -> Decimal:
    """The amount off of the highest tier whose threshold `amount` reaches (ZERO if none)."""
    reached = [off for threshold, off in tiers if amount >= threshold]
    return max(reached, default=ZERO)


def coupon_off(coupon: CouponTerms, base: Decimal) -> Decimal:
    """What the coupon takes off `base` (what is left of the items it applies to)."""
    if coupon.kind == "percent_off":
        off = truncate_to_fen(base * coupon.percent / 100)
        if coupon.max_off is not None:
            off = min(off, coupon.max_off)
    else:  # amount_off, no_threshold
        off = coupon.amount
    return min(off, base)


def points_value(points: PointsTerms, base: Decimal) -> tuple[Decimal, int]:
    """(value in yuan, points spent): at most the balance, the request and the share cap,
    in whole fen whose points are a whole number, so no fraction of a point or fen is lost."""
    usable = min(points.balance, points.requested)
    if usable <= 0 or points.per_yuan <= 0 or base <= 0:
        return ZERO, 0
    cap_fen = to_integer_fen(truncate_to_fen(base * points.max_share_percent / 100))
    fen = min(usable * 100 // points.per_yuan, cap_fen)
    step = 100 // gcd(100, points.per_yuan)  # the smallest whole-point number of fen
    fen -= fen % step
    return Decimal(fen) / 100, fen * points.per_yuan // 100


def price(
    items: Sequence[Item],
    *,
    promotions: Iterable[PromotionTerms] = (),
    coupon: CouponTerms | None = None,
    points: PointsTerms | None = None,
    freight: Decimal = ZERO,
) -> Quote:
    """Price a would-be order. Raises CouponNotApplicable when the coupon covers none of the
    items or they do not reach its threshold."""
    left = {item.key: item.amount for item in items}
    line_discount = dict.fromkeys(left, ZERO)
    line_points = dict.fromkeys(left, ZERO)
    discounts: list[Discount] = []
    coupon_barred: set[int] = set()

    def take(kind, name, source_id, amount, keys) -> dict[int, Decimal]:
        shares = allocate(amount, {k: left[k] for k in keys})
        for key, share in shares.items():
            left[key] -= share
            line_discount[key] += share
        discounts.append(Discount(kind=kind, name=name, amount=amount, source_id=source_id))
        return shares

    for promotion in promotions:
        covered = [item for item in items if promotion.scope.covers(item)]
        listed = sum((item.amount for item in covered), ZERO)
        off = min(best_tier(promotion.tiers, listed), sum((left[i.key] for i in covered), ZERO))
        if off <= 0:
            continue
        take(FULL_REDUCTION, promotion.name, promotion.id, off, [i.key for i in covered])
        if not promotion.stack_with_coupon:
            coupon_barred.update(item.key for item in covered)

    if coupon is not None:
        keys = [i.key for i in items if coupon.scope.covers(i) and i.key not in coupon_barred]
        base = sum((left[k] for k in keys), ZERO)
        if not keys or base <= 0:
            raise CouponNotApplicable("该优惠券不适用于所选商品")
        if base < coupon.threshold:
            raise CouponNotApplicable(f"未达到优惠券使用门槛：满 {coupon.threshold} 元可用")
        off = coupon_off(coupon, base)
        if off > 0:
            take(COUPON, coupon.name, coupon.user_coupon_id, off, keys)

    points_used = 0
    if points is not None:
        value, points_used = points_value(points, sum(left.values(), ZERO))
        if value > 0:
            shares = take(POINTS, POINTS_NAME, None, value, list(left))
            line_points.update(shares)

    items_total = sum((item.amount for item in items), ZERO)
    paid = sum(left.values(), ZERO)
    return Quote(
        items_total=items_total,
        discounts=tuple(discounts),
        freight=freight,
        points_used=points_used,
        total=paid + freight,
        line_discount=line_discount,
        line_paid=dict(left),
        line_points=line_points,
    )
