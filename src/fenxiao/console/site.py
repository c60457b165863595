"""The merchant console: Django admin in Chinese with a home page (工作台) of today's figures,
what waits on staff, the platform's accounts and the last 7 days' 数据概况 with its charts."""

from django.contrib import admin

from fenxiao.console import selectors
from fenxiao.reports.periods import period_from_query
from fenxiao.reports.selectors.dashboard import dashboard


class ConsoleSite(admin.AdminSite):
    site_header = "fenxiao 分销商城 · 商家后台"
    site_title = "fenxiao 商家后台"
    index_title = "工作台"

    def index(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "figures": selectors.today_figures(),
            "waiting": selectors.waiting_on_staff(),
            "platform_accounts": selectors.platform_accounts(),
        }
        if request.user.has_perm("reports.view_dashboard"):
            # 数据概况 of the last 7 days on the front page; the report page takes any range
            found = dashboard(period_from_query({}).period)
            extra_context |= {"dashboard": found, "chart_data": found.series}
        return super().index(request, extra_context)
