"""Marketing data: 满减 promotions (coupons and points come with their own models)."""

from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 12, "decimal_places": 2}


class Promotion(models.Model):
    """满减: tiers [{"threshold": "200.00", "amount": "20.00"}, ...], thresholds ascending;
    the scope is everything, or the listed categories, or the listed products."""

    class Status(models.TextChoices):
        ACTIVE = "active", "进行中"
        PAUSED = "paused", "已暂停"
        ENDED = "ended", "已结束"

    class ScopeKind(models.TextChoices):
        ALL = "all", "全部商品"
        CATEGORIES = "categories", "指定分类"
        PRODUCTS = "products", "指定商品"

    name = models.CharField("活动名称", max_length=64)
    kind = models.CharField("类型", max_length=20, default="full_reduction", editable=False)
    tiers = models.JSONField("满减档位", default=list)
    scope = models.CharField(
        "适用范围", max_length=16, choices=ScopeKind.choices, default=ScopeKind.ALL
    )
    category_ids = models.JSONField("分类", default=list, blank=True)
    product_ids = models.JSONField("商品", default=list, blank=True)
    starts_at = models.DateTimeField("开始时间", null=True, blank=True)
    ends_at = models.DateTimeField("结束时间", null=True, blank=True)
    stack_with_coupon = models.BooleanField("可与优惠券同享", default=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "满减活动"
        verbose_name_plural = "满减活动"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="promotion_window_ordered",
            )
        ]

    def __str__(self):
        return self.name
