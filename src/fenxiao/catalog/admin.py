"""Console pages of the catalog: categories, products with their SKUs and pictures, the
stock history, freight templates with their per-province rules."""

from django import forms
from django.contrib import admin, messages
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html

from fenxiao.catalog import selectors, services
from fenxiao.catalog.errors import FreightTemplateInvalid
from fenxiao.catalog.forms import ProductForm, ProductImageForm, SkuForm, SkuFormSet
from fenxiao.catalog.models import (
    Category,
    FreightRule,
    FreightTemplate,
    Product,
    ProductImage,
    Sku,
    StockMove,
)
from fenxiao.catalog.provinces import PROVINCES
from fenxiao.catalog.selectors import product_list
from fenxiao.catalog.services.freight import CHARGE_FIELDS, provinces_clean, rules_check
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
    """The SKU grid, filled by the spec generator (static/catalog/sku_generator.js). SKUs are
    never deleted here: one whose specs are dropped becomes unsellable, keeping its orders and
    stock history, as the staff API does."""

    model = Sku
    form = SkuForm
    formset = SkuFormSet
    extra = 0
    can_delete = False
    fields = [
        "code",
        "specs",
        "price",
        "cost",
        "stock",
        "stock_change",
        "stock_reason",
        "is_active",
        "history",
    ]
    readonly_fields = ["stock", "history"]

    @admin.display(description="库存记录")
    def history(self, obj):
        if not obj.pk:
            return ""
        url = reverse("admin:catalog_stockmove_changelist") + f"?sku__id__exact={obj.pk}"
        return format_html('<a href="{}">查看</a>', url)


class ImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    extra = 0
    fields = ["stored", "upload", "sort"]


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
        "number",
        "thumb",
        "name",
        "category",
        "status",
        "price_range",
        "stock",
        "sales",
        "updated_at",
    ]
    list_display_links = ["number", "name"]
    list_filter = ["status", CategoryFilter]
    search_fields = ["name"]  # shows the search box; get_search_results does the searching
    search_help_text = "按名称、推荐语、卖点、分类名的任意片段，或 SKU 编码、商品 ID 搜索"
    list_select_related = ["category__parent"]
    list_per_page = 50
    inlines = [SkuInline, ImageInline]
    form = ProductForm
    actions = ["put_on_shelf", "take_off_shelf"]
    fields = [*ProductForm.Meta.fields, "sales"]
    readonly_fields = ["sales"]

    class Media:
        css = {"all": ["catalog/product_form.css"]}
        js = ["catalog/list_text.js", "catalog/sku_generator.js", "catalog/editor_zh.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("skus", "images")

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_image_view)
        return [
            path("upload-image/", upload, name="catalog_product_upload_image"),
            *super().get_urls(),
        ]

    def upload_image_view(self, request):
        """A picture for the detail editor, stored in our media; staff only, CSRF-checked."""
        if request.method != "POST":
            return JsonResponse({"message": "请通过“上传图片”按钮上传"}, status=405)
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            return JsonResponse({"message": "没有编辑商品的权限，不能上传图片"}, status=403)
        upload = request.FILES.get("image")
        if upload is None:
            return JsonResponse({"message": "请选择要上传的图片"}, status=400)
        try:
            stored = services.image_upload_store(upload=upload, folder="products/detail")
        except DomainError as exc:
            return JsonResponse({"message": exc.message}, status=400)
        return JsonResponse({"url": default_storage.url(stored)}, status=201)

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

    @admin.display(description="编号", ordering="id")
    def number(self, obj):
        return obj.pk

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

    def save_formset(self, request, form, formset, change):
        if formset.model is not Sku:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # lists new and changed rows for the change message
        for row in formset.forms:
            if not row.has_changed():
                continue
            self._save_sku(request, form.instance, row)

    def _save_sku(self, request, product: Product, row: SkuForm) -> None:
        """Through the services: everything but the stock, then the stock as an adjustment."""
        data = row.cleaned_data
        fields = {k: data.get(k) for k in ("code", "specs", "price", "cost", "is_active")}
        if row.instance.pk is None:
            row.instance = services.sku_create(
                product=product, stock=data.get("stock_change") or 0, staff=request.user, **fields
            )
            return
        services.sku_update(sku_id=row.instance.pk, **fields)
        if data.get("stock_change"):
            try:
                services.stock_adjust(
                    sku_id=row.instance.pk,
                    delta=data["stock_change"],
                    reason=data["stock_reason"],
                    staff=request.user,
                )
            except DomainError as exc:  # stock taken by orders since the form was checked
                self.message_user(request, f"{row.instance}: {exc.message}", messages.ERROR)

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


