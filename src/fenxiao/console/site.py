"""The merchant console: Django admin in Chinese with a home page (工作台) of today's figures,
what waits on staff and the platform's accounts."""

from django.contrib import admin

from fenxiao.console import selectors


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
        return super().index(request, extra_context)
