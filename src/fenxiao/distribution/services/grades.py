"""Grades: validated rates, per-product overrides, and the periodic automatic upgrade."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from fenxiao.catalog.errors import ProductNotFound
from fenxiao.catalog.models import Product
from fenxiao.distribution import rules, selectors
from fenxiao.distribution.errors import GradeInvalid
from fenxiao.distribution.models import Distributor, Grade, ProductCommission
from fenxiao.distribution.services.plan import plan_get

DAILY_COUNT_MESSAGE = "每日提现次数须为至少 1 的整数"


def rates_validate(raw) -> list[dict]:
    """A grade's rates: any level the deployment allows, within the plan's share cap."""
    plan = plan_get()
    return [r.as_dict() for r in rules.parse_rates(raw, share=plan.max_commission_share)]


def product_rates_validate(raw) -> list[dict]:
    """A product's own rates, checked as the plan's are: levels within the plan's levels and
    FENXIAO_MAX_LEVELS, percentages within the share cap, each level percent or fixed."""
    plan = plan_get()
    levels = min(plan.levels, rules.max_levels())
    return [
        r.as_dict() for r in rules.parse_rates(raw, levels=levels, share=plan.max_commission_share)
    ]


@transaction.atomic
def grade_save(*, grade: Grade) -> Grade:
    grade.rates = rates_validate(grade.rates or [])
    for field in ("withdraw_min", "withdraw_daily_max", "withdraw_fee_percent"):
        if getattr(grade, field) is not None and getattr(grade, field) < 0:
            raise GradeInvalid(f"{Grade._meta.get_field(field).verbose_name} 不能为负数")
    count = grade.withdraw_daily_count
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise GradeInvalid(DAILY_COUNT_MESSAGE)
    if grade.is_default:
        Grade.objects.exclude(pk=grade.pk).filter(is_default=True).update(is_default=False)
    grade.save()
    return grade


@transaction.atomic
def product_commission_set(*, product_id: int, rates: list | None) -> ProductCommission | None:
    """Set a product's own commission rates; None or an empty list removes them (the product
    then follows the grade and plan rates)."""
    if not Product.objects.filter(pk=product_id).exists():
        raise ProductNotFound()
    clean = product_rates_validate(rates) if rates is not None else []
    if not clean:
        ProductCommission.objects.filter(product_id=product_id).delete()
        return None
    override, _ = ProductCommission.objects.update_or_create(
        product_id=product_id, defaults={"rates": clean}
    )
    return override


def _qualifies(grade: Grade, metrics: dict) -> bool:
    checks = [
        (grade.upgrade_own_sales, metrics["own_sales"]),
        (grade.upgrade_team_sales, metrics["team_sales"]),
        (grade.upgrade_direct_buyers, metrics["direct_buyers"]),
    ]
    rules_set = [(need, have) for need, have in checks if need is not None]
    return bool(rules_set) and all(have >= need for need, have in rules_set)


def grades_upgrade_due(*, now: datetime | None = None) -> int:
    """Move each active distributor up to the highest grade whose thresholds they meet with
    the sales completed by `now`. Grades only go up automatically; staff may set any grade by
    hand."""
    now = now or timezone.now()
    grades = list(Grade.objects.order_by("-rank", "-pk"))
    active = Distributor.objects.filter(status=Distributor.Status.ACTIVE).select_related("grade")
    upgraded = 0
    batch = list(active)
    metrics = selectors.distributor_metrics([d.pk for d in batch], until=now)
    for distributor in batch:
        for grade in grades:
            if grade.rank <= distributor.grade.rank:
                break
            if _qualifies(grade, metrics[distributor.pk]):
                Distributor.objects.filter(pk=distributor.pk, grade=distributor.grade).update(
                    grade=grade
                )
                upgraded += 1
                break
    return upgraded
