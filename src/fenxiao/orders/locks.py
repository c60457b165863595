"""Row locks of the orders app, always taken in primary-key order."""

from fenxiao.orders.models import Order, OrderLine, Refund


def order_for_update(order_id: int):
    return Order.objects.select_for_update().filter(pk=order_id).first()


def lines_for_update(order: Order):
    return list(OrderLine.objects.select_for_update().filter(order=order).order_by("pk"))


def refund_for_update(refund_id: int):
    return Refund.objects.select_for_update().filter(pk=refund_id).first()
