"""Who is a distributor: automatic activation by mode, applications and staff review."""

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from fenxiao.accounts.models import User
from fenxiao.distribution import locks, referral_codes, selectors
from fenxiao.distribution.errors import (
    ApplicationNotAccepted,
    DistributorNotFound,
    DistributorStateError,
)
from fenxiao.distribution.models import Distributor, Grade, Plan
from fenxiao.distribution.services.plan import plan_get
from fenxiao.money import HALF_FEN
from fenxiao.orders.models import Order

Status = Distributor.Status
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def grade_default() -> Grade:
    grade = selectors.grade_default()
    if grade is None:
        grade, _ = Grade.objects.get_or_create(
            name="普通分销商", defaults={"is_default": True, "rank": 0}
        )
    return grade


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _create(user: User, status: str, now: datetime | None = None, **fields) -> Distributor:
    # the code the user may already have been shown (see referral_codes) first, then random
    derived = referral_codes.code_for(user.pk)
    codes = [derived] if derived else []
    for code in [*codes, *(_new_code() for _ in range(5))]:
        try:
            with transaction.atomic():
                return Distributor.objects.create(
                    user=user,
                    status=status,
                    grade=grade_default(),
                    referral_code=code,
                    activated_at=(now or timezone.now()) if status == Status.ACTIVE else None,
                    **fields,
                )
        except IntegrityError:
            existing = Distributor.objects.filter(user=user).first()
            if existing:
                return existing
    raise RuntimeError("could not allocate a referral code")


def distributor_ensure(
    *, user: User, plan: Plan | None = None, now: datetime | None = None
) -> Distributor | None:
    """The user's distributor row, created or activated when the plan's mode says so (what
    `selectors.distributor_profile` shows before any row exists)."""
    profile = selectors.distributor_profile(user_id=user.pk, plan=plan or plan_get())
    found = profile.row
    if profile.status != Status.ACTIVE or (found and found.status == Status.ACTIVE):
        return found
    if found is None:
        return _create(user, Status.ACTIVE, now)
    # applied, and the mode now makes them a distributor without review
    Distributor.objects.filter(pk=found.pk, status=Status.APPLIED).update(
        status=Status.ACTIVE, activated_at=now or timezone.now()
    )
    found.refresh_from_db()
    return found


@transaction.atomic
def distributor_apply(*, user: User, real_name: str = "", reason: str = "") -> Distributor:
    plan = plan_get()
    if plan.mode != Plan.Mode.APPLY:
        found = distributor_ensure(user=user, plan=plan)
        if found is None:
            raise ApplicationNotAccepted(
                f"累计完成消费满 {plan.threshold_amount} 元后自动成为分销商，无需申请"
            )
        return found
    found = locks.distributor_for_update(user.pk)
    if found is None:
        return _create(user, Status.APPLIED, real_name=real_name, apply_reason=reason)
    if found.status == Status.REJECTED:
        found.status, found.real_name, found.apply_reason = Status.APPLIED, real_name, reason
        found.save(update_fields=["status", "real_name", "apply_reason"])
    return found


def _review(distributor_id: int, staff, allowed: set, to: str, note: str = "") -> Distributor:
    found = locks.distributor_for_update(distributor_id)
    if found is None:
        raise DistributorNotFound()
    if found.status not in allowed:
        raise DistributorStateError(f"分销商状态为「{found.get_status_display()}」，不能执行该操作")
    found.status = to
    found.reviewed_by = staff
    if note:
        found.review_note = note
    fields = ["status", "reviewed_by", "review_note"]
    if to == Status.ACTIVE and found.activated_at is None:
        found.activated_at = timezone.now()
        fields.append("activated_at")
    found.save(update_fields=fields)
    return found


@transaction.atomic
def distributor_approve(*, distributor_id: int, staff=None) -> Distributor:
    return _review(distributor_id, staff, {Status.APPLIED, Status.REJECTED}, Status.ACTIVE)


@transaction.atomic
def distributor_reject(*, distributor_id: int, staff=None, note: str = "") -> Distributor:
    return _review(distributor_id, staff, {Status.APPLIED}, Status.REJECTED, note)


@transaction.atomic
def distributor_freeze(*, distributor_id: int, staff=None, note: str = "") -> Distributor:
    return _review(distributor_id, staff, {Status.ACTIVE}, Status.FROZEN, note)


@transaction.atomic
def distributor_unfreeze(*, distributor_id: int, staff=None) -> Distributor:
    return _review(distributor_id, staff, {Status.FROZEN}, Status.ACTIVE)


def distributors_activate_by_threshold(*, now: datetime | None = None) -> int:
    """Mode threshold: make every user whose spending on orders completed by `now` reached
    it a distributor."""
    now = now or timezone.now()
    plan = plan_get()
    if plan.mode != Plan.Mode.THRESHOLD:
        return 0
    spenders = (
        Order.objects.filter(status=Order.Status.COMPLETED, completed_at__lte=now)
        .values("buyer")
        .annotate(kept=Sum(F("total") - F("refunded_amount")))
        # half a fen of slack for SQLite's float sums; distributor_ensure checks exactly
        .filter(kept__gte=plan.threshold_amount - HALF_FEN)
        .exclude(buyer__distributor__status__in=[Status.ACTIVE, Status.FROZEN, Status.REJECTED])
    )
    activated = 0
    for row in spenders:
        user = User.objects.get(pk=row["buyer"])
        # exactly, by `now`: an order completed later must not count yet
        if not selectors.qualifies(user_id=user.pk, plan=plan, until=now):
            continue
        found = distributor_ensure(user=user, plan=plan, now=now)
        activated += bool(found and found.status == Status.ACTIVE)
    return activated
