"""Console pages of the catalog: categories, products with their SKUs and pictures."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html

from fenxiao.catalog import selectors, services
from fenxiao.catalog.models import Category, Product, ProductImage, Sku
from fenxiao.catalog.selectors import product_list
from fenxiao.errors import DomainError


def _categories():
    # a category's name includes its parent's: fetch both in one query
    return Category.objects.select_related("parent").order_by("sort", "id")


class CategoryFilter(admin.SimpleListFilter):
    """By category; a top-level category includes its sub-categories."""

    title = "分类"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        categories = list(_categories())
        top = [c for c in categories if c.parent_id is None]
        children = {}
        for c in categories:
            if c.parent_id is not None:
                children.setdefault(c.parent_id, []).append(c)
        rows = []
        for parent in top:
            rows.append((str(parent.pk), parent.name))
            rows += [(str(c.pk), f"\u3000{c.name}") for c in children.get(parent.pk, [])]
        return rows

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        category_id = int(self.value())
        return queryset.filter(Q(category_id=category_id) | Q(category__parent_id=category_id))


class ParentFilter(admin.SimpleListFilter):
    title = "上级分类"
    parameter_name = "parent"

    def lookups(self, request, model_admin):
        rows = [("none", "（一级分类）")]
        return rows + [(str(c.pk), c.name) for c in _categories().filter(parent__isnull=True)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(parent__isnull=True)
        if (self.value() or "").isdigit():
            return queryset.filter(parent_id=int(self.value()))
        return queryset


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "parent", "sort", "is_active"]

    def clean_parent(self):
        """Two levels only: the same rules as `category_save`, as form errors."""
        parent = self.cleaned_data.get("parent")
        if parent is None:
            return parent
        if parent.parent_id or parent.pk == self.instance.pk:
            raise forms.ValidationError("只能选择一级分类作为上级分类")
        if self.instance.pk and self.instance.children.exists():
            raise forms.ValidationError("有子分类的分类不能再放到其他分类下")
        return parent


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
    form = CategoryForm
    list_display = ["name", "parent", "sort", "is_active"]
    list_filter = [ParentFilter, "is_active"]
    list_select_related = ["parent"]
    search_fields = ["name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = _categories().filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj)

    def delete_model(self, request, obj):
        services.categories_delete(category_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.categories_delete(category_ids=list(queryset.values_list("pk", flat=True)))


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
    list_filter = ["status", CategoryFilter]
    search_fields = ["name"]  # shows the search box; get_search_results does the searching
    search_help_text = "按名称、推荐语、卖点、分类名的任意片段，或 SKU 编码、商品 ID 搜索"
    list_select_related = ["category__parent"]
    list_per_page = 50
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

    def get_search_results(self, request, queryset, search_term):
        """The storefront's indexed substring search (trigram), plus SKU code and id."""
        term = search_term.strip()
        if not term:
            return queryset, False
        matches = Q(pk__in=product_list(q=term, on_shelf_only=False).values("pk"))
        matches |= Q(pk__in=Sku.objects.filter(code__iexact=term).values("product_id"))
        if term.isdigit():
            matches |= Q(pk=int(term))
        return queryset.filter(matches), False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = _categories()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="图片")
    def thumb(self, obj):
        images = list(obj.images.all())
        if not images:
            return ""
        return format_html('<img src="{}" style="height:40px">', images[0].image.url)

    @admin.display(description="价格")
    def price_range(self, obj):
        low, high = selectors.price_range(obj)
        if low is None:
            return "-"
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
