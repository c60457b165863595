"""Reads of distribution: a distributor's team, commission lines, and reconciliation."""

from datetime import datetime

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fenxiao.distribution.models import Binding, Commission, Distributor
from fenxiao.ledger.models import Account
from fenxiao.money import ZERO, fen_of_sum
from fenxiao.orders.models import Order

COUNTED = [Order.Status.PAID, Order.Status.SHIPPED, Order.Status.COMPLETED]


def in_force(bindings, now: datetime | None = None):
    """Bindings that hold at `now`: an `expiring` binding lapses after its bind_days."""
    return bindings.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now()))


def team_ids(*, user_id: int, level: int) -> QuerySet:
    """User ids exactly `level` steps below `user_id` in the tree of bindings in force."""
    ids = in_force(Binding.objects.filter(inviter_id=user_id)).values("user_id")
    for _ in range(level - 1):
        ids = in_force(Binding.objects.filter(inviter_id__in=ids)).values("user_id")
    return ids


def team(*, user_id: int, level: int) -> list[dict]:
    """Members `level` steps below, with their paid order counts and kept sales."""
    members = list(
        Binding.objects.filter(user_id__in=team_ids(user_id=user_id, level=level))
        .select_related("user")
        .order_by("-bound_at", "-user_id")
    )
    ids = [m.user_id for m in members]
    money = DecimalField(max_digits=14, decimal_places=2)
    stats = {
        row["buyer"]: row
        for row in Order.objects.filter(buyer_id__in=ids, status__in=COUNTED)
        .values("buyer")
        .annotate(
            order_count=Count("id"),
            sales=Coalesce(Sum(F("total") - F("refunded_amount")), Value(ZERO), output_field=money),
        )
    }
    statuses = dict(Distributor.objects.filter(pk__in=ids).values_list("pk", "status"))
    below = dict(
        Binding.objects.filter(inviter_id__in=ids)
        .values("inviter_id")
        .annotate(n=Count("user_id"))
        .values_list("inviter_id", "n")
    )
    return [
        {
            "user_id": m.user_id,
            "nickname": m.user.nickname,
            "phone": mask_phone(m.user.phone),
            "level": level,
            "bound_at": m.bound_at,
            "distributor_status": statuses.get(m.user_id),
            "order_count": stats.get(m.user_id, {}).get("order_count", 0),
            "sales": fen_of_sum(stats.get(m.user_id, {}).get("sales")),
            "team_size": below.get(m.user_id, 0),
        }
        for m in members
    ]


def mask_phone(phone: str | None) -> str:
    if not phone or len(phone) < 7:
        return phone or ""
    return phone[:3] + "****" + phone[-4:]


def team_counts(*, user_id: int, levels: int = 3) -> dict[int, int]:
    return {n: team_ids(user_id=user_id, level=n).count() for n in range(1, levels + 1)}


def commissions_of(*, user_id: int, status: str | None = None) -> QuerySet:
    qs = Commission.objects.filter(beneficiary_id=user_id).order_by("-pk")
    return qs.filter(status=status) if status else qs


def commission_differences() -> list[str]:
    """Each distributor's frozen balance must equal their frozen commissions."""
    frozen = dict(
        Commission.objects.filter(status=Commission.Status.FROZEN)
        .values("beneficiary_id")
        .annotate(s=Sum("amount"))
        .values_list("beneficiary_id", "s")
    )
    balances = dict(
        Account.objects.filter(kind=Account.Kind.FROZEN)
        .exclude(owner=None)
        .values_list("owner_id", "balance")
    )
    problems = []
    for user_id in set(frozen) | set(balances):
        expected, actual = fen_of_sum(frozen.get(user_id)), balances.get(user_id) or ZERO
        if expected != actual:
            problems.append(
                f"user {user_id}: frozen balance {actual} != frozen commissions {expected}"
            )
    return problems
