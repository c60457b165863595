"""Small pieces shared by the report selectors."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q

from fenxiao import db
from fenxiao.distribution.models import BindingEvent
from fenxiao.money import round_sum_to_fen
from fenxiao.reports.periods import Period

# a new user "came through a share link" when a referral visit of theirs (also recorded on
# sign-up or log-in with a referral code) falls within this long after they joined
LINK_WINDOW = timedelta(days=1)


@contextmanager
def report_queries() -> Iterator[None]:
    """A report's queries in one transaction; on PostgreSQL without JIT compilation, which
    costs these aggregates more than it saves (up to ~0.7 s of compiling for a query that
    runs in 0.1 s), and each planned for its own period: a prepared statement's generic
    plan made a year's 排行榜 1.9 × slower (bench/RESULTS.md)."""
    with transaction.atomic():
        db.set_local(jit="off", plan_cache_mode="force_custom_plan")
        yield


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


def level_one():
    """On orders: a join to the level-1 beneficiary of the chain snapshotted at payment, when
    active (one row at most per order), as `direct`."""
    return FilteredRelation(
        "beneficiaries", condition=Q(beneficiaries__level=1, beneficiaries__active=True)
    )


# with level_one(): a distributor earned on the order (a self-purchase counts) ...
DRIVEN = Q(direct__user_id__isnull=False)
# ... and it was someone other than the buyer (the order came through another's link)
REFERRED = DRIVEN & ~Q(direct__user_id=F("buyer_id"))


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
