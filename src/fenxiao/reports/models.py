"""The console's report pages. They own no table: each is a proxy, so that it has a place in
the console's menu and a `view_…` permission the staff roles grant; the figures are read from
the real tables by `fenxiao.reports.selectors`."""

from fenxiao.orders.models import Order


class Dashboard(Order):
    class Meta:
        proxy = True
        default_permissions = ("view",)
        verbose_name = "数据概况"
        verbose_name_plural = "数据概况"


class DistributionEffect(Order):
    class Meta:
        proxy = True
        default_permissions = ("view",)
        verbose_name = "分销效果"
        verbose_name_plural = "分销效果"


class Ranking(Order):
    class Meta:
        proxy = True
        default_permissions = ("view",)
        verbose_name = "排行榜"
        verbose_name_plural = "排行榜"
