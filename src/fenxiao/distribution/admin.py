"""Console pages: plan (validated, audited), grades, distributors with their tree and ledger,
commission lines, bindings."""

import json
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from fenxiao.distribution import rules, selectors
from fenxiao.distribution.models import (
    Binding,
    BindingEvent,
    Commission,
    Distributor,
    Grade,
    Plan,
    PlanChange,
    ProductCommission,
)
from fenxiao.distribution.services import distributors, grades, plan
from fenxiao.errors import DomainError
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.ledger import services as ledger
from fenxiao.ledger.admin import transaction_kind_label
from fenxiao.ledger.models import Account
from fenxiao.money import ZERO, fen_of_sum

LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级"}
RATE_SOURCES = {"product": "商品独立佣金", "grade": "分销等级佣金", "plan": "方案默认佣金"}
CHANGE_SOURCES = {"console": "商家后台", "api": "接口", "import": "导入", "cli": "命令行"}
BINDING_SOURCES = {
    "link": "分享链接",
    "poster": "海报",
    "product": "商品分享",
    "register": "注册",
    "login": "登录",
}
RATES_EXAMPLE = '[{"level": 1, "percent": "15"}, {"level": 2, "fixed": "3.00"}]'
RATES_HELP = (
    "每级一项：percent 为按实付金额（或利润）的百分比，fixed 为每件固定金额（元）。"
    f"例如 {RATES_EXAMPLE} 表示一级 15%、二级每件 3 元。"
)


def rates_text(rates) -> str:
    """Rates as a merchant reads them: 一级 15% · 二级 ¥3.00/件."""
    parts = []
    for item in rates or []:
        if not isinstance(item, dict):
            return json.dumps(rates, ensure_ascii=False)
        level = LEVEL_NAMES.get(item.get("level"), f"{item.get('level')} 级")
        if item.get("percent") is not None:
            parts.append(f"{level} {item['percent']}%")
        else:
            parts.append(f"{level} ¥{item.get('fixed')}/件")
    return " · ".join(parts) or "—"


class RatesField(forms.JSONField):
    """The rates as JSON in a textarea, one level per line, with a Chinese error."""

    default_error_messages = {"invalid": f"佣金设置不是有效的 JSON，请参照示例：{RATES_EXAMPLE}"}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 5, "cols": 60}))
        kwargs.setdefault("help_text", RATES_HELP)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            lines = [json.dumps(item, ensure_ascii=False) for item in value]
            return "[\n  " + ",\n  ".join(lines) + "\n]" if lines else "[]"
        return super().prepare_value(value)


# the plan


def _value_text(field: str, value) -> str:
    if field == "rates":
        return rates_text(value)
    choices = dict(Plan._meta.get_field(field).choices or [])
    if isinstance(value, bool):
        return "开" if value else "关"
    return str(choices.get(value, value))


def _same(old, new) -> bool:
    try:  # "0" and "0.00" are the same amount
        return old == new or Decimal(str(old)) == Decimal(str(new))
    except (ArithmeticError, ValueError):
        return False


def plan_change_summary(before: dict, after: dict) -> list[str]:
    """What a change did, field by field: 各级佣金：一级 15% → 一级 18%."""
    lines = []
    for field in plan.FIELDS:
        if not _same(before.get(field), after.get(field)):
            label = Plan._meta.get_field(field).verbose_name
            old, new = _value_text(field, before.get(field)), _value_text(field, after.get(field))
            lines.append(f"{label}：{old} → {new}")
    return lines


