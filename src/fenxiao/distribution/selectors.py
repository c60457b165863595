"""Reads of distribution: the plan, a user's distributor profile (computed, never created),
bindings and chains, a distributor's team, commission lines, metrics and reconciliation."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fenxiao import db
from fenxiao.catalog.models import Product
from fenxiao.distribution import referral_codes, rules
from fenxiao.distribution.models import (
    Binding,
    BindingEvent,
    Commission,
    Distributor,
    Grade,
    Plan,
    PlanChange,
    ProductCommission,
)
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.ledger.models import Account
from fenxiao.money import ZERO, round_sum_to_fen
from fenxiao.orders.models import Order

COUNTED = [Order.Status.PAID, Order.Status.SHIPPED, Order.Status.COMPLETED]
Status = Distributor.Status


def plan_current() -> Plan:
    """The stored plan; before one is stored (a fresh database), the default one, unsaved."""
    return Plan.objects.filter(pk=1).first() or Plan(pk=1, rates=rules.DEFAULT_PLAN_RATES)


def grade_default() -> Grade | None:
    return Grade.objects.filter(is_default=True).first()


def completed_spending(*, user_id: int, until: datetime | None = None) -> Decimal:
    """What the user kept of their completed orders (completed by `until`, if given)."""
    orders = Order.objects.filter(buyer_id=user_id, status=Order.Status.COMPLETED)
    if until is not None:
        orders = orders.filter(completed_at__lte=until)
    totals = orders.aggregate(paid=Sum("total"), refunded=Sum("refunded_amount"))
    return round_sum_to_fen(totals["paid"]) - round_sum_to_fen(totals["refunded"])


def qualifies(*, user_id: int, plan: Plan, until: datetime | None = None) -> bool:
    """Whether the plan's mode makes the user a distributor without an application."""
    if plan.mode == Plan.Mode.EVERYONE:
        return True
    return plan.mode == Plan.Mode.THRESHOLD and (
        completed_spending(user_id=user_id, until=until) >= plan.threshold_amount
    )


@dataclass(frozen=True)
class Profile:
    """A user's distributor profile as they see it. `stored` is False when the plan makes
    them a distributor but no row exists yet: the row is created by the first write that
    needs it (a visit through their code, an application, a paid order)."""

    user_id: int
    status: str  # a Distributor.Status, or "none"
    grade: Grade | None
    referral_code: str | None
    row: Distributor | None

    @property
    def id(self) -> int | None:
        return self.user_id if self.status != "none" else None

    @property
    def stored(self) -> bool:
        return self.row is not None

    @property
    def is_distributor(self) -> bool:
        return self.status in (Status.ACTIVE, Status.FROZEN)


def distributor_profile(*, user_id: int, plan: Plan | None = None) -> Profile:
    """What `distributor_ensure` would make of the user, computed without writing."""
    found = Distributor.objects.select_related("grade").filter(pk=user_id).first()
    if found and found.status in (Status.ACTIVE, Status.FROZEN):
        return Profile(user_id, found.status, found.grade, found.referral_code, found)
    plan = plan or plan_current()
    if not qualifies(user_id=user_id, plan=plan):
        if found is None:
            return Profile(user_id, "none", None, None, None)
        return Profile(user_id, found.status, found.grade, found.referral_code, found)
    if found is None:
        code = referral_codes.code_for(user_id)
        if code is not None and Distributor.objects.filter(referral_code=code).exists():
            code = None  # taken by an older random code: the first write picks another
        return Profile(user_id, Status.ACTIVE, grade_default(), code, None)
    if found.status == Status.APPLIED:
        return Profile(user_id, Status.ACTIVE, found.grade, found.referral_code, found)
    return Profile(user_id, found.status, found.grade, found.referral_code, found)


def distributors_for_staff(*, status: str | None = None, limit: int) -> list[Distributor]:
    qs = Distributor.objects.select_related("user", "grade").order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:limit])


def plan_changes(*, limit: int) -> list[PlanChange]:
    return list(PlanChange.objects.order_by("-pk")[:limit])


def distributor_by_code(code: str) -> Distributor | None:
    return Distributor.objects.filter(referral_code=code.strip().upper()).first()


