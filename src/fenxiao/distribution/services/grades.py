"""Grades: validated rates, per-product overrides, and the periodic automatic upgrade."""

from django.db import transaction
from django.db.models import Count, F, Sum

from fenxiao.catalog.errors import ProductNotFound
from fenxiao.catalog.models import Product
from fenxiao.distribution import rules
from fenxiao.distribution.errors import GradeInvalid
from fenxiao.distribution.models import (
    Binding,
    Commission,
    Distributor,
    Grade,
    ProductCommission,
)
from fenxiao.distribution.services.plan import plan_get
from fenxiao.money import fen_of_sum
from fenxiao.orders.models import Order


def rates_validate(raw) -> list[dict]:
    plan = plan_get()
    return [r.as_dict() for r in rules.parse_rates(raw, share=plan.max_commission_share)]


@transaction.atomic
def grade_save(*, grade: Grade) -> Grade:
    grade.rates = rates_validate(grade.rates or [])
    for field in ("withdraw_min", "withdraw_daily_max", "withdraw_fee_percent"):
        if getattr(grade, field) is not None and getattr(grade, field) < 0:
            raise GradeInvalid(f"{Grade._meta.get_field(field).verbose_name} 不能为负数")
    if grade.is_default:
        Grade.objects.exclude(pk=grade.pk).filter(is_default=True).update(is_default=False)
    grade.save()
    return grade


@transaction.atomic
def product_commission_set(*, product_id: int, rates: list | None) -> ProductCommission | None:
    """Set (or with None, remove) a product's own commission rates."""
    if not Product.objects.filter(pk=product_id).exists():
        raise ProductNotFound()
    if rates is None:
        ProductCommission.objects.filter(product_id=product_id).delete()
        return None
    override, _ = ProductCommission.objects.update_or_create(
        product_id=product_id, defaults={"rates": rates_validate(rates)}
    )
    return override


def distributor_metrics(distributor_ids: list[int]) -> dict[int, dict]:
    """Completed own sales (level 1), team sales (levels 1-3) and direct recruits who bought."""
    completed = Commission.objects.filter(
        order__status=Order.Status.COMPLETED, beneficiary_id__in=distributor_ids
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
            inviter_id__in=distributor_ids, user__orders__status=Order.Status.COMPLETED
        )
        .values("inviter_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("inviter_id", "n")
    )
    return {
        pk: {
            "own_sales": fen_of_sum(own.get(pk)),
            "team_sales": fen_of_sum(team.get(pk)),
            "direct_buyers": buyers.get(pk, 0),
        }
        for pk in distributor_ids
    }


def _qualifies(grade: Grade, metrics: dict) -> bool:
    checks = [
        (grade.upgrade_own_sales, metrics["own_sales"]),
        (grade.upgrade_team_sales, metrics["team_sales"]),
        (grade.upgrade_direct_buyers, metrics["direct_buyers"]),
    ]
    rules_set = [(need, have) for need, have in checks if need is not None]
    return bool(rules_set) and all(have >= need for need, have in rules_set)


def grades_upgrade_due() -> int:
    """Move each active distributor up to the highest grade whose thresholds they meet.
    Grades only go up automatically; staff may set any grade by hand."""
    grades = list(Grade.objects.order_by("-rank", "-pk"))
    active = Distributor.objects.filter(status=Distributor.Status.ACTIVE).select_related("grade")
    upgraded = 0
    batch = list(active)
    metrics = distributor_metrics([d.pk for d in batch])
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
