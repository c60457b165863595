"""分销商: list with team counts and balances, team and ledger pages, review actions."""

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from fenxiao.console.admin_base import ExportMixin, money_text
from fenxiao.distribution import selectors
from fenxiao.distribution.admin.texts import LEVEL_NAMES
from fenxiao.distribution.exports import DISTRIBUTORS
from fenxiao.distribution.models import (
    Binding,
    Distributor,
)
from fenxiao.distribution.services import distributors
from fenxiao.errors import DomainError
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.ledger.admin import transaction_kind_label
from fenxiao.ledger.models import Account
from fenxiao.money import ZERO


def _team_count(depth: int):
    """Members exactly `depth` levels below each distributor, as a subquery per row."""
    inviter = "inviter" + "__binding__inviter" * (depth - 1)
    members = (
        Binding.objects.filter(**{inviter: OuterRef("pk")})
        .order_by()
        .values(inviter)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(members, output_field=IntegerField()), 0)


def _balance(kind: str):
    account = Account.objects.filter(owner=OuterRef("pk"), kind=kind).values("balance")[:1]
    money = DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(Subquery(account, output_field=money), Value(ZERO), output_field=money)


@admin.register(Distributor)
class DistributorAdmin(ExportMixin, admin.ModelAdmin):
    export = DISTRIBUTORS
    list_display = [
        "user_display",
        "referral_code",
        "status",
        "grade",
        "team",
        "balances",
        "created_at",
    ]
    list_filter = ["status", "grade"]
    search_fields = ["user__phone", "user__nickname", "referral_code", "real_name"]
    search_help_text = "按手机号、昵称、推广码或真实姓名搜索"
    list_select_related = ["user", "grade"]
    change_form_template = "console/distributor_change_form.html"
    # the status changes only through the review actions, which record who and when
    readonly_fields = [
        "user",
        "referral_code",
        "status",
        "created_at",
        "activated_at",
        "reviewed_by",
    ]
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

    def has_delete_permission(self, request, obj=None):
        return False  # commissions and the ledger refer to the user

    def save_model(self, request, obj, form, change):
        # only what the form changed: a review action in between keeps its status
        if form.changed_data:
            obj.save(update_fields=form.changed_data)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                team_1=_team_count(1),
                team_2=_team_count(2),
                team_3=_team_count(3),
                balance_frozen=_balance(Account.Kind.FROZEN),
                balance_available=_balance(Account.Kind.AVAILABLE),
                balance_withdrawing=_balance(Account.Kind.WITHDRAWING),
            )
        )

    @admin.display(description="分销商", ordering="user__phone")
    def user_display(self, obj):
        return format_html('{}<span class="sub">{}</span>', obj.user, obj.user.phone)

    @admin.display(description="团队（一/二/三级）", ordering="team_1")
    def team(self, obj):
        url = reverse("admin:distribution_distributor_tree", args=[obj.pk])
        return format_html(
            '<a href="{}" title="查看团队">{} / {} / {}</a>',
            url,
            obj.team_1,
            obj.team_2,
            obj.team_3,
        )

    @admin.display(description="余额（待结算/可提现/提现中）", ordering="balance_available")
    def balances(self, obj):
        url = reverse("admin:distribution_distributor_ledger", args=[obj.pk])
        return format_html(
            '<a href="{}" title="查看账户流水" style="white-space:nowrap">¥{} / ¥{} / ¥{}</a>',
            url,
            # SQLite hands a subquery's decimal back as a float: the nearest fen is exact
            money_text(obj.balance_frozen),
            money_text(obj.balance_available),
            money_text(obj.balance_withdrawing),
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

    def _page(self, request, pk, template, title, **context):
        found = get_object_or_404(Distributor.objects.select_related("user", "grade"), pk=pk)
        if not self.has_view_permission(request, found):
            raise PermissionDenied
        return render(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "title": title.format(found.user),
                "distributor": found,
                "opts": self.model._meta,
                "can_see_ledger": request.user.has_perm("ledger.view_entry"),
                **context,
            },
        )

    def tree_view(self, request, pk):
        statuses = dict(Distributor.Status.choices)
        levels = []
        for n in (1, 2, 3):
            members = selectors.team(user_id=pk, level=n)
            for member in members:
                member["status_label"] = statuses.get(member["distributor_status"], "非分销商")
            levels.append(
                {
                    "level": n,
                    "name": LEVEL_NAMES[n],
                    "members": members,
                    "orders": sum(m["order_count"] for m in members),
                    "sales": sum((m["sales"] for m in members), Decimal("0.00")),
                }
            )
        upline = Binding.objects.filter(user_id=pk).select_related("inviter").first()
        return self._page(
            request,
            pk,
            "console/distributor_tree.html",
            "{} 的团队",
            levels=levels,
            inviter=upline.inviter if upline else None,
        )

    def ledger_view(self, request, pk):
        if not request.user.has_perm("ledger.view_entry"):
            raise PermissionDenied
        entries = list(ledger_selectors.entries_of(user_id=pk)[:200])
        for entry in entries:
            entry.kind_label = transaction_kind_label(entry.transaction.kind)
        return self._page(
            request,
            pk,
            "console/distributor_ledger.html",
            "{} 的账户流水",
            balances=ledger_selectors.balances_of(pk),
            entries=entries,
        )

    def _act(self, request, queryset, action, label):
        done = 0
        for found in queryset:
            try:
                action(distributor_id=found.pk, staff=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{found}：{exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"已{label} {done} 位分销商", messages.SUCCESS)

    @admin.action(description="通过申请", permissions=["change"])
    def approve(self, request, queryset):
        self._act(request, queryset, distributors.distributor_approve, "通过")

    @admin.action(description="拒绝申请", permissions=["change"])
    def reject(self, request, queryset):
        self._act(request, queryset, distributors.distributor_reject, "拒绝")

    @admin.action(description="冻结（暂停分佣）", permissions=["change"])
    def freeze(self, request, queryset):
        self._act(request, queryset, distributors.distributor_freeze, "冻结")

    @admin.action(description="解冻", permissions=["change"])
    def unfreeze(self, request, queryset):
        self._act(request, queryset, distributors.distributor_unfreeze, "解冻")


# commission lines