def inviter_id_of(user_id: int, now: datetime | None = None) -> int | None:
    """The inviter whose binding holds now (what earns and what a user sees)."""
    bindings = in_force(Binding.objects.filter(user_id=user_id), now)
    return bindings.values_list("inviter_id", flat=True).first()


MAX_CHAIN = 10_000  # a guard against a corrupt (cyclic) chain, never reached in practice


def visited_since(*, user_id: int, inviter_id: int, since: datetime) -> bool:
    """Whether the user arrived through this inviter's link at or after `since`."""
    return BindingEvent.objects.filter(
        user_id=user_id, inviter_id=inviter_id, kind=BindingEvent.Kind.VISIT, at__gte=since
    ).exists()


def bound_inviter_id(user_id: int) -> int | None:
    """The inviter on record, lapsed or not: a lapsed binding can be renewed, so cycles are
    checked against every recorded one."""
    return Binding.objects.filter(user_id=user_id).values_list("inviter_id", flat=True).first()


def up_from(user_id: int) -> list[int]:
    """The user and their inviters upwards, as recorded."""
    current, seen = user_id, []
    while current is not None and current not in seen and len(seen) < MAX_CHAIN:
        seen.append(current)
        current = bound_inviter_id(current)
    return seen


@dataclass(frozen=True)
class Link:
    level: int
    user_id: int
    distributor: Distributor | None

    @property
    def active(self) -> bool:
        """An active distributor whose account staff have not disabled."""
        found = self.distributor
        return found is not None and found.status == "active" and found.user.is_active


def beneficiary_chain(*, buyer_id: int, plan: Plan, now: datetime | None = None) -> list[Link]:
    """Level 1 is the buyer (self-purchase, active distributor) or the buyer's inviter; each
    next level is the inviter of the one before, through bindings in force at `now`.
    Inactive people keep their level. One query, however long the chain; each link's
    distributor comes with its user and grade."""
    levels = min(plan.levels, rules.max_levels())
    upline = _upline(buyer_id, levels, now or timezone.now())  # [(user id, distributor)]
    own = upline[0][1]
    if plan.self_purchase and own is not None and own.status == Distributor.Status.ACTIVE:
        above, seen = upline, set()
    else:
        above, seen = upline[1:], {buyer_id}
    chain = []
    for user_id, distributor in above:
        if len(chain) == levels or user_id in seen:
            break
        seen.add(user_id)
        chain.append(Link(len(chain) + 1, user_id, distributor))
    return chain


def _upline(user_id: int, levels: int, now: datetime) -> list[tuple[int, Distributor | None]]:
    """The user, their inviter, that inviter's inviter … up to `levels` above them, through
    bindings in force at `now` (see in_force), each with their distributor profile (its user
    and grade cached) or None: one recursive query."""
    related = ("user", "grade")
    binding, distributor = Binding._meta.db_table, Distributor._meta.db_table
    user, grade = (
        Distributor._meta.get_field(name).related_model._meta.db_table for name in related
    )
    sql = (
        f"WITH RECURSIVE up(depth, user_id) AS (SELECT 0, CAST(%s AS BIGINT) UNION ALL "
        f"SELECT up.depth + 1, b.inviter_id FROM up JOIN {binding} b ON b.user_id = up.user_id "
        "WHERE up.depth < %s AND (b.expires_at IS NULL OR b.expires_at > %s)) "
        f"SELECT up.user_id, {db.columns(Distributor, related)} FROM up "
        f"LEFT JOIN {distributor} ON {distributor}.user_id = up.user_id "
        f"LEFT JOIN {user} ON {user}.id = {distributor}.user_id "
        f"LEFT JOIN {grade} ON {grade}.id = {distributor}.grade_id "
        "ORDER BY up.depth"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, levels, connection.ops.adapt_datetimefield_value(now)])
        rows = cursor.fetchall()
    return [(row[0], db.instance(Distributor, row[1:], related)) for row in rows]


def in_force(bindings, now: datetime | None = None):
    """Bindings that hold at `now`: an `expiring` binding lapses after its bind_days."""
    return bindings.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now()))


def team_ids(*, user_id: int, level: int, now: datetime | None = None) -> QuerySet:
    """User ids exactly `level` steps below `user_id` in the tree of bindings in force."""
    ids = in_force(Binding.objects.filter(inviter_id=user_id), now).values("user_id")
    for _ in range(level - 1):
        ids = in_force(Binding.objects.filter(inviter_id__in=ids), now).values("user_id")
    return ids


