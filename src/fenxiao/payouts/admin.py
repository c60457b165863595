"""Console 提现审核: review withdrawals (approve, reject with a reason, mark paid with the
bank's reference), their transfer bills and audit trail (query a bill's result now), and an
XLSX export of manual payouts for the bank."""

from io import BytesIO

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook

from fenxiao.console.admin_base import ActionsOnlyAdmin, ExportMixin, ReadOnlyInline
from fenxiao.errors import DomainError
from fenxiao.payouts import (
    admin_tax,  # noqa: F401  (registers 实名信息 and 个税月报)
    services,
    transfers,
)
from fenxiao.payouts.exports import WITHDRAWALS
from fenxiao.payouts.models import PayoutTransfer, Withdrawal, WithdrawalEvent

Status = Withdrawal.Status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_HEADER = [
    "提现单号",
    "分销商",
    "渠道",
    "收款人",
    "收款账号",
    "开户行",
    "提现金额",
    "手续费",
    "代扣税",
    "实付金额",
    "申请时间",
    "审核时间",
]


EVENT_ACTIONS = {
    "request": "申请",
    "approve": "批准",
    "reject": "拒绝",
    "cancel": "取消",
    "pay": "打款成功",
    "mark_paid": "标记已打款",
    "fail": "打款失败",
}


def status_label(status: str) -> str:
    return Status(status).label if status in Status.values else status or "—"


class WithdrawalEventInline(ReadOnlyInline):
    model = WithdrawalEvent
    fields = ["created_at", "actor", "action_display", "from_display", "to_display", "note"]
    readonly_fields = fields
    classes = ["no-original"]  # the row's title would repeat the codes

    @admin.display(description="操作")
    def action_display(self, obj):
        return EVENT_ACTIONS.get(obj.action, obj.action)

    @admin.display(description="原状态")
    def from_display(self, obj):
        return status_label(obj.from_status)

    @admin.display(description="新状态")
    def to_display(self, obj):
        return status_label(obj.to_status)


class PayoutTransferInline(ReadOnlyInline):
    model = PayoutTransfer
    fields = [
        "attempt",
        "out_bill_no",
        "state",
        "transfer_bill_no",
        "amount",
        "fail_reason",
        "created_at",
        "confirm_before",
        "finished_at",
    ]
    readonly_fields = fields
    ordering = ["attempt"]


