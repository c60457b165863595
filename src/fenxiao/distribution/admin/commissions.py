"""佣金明细 and binding records: read-only, filterable."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from fenxiao.console.admin_base import ExportMixin, ReadOnlyAdmin, money_text
from fenxiao.distribution.admin.texts import BINDING_SOURCES, LEVEL_NAMES, RATE_SOURCES
from fenxiao.distribution.exports import COMMISSIONS
from fenxiao.distribution.models import (
    Binding,
    BindingEvent,
    Commission,
)

BASE_KINDS = {"paid": "实付金额", "profit": "利润"}


class LevelFilter(admin.SimpleListFilter):
    title = "层级"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [(str(n), name) for n, name in LEVEL_NAMES.items()]

    def queryset(self, request, queryset):
        return (
            queryset.filter(level=int(self.value()))
            if self.value() in ("1", "2", "3")
            else queryset
        )


class RateSourceFilter(admin.SimpleListFilter):
    title = "佣金来源"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return list(RATE_SOURCES.items())

    def queryset(self, request, queryset):
        return (
            queryset.filter(rate_source=self.value()) if self.value() in RATE_SOURCES else queryset
        )


@admin.register(Commission)
class CommissionAdmin(ExportMixin, ReadOnlyAdmin):
    export = COMMISSIONS
    # the money first, so it stays in view at 1280 px beside the filters
    list_display = [
        "order_link",
        "beneficiary_display",
        "level_display",
        "amount_display",
        "status",
        "base_display",
        "rate_display",
        "product_display",
        "created_at",
    ]
    list_filter = ["status", LevelFilter, RateSourceFilter, "created_at"]
    search_fields = ["order_number", "beneficiary__phone", "beneficiary__nickname", "product_name"]
    search_help_text = "按订单号、受益人手机号或昵称、商品名搜索"
    list_select_related = ["beneficiary"]
    list_per_page = 50
    fields = [
        "order_link",
        "beneficiary_display",
        "level_display",
        "product_name",
        "quantity",
        "base",
        "base_kind_display",
        "share_cap",
        "points_counted",
        "rate_display",
        "source_display",
        "original_amount",
        "amount",
        "status",
        "created_at",
        "settled_at",
    ]
    readonly_fields = fields
    date_hierarchy = "created_at"

    @admin.display(description="订单号", ordering="order_number")
    def order_link(self, obj):
        url = reverse("admin:orders_order_change", args=[obj.order_id])
        return format_html('<a href="{}">{}</a>', url, obj.order_number)

    @admin.display(description="受益人", ordering="beneficiary__phone")
    def beneficiary_display(self, obj):
        return format_html('{}<span class="sub">{}</span>', obj.beneficiary, obj.beneficiary.phone)

    @admin.display(description="佣金（元）", ordering="amount")
    def amount_display(self, obj):
        if obj.amount == obj.original_amount:
            return money_text(obj.amount)
        return format_html(
            '{}<span class="sub">原 {}</span>',
            money_text(obj.amount),
            money_text(obj.original_amount),
        )

    @admin.display(description="基数类型")
    def base_kind_display(self, obj):
        return BASE_KINDS.get(obj.base_kind, obj.base_kind)

    @admin.display(description="基数（元）", ordering="base")
    def base_display(self, obj):
        return money_text(obj.base)

    @admin.display(description="商品", ordering="product_name")
    def product_display(self, obj):
        source = RATE_SOURCES.get(obj.rate_source, obj.rate_source)
        return format_html(
            '{} × {}<span class="sub">{}</span>', obj.product_name, obj.quantity, source
        )

    @admin.display(description="层级", ordering="level")
    def level_display(self, obj):
        return LEVEL_NAMES.get(obj.level, obj.level)

    @admin.display(description="比例/金额")
    def rate_display(self, obj):
        value = format(obj.rate.normalize(), "f")
        return f"{value}%" if obj.rate_kind == "percent" else f"¥{value}/件"

    @admin.display(description="佣金来源", ordering="rate_source")
    def source_display(self, obj):
        return RATE_SOURCES.get(obj.rate_source, obj.rate_source)


# bindings


class BindingSourceFilter(admin.SimpleListFilter):
    title = "来源"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return list(BINDING_SOURCES.items())

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(Binding)
class BindingAdmin(admin.ModelAdmin):
    list_display = ["user", "inviter", "bound_at", "expires_at", "source_display"]
    search_fields = ["user__phone", "user__nickname", "inviter__phone", "inviter__nickname"]
    list_select_related = ["user", "inviter"]
    fields = ["user", "inviter", "bound_at", "expires_at", "source_display"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # bindings change only through the binding rules, which record it

    @admin.display(description="来源")
    def source_display(self, obj):
        return BINDING_SOURCES.get(obj.source, obj.source)


@admin.register(BindingEvent)
class BindingEventAdmin(BindingAdmin):
    list_display = [
        "at",
        "kind",
        "user",
        "inviter",
        "previous_inviter",
        "source_display",
        "product",
    ]
    list_filter = ["kind", BindingSourceFilter]
    list_select_related = ["user", "inviter", "previous_inviter", "product"]
    fields = ["at", "kind", "user", "inviter", "previous_inviter", "source_display", "product"]
    readonly_fields = fields