def team(*, user_id: int, level: int, now: datetime | None = None) -> list[dict]:
    """Members `level` steps below, newest first, each with their paid (not cancelled, not
    fully refunded) orders, what they kept of them, and their own level-1 team: one query."""
    money = DecimalField(max_digits=14, decimal_places=2)
    counted = (
        Order.objects.filter(buyer_id=OuterRef("user_id"), status__in=COUNTED)
        .order_by()
        .values("buyer_id")
    )
    below = (
        in_force(Binding.objects.filter(inviter_id=OuterRef("user_id")), now)
        .order_by()
        .values("inviter_id")
    )
    members = (
        Binding.objects.filter(user_id__in=team_ids(user_id=user_id, level=level, now=now))
        .select_related("user")
        .annotate(
            orders=Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), Value(0)),
            sales=Coalesce(
                Subquery(
                    counted.annotate(s=Sum(F("total") - F("refunded_amount"))).values("s"),
                    output_field=money,
                ),
                Value(ZERO),
                output_field=money,
            ),
            team_size=Coalesce(Subquery(below.annotate(n=Count("pk")).values("n")), Value(0)),
            distributor_status=Subquery(
                Distributor.objects.filter(pk=OuterRef("user_id")).values("status")[:1]
            ),
        )
        .order_by("-bound_at", "-user_id")
    )
    return [
        {
            "user_id": m.user_id,
            "nickname": m.user.nickname,
            "phone": mask_phone(m.user.phone),
            "level": level,
            "joined_at": m.bound_at,
            "bound_at": m.bound_at,
            "distributor_status": m.distributor_status,
            "orders": m.orders,
            "order_count": m.orders,
            "sales": round_sum_to_fen(m.sales),
            "team_size": m.team_size,
        }
        for m in members
    ]


def mask_phone(phone: str | None) -> str:
    if not phone or len(phone) < 7:
        return phone or ""
    return phone[:3] + "****" + phone[-4:]


def team_counts(*, user_id: int, levels: int = 3, now: datetime | None = None) -> dict[int, int]:
    """Members per level, 1 to `levels` (never more than 3): one COUNT query per level."""
    return {
        n: team_ids(user_id=user_id, level=n, now=now).count() for n in range(1, min(levels, 3) + 1)
    }


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
    return ledger_selectors.cached_balance_differences(
        kind=Account.Kind.FROZEN, expected=frozen, what="frozen commissions"
    )


def product_exists(product_id: int) -> bool:
    return Product.objects.filter(pk=product_id).exists()


def product_rates(product_id: int) -> list[dict] | None:
    """A product's own commission rates, or None when it follows grade and plan."""
    return (
        ProductCommission.objects.filter(product_id=product_id)
        .values_list("rates", flat=True)
        .first()
    )


def distributor_metrics(distributor_ids: list[int], *, until: datetime) -> dict[int, dict]:
    """Completed own sales (level 1), team sales (levels 1-3) and direct recruits who bought,
    counting orders completed by `until`."""
    completed = Commission.objects.filter(
        order__status=Order.Status.COMPLETED,
        order__completed_at__lte=until,
        beneficiary_id__in=distributor_ids,
    )
    kept = F("line__amount") - F("line__refunded_amount")
    own = dict(
        completed.filter(level=1)
        .values("beneficiary_id")
        .annotate(s=Sum(kept))
        .values_list("beneficiary_id", "s")
    )
    team = dict(
        completed.values("beneficiary_id").annotate(s=Sum(kept)).values_list("beneficiary_id", "s")
    )
    buyers = dict(
        Binding.objects.filter(
            inviter_id__in=distributor_ids,
            user__orders__status=Order.Status.COMPLETED,
            user__orders__completed_at__lte=until,
        )
        .values("inviter_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("inviter_id", "n")
    )
    return {
        pk: {
            "own_sales": round_sum_to_fen(own.get(pk)),
            "team_sales": round_sum_to_fen(team.get(pk)),
            "direct_buyers": buyers.get(pk, 0),
        }
        for pk in distributor_ids
    }
