"""Reads of orders and refunds, always scoped to who asks."""

from django.db.models import Prefetch, QuerySet

from fenxiao.orders.errors import OrderNotFound, RefundNotFound
from fenxiao.orders.models import Order, OrderLine, Refund, RefundLine


def _orders() -> QuerySet:
    return Order.objects.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    )


def orders_all(*, status: str | None = None) -> QuerySet:
    return _orders().filter(status=status) if status else _orders()


def orders_of(*, buyer, status: str | None = None) -> QuerySet:
    qs = _orders().filter(buyer=buyer)
    return qs.filter(status=status) if status else qs


def order_of(*, buyer, order_id: int) -> Order:
    order = _orders().filter(pk=order_id, buyer=buyer).first()
    if order is None:
        raise OrderNotFound()
    return order


def order_any(*, order_id: int) -> Order:
    order = _orders().filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order


def refunds_of_order(*, order: Order) -> QuerySet:
    return Refund.objects.filter(order=order).prefetch_related(
        Prefetch("lines", queryset=RefundLine.objects.order_by("pk"))
    )


def refund_any(*, refund_id: int) -> Refund:
    refund = Refund.objects.prefetch_related("lines").filter(pk=refund_id).first()
    if refund is None:
        raise RefundNotFound()
    return refund
