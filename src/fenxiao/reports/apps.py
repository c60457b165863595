from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fenxiao.reports"
    verbose_name = "数据报表"
