"""分销等级 and per-product commission rates."""

from django import forms
from django.contrib import admin

from fenxiao.distribution import rules
from fenxiao.distribution.admin.rates import RATES_HELP, RatesField
from fenxiao.distribution.admin.texts import rates_text
from fenxiao.distribution.models import (
    Grade,
    ProductCommission,
)
from fenxiao.distribution.services import grades
from fenxiao.distribution.services.plan import plan_get
from fenxiao.errors import DomainError


def product_rates_rows(widget) -> None:
    """A product's own rates have the plan's levels and its cap."""
    current = plan_get()
    widget.levels = min(current.levels, rules.max_levels())
    widget.share = current.max_commission_share


class GradeForm(forms.ModelForm):
    rates = RatesField(label="等级佣金", required=False)
    NOT_NEGATIVE = [
        "withdraw_min",
        "withdraw_daily_max",
        "withdraw_fee_percent",
        "upgrade_own_sales",
        "upgrade_team_sales",
    ]

    class Meta:
        model = Grade
        fields = [
            "name",
            "rank",
            "is_default",
            "rates",
            "withdraw_min",
            "withdraw_daily_max",
            "withdraw_daily_count",
            "withdraw_fee_percent",
            "privileges",
            "upgrade_own_sales",
            "upgrade_team_sales",
            "upgrade_direct_buyers",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_texts = {
            "rates": "留空则使用分销方案的佣金。" + RATES_HELP,
            "is_default": "新分销商的等级；只能有一个，勾选后原默认等级自动取消",
            "withdraw_daily_count": "每天（北京时间）最多提现几次，至少 1 次；被拒绝或取消的不计",
        }
        for name, text in help_texts.items():
            if name in self.fields:  # a view-only page has no form fields
                self.fields[name].help_text = text
        if "rates" in self.fields:
            self.fields["rates"].widget.share = plan_get().max_commission_share

    def clean_rates(self):
        try:
            return grades.rates_validate(self.cleaned_data.get("rates") or [])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_is_default(self):
        is_default = self.cleaned_data.get("is_default")
        if self.instance.pk and self.instance.is_default and not is_default:
            raise forms.ValidationError("必须保留一个默认等级：请在另一个等级上勾选“默认等级”")
        return is_default

    def clean(self):
        data = super().clean()
        for field in self.NOT_NEGATIVE:
            value = data.get(field)
            if value is not None and value < 0:
                self.add_error(field, "不能为负数")
        count = data.get("withdraw_daily_count")
        if count is not None and count < 1:
            self.add_error("withdraw_daily_count", grades.DAILY_COUNT_MESSAGE)
        fee = data.get("withdraw_fee_percent")
        if fee is not None and fee > 100:
            self.add_error("withdraw_fee_percent", "手续费须在 0 到 100% 之间")
        return data

    def _get_validation_exclusions(self):
        # grade_save moves the default from the old grade: the one-default constraint holds
        # after saving, so it must not refuse the form beforehand
        return super()._get_validation_exclusions() | {"is_default"}


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    form = GradeForm
    change_form_template = "console/change_form.html"
    list_display = [
        "name",
        "rank",
        "is_default",
        "rates_display",
        "withdraw_min",
        "withdraw_daily_max",
        "withdraw_daily_count",
        "upgrade_display",
    ]

    @admin.display(description="自动升级条件（全部达到）")
    def upgrade_display(self, obj):
        parts = []
        if obj.upgrade_own_sales is not None:
            parts.append(f"个人销售额 ¥{obj.upgrade_own_sales}")
        if obj.upgrade_team_sales is not None:
            parts.append(f"团队销售额 ¥{obj.upgrade_team_sales}")
        if obj.upgrade_direct_buyers is not None:
            parts.append(f"已购直推 {obj.upgrade_direct_buyers} 人")
        return " · ".join(parts) or "不自动升级"

    @admin.display(description="等级佣金")
    def rates_display(self, obj):
        return rates_text(obj.rates) if obj.rates else "同方案"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        # read-only staff see the rates in words rather than JSON
        return ["rates_display" if f == "rates" else f for f in fields]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "rates_display"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        previous = Grade.objects.filter(is_default=True).exclude(pk=obj.pk).first()
        grades.grade_save(grade=obj)
        if obj.is_default and previous is not None:
            self.message_user(request, f"「{obj}」已设为默认等级，「{previous}」不再是默认等级")


class ProductCommissionForm(forms.ModelForm):
    rates = RatesField(label="佣金")

    class Meta:
        model = ProductCommission
        fields = ["product", "rates"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "rates" in self.fields:
            product_rates_rows(self.fields["rates"].widget)

    def clean_rates(self):
        try:
            return grades.product_rates_validate(self.cleaned_data.get("rates"))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(ProductCommission)
class ProductCommissionAdmin(admin.ModelAdmin):
    form = ProductCommissionForm
    change_form_template = "console/change_form.html"
    list_display = ["product", "rates_display"]
    list_select_related = ["product"]
    search_fields = ["product__name"]
    autocomplete_fields = ["product"]

    @admin.display(description="佣金")
    def rates_display(self, obj):
        return rates_text(obj.rates)

    def get_readonly_fields(self, request, obj=None):
        return ["product"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        grades.product_commission_set(product_id=obj.product_id, rates=obj.rates)

    def delete_model(self, request, obj):
        grades.product_commission_set(product_id=obj.product_id, rates=None)


# distributors
