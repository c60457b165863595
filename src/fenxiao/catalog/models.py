"""Categories (two levels), products (SPU), their images, SKUs with stock and its history,
freight templates (运费模板)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Category(models.Model):
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("显示", default=True)

    class Meta:
        verbose_name = "分类"
        verbose_name_plural = "分类"
        ordering = ["sort", "id"]

    def __str__(self):
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class FreightCharge(models.Model):
    """First units for a fee, then every further group of units for another fee (按件计费)."""

    first_units = models.PositiveIntegerField("首件（件）", default=1)
    first_fee = models.DecimalField("首费（元）", max_digits=12, decimal_places=2, default=0)
    additional_units = models.PositiveIntegerField("续件（件）", default=1)
    additional_fee = models.DecimalField("续费（元）", max_digits=12, decimal_places=2, default=0)

    class Meta:
        abstract = True

    @classmethod
    def charge_constraints(cls, prefix: str) -> list:
        return [
            models.CheckConstraint(
                condition=Q(first_units__gte=1, additional_units__gte=1),
                name=f"{prefix}_units_positive",
            ),
            models.CheckConstraint(
                condition=Q(first_fee__gte=0, additional_fee__gte=0),
                name=f"{prefix}_fees_not_negative",
            ),
        ]


class FreightTemplate(FreightCharge):
    """How a product's shipping is charged; its rules override the default per province."""

    name = models.CharField("名称", max_length=50, unique=True)
    free_above = models.DecimalField(
        "满额包邮（元）",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="同一模板商品实付金额达到此金额免运费；留空表示不包邮",
    )
    no_delivery = models.JSONField(
        "不配送地区", default=list, blank=True, help_text="下单时提示不配送"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "运费模板"
        verbose_name_plural = "运费模板"
        ordering = ["id"]
        constraints = [
            *FreightCharge.charge_constraints("freight_template"),
            models.CheckConstraint(
                condition=Q(free_above__isnull=True) | Q(free_above__gt=0),
                name="freight_template_free_above_positive",
            ),
        ]

    def __str__(self):
        return self.name


class FreightRule(FreightCharge):
    """A template's charge for some provinces, instead of its default."""

    template = models.ForeignKey(
        FreightTemplate, verbose_name="运费模板", on_delete=models.CASCADE, related_name="rules"
    )
    provinces = models.JSONField("地区", default=list)
    sort = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "指定地区运费"
        verbose_name_plural = "指定地区运费"
        ordering = ["sort", "id"]
        constraints = FreightCharge.charge_constraints("freight_rule")

    def __str__(self):
        return "、".join(self.provinces)


class Product(models.Model):
    class Status(models.TextChoices):
        ON_SHELF = "on_shelf", "上架"
        OFF_SHELF = "off_shelf", "下架"
        DRAFT = "draft", "草稿"

    name = models.CharField("名称", max_length=120)
    category = models.ForeignKey(
        Category,
        verbose_name="分类",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    description = models.TextField("详情", blank=True)
    freight_template = models.ForeignKey(
        FreightTemplate,
        verbose_name="运费模板",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        help_text="留空表示包邮",
    )
    tagline = models.CharField("推荐语", max_length=200, blank=True)
    selling_points = models.JSONField("卖点", default=list, blank=True)
    # indexed as the first column of (status, category) and of the shelf order
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    sort = models.IntegerField("排序", default=0)
    sales = models.PositiveIntegerField("销量", default=0)
    # name, tagline, selling points and category names, kept by services for substring search
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "商品"
        verbose_name_plural = "商品"
        ordering = ["sort", "-id"]
        indexes = [
            models.Index(fields=["status", "category"]),
            # the storefront list: on-shelf products in display order, read 20 at a time
            models.Index(fields=["status", "sort", "-id"], name="catalog_product_shelf_order"),
        ]

    def __str__(self):
        return self.name


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField("图片", upload_to="products/%Y/%m/")
    sort = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "商品图片"
        verbose_name_plural = "商品图片"
        ordering = ["sort", "id"]

    def __str__(self):
        return self.image.name


class Sku(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField("编码", max_length=64, blank=True)
    specs = models.JSONField("规格", default=dict, blank=True)
    price = models.DecimalField("售价", max_digits=12, decimal_places=2)
    cost = models.DecimalField("成本", max_digits=12, decimal_places=2, default=0)
    stock = models.IntegerField("库存", default=0)
    # bumped by every stock change, in the same UPDATE: a client setting an absolute stock
    # sends the version it read, and a stale one is refused (optimistic check)
    stock_version = models.PositiveIntegerField("库存版本", default=0)
    is_active = models.BooleanField("可售", default=True)

    class Meta:
        verbose_name = "SKU"
        verbose_name_plural = "SKU"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="sku_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="sku_price_positive"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="sku_cost_not_negative"),
        ]

    def __str__(self):
        spec = " ".join(f"{v}" for v in (self.specs or {}).values())
        return f"{self.product.name} {spec}".strip()


class StockMove(models.Model):
    """One change of a SKU's stock; the moves of a SKU add up to its stock (reconcile)."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "初始库存"
        ADJUST = "adjust", "调整"
        SET = "set", "盘点"
        ORDER = "order", "下单"
        CANCEL = "cancel", "取消订单"
        REFUND = "refund", "退货入库"

    sku = models.ForeignKey(
        Sku,
        verbose_name="SKU",
        on_delete=models.CASCADE,
        related_name="stock_moves",
        db_index=False,  # the first column of (sku, -id)
    )
    delta = models.IntegerField("变动")
    stock_after = models.IntegerField("变动后库存")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    reason = models.CharField("原因", max_length=200, blank=True)
    order_number = models.CharField("订单号", max_length=32, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作员工",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "库存记录"
        verbose_name_plural = "库存记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["sku", "-id"], name="catalog_stockmove_sku_recent")]
        constraints = [
            models.CheckConstraint(condition=~Q(delta=0), name="stock_move_delta_not_zero"),
            models.CheckConstraint(
                condition=Q(stock_after__gte=0), name="stock_move_after_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.delta:+d}"
