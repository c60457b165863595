"""Reads of coupons: the coupon centre, a buyer's coupons, the terms of one for pricing, usable
ones for an order, stats."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from fenxiao.catalog.models import Product
from fenxiao.marketing.errors import (
    CouponExpired,
    CouponNotApplicable,
    CouponNotFound,
    CouponNotShareable,
    CouponUsed,
)
from fenxiao.marketing.models import Coupon, UserCoupon
from fenxiao.marketing.pricing import COUPON, price
from fenxiao.marketing.promotions import promotions_active
from fenxiao.marketing.terms import CouponTerms, Item, PromotionTerms, Scope
from fenxiao.money import ZERO, round_sum_to_fen

MINE_STATUSES = ("unused", "used", "expired", "locked")


def _live(now: datetime) -> QuerySet:
    return Coupon.objects.filter(status=Coupon.Status.ACTIVE).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=now)
    )


def _offers(coupons: list[Coupon], user_id: int | None) -> list[dict]:
    """Each template with how many this buyer holds and whether they can take one more."""
    owned: dict[int, int] = {}
    if user_id is not None and coupons:
        owned = dict(
            UserCoupon.objects.filter(user_id=user_id, coupon__in=coupons)
            .values_list("coupon_id")
            .annotate(n=Count("pk"))
        )
    offers = []
    for coupon in coupons:
        claimed = owned.get(coupon.pk, 0)
        sold_out = coupon.total is not None and coupon.issued >= coupon.total
        offers.append(
            {
                "coupon": coupon,
                "claimed": claimed,
                "sold_out": sold_out,
                "can_claim": not sold_out and claimed < coupon.per_user,
            }
        )
    return offers


def coupons_available(*, user_id: int | None, now: datetime) -> list[dict]:
    """Coupons claimable in the coupon centre now, each with whether this buyer still can."""
    return _offers(list(_live(now).filter(claimable=True).order_by("-pk")), user_id)


def coupon_offer(*, coupon_id: int, user_id: int | None, now: datetime) -> dict:
    """One coupon as its share link or the coupon centre shows it: claimable or shareable and
    live now, else CouponNotFound."""
    coupon = _live(now).filter(Q(claimable=True) | Q(shareable=True), pk=coupon_id).first()
    if coupon is None:
        raise CouponNotFound()
    return _offers([coupon], user_id)[0]


def product_offers(*, product_id: int, user_id: int | None, now: datetime) -> dict:
    """What a product page shows: the 满减 activities and the claimable coupons covering it."""
    product = Product.objects.filter(pk=product_id, status=Product.Status.ON_SHELF)
    product = product.values("category_id").first()
    if product is None:
        return {"promotions": [], "coupons": []}
    item = Item(
        key=0,
        product_id=product_id,
        category_id=product["category_id"],
        unit_price=ZERO,
        quantity=1,
    )
    live = _live(now).filter(claimable=True).order_by("-pk")
    return {
        "promotions": [p for p in promotions_active(now) if p.scope.covers(item)],
        "coupons": _offers([c for c in live if scope_of(c).covers(item)], user_id),
    }


def coupons_shareable(now: datetime) -> list[Coupon]:
    """The coupons a distributor may share now, newest first."""
    return list(_live(now).filter(shareable=True).order_by("-pk")[:50])


def user_coupons(*, user_id: int, status: str | None, now: datetime) -> QuerySet:
    """A buyer's coupons; `expired` is derived: unused and past its valid_to."""
    qs = UserCoupon.objects.filter(user_id=user_id).select_related("coupon")
    if status == "unused":
        qs = qs.filter(status=UserCoupon.Status.UNUSED, valid_to__gt=now)
    elif status == "expired":
        qs = qs.filter(status=UserCoupon.Status.UNUSED, valid_to__lte=now)
    elif status in ("used", "locked"):
        qs = qs.filter(status=status)
    return qs.order_by("-pk")