@admin.register(Withdrawal)
class WithdrawalAdmin(ExportMixin, ActionsOnlyAdmin):
    export = WITHDRAWALS
    list_display = [
        "number",
        "user",
        "amount",
        "fee",
        "tax",
        "net",
        "channel",
        "status",
        "transfer_state",
        "reason",
        "created_at",
        "reviewed_by",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["user__phone", "request_id", "paid_reference"]
    list_select_related = ["user", "reviewed_by"]
    list_per_page = 50
    inlines = [PayoutTransferInline, WithdrawalEventInline]
    actions = ["approve", "reject", "mark_paid", "query_transfer", "export_xlsx"]
    exclude = ["id", "fingerprint"]
    readonly_fields = [
        f.name for f in Withdrawal._meta.fields if f.name not in ("id", "fingerprint")
    ]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        current = PayoutTransfer.objects.filter(withdrawal=OuterRef("pk")).order_by("-attempt")
        state = Subquery(current.values("state")[:1])
        return super().get_queryset(request).annotate(current_transfer_state=state)

    @admin.display(description="单号", ordering="pk")
    def number(self, obj):
        return obj.pk

    @admin.display(description="转账状态", ordering="current_transfer_state")
    def transfer_state(self, obj):
        state = obj.current_transfer_state
        return PayoutTransfer.State(state).label if state else "-"

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, statuses: tuple, run, done_text: str) -> None:
        """Run one service per withdrawal in `status`; each in its own transaction, so one
        refusal (say someone else reviewed it a moment ago) does not undo the others."""
        chosen = list(queryset.filter(status__in=statuses).order_by("pk"))
        if not chosen:
            self._none_in(request, statuses)
            return
        done = 0
        for withdrawal in chosen:
            try:
                run(withdrawal)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"#{withdrawal.pk}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, done_text.format(done), messages.SUCCESS)

    def _none_in(self, request, statuses: tuple) -> None:
        labels = "/".join(Status(status).label for status in statuses)
        self.message_user(request, f"所选提现中没有「{labels}」的", messages.WARNING)

    def _ask(self, request, queryset, *, statuses, action, title, label, max_length, run, done):
        """An action that needs a line of text (reason, reference): a page asks for it."""
        chosen = list(queryset.filter(status__in=statuses).select_related("user").order_by("pk"))
        answer = request.POST.get("answer", "").strip()
        if "confirm" in request.POST and answer:
            self._each(request, queryset, statuses, lambda w: run(w, answer), done)
            return None
        if not chosen:
            self._none_in(request, statuses)
            return None
        return render(
            request,
            "payouts/ask.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "label": label,
                "max_length": max_length,
                "action": action,
                "withdrawals": chosen,
                "missing": "confirm" in request.POST,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="批准（微信/沙箱渠道随即发起转账）", permissions=["change"])
    def approve(self, request, queryset):
        self._each(
            request,
            queryset,
            (Status.REQUESTED,),
            lambda w: services.withdrawal_approve(withdrawal_id=w.pk, staff=request.user),
            "已批准 {} 笔提现",
        )

    @admin.action(description="拒绝（填写原因，金额退回可提现）", permissions=["change"])
    def reject(self, request, queryset):
        return self._ask(
            request,
            queryset,
            statuses=Withdrawal.HOLDING,
            action="reject",
            title="拒绝",
            label="拒绝原因",
            max_length=200,
            run=lambda w, reason: services.withdrawal_reject(
                withdrawal_id=w.pk, staff=request.user, reason=reason
            ),
            done="已拒绝 {} 笔提现",
        )

    @admin.action(description="标记已打款（填写打款凭证号）", permissions=["change"])
    def mark_paid(self, request, queryset):
        return self._ask(
            request,
            queryset.filter(channel__in=Withdrawal.MANUAL_CHANNELS),
            statuses=(Status.APPROVED,),
            action="mark_paid",
            title="标记已打款",
            label="打款凭证号",
            max_length=64,
            run=lambda w, reference: services.withdrawal_mark_paid(
                withdrawal_id=w.pk, staff=request.user, reference=reference
            ),
            done="已标记 {} 笔提现为已打款",
        )

    @admin.action(description="查询转账结果（微信/沙箱）", permissions=["change"])
    def query_transfer(self, request, queryset):
        chosen = queryset.filter(channel__in=Withdrawal.TRANSFER_CHANNELS)
        self._each(
            request,
            chosen,
            (Status.APPROVED,),
            lambda w: transfers.withdrawal_transfer_refresh(withdrawal_id=w.pk),
            "已查询 {} 笔转账",
        )

    @admin.action(description="导出待打款（银行卡/支付宝）XLSX", permissions=["change"])
    def export_xlsx(self, request, queryset):
        rows = (
            queryset.filter(status=Status.APPROVED, channel__in=Withdrawal.MANUAL_CHANNELS)
            .select_related("user")
            .order_by("pk")
        )
        book = Workbook()
        sheet = book.active
        sheet.title = "待打款"
        sheet.append(EXPORT_HEADER)
        for w in rows:
            account = w.account or {}
            sheet.append(
                [
                    w.pk,
                    str(w.user),
                    w.get_channel_display(),
                    account.get("holder", ""),
                    account.get("card_no") or account.get("account", ""),
                    account.get("bank_name", ""),
                    w.amount,
                    w.fee,
                    w.tax,
                    w.net,
                    timezone.localtime(w.created_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(w.reviewed_at).strftime("%Y-%m-%d %H:%M")
                    if w.reviewed_at
                    else "",
                ]
            )
        buffer = BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="payouts-{stamp}.xlsx"'
        return response
