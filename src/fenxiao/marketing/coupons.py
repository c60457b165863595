"""Coupon services: create and steer templates, issue (claim, staff, new users, shares), and
the life of a buyer's coupon on an order: lock at placement, use on payment, release. The
coupon's terms for pricing are read in selectors."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.marketing import locks
from fenxiao.marketing.errors import (
    CouponInvalid,
    CouponLimitReached,
    CouponNotFound,
    CouponSoldOut,
    CouponUnavailable,
    CouponUsed,
)
from fenxiao.marketing.models import Coupon, UserCoupon
from fenxiao.marketing.selectors import refuse_unusable, usable_at
from fenxiao.money import ZERO

MAX_AMOUNT = Decimal("9999999.99")
MAX_VALID_DAYS = 3650


def coupon_problems(coupon: Coupon) -> list[str]:
    """What is wrong with a template, in Chinese; empty when it is fine."""
    problems = []
    kind, amount, threshold = coupon.kind, coupon.amount or ZERO, coupon.threshold or ZERO
    if kind not in Coupon.Kind.values:
        problems.append("请选择优惠券类型：满减券、折扣券或无门槛券")
    if not (coupon.name or "").strip():
        problems.append("请填写优惠券名称")
    if kind in (Coupon.Kind.AMOUNT_OFF, Coupon.Kind.NO_THRESHOLD):
        if not ZERO < amount <= MAX_AMOUNT:
            problems.append("减免金额须大于 0")
    if kind == Coupon.Kind.AMOUNT_OFF and amount >= threshold:
        problems.append("满减券的减免金额须小于使用门槛（如满 100 减 10）")
    if kind == Coupon.Kind.NO_THRESHOLD and threshold != ZERO:
        problems.append("无门槛券不能设置使用门槛")
    if kind == Coupon.Kind.PERCENT_OFF:
        if not Decimal(0) < (coupon.percent or 0) < Decimal(100):
            problems.append("折扣百分比须大于 0 且小于 100")
        if coupon.max_off is not None and coupon.max_off <= ZERO:
            problems.append("最多减免金额须大于 0")
    if threshold < ZERO:
        problems.append("使用门槛不能为负数")
    if coupon.scope_kind == Coupon.ScopeKind.CATEGORIES and not coupon.category_ids:
        problems.append("指定分类的优惠券至少需要一个分类")
    if coupon.scope_kind == Coupon.ScopeKind.PRODUCTS and not coupon.product_ids:
        problems.append("指定商品的优惠券至少需要一个商品")
    fixed = coupon.valid_from is not None or coupon.valid_to is not None
    if coupon.valid_days is not None and fixed:
        problems.append("有效期只能二选一：固定日期，或领取后若干天")
    elif coupon.valid_days is not None and not 1 <= coupon.valid_days <= MAX_VALID_DAYS:
        problems.append(f"领取后有效天数须在 1 到 {MAX_VALID_DAYS} 之间")
    elif coupon.valid_days is None and (coupon.valid_from is None or coupon.valid_to is None):
        problems.append("请设置有效期：生效和失效时间，或领取后有效天数")
    elif fixed and coupon.valid_from >= coupon.valid_to:
        problems.append("失效时间须晚于生效时间")
    if coupon.total is not None and coupon.total < max(1, coupon.issued):
        problems.append("发行总量须至少为 1，且不少于已发放数量")
    if (coupon.per_user or 0) < 1:
        problems.append("每人限领须至少为 1 张")
    return problems


def coupon_create(**fields) -> Coupon:
    coupon = Coupon(**fields)
    problems = coupon_problems(coupon)
    if problems:
        raise CouponInvalid(problems[0])
    coupon.save()
    return coupon


@transaction.atomic
def coupon_set_status(*, coupon_id: int, status: str) -> Coupon:
    """Pause, resume or end a template; an ended coupon stays ended. Coupons already issued
    stay usable: pausing stops issuing, not using."""
    coupon = locks.coupon_for_update(coupon_id)
    if coupon is None:
        raise CouponNotFound()
    if coupon.status == Coupon.Status.ENDED and status != Coupon.Status.ENDED:
        raise CouponUnavailable("优惠券已结束，不能再恢复发放")
    coupon.status = status
    coupon.save(update_fields=["status"])
    return coupon


def _validity(coupon: Coupon, now: datetime) -> tuple[datetime, datetime]:
    if coupon.valid_days:
        return now, now + timedelta(days=coupon.valid_days)
    return coupon.valid_from, coupon.valid_to


@transaction.atomic
def _issue(
    *, coupon_id: int, user: User, source: str, now: datetime, referrer_id: int | None = None
) -> UserCoupon:
    """One coupon to one user. The conditional UPDATE of `issued` is the race guard for the
    total and also locks the template row, so the per-user count below is read after any
    concurrent issue to the same user has committed; `seq` makes the limit a constraint."""
    taken = (
        Coupon.objects.filter(pk=coupon_id, status=Coupon.Status.ACTIVE)
        .filter(Q(total__isnull=True) | Q(issued__lt=F("total")))
        .update(issued=F("issued") + 1)
    )
    coupon = Coupon.objects.filter(pk=coupon_id).first()
    if coupon is None:
        raise CouponNotFound()
    if not taken:
        if coupon.status != Coupon.Status.ACTIVE:
            raise CouponUnavailable(f"优惠券{coupon.get_status_display()}，不能领取")
        raise CouponSoldOut()
    valid_from, valid_to = _validity(coupon, now)
    if valid_to <= now:
        raise CouponUnavailable("优惠券已过期，不能领取")
    owned = UserCoupon.objects.filter(coupon=coupon, user=user).count()
    if owned >= coupon.per_user:
        raise CouponLimitReached(f"该优惠券每人限领 {coupon.per_user} 张，您已领完")
    try:
        with transaction.atomic():
            return UserCoupon.objects.create(
                coupon=coupon,
                user=user,
                seq=owned + 1,
                valid_from=valid_from,
                valid_to=valid_to,
                source=source,
                referrer_id=referrer_id,
            )
    except IntegrityError as exc:  # only if someone bypassed the template lock
        raise CouponLimitReached() from exc


def coupon_claim(
    *, user: User, coupon_id: int, referrer_id: int | None = None, now: datetime | None = None
) -> UserCoupon:
    """The buyer claims in the coupon centre, or through a distributor's share link
    (`referrer_id`: the distributor's user id) for a shareable coupon."""
    now = now or timezone.now()
    coupon = Coupon.objects.filter(pk=coupon_id).first()
    if coupon is None:
        raise CouponNotFound()
    shared = referrer_id is not None and coupon.shareable and referrer_id != user.pk
    if not (coupon.claimable or shared):
        raise CouponUnavailable("该优惠券不能在领券中心领取")
    source = UserCoupon.Source.SHARE if shared else UserCoupon.Source.CLAIM
    return _issue(
        coupon_id=coupon_id,
        user=user,
        source=source,
        now=now,
        referrer_id=referrer_id if shared else None,
    )


@dataclass(frozen=True)
class IssueReport:
    issued: int
    skipped: list[int]  # at their limit, or the coupon ran out
    unknown: list[int]  # no such user


def coupon_issue_to(
    *, coupon_id: int, user_ids: list[int], now: datetime | None = None
) -> IssueReport:
    """Staff issue one coupon to chosen users; those at their limit are skipped."""
    now = now or timezone.now()
    if not Coupon.objects.filter(pk=coupon_id).exists():
        raise CouponNotFound()
    users = {u.pk: u for u in User.objects.filter(pk__in=set(user_ids))}
    issued, skipped = 0, []
    for user_id in sorted(users):
        try:
            _issue(
                coupon_id=coupon_id, user=users[user_id], source=UserCoupon.Source.STAFF, now=now
            )
            issued += 1
        except (CouponLimitReached, CouponSoldOut):
            skipped.append(user_id)
        except CouponUnavailable:
            if issued == 0:
                raise
            skipped.append(user_id)
    unknown = sorted(set(user_ids) - set(users))
    return IssueReport(issued=issued, skipped=skipped, unknown=unknown)


def coupons_issue_to_new_user(*, user: User, now: datetime | None = None) -> int:
    """Every active new-user coupon to a user who just signed up; returns how many. One that
    cannot be issued (ran out, expired) is passed over."""
    now = now or timezone.now()
    coupon_ids = Coupon.objects.filter(status=Coupon.Status.ACTIVE, for_new_users=True).values_list(
        "pk", flat=True
    )
    issued = 0
    for coupon_id in sorted(coupon_ids):
        try:
            _issue(coupon_id=coupon_id, user=user, source=UserCoupon.Source.REGISTER, now=now)
            issued += 1
        except (CouponSoldOut, CouponUnavailable, CouponLimitReached):
            pass
    return issued


def coupon_lock(
    *, user_coupon_id: int, buyer_id: int, order_number: str, now: datetime | None = None
) -> None:
    """At placement, inside the order's transaction: one coupon, one order. The conditional
    UPDATE lets exactly one of two orders racing for the same coupon have it."""
    now = now or timezone.now()
    locked = UserCoupon.objects.filter(usable_at(now), pk=user_coupon_id, user_id=buyer_id).update(
        status=UserCoupon.Status.LOCKED, order_number=order_number
    )
    if not locked:
        refuse_unusable(UserCoupon.objects.filter(pk=user_coupon_id).first(), buyer_id, now)
        raise CouponUsed()


# the order's locked coupon; order_number <> '' is the partial unique index's condition, stated
# so that any plan of the statement (a prepared, generic one too) can use the index
LOCKED_BY_ORDER = "order_number = %s AND order_number <> '' AND status = %s"


def coupon_use(
    *, order_number: str, order_total: Decimal | None = None, now: datetime | None = None
) -> bool:
    """When the order is paid: its locked coupon becomes used (once); returns whether one was.
    `order_total` (what the order paid) is kept for the console's sales figure."""
    field = UserCoupon._meta.get_field
    with connection.cursor() as cursor:  # one statement: every paid order asks
        cursor.execute(
            "UPDATE marketing_usercoupon SET status = %s, used_at = %s, order_total = %s"
            f" WHERE {LOCKED_BY_ORDER} RETURNING coupon_id",
            [
                UserCoupon.Status.USED,
                field("used_at").get_db_prep_save(now or timezone.now(), connection),
                field("order_total").get_db_prep_save(order_total, connection),
                order_number,
                UserCoupon.Status.LOCKED,
            ],
        )
        used = [coupon_id for (coupon_id,) in cursor.fetchall()]
    for coupon_id in used:
        Coupon.objects.filter(pk=coupon_id).update(used=F("used") + 1)
    return bool(used)


def coupon_release(*, order_number: str) -> bool:
    """The order was cancelled unpaid: its coupon goes back to the buyer."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE marketing_usercoupon SET status = %s, order_number = ''"
            f" WHERE {LOCKED_BY_ORDER}",
            [UserCoupon.Status.UNUSED, order_number, UserCoupon.Status.LOCKED],
        )
        return cursor.rowcount > 0
