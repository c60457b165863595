"""分销方案: the one plan, validated and saved through the services, with its history."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse

from fenxiao.console.admin_base import ReadOnlyAdmin
from fenxiao.distribution import rules
from fenxiao.distribution.admin.rates import RatesField
from fenxiao.distribution.admin.texts import (
    CHANGE_SOURCES,
    rates_text,
    same_value,
    value_text,
)
from fenxiao.distribution.models import (
    Plan,
    PlanChange,
)
from fenxiao.distribution.services import plan
from fenxiao.errors import DomainError
from fenxiao.money import ZERO


def plan_change_summary(before: dict, after: dict) -> list[str]:
    """What a change did, field by field: 各级佣金：一级 15% → 一级 18%."""
    lines = []
    for field in plan.FIELDS:
        if not same_value(before.get(field), after.get(field)):
            label = Plan._meta.get_field(field).verbose_name
            old, new = value_text(field, before.get(field)), value_text(field, after.get(field))
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
            "tax_mode": "提现时代扣个人所得税：按比例为每笔提现金额乘以代扣比例；劳务报酬按每位"
            "分销商当月累计提现金额预扣（4,000 元以内减除 800 元，以上减除 20%，"
            "再按 20%、30%、40% 超额累进），减去当月已代扣的税额",
            "tax_rate": "仅“按比例”时使用，0 到 100，最多 2 位小数",
            "points_count_for_commission": "关闭时积分视为折扣，佣金按现金实付计算；"
            "开启时订单行的积分抵扣金额也计入佣金基数",
            "auto_approve_below": "提现金额不超过此金额时，申请提交后自动审核通过"
            "（仍须在等级的提现限额内）；0 表示关闭，全部由财务人工审核",
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

    def clean_tax_rate(self):
        rate = self.cleaned_data.get("tax_rate")
        if rate is not None and not ZERO <= rate <= rules.HUNDRED:
            raise forms.ValidationError(plan.TAX_RATE_MESSAGE)
        return rate

    def clean_auto_approve_below(self):
        amount = self.cleaned_data.get("auto_approve_below")
        if amount is not None and amount < ZERO:
            raise forms.ValidationError(plan.AUTO_APPROVE_MESSAGE)
        return amount

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
            {
                "fields": [
                    "levels",
                    "rates",
                    "base",
                    "max_commission_share",
                    "self_purchase",
                    "points_count_for_commission",
                ]
            },
        ),
        ("绑定关系", {"fields": ["bind_rule", "bind_on", "bind_days"]}),
        ("结算", {"fields": ["freeze_days"]}),
        ("个税代扣", {"fields": ["tax_mode", "tax_rate"]}),
        ("提现", {"fields": ["auto_approve_below"]}),
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
class PlanChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "changed_by", "source_display", "summary"]
    list_select_related = ["changed_by"]
    readonly_fields = ["changed_at", "changed_by", "source_display", "summary", "before", "after"]
    fields = readonly_fields

    @admin.display(description="来源")
    def source_display(self, obj):
        return CHANGE_SOURCES.get(obj.source, obj.source)

    @admin.display(description="修改内容")
    def summary(self, obj):
        return "；".join(plan_change_summary(obj.before, obj.after)) or "—"


# grades and product rates
