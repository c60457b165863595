"""商品独立佣金 on the product page: catalog's product admin, composed here with an inline
of the product's own commission rates, so catalog never imports distribution."""

from django import forms
from django.contrib import admin

from fenxiao.catalog.admin import ProductAdmin as CatalogProductAdmin
from fenxiao.catalog.models import Product
from fenxiao.distribution.admin.grades import product_rates_rows
from fenxiao.distribution.admin.rates import RATES_HELP, RatesField
from fenxiao.distribution.models import ProductCommission
from fenxiao.distribution.services import grades
from fenxiao.errors import DomainError


class ProductCommissionInlineForm(forms.ModelForm):
    rates = RatesField(
        label="独立佣金",
        required=False,
        help_text="优先于分销等级和方案的佣金；清空或删除则按等级 / 方案计佣。" + RATES_HELP,
    )

    class Meta:
        model = ProductCommission
        fields = ["rates"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        product_rates_rows(self.fields["rates"].widget)

    def clean_rates(self):
        try:
            return grades.product_rates_validate(self.cleaned_data.get("rates") or [])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


class ProductCommissionInline(admin.StackedInline):
    model = ProductCommission
    form = ProductCommissionInlineForm
    verbose_name = verbose_name_plural = "商品独立佣金"
    extra = 1
    max_num = 1


admin.site.unregister(Product)


@admin.register(Product)
class ProductAdmin(CatalogProductAdmin):
    inlines = [*CatalogProductAdmin.inlines, ProductCommissionInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProductCommission:
            return super().save_formset(request, form, formset, change)
        # written by the service, as from the API; the lists feed the admin's change message
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        product_id = formset.instance.pk
        for inline in formset.forms:
            stored = inline in formset.initial_forms
            if inline in formset.deleted_forms:
                if stored:
                    grades.product_commission_set(product_id=product_id, rates=None)
                    formset.deleted_objects.append(inline.instance)
                continue
            if not inline.has_changed():
                continue
            rates = inline.cleaned_data.get("rates") or None
            saved = grades.product_commission_set(product_id=product_id, rates=rates)
            if saved is None:
                if stored:
                    formset.deleted_objects.append(inline.instance)
            elif stored:
                formset.changed_objects.append((saved, ["rates"]))
            else:
                formset.new_objects.append(saved)
        return None
