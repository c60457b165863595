"""The merchant console: Django admin in Chinese with a home page of today's figures."""

from django.contrib import admin

from fenxiao.console.selectors import today_figures


class ConsoleSite(admin.AdminSite):
    site_header = "fenxiao 分销商城 · 商家后台"
    site_title = "fenxiao 商家后台"
    index_title = "今日概况"

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "figures": today_figures()}
        return super().index(request, extra_context)
