"""满减 promotions: creating them (tiers checked), pausing, resuming, ending, and the terms
of those active at a moment for pricing."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet

from fenxiao import db
from fenxiao.catalog.models import Category, Product
from fenxiao.marketing.errors import PromotionInvalid, PromotionNotFound, PromotionStateError
from fenxiao.marketing.models import Promotion
from fenxiao.marketing.terms import PromotionTerms, Scope
from fenxiao.money import yuan

MAX_TIERS = 10
Status = Promotion.Status


@dataclass(frozen=True)
class PromotionDraft:
    name: str
    tiers: list[dict]  # [{"threshold": ..., "amount": ...}]
    scope: str = "all"  # all | categories | products
    category_ids: tuple[int, ...] = ()
    product_ids: tuple[int, ...] = ()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    stack_with_coupon: bool = True


def tiers_checked(tiers) -> list[tuple[Decimal, Decimal]]:
    """Tiers as (threshold, amount) pairs, or PromotionInvalid saying what is wrong."""
    if not isinstance(tiers, list) or not tiers:
        raise PromotionInvalid("请至少设置一个满减档位")
    if len(tiers) > MAX_TIERS:
        raise PromotionInvalid(f"满减档位最多 {MAX_TIERS} 个")
    pairs = []
    for number, tier in enumerate(tiers, start=1):
        try:
            threshold, amount = yuan(tier["threshold"]), yuan(tier["amount"])
        except (KeyError, TypeError, ValueError) as exc:
            raise PromotionInvalid(f"第 {number} 档的门槛和减免金额须为金额（如 200.00）") from exc
        if amount <= 0:
            raise PromotionInvalid(f"第 {number} 档的减免金额须大于 0")
        if amount >= threshold:
            raise PromotionInvalid(f"第 {number} 档的减免金额须小于门槛金额 {threshold}")
        if threshold >= Decimal("10000000"):
            raise PromotionInvalid(f"第 {number} 档的门槛金额过大")
        if pairs and threshold <= pairs[-1][0]:
            raise PromotionInvalid(f"第 {number} 档的门槛须高于上一档（{pairs[-1][0]}）")
        pairs.append((threshold, amount))
    return pairs


def scope_checked(draft: PromotionDraft) -> tuple[list[int], list[int]]:
    if draft.scope == Promotion.ScopeKind.ALL:
        return [], []
    if draft.scope == Promotion.ScopeKind.CATEGORIES:
        ids = sorted(set(draft.category_ids))
        if not ids:
            raise PromotionInvalid("请选择活动适用的分类")
        unknown = set(ids) - set(Category.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if unknown:
            raise PromotionInvalid(f"分类不存在: {min(unknown)}")
        return ids, []
    if draft.scope == Promotion.ScopeKind.PRODUCTS:
        ids = sorted(set(draft.product_ids))
        if not ids:
            raise PromotionInvalid("请选择活动适用的商品")
        unknown = set(ids) - set(Product.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if unknown:
            raise PromotionInvalid(f"商品不存在: {min(unknown)}")
        return [], ids
    raise PromotionInvalid("适用范围须为全部商品、指定分类或指定商品（分类和商品只能选一种）")


def _fields_checked(draft: PromotionDraft) -> dict:
    name = draft.name.strip()
    if not name:
        raise PromotionInvalid("请填写活动名称")
    pairs = tiers_checked(draft.tiers)
    category_ids, product_ids = scope_checked(draft)
    if draft.starts_at and draft.ends_at and draft.ends_at <= draft.starts_at:
        raise PromotionInvalid("结束时间须晚于开始时间")
    return {
        "name": name,
        "tiers": [{"threshold": str(t), "amount": str(a)} for t, a in pairs],
        "scope": draft.scope,
        "category_ids": category_ids,
        "product_ids": product_ids,
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at,
        "stack_with_coupon": draft.stack_with_coupon,
    }


@transaction.atomic
def promotion_create(*, draft: PromotionDraft) -> Promotion:
    return Promotion.objects.create(**_fields_checked(draft))


@transaction.atomic
def promotion_update(*, promotion_id: int, draft: PromotionDraft) -> Promotion:
    """Change an activity not yet ended; orders placed before keep the discount they got."""
    fields = _fields_checked(draft)
    promotion = Promotion.objects.select_for_update().filter(pk=promotion_id).first()
    if promotion is None:
        raise PromotionNotFound()
    if promotion.status == Status.ENDED:
        raise PromotionStateError("已结束的活动不能修改")
    for field, value in fields.items():
        setattr(promotion, field, value)
    promotion.save(update_fields=list(fields))
    return promotion


# which status each action moves from, and to
_MOVES = {
    "pause": ({Status.ACTIVE}, Status.PAUSED, "只有进行中的活动可以暂停"),
    "resume": ({Status.PAUSED}, Status.ACTIVE, "只有已暂停的活动可以恢复"),
    "end": ({Status.ACTIVE, Status.PAUSED}, Status.ENDED, "活动已结束"),
}


@transaction.atomic
def promotion_set_status(*, promotion_id: int, action: str) -> Promotion:
    allowed, target, refusal = _MOVES[action]
    promotion = Promotion.objects.select_for_update().filter(pk=promotion_id).first()
    if promotion is None:
        raise PromotionNotFound()
    if promotion.status not in allowed:
        raise PromotionStateError(refusal)
    promotion.status = target
    promotion.save(update_fields=["status"])
    return promotion


def promotion_terms(promotion: Promotion) -> PromotionTerms:
    scope = Scope(
        everything=promotion.scope == Promotion.ScopeKind.ALL,
        category_ids=frozenset(promotion.category_ids),
        product_ids=frozenset(promotion.product_ids),
    )
    return PromotionTerms(
        id=promotion.pk,
        name=promotion.name,
        tiers=tuple((yuan(t["threshold"]), yuan(t["amount"])) for t in promotion.tiers),
        scope=scope,
        stack_with_coupon=promotion.stack_with_coupon,
    )


ACTIVE_AT = (
    "marketing_promotion.status = %s"
    " AND (marketing_promotion.starts_at IS NULL OR marketing_promotion.starts_at <= %s)"
    " AND (marketing_promotion.ends_at IS NULL OR marketing_promotion.ends_at > %s)"
)


def promotions_active(now: datetime) -> list[PromotionTerms]:
    """Active promotions whose window contains `now`, oldest first."""
    active = db.read(
        Promotion, ACTIVE_AT, [Status.ACTIVE, now, now], tail=" ORDER BY marketing_promotion.id"
    )
    return [promotion_terms(p) for p in active]


def promotions_list(*, status: str | None = None) -> QuerySet[Promotion]:
    qs = Promotion.objects.all()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-pk")
