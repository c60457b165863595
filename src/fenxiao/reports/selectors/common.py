"""Small pieces shared by the report selectors."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from fenxiao.distribution.models import BindingEvent, OrderBeneficiary
from fenxiao.money import round_sum_to_fen
from fenxiao.reports.periods import Period

# a new user "came through a share link" when a referral visit of theirs (also recorded on
# sign-up or log-in with a referral code) falls within this long after they joined
LINK_WINDOW = timedelta(days=1)


def within(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def came_through_link():
    """Annotation on users: a referral visit within LINK_WINDOW of joining."""
    return Exists(
        BindingEvent.objects.filter(
            user=OuterRef("pk"),
            kind=BindingEvent.Kind.VISIT,
            at__lt=OuterRef("date_joined") + LINK_WINDOW,
        )
    )


def distributor_driven(order_ref: str = "pk"):
    """Annotation on orders: a distributor earned on it (an active beneficiary at level 1 or
    deeper in the chain snapshotted at payment; a self-purchase counts)."""
    return Exists(
        OrderBeneficiary.objects.filter(order=OuterRef(order_ref), level__gte=1, active=True)
    )


def referred_by_other(order_ref: str = "pk"):
    """Annotation on orders: the level-1 beneficiary is someone other than the buyer."""
    return Exists(
        OrderBeneficiary.objects.filter(order=OuterRef(order_ref), level=1, active=True).exclude(
            user=OuterRef("buyer_id")
        )
    )


def money(value) -> Decimal:
    return round_sum_to_fen(value)


def ratio(part, whole) -> Decimal | None:
    """part ÷ whole as a percentage with one decimal, or None when whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def change(now, before) -> Decimal | None:
    """Change from the previous period in percent; None when there was nothing before."""
    if now is None or before is None or not before:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(Decimal("0.1"))
