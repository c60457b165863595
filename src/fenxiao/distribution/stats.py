"""A distributor's own figures over the last 7, 30 or 90 days (shop time), against the period
before: sales brought, orders and commission, commission by day; and, where their grade grants
`team_reports` ("查看更多数据分析报表"), sales, orders and new team members by day and the
figures of each level of their team. Aggregated in the database: a few GROUP BY queries,
whatever the number of rows."""

from datetime import date, datetime, timedelta

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from fenxiao.distribution import selectors
from fenxiao.distribution.centre import shop_day
from fenxiao.distribution.models import Binding, Commission, Grade
from fenxiao.money import ZERO, round_sum_to_fen

RANGES = {"7d": 7, "30d": 30, "90d": 90}
PRIVILEGE = "team_reports"
MONEY = DecimalField(max_digits=14, decimal_places=2)
# what a line brought: what was paid for it, less what was refunded
KEPT = F("line__amount") - F("line__refunded_amount")


def grants_reports(grade: Grade | None) -> bool:
    return bool(grade and (grade.privileges or {}).get(PRIVILEGE))


def grade_with_reports() -> Grade | None:
    """The lowest grade whose privileges include the advanced figures (for the hint)."""
    grades = Grade.objects.order_by("rank", "pk")
    return next((g for g in grades if grants_reports(g)), None)


def _window(days: int, now: datetime) -> tuple[datetime, datetime, date]:
    """[start, end) of the last `days` shop days up to today, and the first day."""
    today, tomorrow, _, _ = shop_day(now)
    start = today - timedelta(days=days - 1)
    return start, tomorrow, timezone.localtime(start).date()


def _earned(user_id: int, start: datetime, end: datetime) -> QuerySet:
    """Their commissions created in [start, end), reversed ones left out."""
    rows = Commission.objects.filter(
        beneficiary_id=user_id, created_at__gte=start, created_at__lt=end
    )
    return rows.exclude(status=Commission.Status.REVERSED)


def _joined(user_id: int, start: datetime, end: datetime) -> QuerySet:
    """Their level-1 members bound in [start, end)."""
    return Binding.objects.filter(inviter_id=user_id, bound_at__gte=start, bound_at__lt=end)


def _totals(user_id: int, start: datetime, end: datetime) -> dict:
    """Sales brought and orders (their own referrals: level 1) and commission (all levels)."""
    rows = _earned(user_id, start, end)
    found = rows.aggregate(
        sales=Sum(KEPT, filter=Q(level=1), output_field=MONEY),
        orders=Count("order_id", filter=Q(level=1), distinct=True),
        commission=Sum("amount"),
    )
    members = _joined(user_id, start, end)
    return {
        "sales": round_sum_to_fen(found["sales"]),
        "orders": found["orders"],
        "commission": round_sum_to_fen(found["commission"]),
        "new_members": members.count(),
    }


def _by_day(rows: QuerySet, field: str, **sums) -> dict[date, dict]:
    shop_tz = timezone.get_current_timezone()
    grouped = rows.annotate(day=TruncDate(field, tzinfo=shop_tz)).values("day").order_by("day")
    return {row.pop("day"): row for row in grouped.annotate(**sums)}


def distributor_stats(
    *, user_id: int, days: int, grade: Grade | None, now: datetime | None = None
) -> dict:
    now = now or timezone.now()
    start, end, first = _window(days, now)
    before = start - timedelta(days=days)
    advanced = grants_reports(grade)
    rows = _earned(user_id, start, end)
    commission = _by_day(rows, "created_at", commission=Sum("amount"))
    sales = members = {}
    if advanced:
        sales = _by_day(
            rows.filter(level=1),
            "created_at",
            sales=Sum(KEPT, output_field=MONEY),
            orders=Count("order_id", distinct=True),
        )
        members = _by_day(_joined(user_id, start, end), "bound_at", new_members=Count("pk"))
    daily = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        entry = {
            "date": day,
            "commission": round_sum_to_fen(commission.get(day, {}).get("commission")),
        }
        if advanced:
            brought = sales.get(day, {})
            entry |= {
                "sales": round_sum_to_fen(brought.get("sales")),
                "orders": brought.get("orders", 0),
                "new_members": members.get(day, {}).get("new_members", 0),
            }
        daily.append(entry)
    unlock = None if advanced else grade_with_reports()
    return {
        "days": days,
        "start": first,
        "end": first + timedelta(days=days - 1),
        "totals": _totals(user_id, start, end),
        "previous": _totals(user_id, before, start),
        "daily": daily,
        "advanced": advanced,
        "levels": _levels(user_id, start, end, now) if advanced else [],
        "unlock_grade": unlock.name if unlock else None,
    }


def _levels(user_id: int, start: datetime, end: datetime, now: datetime) -> list[dict]:
    """Per level of the team: members now, what they bought in the window, my commission."""
    rows = _earned(user_id, start, end)
    by_level = {
        row["level"]: row
        for row in rows.values("level")
        .order_by("level")
        .annotate(
            sales=Sum(KEPT, output_field=MONEY),
            orders=Count("order_id", distinct=True),
            commission=Sum("amount"),
        )
    }
    counts = selectors.team_counts(user_id=user_id, levels=selectors.plan_current().levels, now=now)
    return [
        {
            "level": level,
            "members": members,
            "sales": round_sum_to_fen(by_level.get(level, {}).get("sales", ZERO)),
            "orders": by_level.get(level, {}).get("orders", 0),
            "commission": round_sum_to_fen(by_level.get(level, {}).get("commission", ZERO)),
        }
        for level, members in counts.items()
    ]
