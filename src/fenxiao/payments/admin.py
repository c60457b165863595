"""Console pages for payments, notifications, the after-sales (refund) review and the daily
bill reconciliation (账单对账)."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from fenxiao.console.admin_base import ActionsOnlyAdmin, ReadOnlyAdmin, ReadOnlyInline, money_text
from fenxiao.errors import DomainError
from fenxiao.orders import services as orders
from fenxiao.orders.admin import RefundLineInline
from fenxiao.orders.models import Refund
from fenxiao.payments import reconcile, services
from fenxiao.payments.models import (
    BillDifference,
    BillRun,
    Payment,
    PaymentNotification,
    ProviderRefund,
)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["out_trade_no", "provider", "amount", "status", "transaction_id", "paid_at"]
    list_filter = ["provider", "status"]
    search_fields = ["out_trade_no", "transaction_id"]


@admin.register(ProviderRefund)
class ProviderRefundAdmin(ReadOnlyAdmin):
    list_display = [
        "out_refund_no",
        "trade_no",
        "amount",
        "status",
        "provider_refund_id",
        "succeeded_at",
    ]
    list_filter = ["status"]
    search_fields = ["out_refund_no", "provider_refund_id"]
    list_select_related = ["payment"]

    @admin.display(description="商户订单号", ordering="payment__out_trade_no")
    def trade_no(self, obj):
        return obj.payment.out_trade_no


@admin.register(PaymentNotification)
class PaymentNotificationAdmin(ReadOnlyAdmin):
    list_display = ["notification_id", "provider", "event_type", "out_trade_no", "received_at"]
    list_filter = ["provider", "event_type"]
    search_fields = ["notification_id", "out_trade_no"]


class BillDifferenceInline(ReadOnlyInline):
    model = BillDifference
    fields = ["kind", "subject", "reference", "our_amount", "their_amount"]
    readonly_fields = fields


@admin.register(BillRun)
class BillRunAdmin(ReadOnlyAdmin):
    list_display = [
        "bill_date",
        "provider",
        "status",
        "trade_lines",
        "fundflow_lines",
        "difference_count",
        "ran_at",
    ]
    list_filter = ["status", "provider"]
    date_hierarchy = "bill_date"
    inlines = [BillDifferenceInline]
    actions = ["run_again"]
    change_list_template = "payments/billrun_change_list.html"

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("payments.add_billrun")

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:payments_billrun_run")  # runs are made by reconciling, only

    def get_urls(self):
        own = [
            path(
                "run/",
                self.admin_site.admin_view(self.run_view),
                name="payments_billrun_run",
            )
        ]
        return own + super().get_urls()

    def _run(self, request, bill_date: date, provider: str) -> BillRun | None:
        try:
            run = reconcile.bills_reconcile(bill_date=bill_date, provider_name=provider)
        except DomainError as exc:
            self.message_user(request, f"{provider} {bill_date}: {exc.message}", messages.ERROR)
            return None
        level = {
            BillRun.Status.CLEAN: messages.SUCCESS,
            BillRun.Status.DIFFERENCES: messages.WARNING,
        }.get(run.status, messages.ERROR)
        detail = (
            run.error if run.status == BillRun.Status.FAILED else f"{run.difference_count} 处差异"
        )
        self.message_user(
            request,
            f"{run.provider} {run.bill_date} 对账完成：{run.get_status_display()}，{detail}",
            level,
        )
        return run

    def run_view(self, request):
        """Reconcile one day now: a date and a provider, then the run's page."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        yesterday = timezone.localdate() - timedelta(days=1)
        chosen = {"date": request.POST.get("date", ""), "provider": request.POST.get("provider")}
        error = ""
        if request.method == "POST":
            try:
                bill_date = date.fromisoformat(chosen["date"])
            except ValueError:
                error = "请填写日期，格式 YYYY-MM-DD"
            else:
                if bill_date > timezone.localdate():
                    error = "不能对账未来的日期"
                elif chosen["provider"] not in settings.PAYMENT_PROVIDERS:
                    error = "请选择已启用的支付渠道"
                else:
                    run = self._run(request, bill_date, chosen["provider"])
                    if run is not None:
                        return redirect(reverse("admin:payments_billrun_change", args=[run.pk]))
        return render(
            request,
            "payments/bill_run_form.html",
            {
                **self.admin_site.each_context(request),
                "title": "立即对账",
                "opts": self.model._meta,
                "providers": settings.PAYMENT_PROVIDERS,
                "chosen": chosen,
                "default_date": yesterday.isoformat(),
                "error": error,
            },
            status=400 if error else 200,
        )

    @admin.action(description="重新对账所选日期", permissions=["add"])
    def run_again(self, request, queryset):
        for run in queryset.order_by("bill_date", "provider"):
            self._run(request, run.bill_date, run.provider)


@admin.register(BillDifference)
class BillDifferenceAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "kind",
        "subject",
        "our_amount",
        "their_amount",
        "run",
    ]
    list_filter = ["kind", "subject", "run__provider", "run__bill_date"]
    search_fields = ["reference"]
    list_select_related = ["run"]


@admin.register(Refund)
class RefundAdmin(ActionsOnlyAdmin):
    list_display = [
        "number",
        "order",
        "buyer",
        "status",
        "amount_display",
        "reason",
        "created_at",
    ]
    list_filter = ["status", "return_stock", "created_at"]
    search_fields = ["number", "order__number", "order__buyer__phone", "reason"]
    list_select_related = ["order__buyer"]
    inlines = [RefundLineInline]
    actions = ["approve", "approve_without_stock", "reject", "resend"]
    readonly_fields = [f.name for f in Refund._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="买家")
    def buyer(self, obj):
        return obj.order.buyer

    @admin.display(description="退款金额（元）", ordering="amount")
    def amount_display(self, obj):
        return money_text(obj.amount)

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
