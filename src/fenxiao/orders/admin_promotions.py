"""Console page of 满减 promotions: tiers edited as rows, pause / resume / end, and the sales
each brought. In orders because those sales are orders (marketing never reads orders)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from fenxiao.catalog.models import Category, Product
from fenxiao.errors import DomainError
from fenxiao.marketing import promotions
from fenxiao.marketing.models import Promotion
from fenxiao.money import round_sum_to_fen
from fenxiao.orders.models import OrderDiscount
from fenxiao.orders.selectors import with_discount_sales

TIER_ROWS = 5


class PromotionForm(forms.ModelForm):
    categories = forms.ModelMultipleChoiceField(
        Category.objects.all(), required=False, label="适用分类"
    )
    products = forms.ModelMultipleChoiceField(
        Product.objects.all(), required=False, label="适用商品"
    )

    class Meta:
        model = Promotion
        fields = ["name", "scope", "starts_at", "ends_at", "stack_with_coupon"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for row, tier in enumerate(self.instance.tiers[:TIER_ROWS], start=1):
                self.fields[f"threshold_{row}"].initial = tier["threshold"]
                self.fields[f"amount_{row}"].initial = tier["amount"]
            self.fields["categories"].initial = self.instance.category_ids
            self.fields["products"].initial = self.instance.product_ids

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.instance.status == Promotion.Status.ENDED:
            raise ValidationError("已结束的活动不能修改")
        tiers = []
        for row in range(1, TIER_ROWS + 1):
            threshold, amount = data.get(f"threshold_{row}"), data.get(f"amount_{row}")
            if threshold is None and amount is None:
                continue
            if threshold is None or amount is None:
                raise ValidationError(f"第 {row} 档请同时填写门槛金额和减免金额")
            tiers.append({"threshold": str(threshold), "amount": str(amount)})
        self.draft = promotions.PromotionDraft(
            name=data.get("name") or "",
            tiers=tiers,
            scope=data.get("scope") or "",
            category_ids=tuple(c.pk for c in data.get("categories") or ()),
            product_ids=tuple(p.pk for p in data.get("products") or ()),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            stack_with_coupon=bool(data.get("stack_with_coupon")),
        )
        try:  # the service's own checks, so the form says what is wrong before saving
            promotions.tiers_checked(tiers)
            promotions.scope_checked(self.draft)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc
        return data


def _tier_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, max_digits=12, decimal_places=2)


# the tier rows are declared on the class, so the admin knows them as form fields
for _row in range(1, TIER_ROWS + 1):
    for _name, _label in ((f"threshold_{_row}", "满"), (f"amount_{_row}", "减")):
        _field = _tier_field(f"第 {_row} 档：{_label}（元）")
        PromotionForm.base_fields[_name] = PromotionForm.declared_fields[_name] = _field


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    form = PromotionForm
    list_display = [
        "name",
        "tiers_text",
        "scope",
        "starts_at",
        "ends_at",
        "stack_with_coupon",
        "status",
        "orders_brought",
        "sales_brought",
    ]
    list_filter = ["status", "scope"]
    search_fields = ["name"]
    actions = ["pause", "resume", "end"]
    fieldsets = [
        (None, {"fields": ["name", "stack_with_coupon", ("starts_at", "ends_at")]}),
        (
            "满减档位（从低到高，减免金额须小于门槛）",
            {"fields": [(f"threshold_{row}", f"amount_{row}") for row in range(1, TIER_ROWS + 1)]},
        ),
        ("适用范围", {"fields": ["scope", "categories", "products"]}),
    ]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return with_discount_sales(qs, kind=OrderDiscount.Kind.FULL_REDUCTION)

    def has_delete_permission(self, request, obj=None):
        return False  # orders keep pointing at it: end it instead

    @admin.display(description="满减档位")
    def tiers_text(self, obj):
        return "，".join(f"满{t['threshold']}减{t['amount']}" for t in obj.tiers)

    @admin.display(description="带来订单", ordering="sold_orders")
    def orders_brought(self, obj):
        return obj.sold_orders or 0

    @admin.display(description="带来销售额（元）")
    def sales_brought(self, obj):
        return round_sum_to_fen(obj.sold_total)

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = promotions.promotion_update(promotion_id=obj.pk, draft=form.draft)
            else:
                saved = promotions.promotion_create(draft=form.draft)
        except DomainError as exc:  # checked by the form already; a race at most
            raise ValidationError(exc.message) from exc
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # scope ids are saved by the service, not as relations

    def _move(self, request, queryset, action: str, done: str):
        moved, refused = 0, []
        for promotion in queryset.order_by("pk"):
            try:
                promotions.promotion_set_status(promotion_id=promotion.pk, action=action)
                moved += 1
            except DomainError as exc:
                refused.append(f"{promotion.name}: {exc.message}")
        if moved:
            self.message_user(request, f"已{done} {moved} 个活动", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="暂停所选活动", permissions=["change"])
    def pause(self, request, queryset):
        self._move(request, queryset, "pause", "暂停")

    @admin.action(description="恢复所选活动", permissions=["change"])
    def resume(self, request, queryset):
        self._move(request, queryset, "resume", "恢复")

    @admin.action(description="结束所选活动", permissions=["change"])
    def end(self, request, queryset):
        self._move(request, queryset, "end", "结束")