@admin.register(StockMove)
class StockMoveAdmin(admin.ModelAdmin):
    """The stock history, read-only: moves are written by the stock services only."""

    list_display = [
        "created_at",
        "sku_name",
        "kind",
        "delta_signed",
        "stock_after",
        "reason",
        "order_number",
        "staff",
    ]
    list_filter = ["kind"]
    search_fields = ["order_number", "sku__code"]
    search_help_text = "按订单号或 SKU 编码搜索"
    list_select_related = ["sku__product", "staff"]
    list_per_page = 50

    @admin.display(description="商品规格")
    def sku_name(self, obj):
        return f"{obj.sku}（{obj.sku.code}）" if obj.sku.code else str(obj.sku)

    @admin.display(description="变动", ordering="delta")
    def delta_signed(self, obj):
        return f"{obj.delta:+d}"

    def has_view_permission(self, request, obj=None):
        # whoever may see the SKUs may see how their stock moved
        return super().has_view_permission(request, obj) or request.user.has_perm(
            "catalog.view_sku"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


PROVINCE_HELP = "多个地区用顿号或逗号分隔，如：新疆、西藏；可填简称。全部地区：" + "、".join(
    PROVINCES
)


class ProvincesField(forms.CharField):
    """Province names typed as one line ("新疆、西藏"), stored as a list of full names."""

    def __init__(self, *, where: str, **kwargs):
        self.where = where
        kwargs.setdefault("widget", forms.TextInput(attrs={"style": "width:24em"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "、".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        for separator in "，,；; \u3000":
            text = text.replace(separator, "、")
        names = [name for name in text.split("、") if name.strip()]
        try:
            return provinces_clean(names, self.where)
        except FreightTemplateInvalid as exc:
            raise forms.ValidationError(exc.message) from exc


class FreightTemplateForm(forms.ModelForm):
    no_delivery = ProvincesField(
        label="不配送地区", where="不配送地区", required=False, help_text=PROVINCE_HELP
    )

    class Meta:
        model = FreightTemplate
        fields = [
            "name",
            "first_units",
            "first_fee",
            "additional_units",
            "additional_fee",
            "free_above",
            "no_delivery",
        ]

    def clean(self):
        data = super().clean()
        for field in ("first_fee", "additional_fee"):
            if data.get(field) is not None and data[field] < 0:
                self.add_error(field, "运费不能为负数")
        if data.get("free_above") is not None and data["free_above"] <= 0:
            self.add_error("free_above", "满额包邮金额须大于 0，不包邮请留空")
        return data


class FreightRuleForm(forms.ModelForm):
    provinces = ProvincesField(label="地区", where="指定地区运费", help_text="如：新疆、西藏")

    class Meta:
        model = FreightRule
        fields = ["provinces", *CHARGE_FIELDS]

    def clean(self):
        data = super().clean()
        for field in ("first_fee", "additional_fee"):
            if data.get(field) is not None and data[field] < 0:
                self.add_error(field, "运费不能为负数")
        return data


class FreightRuleFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [
            form.cleaned_data["provinces"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("provinces")
        ]
        try:
            rules_check(rules=rows, no_delivery=self.instance.no_delivery or [])
        except FreightTemplateInvalid as exc:
            raise forms.ValidationError(exc.message) from exc


class FreightRuleInline(admin.TabularInline):
    model = FreightRule
    form = FreightRuleForm
    formset = FreightRuleFormSet
    extra = 1
    fields = ["provinces", *CHARGE_FIELDS]


@admin.register(FreightTemplate)
class FreightTemplateAdmin(admin.ModelAdmin):
    """Saved through `freight_template_save`, the API's service, with the inline rows as rules;
    deleting one that products use is refused (the foreign key protects it)."""

    form = FreightTemplateForm
    inlines = [FreightRuleInline]
    list_display = ["name", "default_charge", "free_above", "rules_count", "products_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return selectors.freight_templates()

    @admin.display(description="默认运费")
    def default_charge(self, obj):
        return (
            f"首 {obj.first_units} 件 ¥{obj.first_fee}，"
            f"续 {obj.additional_units} 件 ¥{obj.additional_fee}"
        )

    @admin.display(description="指定地区")
    def rules_count(self, obj):
        return len(obj.rules.all())

    @admin.display(description="使用商品数", ordering="products_count")
    def products_count(self, obj):
        return obj.products_count

    def save_model(self, request, obj, form, change):
        pass  # saved with its rules in save_related, in one service call

    def save_related(self, request, form, formsets, change):
        rules = []
        for formset in formsets:
            formset.save(commit=False)  # lists new, changed, deleted rows for the change message
            rules += [
                {"provinces": row.cleaned_data["provinces"]}
                | {field: row.cleaned_data[field] for field in CHARGE_FIELDS}
                for row in formset.forms
                if row.cleaned_data
                and not row.cleaned_data.get("DELETE")
                and row.cleaned_data.get("provinces")
            ]
        data = form.cleaned_data
        template = services.freight_template_save(
            template_id=form.instance.pk,
            name=data["name"],
            free_above=data.get("free_above"),
            no_delivery=data.get("no_delivery") or [],
            rules=rules,
            **{field: data[field] for field in CHARGE_FIELDS},
        )
        form.instance.pk = template.pk
