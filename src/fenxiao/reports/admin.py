"""Console pages 数据概况, 分销效果 and 排行榜: one page each instead of a list, for a date range
(今天 / 近 7 天 / 近 30 天 or from–to)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from fenxiao.console.admin_base import ReadOnlyAdmin
from fenxiao.reports.models import Dashboard, DistributionEffect, Ranking
from fenxiao.reports.periods import GRAINS, period_from_query
from fenxiao.reports.selectors.dashboard import dashboard
from fenxiao.reports.selectors.effect import distribution_effect
from fenxiao.reports.selectors.rankings import rankings


class ReportAdmin(ReadOnlyAdmin):
    template: str

    def report(self, request, period) -> dict:
        raise NotImplementedError

    def get_urls(self):
        # the page only: no change or history pages of the orders the proxy stands on
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        asked = period_from_query(request.GET)
        if asked.error:
            self.message_user(request, asked.error, messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "title": self.model._meta.verbose_name,
            "opts": self.model._meta,
            "period": asked.period,
            "preset": asked.preset,
            "presets": [("today", "今天"), ("7", "近 7 天"), ("30", "近 30 天")],
            **self.report(request, asked.period),
        }
        return TemplateResponse(request, self.template, context)


@admin.register(Dashboard)
class DashboardAdmin(ReportAdmin):
    template = "reports/dashboard.html"

    def report(self, request, period):
        found = dashboard(period)
        return {"dashboard": found, "chart_data": found.series}


@admin.register(DistributionEffect)
class DistributionEffectAdmin(ReportAdmin):
    template = "reports/effect.html"

    def report(self, request, period):
        grain = request.GET.get("grain", "day")
        grain = grain if grain in GRAINS else "day"
        found = distribution_effect(period, grain)
        return {"effect": found, "grain": grain, "grains": GRAINS, "chart_data": found.chart()}


@admin.register(Ranking)
class RankingAdmin(ReportAdmin):
    template = "reports/rankings.html"

    def report(self, request, period):
        return {"rankings": rankings(period)}
