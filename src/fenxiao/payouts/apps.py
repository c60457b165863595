from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "fenxiao.payouts"
    verbose_name = "提现"
