"""分销效果: the share-link funnel (visits → sign-ups → first orders), K-factor, the share of
sales distributors brought, repurchase of referred buyers against others, and the lift since
distribution was switched on. Six queries whatever the range or the number of rows."""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.distribution.models import Binding, BindingEvent, PlanChange
from fenxiao.orders.models import Order
from fenxiao.reports.periods import Period, as_date, bucket, bucket_starts
from fenxiao.reports.selectors.common import (
    DRIVEN,
    REFERRED,
    came_through_link,
    level_one,
    money,
    ratio,
    report_queries,
    within,
)

LIFT_DAYS = 30


@dataclass(frozen=True)
class Bucket:
    start: date
    visits: int
    visitors: int
    signups: int  # new users through a link
    users: int  # all new users
    first_orders: int  # buyers' first paid orders through someone else's link
    sales: Decimal
    driven_sales: Decimal

    @property
    def driven_share(self) -> Decimal | None:
        return ratio(self.driven_sales, self.sales)


@dataclass(frozen=True)
class KFactor:
    visits: int
    visitors: int
    sharers: int  # distributors whose link was visited
    signups: int

    @property
    def invitations(self) -> Decimal | None:
        """Invitations sent per sharing distributor: visits ÷ sharers."""
        return (Decimal(self.visits) / self.sharers).quantize(Decimal("0.01")) if self else None

    @property
    def conversion(self) -> Decimal | None:
        """Sign-ups per visit, in percent."""
        return ratio(self.signups, self.visits)

    @property
    def k(self) -> Decimal | None:
        """invitations × conversion = new users per sharing distributor."""
        return (Decimal(self.signups) / self.sharers).quantize(Decimal("0.01")) if self else None

    def __bool__(self) -> bool:
        return self.sharers > 0


@dataclass(frozen=True)
class Repurchase:
    referred_buyers: int
    referred_repeat: int
    other_buyers: int
    other_repeat: int

    @property
    def referred_rate(self) -> Decimal | None:
        return ratio(self.referred_repeat, self.referred_buyers)

    @property
    def other_rate(self) -> Decimal | None:
        return ratio(self.other_repeat, self.other_buyers)


@dataclass(frozen=True)
class Lift:
    """Daily averages over up to LIFT_DAYS days before and after the plan's first change."""

    activated_at: datetime | None
    days_before: int
    days_after: int
    sales_before: Decimal
    sales_after: Decimal
    orders_before: int
    orders_after: int
    buyers_before: int
    buyers_after: int

    def per_day(self, what: str, when: str) -> Decimal | None:
        days = getattr(self, f"days_{when}")
        if not days:
            return None
        return (Decimal(getattr(self, f"{what}_{when}")) / days).quantize(Decimal("0.01"))

    def change(self, what: str) -> Decimal | None:
        before, after = self.per_day(what, "before"), self.per_day(what, "after")
        if before is None or after is None or not before:
            return None
        return ((after - before) * 100 / before).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Effect:
    period: Period
    grain: str
    buckets: list[Bucket]
    k_factor: KFactor
    repurchase: Repurchase
    lift: Lift

    @property
    def totals(self) -> Bucket:
        return Bucket(
            start=self.period.first,
            visits=sum(b.visits for b in self.buckets),
            visitors=self.k_factor.visitors,  # distinct over the period, not a sum
            signups=sum(b.signups for b in self.buckets),
            users=sum(b.users for b in self.buckets),
            first_orders=sum(b.first_orders for b in self.buckets),
            sales=sum((b.sales for b in self.buckets), Decimal("0.00")),
            driven_sales=sum((b.driven_sales for b in self.buckets), Decimal("0.00")),
        )

    def chart(self) -> dict:
        return {
            "buckets": [f"{b.start:%Y-%m-%d}" for b in self.buckets],
            "visits": [b.visits for b in self.buckets],
            "signups": [b.signups for b in self.buckets],
            "first_orders": [b.first_orders for b in self.buckets],
            "driven_share": [float(b.driven_share or 0) for b in self.buckets],
        }


def _grouped(queryset, field: str, period: Period, grain: str, **aggregates) -> dict:
    rows = (
        queryset.filter(within(field, period))
        .annotate(slot=bucket(field, grain))
        .values("slot")
        .annotate(**aggregates)
        .order_by()
    )
    return {as_date(row.pop("slot")): row for row in rows}


def _first_paid():
    """Annotation on orders: no earlier paid order of the same buyer."""
    return ~Exists(
        Order.objects.filter(buyer=OuterRef("buyer_id"), paid_at__lt=OuterRef("paid_at"))
    )


