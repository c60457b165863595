"""Console pages: plan (validated, audited), grades, distributors with their tree and ledger,
commission lines, bindings."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from fenxiao.distribution import selectors
from fenxiao.distribution.models import (
    Binding,
    BindingEvent,
    Commission,
    Distributor,
    Grade,
    Plan,
    PlanChange,
    ProductCommission,
)
from fenxiao.distribution.services import distributors, grades, plan
from fenxiao.errors import DomainError
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.ledger import services as ledger


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = plan.FIELDS

    def clean(self):
        data = super().clean()
        submitted = {f: data.get(f) for f in plan.FIELDS}
        try:
            self.clean_plan = plan.plan_validate(submitted)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    form = PlanForm
    list_display = [
        "__str__",
        "bind_rule",
        "self_purchase",
        "freeze_days",
        "updated_at",
        "updated_by",
    ]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request):
        return not Plan.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            for warning in plan.plan_warnings(obj):
                messages.warning(request, warning)
        context["subtitle"] = f"本部署最多允许 {settings.MAX_LEVELS} 级分销"
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def save_model(self, request, obj, form, change):
        saved = plan.plan_update(data=plan.plan_as_dict(obj), staff=request.user, source="console")
        obj.pk = saved.pk


@admin.register(PlanChange)
class PlanChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "changed_by", "source"]
    readonly_fields = ["changed_at", "changed_by", "source", "before", "after"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GradeForm(forms.ModelForm):
    class Meta:
        model = Grade
        fields = ["name", "rank", "is_default", "rates", "withdraw_min", "withdraw_daily_max",
                  "withdraw_fee_percent", "privileges", "upgrade_own_sales",
                  "upgrade_team_sales", "upgrade_direct_buyers"]

    def clean_rates(self):
        try:
            return grades.rates_validate(self.cleaned_data.get("rates") or [])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    form = GradeForm
    list_display = [
        "name",
        "rank",
        "is_default",
        "rates",
        "withdraw_min",
        "withdraw_daily_max",
        "upgrade_own_sales",
        "upgrade_team_sales",
        "upgrade_direct_buyers",
    ]

    def save_model(self, request, obj, form, change):
        grades.grade_save(grade=obj)


@admin.register(Distributor)
class DistributorAdmin(admin.ModelAdmin):
    list_display = ["user", "referral_code", "status", "grade", "team", "balances", "created_at"]
    list_filter = ["status", "grade"]
    search_fields = ["user__phone", "user__nickname", "referral_code", "real_name"]
    list_select_related = ["user", "grade"]
    readonly_fields = ["user", "referral_code", "created_at", "activated_at", "reviewed_by"]
    fields = [
        "user",
        "referral_code",
        "status",
        "grade",
        "real_name",
        "apply_reason",
        "review_note",
        "created_at",
        "activated_at",
        "reviewed_by",
    ]
    actions = ["approve", "reject", "freeze", "unfreeze"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="团队（一/二/三级）")
    def team(self, obj):
        counts = selectors.team_counts(user_id=obj.pk)
        url = reverse("admin:distribution_distributor_tree", args=[obj.pk])
        return format_html('<a href="{}">{} / {} / {}</a>', url, counts[1], counts[2], counts[3])

    @admin.display(description="余额（待结算/可提现/提现中）")
    def balances(self, obj):
        b = ledger.balances_of(obj.pk)
        url = reverse("admin:distribution_distributor_ledger", args=[obj.pk])
        return format_html(
            '<a href="{}">¥{} / ¥{} / ¥{}</a>', url, b["frozen"], b["available"], b["withdrawing"]
        )

    def get_urls(self):
        own = [
            path(
                "<int:pk>/tree/",
                self.admin_site.admin_view(self.tree_view),
                name="distribution_distributor_tree",
            ),
            path(
                "<int:pk>/ledger/",
                self.admin_site.admin_view(self.ledger_view),
                name="distribution_distributor_ledger",
            ),
        ]
        return own + super().get_urls()

    def tree_view(self, request, pk):
        found = get_object_or_404(Distributor.objects.select_related("user"), pk=pk)
        levels = [(n, selectors.team(user_id=pk, level=n)) for n in (1, 2, 3)]
        return render(
            request,
            "console/distributor_tree.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{found.user} 的团队",
                "distributor": found,
                "levels": levels,
                "opts": self.model._meta,
            },
        )

    def ledger_view(self, request, pk):
        found = get_object_or_404(Distributor.objects.select_related("user"), pk=pk)
        return render(
            request,
            "console/distributor_ledger.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{found.user} 的账户流水",
                "distributor": found,
                "balances": ledger.balances_of(pk),
                "entries": ledger_selectors.entries_of(user_id=pk)[:200],
                "opts": self.model._meta,
            },
        )

    def _act(self, request, queryset, action, label):
        done = 0
        for found in queryset:
            try:
                action(distributor_id=found.pk, staff=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{found}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"已{label} {done} 位分销商", messages.SUCCESS)

    @admin.action(description="通过申请", permissions=["change"])
    def approve(self, request, queryset):
        self._act(request, queryset, distributors.distributor_approve, "通过")

    @admin.action(description="拒绝申请", permissions=["change"])
    def reject(self, request, queryset):
        self._act(request, queryset, distributors.distributor_reject, "拒绝")

    @admin.action(description="冻结", permissions=["change"])
    def freeze(self, request, queryset):
        self._act(request, queryset, distributors.distributor_freeze, "冻结")

    @admin.action(description="解冻", permissions=["change"])
    def unfreeze(self, request, queryset):
        self._act(request, queryset, distributors.distributor_unfreeze, "解冻")


@admin.register(Commission)
class CommissionAdmin(admin.ModelAdmin):
    list_display = [
        "order_number",
        "beneficiary",
        "level",
        "product_name",
        "quantity",
        "base",
        "rate_display",
        "original_amount",
        "amount",
        "status",
        "created_at",
        "settled_at",
    ]
    list_filter = ["status", "level", "rate_source", "created_at"]
    search_fields = ["order_number", "beneficiary__phone", "beneficiary__nickname", "product_name"]
    list_select_related = ["beneficiary"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="比例/金额")
    def rate_display(self, obj):
        value = format(obj.rate.normalize(), "f")
        return f"{value}%" if obj.rate_kind == "percent" else f"¥{value}/件"


@admin.register(Binding)
class BindingAdmin(admin.ModelAdmin):
    list_display = ["user", "inviter", "bound_at", "expires_at", "source"]
    search_fields = ["user__phone", "inviter__phone"]
    list_select_related = ["user", "inviter"]
    readonly_fields = ["user", "inviter", "bound_at", "expires_at", "source"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BindingEvent)
class BindingEventAdmin(BindingAdmin):
    list_display = ["at", "kind", "user", "inviter", "previous_inviter", "source", "product"]
    list_filter = ["kind", "source"]
    list_select_related = ["user", "inviter", "previous_inviter", "product"]
    readonly_fields = list_display


@admin.register(ProductCommission)
class ProductCommissionAdmin(admin.ModelAdmin):
    list_display = ["product", "rates"]
    search_fields = ["product__name"]
    autocomplete_fields = ["product"]

    def save_model(self, request, obj, form, change):
        try:
            grades.product_commission_set(product_id=obj.product_id, rates=obj.rates)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
