"""Console pages of coupons: create with form fields, pause/resume/end, issue to chosen users,
issued / used counts and the sales the coupon brought; the buyers' coupons, read only.
Points: the rule, accounts and entries (read only), staff adjustments with a reason."""

import re

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from fenxiao.accounts.models import User
from fenxiao.catalog.models import Category, Product
from fenxiao.console.admin_base import ReadOnlyAdmin
from fenxiao.errors import DomainError
from fenxiao.marketing import coupons, points
from fenxiao.marketing.models import (
    Coupon,
    PointsAccount,
    PointsAdjustment,
    PointsEntry,
    PointsRule,
    UserCoupon,
)
from fenxiao.money import round_sum_to_fen

# once a coupon is in buyers' hands, what it is worth no longer changes
TERMS = [
    "kind",
    "amount",
    "percent",
    "max_off",
    "threshold",
    "scope_kind",
    "category_ids",
    "product_ids",
    "valid_from",
    "valid_to",
    "valid_days",
]


class CouponForm(forms.ModelForm):
    categories = forms.ModelMultipleChoiceField(
        label="适用分类",
        queryset=Category.objects.order_by("sort", "pk"),
        required=False,
        help_text="适用范围为“指定分类”时选择",
    )
    products = forms.ModelMultipleChoiceField(
        label="适用商品",
        queryset=Product.objects.order_by("-pk"),
        required=False,
        help_text="适用范围为“指定商品”时选择",
    )

    class Meta:
        model = Coupon
        fields = [
            "name",
            "kind",
            "amount",
            "percent",
            "max_off",
            "threshold",
            "scope_kind",
            "valid_from",
            "valid_to",
            "valid_days",
            "total",
            "per_user",
            "claimable",
            "for_new_users",
            "shareable",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "categories" in self.fields:
            self.fields["categories"].initial = self.instance.category_ids
            self.fields["products"].initial = self.instance.product_ids

    def clean(self):
        cleaned = super().clean()
        coupon = self.instance
        for name in self.Meta.fields:
            if name in cleaned:
                setattr(coupon, name, cleaned[name])
        if "categories" in cleaned:
            coupon.category_ids = sorted(c.pk for c in cleaned["categories"] or ())
            coupon.product_ids = sorted(p.pk for p in cleaned["products"] or ())
        for problem in coupons.coupon_problems(coupon):
            self.add_error(None, problem)
        return cleaned


def _ids_or_phones(text: str) -> tuple[set[int], list[str]]:
    """User ids and phone numbers typed into one box, split on spaces, commas or lines."""
    user_ids, unknown = set(), []
    for token in filter(None, re.split(r"[\s,，、]+", text)):
        if len(token) >= 11:
            found = User.objects.filter(phone=token).values_list("pk", flat=True).first()
        else:
            found = int(token) if token.isdigit() else None
        if found is None:
            unknown.append(token)
        else:
            user_ids.add(found)
    return user_ids, unknown


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    form = CouponForm
    list_display = [
        "name",
        "kind",
        "face_value",
        "status",
        "issued_of_total",
        "used",
        "sales",
        "claimable",
        "for_new_users",
        "shareable",
    ]
    list_filter = ["status", "kind", "claimable", "for_new_users", "shareable"]
    search_fields = ["name"]
    actions = ["issue_to_users", "pause", "resume", "end"]
    readonly_fields = ["status", "issued", "used", "created_at"]

    def get_queryset(self, request):
        used = Q(user_coupons__status=UserCoupon.Status.USED)
        return (
            super()
            .get_queryset(request)
            .annotate(sales_total=Sum("user_coupons__order_total", filter=used))
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.issued:
            return [*self.readonly_fields, *TERMS]
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and obj.issued:
            kwargs["fields"] = [f for f in CouponForm.Meta.fields if f not in TERMS]
            form = super().get_form(request, obj, **kwargs)
            form.base_fields.pop("categories", None)
            form.base_fields.pop("products", None)
            return form
        return super().get_form(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="面额")
    def face_value(self, coupon: Coupon) -> str:
        if coupon.kind == Coupon.Kind.PERCENT_OFF:
            cap = f"，最多减 ¥{coupon.max_off}" if coupon.max_off else ""
            return f"满 ¥{coupon.threshold} 减 {coupon.percent}%{cap}"
        if coupon.kind == Coupon.Kind.AMOUNT_OFF:
            return f"满 ¥{coupon.threshold} 减 ¥{coupon.amount}"
        return f"减 ¥{coupon.amount}"

    @admin.display(description="已发放 / 总量")
    def issued_of_total(self, coupon: Coupon) -> str:
        return f"{coupon.issued} / {coupon.total if coupon.total is not None else '不限'}"

    @admin.display(description="带来销售额")
    def sales(self, coupon: Coupon) -> str:
        return f"¥{round_sum_to_fen(getattr(coupon, 'sales_total', None))}"

    def _set_status(self, request, queryset, status: str, done: str):
        changed = 0
        for coupon in queryset.order_by("pk"):
            try:
                coupons.coupon_set_status(coupon_id=coupon.pk, status=status)
                changed += 1
            except DomainError as exc:
                self.message_user(request, f"{coupon.name}: {exc.message}", messages.ERROR)
        if changed:
            self.message_user(request, f"已{done} {changed} 张优惠券", messages.SUCCESS)

    @admin.action(description="暂停发放", permissions=["change"])
    def pause(self, request, queryset):
        self._set_status(request, queryset, Coupon.Status.PAUSED, "暂停")

    @admin.action(description="恢复发放", permissions=["change"])
    def resume(self, request, queryset):
        self._set_status(request, queryset, Coupon.Status.ACTIVE, "恢复")

    @admin.action(description="结束（不可恢复）", permissions=["change"])
    def end(self, request, queryset):
        self._set_status(request, queryset, Coupon.Status.ENDED, "结束")

    @admin.action(description="发放给指定用户", permissions=["change"])
    def issue_to_users(self, request, queryset):
        chosen = list(queryset.order_by("pk")[:2])
        if len(chosen) != 1:
            self.message_user(request, "请只选择一张优惠券进行发放", messages.WARNING)
            return None
        coupon = chosen[0]
        if "confirm" in request.POST:
            user_ids, unknown = _ids_or_phones(request.POST.get("users", ""))
            if not user_ids and not unknown:
                self.message_user(request, "请填写要发放的用户 ID 或手机号", messages.ERROR)
                return None
            try:
                report = coupons.coupon_issue_to(coupon_id=coupon.pk, user_ids=sorted(user_ids))
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return None
            self.message_user(
                request, f"「{coupon.name}」已发放 {report.issued} 张", messages.SUCCESS
            )
            if report.skipped:
                skipped = "、".join(map(str, report.skipped))
                self.message_user(
                    request, f"已达领取上限或券已发完，跳过用户: {skipped}", messages.WARNING
                )
            missing = unknown + [str(i) for i in report.unknown]
            if missing:
                self.message_user(request, f"找不到用户: {'、'.join(missing)}", messages.WARNING)
            return None
        return render(
            request,
            "console/issue_coupon.html",
            {
                **self.admin_site.each_context(request),
                "title": "发放优惠券",
                "coupon": coupon,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


@admin.register(UserCoupon)
class UserCouponAdmin(ReadOnlyAdmin):
    list_display = [
        "coupon",
        "user",
        "status",
        "source",
        "valid_to",
        "order_number",
        "order_total",
        "received_at",
        "used_at",
    ]
    list_filter = ["status", "source", "received_at"]
    search_fields = ["coupon__name", "user__phone", "order_number"]
    list_select_related = ["coupon", "user"]


@admin.register(PointsRule)
class PointsRuleAdmin(admin.ModelAdmin):
    """There is one rule: its list opens its form."""

    fields = ["enabled", "earn_per_yuan", "per_yuan", "max_share_percent", "expire_at_year_end"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        rule = points.points_rule()
        return HttpResponseRedirect(reverse("admin:marketing_pointsrule_change", args=[rule.pk]))

    def response_change(self, request, obj):
        self.message_user(request, "积分规则已保存", messages.SUCCESS)
        return HttpResponseRedirect(request.path)


@admin.register(PointsAccount)
class PointsAccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "balance"]
    search_fields = ["user__phone", "user__nickname"]
    list_select_related = ["user"]


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "user",
        "kind",
        "delta",
        "order_number",
        "uncollected",
        "note",
        "created_by",
    ]
    list_filter = ["kind"]
    search_fields = ["user__phone", "order_number", "source_id"]
    list_select_related = ["user", "created_by"]


class AdjustmentForm(forms.ModelForm):
    user = forms.ModelChoiceField(queryset=User.objects.all(), label="用户")
    delta = forms.IntegerField(
        label="调整积分", help_text="正数增加，负数扣减；扣减后余额不能小于 0"
    )
    note = forms.CharField(label="调整原因", max_length=200)

    class Meta:
        model = PointsAdjustment
        fields = ["user", "delta", "note"]

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0 or abs(delta) > points.MAX_POINTS:
            raise forms.ValidationError("调整的积分须为非零整数")
        return delta

    def clean(self):
        data = super().clean()
        user, delta = data.get("user"), data.get("delta")
        if user and delta and points.points_balance(user_id=user.pk) + delta < 0:
            balance = points.points_balance(user_id=user.pk)
            self.add_error("delta", f"积分不足：该用户当前可用 {balance} 积分")
        return data


@admin.register(PointsAdjustment)
class PointsAdjustmentAdmin(admin.ModelAdmin):
    """Staff adjust a user's points with a reason; saving goes through `points_adjust`, whose
    entry (with the staff member) is the audit row. Entries are never edited afterwards."""

    form = AdjustmentForm
    list_display = ["created_at", "user", "delta", "note", "created_by"]
    list_select_related = ["user", "created_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=PointsEntry.Kind.ADJUST)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            entry = points.points_adjust(
                user_id=data["user"].pk,
                delta=data["delta"],
                reason=data["note"],
                staff=request.user,
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = entry.pk

    def log_addition(self, request, obj, message):
        if obj.pk:
            super().log_addition(request, obj, message)