def _funnel(period: Period, grain: str) -> list[Bucket]:
    visits = _grouped(
        BindingEvent.objects.filter(kind=BindingEvent.Kind.VISIT),
        "at",
        period,
        grain,
        visits=Count("pk"),
        visitors=Count("user_id", distinct=True),
    )
    users = _grouped(
        User.objects.filter(is_staff=False).annotate(via_link=came_through_link()),
        "date_joined",
        period,
        grain,
        users=Count("pk"),
        signups=Count("pk", filter=Q(via_link=True)),
    )
    orders = _grouped(
        Order.objects.annotate(direct=level_one(), first=_first_paid()),
        "paid_at",
        period,
        grain,
        sales=Sum("total"),
        driven_sales=Sum("total", filter=DRIVEN),
        # the cheap test first: only referred orders need the look for an earlier one
        first_orders=Count("pk", filter=REFERRED & Q(first=True)),
    )
    buckets = []
    for start in bucket_starts(period, grain):
        v, u, o = visits.get(start, {}), users.get(start, {}), orders.get(start, {})
        buckets.append(
            Bucket(
                start=start,
                visits=v.get("visits", 0),
                visitors=v.get("visitors", 0),
                signups=u.get("signups", 0),
                users=u.get("users", 0),
                first_orders=o.get("first_orders", 0),
                sales=money(o.get("sales")),
                driven_sales=money(o.get("driven_sales")),
            )
        )
    return buckets


def _k_factor(period: Period, signups: int) -> KFactor:
    visits = BindingEvent.objects.filter(
        within("at", period), kind=BindingEvent.Kind.VISIT
    ).aggregate(
        visits=Count("pk"),
        visitors=Count("user_id", distinct=True),
        sharers=Count("inviter_id", distinct=True),
    )
    return KFactor(**visits, signups=signups)


def _repurchase(period: Period) -> Repurchase:
    """Buyers who paid in the period, and of them those who paid twice or more in it, split by
    whether they have an inviter (上级). Grouped by buyer first, then counted."""
    buyers = (
        Order.objects.filter(within("paid_at", period))
        .values("buyer_id")
        .annotate(
            paid=Count("pk"), referred=Exists(Binding.objects.filter(user=OuterRef("buyer_id")))
        )
        .order_by()
    )
    found = buyers.aggregate(
        referred_buyers=Count("buyer_id", filter=Q(referred=True)),
        referred_repeat=Count("buyer_id", filter=Q(referred=True, paid__gte=2)),
        other_buyers=Count("buyer_id", filter=Q(referred=False)),
        other_repeat=Count("buyer_id", filter=Q(referred=False, paid__gte=2)),
    )
    return Repurchase(**found)


def _days(first: datetime, last: datetime) -> int:
    """Days from first to last, a part day counting as one."""
    return max(0, math.ceil((last - first).total_seconds() / 86400))


def _lift(now: datetime) -> Lift:
    activated_at = (
        PlanChange.objects.order_by("changed_at", "pk").values_list("changed_at", flat=True).first()
    )
    if activated_at is None:
        return Lift(None, 0, 0, Decimal("0.00"), Decimal("0.00"), 0, 0, 0, 0)
    start = activated_at - timedelta(days=LIFT_DAYS)
    end = min(now, activated_at + timedelta(days=LIFT_DAYS))
    before = Q(paid_at__lt=activated_at)
    after = Q(paid_at__gte=activated_at)
    found = Order.objects.filter(paid_at__gte=start, paid_at__lt=end).aggregate(
        first_paid=Min("paid_at"),
        sales_before=Sum("total", filter=before),
        sales_after=Sum("total", filter=after),
        orders_before=Count("pk", filter=before),
        orders_after=Count("pk", filter=after),
        buyers_before=Count("buyer_id", distinct=True, filter=before),
        buyers_after=Count("buyer_id", distinct=True, filter=after),
    )
    first_paid = found.pop("first_paid")
    # a shop that opened less than LIFT_DAYS before has fewer days to average over
    opened = max(start, first_paid) if first_paid else activated_at
    days_before = _days(opened, activated_at) if first_paid else 0
    days_after = _days(activated_at, end)
    return Lift(
        activated_at=activated_at,
        days_before=days_before if found["orders_before"] else 0,
        days_after=days_after,
        sales_before=money(found["sales_before"]),
        sales_after=money(found["sales_after"]),
        orders_before=found["orders_before"],
        orders_after=found["orders_after"],
        buyers_before=found["buyers_before"],
        buyers_after=found["buyers_after"],
    )


def distribution_effect(period: Period, grain: str = "day", now: datetime | None = None) -> Effect:
    with report_queries():
        buckets = _funnel(period, grain)
        return Effect(
            period=period,
            grain=grain,
            buckets=buckets,
            # sign-ups add up over buckets; visitors and sharers are counted once for the range
            k_factor=_k_factor(period, signups=sum(b.signups for b in buckets)),
            repurchase=_repurchase(period),
            lift=_lift(now or timezone.now()),
        )
