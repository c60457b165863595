"""Base classes shared by the console pages of every app."""

from decimal import Decimal

from django.contrib import admin

from fenxiao.money import round_sum_to_fen


def money_text(amount: Decimal | float | None) -> str:
    """An amount of yuan for a list column, grouped by thousands: 3,590.30, -3,590.30."""
    return f"{round_sum_to_fen(amount):,.2f}"  # SQLite sums come back as floats


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (payments, ledger, commissions, audit): view only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown inside another record's page (order lines, audit events): never edited there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ActionsOnlyAdmin(admin.ModelAdmin):
    """Records staff change only through list actions (ship, approve, reject): their page is
    for reading, with no 保存 buttons, and their list is titled by what it lists."""

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": self.opts.verbose_name_plural, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": f"{self.opts.verbose_name}详情",
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)
