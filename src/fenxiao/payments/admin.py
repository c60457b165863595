"""Console pages for payments, notifications and the after-sales (refund) review."""

from django.contrib import admin, messages
from django.shortcuts import render

from fenxiao.console.admin_base import ReadOnlyAdmin
from fenxiao.errors import DomainError
from fenxiao.orders import services as orders
from fenxiao.orders.admin import RefundLineInline
from fenxiao.orders.models import Refund
from fenxiao.payments import services
from fenxiao.payments.models import Payment, PaymentNotification, ProviderRefund


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["out_trade_no", "provider", "amount", "status", "transaction_id", "paid_at"]
    list_filter = ["provider", "status"]
    search_fields = ["out_trade_no", "transaction_id"]


@admin.register(ProviderRefund)
class ProviderRefundAdmin(ReadOnlyAdmin):
    list_display = [
        "out_refund_no",
        "payment",
        "amount",
        "status",
        "provider_refund_id",
        "succeeded_at",
    ]
    list_filter = ["status"]
    search_fields = ["out_refund_no", "provider_refund_id"]


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(ReadOnlyAdmin):
    list_display = ["notification_id", "provider", "event_type", "out_trade_no", "received_at"]
    list_filter = ["provider", "event_type"]
    search_fields = ["notification_id", "out_trade_no"]


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "order",
        "buyer",
        "status",
        "amount",
        "reason",
        "return_stock",
        "created_at",
        "refunded_at",
    ]
    list_filter = ["status", "return_stock", "created_at"]
    search_fields = ["number", "order__number", "order__buyer__phone", "reason"]
    list_select_related = ["order__buyer"]
    inlines = [RefundLineInline]
    actions = ["approve", "approve_without_stock", "reject", "resend"]
    readonly_fields = [f.name for f in Refund._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="买家")
    def buyer(self, obj):
        return obj.order.buyer

    def _requested(self, request, queryset) -> list[Refund]:
        refunds = list(
            queryset.filter(status=Refund.Status.REQUESTED).select_related("order").order_by("pk")
        )
        if not refunds:
            self.message_user(request, "所选售后单中没有待审核的", messages.WARNING)
        return refunds

    def _approve(self, request, queryset, return_stock: bool):
        done = 0
        for refund in self._requested(request, queryset):
            try:
                services.refund_approve(
                    refund_id=refund.pk, staff=request.user, return_stock=return_stock
                )
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{refund.number}: {exc.message}", messages.ERROR)
        if done:
            stock = "库存已退回" if return_stock else "库存不变"
            self.message_user(
                request, f"已同意 {done} 个售后单，款项已原路退回，{stock}", messages.SUCCESS
            )

    @admin.action(description="同意退款（退回库存）", permissions=["change"])
    def approve(self, request, queryset):
        self._approve(request, queryset, True)

    @admin.action(description="同意退款（仅退款，不退库存）", permissions=["change"])
    def approve_without_stock(self, request, queryset):
        self._approve(request, queryset, False)

    @admin.action(description="重新发起退款（渠道退款失败时）", permissions=["change"])
    def resend(self, request, queryset):
        stuck = list(queryset.filter(status=Refund.Status.APPROVED).order_by("pk"))
        if not stuck:
            self.message_user(request, "所选售后单中没有退款中的单据", messages.WARNING)
            return
        for refund in stuck:
            try:
                services.refund_send(refund_id=refund.pk)
            except DomainError as exc:
                self.message_user(request, f"{refund.number}: {exc.message}", messages.ERROR)
        done = Refund.objects.filter(pk__in=[r.pk for r in stuck], status=Refund.Status.REFUNDED)
        self.message_user(
            request, f"已重新发起 {len(stuck)} 笔，{done.count()} 笔已退款成功", messages.SUCCESS
        )

    @admin.action(description="拒绝退款（填写原因）", permissions=["change"])
    def reject(self, request, queryset):
        refunds = self._requested(request, queryset)
        if not refunds:
            return None
        reason = request.POST.get("reject_reason", "").strip()
        if "confirm" in request.POST and reason:
            done = 0
            for refund in refunds:
                try:
                    orders.refund_reject(refund_id=refund.pk, staff=request.user, reason=reason)
                    done += 1
                except DomainError as exc:
                    self.message_user(request, f"{refund.number}: {exc.message}", messages.ERROR)
            if done:
                self.message_user(request, f"已拒绝 {done} 个售后单", messages.SUCCESS)
            return None
        return render(
            request,
            "console/reject_refunds.html",
            {
                **self.admin_site.each_context(request),
                "title": "拒绝退款",
                "refunds": refunds,
                "missing_reason": "confirm" in request.POST,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
