from django.contrib import admin, messages
from django.utils.html import format_html

from fenxiao.catalog import services
from fenxiao.catalog.models import Category, Product, ProductImage, Sku
from fenxiao.errors import DomainError


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0
    fields = ["code", "specs", "price", "cost", "stock", "is_active"]


class ImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ["image", "preview", "sort"]
    readonly_fields = ["preview"]

    @admin.display(description="预览")
    def preview(self, obj):
        return format_html('<img src="{}" style="height:60px">', obj.image.url) if obj.pk else ""


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "sort", "is_active"]
    list_filter = ["parent", "is_active"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "thumb",
        "name",
        "category",
        "status",
        "price_range",
        "stock",
        "sales",
        "updated_at",
    ]
    list_display_links = ["id", "name"]
    list_filter = ["status", "category"]
    search_fields = ["name", "tagline", "search_text"]
    list_select_related = ["category"]
    inlines = [SkuInline, ImageInline]
    actions = ["put_on_shelf", "take_off_shelf"]
    fields = [
        "name",
        "category",
        "status",
        "sort",
        "tagline",
        "selling_points",
        "description",
        "sales",
    ]
    readonly_fields = ["sales"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("skus", "images")

    @admin.display(description="图片")
    def thumb(self, obj):
        images = list(obj.images.all())
        if not images:
            return ""
        return format_html('<img src="{}" style="height:40px">', images[0].image.url)

    @admin.display(description="价格")
    def price_range(self, obj):
        prices = [s.price for s in obj.skus.all() if s.is_active]
        if not prices:
            return "-"
        low, high = min(prices), max(prices)
        return f"¥{low}" if low == high else f"¥{low} - ¥{high}"

    @admin.display(description="库存")
    def stock(self, obj):
        return sum(s.stock for s in obj.skus.all() if s.is_active)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product = form.instance
        product.refresh_from_db()
        Product.objects.filter(pk=product.pk).update(search_text=services.search_text_for(product))

    def _set_status(self, request, queryset, status, label):
        try:
            n = services.products_set_status(
                product_ids=list(queryset.values_list("pk", flat=True)), status=status
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"已{label} {n} 个商品", messages.SUCCESS)

    @admin.action(description="上架所选商品", permissions=["change"])
    def put_on_shelf(self, request, queryset):
        self._set_status(request, queryset, Product.Status.ON_SHELF, "上架")

    @admin.action(description="下架所选商品", permissions=["change"])
    def take_off_shelf(self, request, queryset):
        self._set_status(request, queryset, Product.Status.OFF_SHELF, "下架")