def display_status(user_coupon: UserCoupon, now: datetime) -> str:
    if user_coupon.status == UserCoupon.Status.UNUSED and user_coupon.valid_to <= now:
        return "expired"
    return user_coupon.status


def scope_of(coupon: Coupon) -> Scope:
    return Scope(
        everything=coupon.scope_kind == Coupon.ScopeKind.ALL,
        category_ids=frozenset(coupon.category_ids if coupon.scope_kind == "categories" else ()),
        product_ids=frozenset(coupon.product_ids if coupon.scope_kind == "products" else ()),
    )


def terms_of(user_coupon: UserCoupon) -> CouponTerms:
    coupon = user_coupon.coupon
    return CouponTerms(
        user_coupon_id=user_coupon.pk,
        name=coupon.name,
        kind=coupon.kind,
        scope=scope_of(coupon),
        amount=coupon.amount,
        percent=coupon.percent,
        max_off=coupon.max_off,
        threshold=coupon.threshold,
    )


def usable_at(now: datetime) -> Q:
    """A user coupon an order placed at `now` may use (refuse_unusable says why not)."""
    return Q(status=UserCoupon.Status.UNUSED, valid_from__lte=now, valid_to__gt=now)


def refuse_unusable(user_coupon: UserCoupon | None, buyer_id: int, now: datetime) -> None:
    """Raise unless this is the buyer's own coupon, unused and valid at `now`."""
    if user_coupon is None or user_coupon.user_id != buyer_id:
        raise CouponNotFound("优惠券不存在或不属于您")
    if user_coupon.status != UserCoupon.Status.UNUSED:
        raise CouponUsed()
    if not user_coupon.valid_from <= now < user_coupon.valid_to:
        raise CouponExpired()


def coupon_terms(*, buyer_id: int, user_coupon_id: int, now: datetime) -> CouponTerms:
    """The terms of the buyer's own usable coupon; someone else's, used or expired: refused."""
    found = UserCoupon.objects.select_related("coupon").filter(pk=user_coupon_id).first()
    refuse_unusable(found, buyer_id, now)
    return terms_of(found)


def coupons_usable(
    *,
    buyer_id: int,
    items: list[Item],
    now: datetime,
    promotions: Iterable[PromotionTerms] = (),
) -> list[tuple[CouponTerms, Decimal]]:
    """The buyer's coupons that apply to these items after the promotions, with what each
    takes off as pricing would apply it, best first (most off, then soonest to expire)."""
    mine = UserCoupon.objects.filter(usable_at(now), user_id=buyer_id).select_related("coupon")
    promotions = list(promotions)
    usable = []
    for user_coupon in mine:
        terms = terms_of(user_coupon)
        try:
            quote = price(items, promotions=promotions, coupon=terms)
        except CouponNotApplicable:
            continue
        off = sum((d.amount for d in quote.discounts if d.kind == COUPON), ZERO)
        usable.append((terms, off, user_coupon.valid_to))
    usable.sort(key=lambda u: (-u[1], u[2], u[0].user_coupon_id))
    return [(terms, off) for terms, off, _ in usable]


def coupon_sales(coupon_ids: list[int]) -> dict[int, Decimal]:
    """Per coupon: the paid total of the orders that used it."""
    rows = (
        UserCoupon.objects.filter(coupon_id__in=coupon_ids, status=UserCoupon.Status.USED)
        .values_list("coupon_id")
        .annotate(total=Sum("order_total"))
    )
    return {coupon_id: round_sum_to_fen(total) for coupon_id, total in rows}


def coupon_to_share(coupon_id: int) -> Coupon:
    """A template a distributor may share now; refused otherwise."""
    coupon = Coupon.objects.filter(pk=coupon_id).first()
    if coupon is None:
        raise CouponNotFound()
    if not coupon.shareable or coupon.status != Coupon.Status.ACTIVE:
        raise CouponNotShareable()
    return coupon
