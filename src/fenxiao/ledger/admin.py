from django.contrib import admin

from fenxiao.ledger.models import Account, Entry, Transaction


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    fields = ["account", "amount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ["key", "kind", "owner", "balance"]
    list_filter = ["kind"]
    search_fields = ["key", "owner__phone", "owner__nickname"]
    list_select_related = ["owner"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnly):
    list_display = ["pk", "kind", "source_id", "memo", "created_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["source_id", "memo"]
    inlines = [EntryInline]


@admin.register(Entry)
class EntryAdmin(ReadOnly):
    list_display = ["pk", "transaction", "account", "amount", "created"]
    list_filter = ["account__kind", "transaction__kind"]
    search_fields = ["account__owner__phone", "account__key", "transaction__source_id"]
    list_select_related = ["transaction", "account"]

    @admin.display(description="时间", ordering="transaction__created_at")
    def created(self, obj):
        return obj.transaction.created_at