class PlanForm(forms.ModelForm):
    rates = RatesField(label="各级佣金")

    class Meta:
        model = Plan
        fields = plan.FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_texts = {
            "levels": f"1 到 {rules.max_levels()} 级（本部署上限 FENXIAO_MAX_LEVELS="
            f"{rules.max_levels()}；法律规定分销最多 3 级）",
            "max_commission_share": "各级佣金合计不超过实付金额的这个百分比",
        }
        for name, text in help_texts.items():
            if name in self.fields:  # a view-only page has no form fields
                self.fields[name].help_text = text

    # Field errors here also keep Django from reporting the model's check constraints in
    # English-named terms on top of ours.
    def clean_levels(self):
        try:
            return rules.check_levels(self.cleaned_data.get("levels"))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_max_commission_share(self):
        share = self.cleaned_data.get("max_commission_share")
        if share is not None and not ZERO <= share <= rules.HUNDRED:
            raise forms.ValidationError("佣金上限须在 0 到 100 之间")
        return share

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            rules.parse_rates(
                data["rates"], levels=data["levels"], share=data["max_commission_share"]
            )
        except DomainError as exc:
            self.add_error("rates", exc.message)
            return data
        try:
            plan.plan_validate({f: data.get(f) for f in plan.FIELDS})
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """There is one plan: its list opens its form, and saving goes back to the form."""

    form = PlanForm
    change_form_template = "console/plan_change_form.html"
    readonly_fields = ["updated_at", "updated_by"]
    fieldsets = [
        ("成为分销商", {"fields": ["mode", "threshold_amount"]}),
        (
            "佣金",
            {"fields": ["levels", "rates", "base", "max_commission_share", "self_purchase"]},
        ),
        ("绑定关系", {"fields": ["bind_rule", "bind_on", "bind_days"]}),
        ("结算", {"fields": ["freeze_days"]}),
        ("最近修改", {"fields": ["updated_at", "updated_by"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.fieldsets
        # read-only staff see the rates as words rather than JSON
        swap = {"rates": "rates_display"}
        return [
            (name, {**options, "fields": [swap.get(f, f) for f in options["fields"]]})
            for name, options in self.fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "rates_display"]

    @admin.display(description="各级佣金")
    def rates_display(self, obj):
        return rates_text(obj.rates)

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        url = reverse("admin:distribution_plan_change", args=[plan.plan_get().pk])
        return HttpResponseRedirect(url)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        # the stored plan, not a refused submission that is being shown again
        stored = Plan.objects.get(pk=obj.pk) if obj is not None else plan.plan_get()
        changes = PlanChange.objects.select_related("changed_by")[:10]
        context["plan_warnings"] = plan.plan_warnings(stored)
        context["max_levels"] = rules.max_levels()
        context["plan_history"] = [
            {
                "at": change.changed_at,
                "by": change.changed_by,
                "source": CHANGE_SOURCES.get(change.source, change.source),
                "summary": plan_change_summary(change.before, change.after),
            }
            for change in changes
        ]
        context["can_see_all_history"] = request.user.has_perm("distribution.view_planchange")
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def save_model(self, request, obj, form, change):
        before = plan.plan_as_dict(plan.plan_get())
        data = {field: form.cleaned_data[field] for field in plan.FIELDS}
        saved = plan.plan_update(data=data, staff=request.user, source="console")
        obj.pk = saved.pk
        summary = plan_change_summary(before, plan.plan_as_dict(saved))
        if summary:
            self.message_user(
                request, "分销方案已保存并记入变更记录：" + "；".join(summary), messages.SUCCESS
            )
        else:
            self.message_user(request, "分销方案没有变化", messages.INFO)

    def response_change(self, request, obj):
        return HttpResponseRedirect(request.path)


@admin.register(PlanChange)
class PlanChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "changed_by", "source_display", "summary"]
    list_select_related = ["changed_by"]
    readonly_fields = ["changed_at", "changed_by", "source_display", "summary", "before", "after"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="来源")
    def source_display(self, obj):
        return CHANGE_SOURCES.get(obj.source, obj.source)

    @admin.display(description="修改内容")
    def summary(self, obj):
        return "；".join(plan_change_summary(obj.before, obj.after)) or "—"


# grades and product rates


class GradeForm(forms.ModelForm):
    rates = RatesField(label="等级佣金", required=False)
    NOT_NEGATIVE = [
        "withdraw_min",
        "withdraw_daily_max",
        "withdraw_fee_percent",
        "upgrade_own_sales",
        "upgrade_team_sales",
    ]

    class Meta:
        model = Grade
        fields = [
            "name",
            "rank",
            "is_default",
            "rates",
            "withdraw_min",
            "withdraw_daily_max",
            "withdraw_fee_percent",
            "privileges",
            "upgrade_own_sales",
            "upgrade_team_sales",
            "upgrade_direct_buyers",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_texts = {
            "rates": "留空则使用分销方案的佣金。" + RATES_HELP,
            "is_default": "新分销商的等级；只能有一个，勾选后原默认等级自动取消",
        }
        for name, text in help_texts.items():
            if name in self.fields:  # a view-only page has no form fields
                self.fields[name].help_text = text

    def clean_rates(self):
        try:
            return grades.rates_validate(self.cleaned_data.get("rates") or [])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_is_default(self):
        is_default = self.cleaned_data.get("is_default")
        if self.instance.pk and self.instance.is_default and not is_default:
            raise forms.ValidationError("必须保留一个默认等级：请在另一个等级上勾选“默认等级”")
        return is_default

    def clean(self):
        data = super().clean()
        for field in self.NOT_NEGATIVE:
            value = data.get(field)
            if value is not None and value < 0:
                self.add_error(field, "不能为负数")
        fee = data.get("withdraw_fee_percent")
        if fee is not None and fee > 100:
            self.add_error("withdraw_fee_percent", "手续费须在 0 到 100% 之间")
        return data

    def _get_validation_exclusions(self):
        # grade_save moves the default from the old grade: the one-default constraint holds
        # after saving, so it must not refuse the form beforehand
        return super()._get_validation_exclusions() | {"is_default"}


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    form = GradeForm
    change_form_template = "console/change_form.html"
    list_display = [
        "name",
        "rank",
        "is_default",
        "rates_display",
        "withdraw_min",
        "withdraw_daily_max",
        "upgrade_own_sales",
        "upgrade_team_sales",
        "upgrade_direct_buyers",
    ]

    @admin.display(description="等级佣金")
    def rates_display(self, obj):
        return rates_text(obj.rates) if obj.rates else "同方案"

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        previous = Grade.objects.filter(is_default=True).exclude(pk=obj.pk).first()
        grades.grade_save(grade=obj)
        if obj.is_default and previous is not None:
            self.message_user(request, f"「{obj}」已设为默认等级，「{previous}」不再是默认等级")


class ProductCommissionForm(forms.ModelForm):
    rates = RatesField(label="佣金")

    class Meta:
        model = ProductCommission
        fields = ["product", "rates"]

    def clean_rates(self):
        try:
            return grades.rates_validate(self.cleaned_data.get("rates"))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(ProductCommission)
class ProductCommissionAdmin(admin.ModelAdmin):
    form = ProductCommissionForm
    change_form_template = "console/change_form.html"
    list_display = ["product", "rates_display"]
    list_select_related = ["product"]
    search_fields = ["product__name"]
    autocomplete_fields = ["product"]

    @admin.display(description="佣金")
    def rates_display(self, obj):
        return rates_text(obj.rates)

    def get_readonly_fields(self, request, obj=None):
        return ["product"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        grades.product_commission_set(product_id=obj.product_id, rates=obj.rates)

    def delete_model(self, request, obj):
        grades.product_commission_set(product_id=obj.product_id, rates=None)


# distributors


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
class DistributorAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "phone",
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

    @admin.display(description="手机号", ordering="user__phone")
    def phone(self, obj):
        return obj.user.phone

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
            fen_of_sum(obj.balance_frozen),
            fen_of_sum(obj.balance_available),
            fen_of_sum(obj.balance_withdrawing),
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
            balances=ledger.balances_of(pk),
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
class CommissionAdmin(admin.ModelAdmin):
    list_display = [
        "order_link",
        "beneficiary",
        "beneficiary_phone",
        "level_display",
        "product_name",
        "quantity",
        "base",
        "rate_display",
        "source_display",
        "original_amount",
        "amount",
        "status",
        "created_at",
        "settled_at",
    ]
    list_filter = ["status", LevelFilter, RateSourceFilter, "created_at"]
    search_fields = ["order_number", "beneficiary__phone", "beneficiary__nickname", "product_name"]
    search_help_text = "按订单号、受益人手机号或昵称、商品名搜索"
    list_select_related = ["beneficiary"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="订单号", ordering="order_number")
    def order_link(self, obj):
        url = reverse("admin:orders_order_change", args=[obj.order_id])
        return format_html('<a href="{}">{}</a>', url, obj.order_number)

    @admin.display(description="受益人手机号")
    def beneficiary_phone(self, obj):
        return obj.beneficiary.phone

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


@admin.register(Binding)
class BindingAdmin(admin.ModelAdmin):
    list_display = ["user", "inviter", "bound_at", "expires_at", "source_display"]
    search_fields = ["user__phone", "user__nickname", "inviter__phone", "inviter__nickname"]
    list_select_related = ["user", "inviter"]
    readonly_fields = ["user", "inviter", "bound_at", "expires_at", "source"]

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
    list_filter = ["kind", "source"]
    list_select_related = ["user", "inviter", "previous_inviter", "product"]
    readonly_fields = ["at", "kind", "user", "inviter", "previous_inviter", "source", "product"]
