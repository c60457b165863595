"""Reads of the distributor centre's summary: earnings by day and month (in the shop's time
zone), balances, team counts per level, and the grade with what the next one needs."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from fenxiao.distribution import links, rules, selectors
from fenxiao.distribution.models import Commission, Grade
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.money import round_sum_to_fen

# a grade's upgrade thresholds, in the order shown, with the metric each is compared with
THRESHOLDS = [
    ("upgrade_team_sales", "team_sales", "amount"),
    ("upgrade_direct_buyers", "direct_buyers", "count"),
    ("upgrade_own_sales", "own_sales", "amount"),
]


def shop_day(now: datetime) -> tuple[datetime, datetime, datetime, datetime]:
    """Start and end of `now`'s day and month in the shop's time zone (Asia/Shanghai)."""
    local = timezone.localtime(now, ZoneInfo(settings.TIME_ZONE))
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    month = day.replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    return day, day + timedelta(days=1), month, next_month


def earnings(*, user_id: int, now: datetime | None = None) -> dict[str, Decimal]:
    """Commissions earned today, this month and in total: what is left of each after refunds
    (`amount`), reversed ones excluded. One query."""
    day, day_end, month, month_end = shop_day(now or timezone.now())
    totals = (
        Commission.objects.filter(beneficiary_id=user_id)
        .exclude(status=Commission.Status.REVERSED)
        .aggregate(
            today=Sum("amount", filter=Q(created_at__gte=day, created_at__lt=day_end)),
            month=Sum("amount", filter=Q(created_at__gte=month, created_at__lt=month_end)),
            total=Sum("amount"),
        )
    )
    return {
        "earned_today": round_sum_to_fen(totals["today"]),
        "earned_month": round_sum_to_fen(totals["month"]),
        "earned_total": round_sum_to_fen(totals["total"]),
    }


def _label(field: str) -> str:
    return str(Grade._meta.get_field(field).verbose_name).removeprefix("升级条件：")


def next_grade(*, grade: Grade | None, user_id: int, now: datetime) -> dict | None:
    """The lowest grade above `grade` that is reached automatically (it has thresholds),
    with each threshold's target and where the distributor stands (completed sales by now)."""
    if grade is None:
        return None
    reachable = Q()
    for field, _, _ in THRESHOLDS:
        reachable |= Q(**{f"{field}__isnull": False})
    found = Grade.objects.filter(reachable, rank__gt=grade.rank).order_by("rank", "pk").first()
    if found is None:
        return None
    metrics = selectors.distributor_metrics([user_id], until=now)[user_id]
    needs = []
    for field, metric, kind in THRESHOLDS:
        target = getattr(found, field)
        if target is None:
            continue
        current = metrics[metric]
        needs.append(
            {
                "label": _label(field),
                "kind": kind,
                "current": current,
                "target": target,
                "met": current >= target,
            }
        )
    return {"id": found.pk, "name": found.name, "needs": needs}


def distributor_summary(*, user_id: int, now: datetime | None = None) -> dict:
    """The centre's first screen, from what is stored (a read: nothing is created)."""
    now = now or timezone.now()
    plan = selectors.plan_current()
    profile = selectors.distributor_profile(user_id=user_id, plan=plan)
    code = profile.referral_code
    levels = min(plan.levels, rules.max_levels())
    grade = profile.grade
    return {
        "status": profile.status,
        "referral_code": code,
        "share_url": links.share_url(code) if code else None,
        **earnings(user_id=user_id, now=now),
        "balances": ledger_selectors.balances_of(user_id),
        "team_counts": selectors.team_counts(user_id=user_id, levels=levels, now=now),
        "grade": grade,
        "next_grade": (
            next_grade(grade=grade, user_id=user_id, now=now) if profile.is_distributor else None
        ),
    }
