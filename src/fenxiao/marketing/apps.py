from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "fenxiao.marketing"
    verbose_name = "营销"
