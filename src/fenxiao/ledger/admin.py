"""Console pages of the ledger: accounts, transactions and their entries, read-only."""

from django.contrib import admin

from fenxiao.console.admin_base import ReadOnlyAdmin
from fenxiao.ledger.models import Account, Entry, Transaction

TRANSACTION_KINDS = {
    "commission_accrue": "佣金入账（待结算）",
    "commission_settle": "佣金结算（转可提现）",
    "commission_reverse": "售后冲减佣金",
    "commission_clawback": "售后追回佣金",
}


def transaction_kind_label(kind: str) -> str:
    return TRANSACTION_KINDS.get(kind, kind)


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
    list_display = ["key", "kind", "owner", "balance"]
    list_filter = ["kind"]
    search_fields = ["key", "owner__phone", "owner__nickname"]
    search_help_text = "按账户编号、所属用户手机号或昵称搜索"
    list_select_related = ["owner"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind_display", "source_id", "memo", "created_at"]
    list_filter = [TransactionKindFilter, "created_at"]
    search_fields = ["source_id", "memo"]
    search_help_text = "按来源编号或说明（含订单号、售后单号）搜索"
    inlines = [EntryInline]

    @admin.display(description="类型", ordering="kind")
    def kind_display(self, obj):
        return transaction_kind_label(obj.kind)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "created", "kind_display", "account", "owner", "amount", "memo"]
    list_filter = ["account__kind", EntryTransactionKindFilter]
    search_fields = ["account__owner__phone", "account__key", "transaction__source_id"]
    search_help_text = "按用户手机号、账户编号或来源编号搜索"
    list_select_related = ["transaction", "account__owner"]

    @admin.display(description="时间", ordering="transaction__created_at")
    def created(self, obj):
        return obj.transaction.created_at

    @admin.display(description="类型", ordering="transaction__kind")
    def kind_display(self, obj):
        return transaction_kind_label(obj.transaction.kind)

    @admin.display(description="所属用户")
    def owner(self, obj):
        return obj.account.owner or "平台"

    @admin.display(description="说明")
    def memo(self, obj):
        return obj.transaction.memo
