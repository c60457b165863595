"""What the buyer's client shows of the shop itself: name, logo, colours, share text, banners."""

import string

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from fenxiao.catalog.models import Category, Product

THEME_COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"
theme_color_validator = RegexValidator(
    THEME_COLOR_PATTERN, "主题色须为 #RRGGBB 格式，如 #E4393C", "invalid_color"
)

# the client fills these in when a buyer taps 复制分享文案; nothing else may appear in braces
SHARE_PLACEHOLDERS = ("name", "price", "tagline", "url")
DEFAULT_SHARE_TEXT = "{name} 只要 ¥{price}，{tagline}"
DEFAULT_THEME_COLOR = "#E4393C"
DEFAULT_SHOP_NAME = "fenxiao 商城"


def validate_share_text(value: str) -> None:
    allowed = "、".join("{" + name + "}" for name in SHARE_PLACEHOLDERS)
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise ValidationError(f"分享文案的花括号不成对；可用的占位符: {allowed}") from exc
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in SHARE_PLACEHOLDERS or spec or conversion:
            raise ValidationError(f"分享文案不认识占位符 {{{field}}}；可用的占位符: {allowed}")


class ShopSettings(models.Model):
    """The one row of shop settings (id 1); until staff save it the defaults apply."""

    SINGLETON_ID = 1

    # no default: saving a row with id 1 updates the row that exists, or inserts it
    id = models.PositiveSmallIntegerField(primary_key=True, editable=False)
    name = models.CharField("店铺名称", max_length=40, default=DEFAULT_SHOP_NAME)
    logo = models.ImageField("店铺 logo", upload_to="storefront/", blank=True)
    theme_color = models.CharField(
        "主题色",
        max_length=7,
        default=DEFAULT_THEME_COLOR,
        validators=[theme_color_validator],
        help_text="#RRGGBB，如 #E4393C；按钮、价格和导航栏使用此颜色",
    )
    share_text = models.CharField(
        "分享文案",
        max_length=200,
        default=DEFAULT_SHARE_TEXT,
        validators=[validate_share_text],
        help_text="买家点“复制分享文案”时使用；可用占位符: {name} 商品名、{price} 价格、"
        "{tagline} 推荐语、{url} 分享链接",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "店铺设置"
        verbose_name_plural = "店铺设置"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="shop_settings_singleton")]

    def __str__(self):
        return self.name


class Banner(models.Model):
    """A picture of the home page's carousel, linking to a product, a category or nowhere."""

    image = models.ImageField("图片", upload_to="storefront/banners/")
    title = models.CharField("标题", max_length=60)
    product = models.ForeignKey(
        Product,
        verbose_name="链接商品",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.ForeignKey(
        Category,
        verbose_name="链接分类",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort = models.IntegerField("排序", default=0, help_text="小的在前")
    is_active = models.BooleanField("显示", default=True)
    starts_at = models.DateTimeField("开始时间", null=True, blank=True, help_text="留空为立即")
    ends_at = models.DateTimeField("结束时间", null=True, blank=True, help_text="留空为长期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "首页轮播图"
        verbose_name_plural = "首页轮播图"
        ordering = ["sort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=True) | Q(category__isnull=True),
                name="banner_links_one_target",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="banner_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "sort"], name="storefront_banner_shown")]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.product_id and self.category_id:
            errors["category"] = "只能链接一个商品或一个分类，不能同时选择"
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "结束时间须晚于开始时间"
        if errors:
            raise ValidationError(errors)
