from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "fenxiao.distribution"
    verbose_name = "分销"
