"""Console pages of orders: the order list and detail, and shipping through an action."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from fenxiao.console.admin_base import ActionsOnlyAdmin, ExportMixin, ReadOnlyInline, money_text
from fenxiao.errors import DomainError
from fenxiao.orders import admin_promotions, services
from fenxiao.orders.exports import ORDERS
from fenxiao.orders.models import Order, OrderDiscount, OrderLine, RefundLine

__all__ = ["admin_promotions"]  # registers the promotions page

CARRIERS = [
    "顺丰速运",
    "中通快递",
    "圆通速递",
    "韵达快递",
    "申通快递",
    "京东物流",
    "EMS",
    "极兔速递",
]


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = [
        "product_name",
        "sku_specs",
        "unit_price",
        "quantity",
        "discount",
        "points_amount",
        "amount",
        "refunded_quantity",
        "refunded_amount",
    ]
    readonly_fields = fields


class OrderDiscountInline(ReadOnlyInline):
    model = OrderDiscount
    fields = ["kind", "name", "amount"]
    readonly_fields = fields
    verbose_name_plural = "优惠明细（满减、优惠券、积分）"


@admin.register(Order)
class OrderAdmin(ExportMixin, ActionsOnlyAdmin):
    export = ORDERS
    list_display = [
        "number",
        "buyer_display",
        "status",
        "total_display",
        "refunded_display",
        "created_at",
    ]
    list_filter = ["status", "created_at", "paid_at"]
    search_fields = [
        "number",
        "buyer__phone",
        "buyer__nickname",
        "ship_name",
        "ship_phone",
        "tracking_no",
    ]
    list_select_related = ["buyer"]
    date_hierarchy = "created_at"
    inlines = [OrderDiscountInline, OrderLineInline]
    actions = ["ship_orders"]
    change_form_template = "console/order_change_form.html"
    # staff change an order only through its actions (ship): its page is for reading
    fieldsets = [
        ("订单", {"fields": ["number", "buyer", "status", "note", "created_at", "pay_deadline"]}),
        (
            "金额",
            {
                "fields": [
                    "goods_amount",
                    "discount_amount",
                    "shipping_fee",
                    "total",
                    "points_used",
                    "refunded_amount",
                ]
            },
        ),
        (
            "收货与物流",
            {
                "fields": [
                    "ship_name",
                    "ship_phone",
                    "address_display",
                    "carrier",
                    "tracking_no",
                    "paid_at",
                    "shipped_at",
                    "completed_at",
                ]
            },
        ),
        ("取消", {"fields": ["cancelled_at", "cancel_reason"], "classes": ["collapse"]}),
    ]
    readonly_fields = [
        *(f.name for f in Order._meta.fields if f.name != "request_fingerprint"),
        "address_display",
    ]

    @admin.display(description="买家", ordering="buyer__phone")
    def buyer_display(self, obj):
        return format_html('{}<span class="sub">{}</span>', obj.buyer, obj.buyer.phone)

    @admin.display(description="实付金额（元）", ordering="total")
    def total_display(self, obj):
        return money_text(obj.total)

    @admin.display(description="已退款（元）", ordering="refunded_amount")
    def refunded_display(self, obj):
        return money_text(obj.refunded_amount) if obj.refunded_amount else "—"

    @admin.display(description="收货地址")
    def address_display(self, obj):
        return obj.address_text

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["can_ship"] = (
            obj is not None
            and obj.status == Order.Status.PAID
            and self.has_change_permission(request, obj)
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def get_urls(self):
        ship = path(
            "<int:pk>/ship/", self.admin_site.admin_view(self.ship_view), name="orders_order_ship"
        )
        return [ship, *super().get_urls()]

    def ship_view(self, request, pk):
        """The 发货 button of an order's page: the ship form of the list action, for it."""
        order = get_object_or_404(Order, pk=pk)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        response = self.ship_orders(request, Order.objects.filter(pk=pk))
        return response or HttpResponseRedirect(reverse("admin:orders_order_change", args=[pk]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="发货（填写快递单号）", permissions=["change"])
    def ship_orders(self, request, queryset):
        orders = list(
            queryset.filter(status=Order.Status.PAID).prefetch_related("lines").order_by("pk")
        )
        if not orders:
            self.message_user(request, "所选订单中没有待发货的订单", messages.WARNING)
            return None
        skipped = queryset.count() - len(orders)
        if "confirm" in request.POST:
            shipped, failed = 0, []
            for order in orders:
                carrier = request.POST.get(f"carrier_{order.pk}", "").strip()
                tracking_no = request.POST.get(f"tracking_{order.pk}", "").strip()
                if not (carrier and tracking_no):
                    failed.append(f"{order.number}: 缺少快递公司或单号")
                    continue
                try:
                    services.order_ship(order_id=order.pk, carrier=carrier, tracking_no=tracking_no)
                    shipped += 1
                except DomainError as exc:
                    failed.append(f"{order.number}: {exc.message}")
            if shipped:
                self.message_user(request, f"已发货 {shipped} 个订单", messages.SUCCESS)
            for line in failed:
                self.message_user(request, line, messages.ERROR)
            return None
        return render(
            request,
            "console/ship_orders.html",
            {
                **self.admin_site.each_context(request),
                "title": "订单发货",
                "orders": orders,
                "skipped": skipped,
                "carriers": CARRIERS,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


class RefundLineInline(ReadOnlyInline):
    model = RefundLine
    fields = ["line", "quantity", "amount"]
    readonly_fields = fields
