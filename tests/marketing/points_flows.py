"""Helpers of the points tests: a rule switched on, points given by staff."""

from decimal import Decimal

from fenxiao.marketing import points
from fenxiao.marketing.models import PointsRule


def rule_on(**changes) -> PointsRule:
    rule = points.points_rule()
    values = {
        "enabled": True,
        "earn_per_yuan": 1,
        "per_yuan": 100,
        "max_share_percent": Decimal("50"),
        "expire_at_year_end": False,
        **changes,
    }
    for name, value in values.items():
        setattr(rule, name, value)
    rule.save()
    return rule


def give(user, amount: int, staff=None, now=None):
    return points.points_adjust(
        user_id=user.pk, delta=amount, reason="测试发放", staff=staff, now=now
    )
