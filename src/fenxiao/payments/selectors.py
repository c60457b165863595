"""Reads of payments, including the order-to-payment reconciliation."""

from datetime import datetime

from django.db.models import Q, QuerySet, Sum

from fenxiao.accounts.models import User
from fenxiao.catalog.models import Sku
from fenxiao.money import round_sum_to_fen
from fenxiao.orders.models import Order, Refund
from fenxiao.payments.models import Payment, ProviderRefund


def payment_of_buyer(*, payment_id: int, buyer: User) -> Payment | None:
    """A payment of one of the buyer's orders (None for anyone else's)."""
    return Payment.objects.select_related("order").filter(pk=payment_id, order__buyer=buyer).first()


PAID_STATES = [
    Order.Status.PAID,
    Order.Status.SHIPPED,
    Order.Status.COMPLETED,
    Order.Status.REFUNDED,
]


def reconciliation_differences() -> list[str]:
    """Every way orders, payments, refunds and stock disagree; empty when all is well."""
    problems: list[str] = []
    paid = Payment.objects.filter(status=Payment.Status.PAID).select_related("order")
    for payment in paid.iterator():
        if payment.amount != payment.order.total:
            problems.append(
                f"payment {payment.out_trade_no}: amount {payment.amount} "
                f"!= order total {payment.order.total}"
            )
    for order in Order.objects.filter(status__in=PAID_STATES).iterator():
        count = Payment.objects.filter(order=order, status=Payment.Status.PAID).count()
        if count != 1:
            problems.append(f"order {order.number}: {count} paid payments, expected 1")
        refunded = round_sum_to_fen(
            ProviderRefund.objects.filter(
                payment__order=order, status=ProviderRefund.Status.SUCCESS
            ).aggregate(s=Sum("amount"))["s"]
        )
        if refunded != order.refunded_amount:
            problems.append(
                f"order {order.number}: refunded {order.refunded_amount} "
                f"but provider refunds total {refunded}"
            )
    done = Refund.objects.filter(status=Refund.Status.REFUNDED)
    for refund in done.filter(~Q(provider_refund__status=ProviderRefund.Status.SUCCESS)):
        problems.append(f"refund {refund.number}: refunded without a successful provider refund")
    for sku in Sku.objects.filter(stock__lt=0):
        problems.append(f"sku {sku.pk}: negative stock {sku.stock}")
    return problems


def payments_paid_between(*, provider: str, start: datetime, end: datetime) -> QuerySet[Payment]:
    return Payment.objects.filter(
        provider=provider, status=Payment.Status.PAID, paid_at__gte=start, paid_at__lt=end
    ).order_by("paid_at", "pk")


def refunds_succeeded_between(
    *, provider: str, start: datetime, end: datetime
) -> QuerySet[ProviderRefund]:
    return (
        ProviderRefund.objects.select_related("payment")
        .filter(
            payment__provider=provider,
            status=ProviderRefund.Status.SUCCESS,
            succeeded_at__gte=start,
            succeeded_at__lt=end,
        )
        .order_by("succeeded_at", "pk")
    )


def refunds_started_between(
    *, provider: str, start: datetime, end: datetime
) -> QuerySet[ProviderRefund]:
    """Refunds the provider took in [start, end): what its trade bill lists (WeChat lists a
    refund the day it accepted it, succeeded or still processing)."""
    return (
        ProviderRefund.objects.select_related("payment")
        .filter(payment__provider=provider)
        .filter(
            Q(status=ProviderRefund.Status.SUCCESS, succeeded_at__gte=start, succeeded_at__lt=end)
            | Q(status=ProviderRefund.Status.PROCESSING, created_at__gte=start, created_at__lt=end)
        )
        .order_by("pk")
    )
