"""Console pages of the ledger: accounts, transactions and their entries, read-only."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from fenxiao.console.admin_base import ReadOnlyAdmin, money_text
from fenxiao.ledger import selectors
from fenxiao.ledger.models import Account, Entry, Transaction

TRANSACTION_KINDS = {
    "commission_accrue": "佣金入账（待结算）",
    "commission_settle": "佣金结算（转可提现）",
    "commission_reverse": "售后冲减佣金",
    "commission_clawback": "售后追回佣金",
    "withdrawal_request": "申请提现（转入提现中）",
    "withdrawal_paid": "提现已打款",
    "withdrawal_return": "提现退回（拒绝、失败或取消）",
}


def transaction_kind_label(kind: str) -> str:
    return TRANSACTION_KINDS.get(kind, kind)


def account_name(account: Account) -> str:
    """平台 · 佣金支出, or 小鹿 · 可提现."""
    return f"{account.owner or '平台'} · {account.get_kind_display()}"


class TransactionKindFilter(admin.SimpleListFilter):
    title = "业务类型"
    parameter_name = "kind"
    field = "kind"

    def lookups(self, request, model_admin):
        return list(TRANSACTION_KINDS.items())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field: self.value()})
        return queryset


class EntryTransactionKindFilter(TransactionKindFilter):
    field = "transaction__kind"


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    fields = ["account", "amount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["name", "key", "kind", "balance_display", "entries_link"]
    list_display_links = ["name"]
    list_filter = ["kind"]
    search_fields = ["key", "owner__phone", "owner__nickname"]
    search_help_text = "按账户编号、所属用户手机号或昵称搜索"
    list_select_related = ["owner"]
    list_per_page = 50
    fields = ["key", "kind", "owner", "balance_display"]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.accounts_with_balances(super().get_queryset(request))

    @admin.display(description="账户", ordering="key")
    def name(self, obj):
        return account_name(obj)

    @admin.display(description="余额（元）", ordering="entries_balance")
    def balance_display(self, obj):
        # summed from the entries: platform accounts keep no cached balance
        return money_text(obj.entries_balance)

    @admin.display(description="流水")
    def entries_link(self, obj):
        url = reverse("admin:ledger_entry_changelist") + f"?account__id__exact={obj.pk}"
        return format_html('<a href="{}">查看分录</a>', url)


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind_display", "source_id", "memo", "created_at"]
    list_filter = [TransactionKindFilter, "created_at"]
    search_fields = ["source_id", "memo"]
    search_help_text = "按来源编号或说明（含订单号、售后单号）搜索"
    list_per_page = 50
    inlines = [EntryInline]
    fields = ["kind_display", "source_id", "memo", "created_at"]
    readonly_fields = fields

    @admin.display(description="凭证号", ordering="pk")
    def number(self, obj):
        return obj.pk

    @admin.display(description="业务类型", ordering="kind")
    def kind_display(self, obj):
        return transaction_kind_label(obj.kind)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["created", "kind_display", "account_display", "amount_display", "memo"]
    list_display_links = ["created"]
    list_filter = ["account__kind", EntryTransactionKindFilter]
    search_fields = ["account__owner__phone", "account__key", "transaction__source_id"]
    search_help_text = "按用户手机号、账户编号或来源编号搜索"
    list_select_related = ["transaction", "account__owner"]
    list_per_page = 50
    fields = ["created", "kind_display", "account_display", "amount_display", "memo"]
    readonly_fields = fields

    @admin.display(description="时间", ordering="transaction__created_at")
    def created(self, obj):
        return obj.transaction.created_at

    @admin.display(description="业务类型", ordering="transaction__kind")
    def kind_display(self, obj):
        return transaction_kind_label(obj.transaction.kind)

    @admin.display(description="账户", ordering="account__key")
    def account_display(self, obj):
        return account_name(obj.account)

    @admin.display(description="金额（元）", ordering="amount")
    def amount_display(self, obj):
        return money_text(obj.amount)

    @admin.display(description="说明")
    def memo(self, obj):
        return obj.transaction.memo
