from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "fenxiao.orders"
    verbose_name = "订单"
