"""Binding users to inviters (绑定关系) per the plan: visits, binding, first-order binding."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.catalog.models import Product
from fenxiao.distribution import locks, referral_codes, selectors
from fenxiao.distribution.errors import ReferralCodeNotFound
from fenxiao.distribution.models import Binding, BindingEvent, Distributor, Plan
from fenxiao.distribution.services.distributors import distributor_ensure
from fenxiao.distribution.services.plan import plan_get
from fenxiao.orders.models import Order


def _creates_cycle(user_id: int, inviter_id: int) -> bool:
    return user_id in selectors.up_from(inviter_id)


def _lock_tree(user_id: int, inviter_id: int) -> None:
    """Two bindings at once could each miss the other: the same user bound twice, or a under
    b while b goes under a (a cycle). Both lock the distributor rows of the user and of the
    inviter's chain, in pk order, so the second waits and then decides on what is committed."""
    locks.distributors_for_update({user_id, *selectors.up_from(inviter_id)})


def _inviter_by_code(code: str, plan: Plan) -> Distributor:
    """The distributor whose code this is. A code derived for a user the plan makes a
    distributor (shown before their row existed) creates the row now, with that code."""
    code = code.strip().upper()
    found = selectors.distributor_by_code(code)
    if found is not None:
        return found
    user_id = referral_codes.user_id_for(code)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        raise ReferralCodeNotFound()
    found = distributor_ensure(user=user, plan=plan)
    if found is None or found.referral_code != code:
        raise ReferralCodeNotFound()
    return found


@transaction.atomic
def bind(
    *,
    user: User,
    inviter_id: int,
    source: str,
    product_id: int | None = None,
    now: datetime | None = None,
    plan: Plan | None = None,
    _again: bool = False,
) -> bool:
    """Bind per the plan's rule; returns whether the user's inviter changed."""
    now = now or timezone.now()
    plan = plan or plan_get()
    if inviter_id == user.pk:
        return False
    _lock_tree(user.pk, inviter_id)
    if _creates_cycle(user.pk, inviter_id):
        return False
    active = Distributor.objects.filter(
        pk=inviter_id, status=Distributor.Status.ACTIVE, user__is_active=True
    )
    if not active.exists():
        return False
    current = locks.binding_for_update(user.pk)
    expires = now + timedelta(days=plan.bind_days) if plan.bind_rule == "expiring" else None
    if current is not None:
        if current.inviter_id == inviter_id:
            if plan.bind_rule != Plan.BindRule.FIRST_TOUCH and expires:
                current.expires_at = expires  # a new visit renews an expiring binding
                current.save(update_fields=["expires_at"])
            return False
        keep = plan.bind_rule == Plan.BindRule.FIRST_TOUCH or (
            plan.bind_rule == Plan.BindRule.EXPIRING
            and current.expires_at is not None
            and current.expires_at > now
        )
        if keep:
            return False
    previous = current.inviter_id if current else None
    fields = {"inviter_id": inviter_id, "bound_at": now, "expires_at": expires, "source": source}
    if current is None:
        try:
            with transaction.atomic():
                Binding.objects.create(user=user, **fields)
        except IntegrityError:
            if _again:
                raise
            # a user who is no distributor has no row to lock: another request bound them a
            # moment ago; decide again against that binding
            return bind(
                user=user,
                inviter_id=inviter_id,
                source=source,
                product_id=product_id,
                now=now,
                plan=plan,
                _again=True,
            )
    else:
        Binding.objects.filter(pk=current.pk).update(**fields)
    BindingEvent.objects.create(
        user=user,
        inviter_id=inviter_id,
        previous_inviter_id=previous,
        kind=BindingEvent.Kind.REBIND if current else BindingEvent.Kind.BIND,
        source=source,
        product_id=product_id,
        at=now,
    )
    return True


@dataclass(frozen=True)
class VisitResult:
    bound: bool
    inviter_id: int | None


@transaction.atomic
def referral_visit(
    *,
    user: User,
    code: str,
    source: str = "link",
    product_id: int | None = None,
    now: datetime | None = None,
) -> VisitResult:
    """A user arrived through a distributor's link, poster or product share."""
    now = now or timezone.now()
    plan = plan_get()
    inviter = _inviter_by_code(code, plan)
    if product_id is not None and not Product.objects.filter(pk=product_id).exists():
        product_id = None
    if inviter.pk != user.pk:
        BindingEvent.objects.create(
            user=user,
            inviter_id=inviter.pk,
            kind=BindingEvent.Kind.VISIT,
            source=source,
            product_id=product_id,
            at=now,
        )
    bound = False
    if plan.bind_on == Plan.BindOn.VISIT:
        bound = bind(
            user=user,
            inviter_id=inviter.pk,
            source=source,
            product_id=product_id,
            now=now,
            plan=plan,
        )
    return VisitResult(bound=bound, inviter_id=selectors.inviter_id_of(user.pk, now))


def bind_on_first_order(*, buyer: User, order: Order, now: datetime, plan: Plan) -> None:
    """Plan bind_on=first_order: the first paid order binds the buyer to the inviter of the
    first (first_touch) or latest (otherwise) visit before it."""
    if plan.bind_on != Plan.BindOn.FIRST_ORDER or Binding.objects.filter(user=buyer).exists():
        return
    earlier_paid = Order.objects.filter(buyer=buyer, paid_at__isnull=False).exclude(pk=order.pk)
    if earlier_paid.exists():
        return
    visits = BindingEvent.objects.filter(user=buyer, kind=BindingEvent.Kind.VISIT, at__lte=now)
    visits = visits.order_by("pk" if plan.bind_rule == Plan.BindRule.FIRST_TOUCH else "-pk")
    for visit in visits[:20]:
        if bind(
            user=buyer,
            inviter_id=visit.inviter_id,
            source="first_order",
            product_id=visit.product_id,
            now=now,
            plan=plan,
        ):
            return
