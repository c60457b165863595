"""Reads of payments, including the order-to-payment reconciliation."""

from datetime import datetime

from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from fenxiao import db
from fenxiao.accounts.models import User
from fenxiao.catalog.models import Sku
from fenxiao.money import HALF_FEN, round_sum_to_fen
from fenxiao.orders.models import Order, Refund
from fenxiao.payments.models import Payment, ProviderRefund

# a payment by its provider and our trade number (unique together), for db.read
BY_NUMBER = "payments_payment.provider = %s AND payments_payment.out_trade_no = %s"


def payment_of_buyer(*, payment_id: int, buyer: User) -> Payment | None:
    """A payment of one of the buyer's orders (None for anyone else's)."""
    where = "payments_payment.id = %s AND orders_order.buyer_id = %s"
    return db.read_one(Payment, where, [payment_id, buyer.pk], related=("order",))


PAID_STATES = [
    Order.Status.PAID,
    Order.Status.SHIPPED,
    Order.Status.COMPLETED,
    Order.Status.REFUNDED,
]


def reconciliation_differences() -> list[str]:
    """Every way orders, payments, refunds and stock disagree; empty when all is well. A few
    queries whatever the number of orders: each check is a filter the database runs."""
    problems: list[str] = []
    paid = Payment.objects.filter(status=Payment.Status.PAID)
    for number, amount, total in (
        paid.exclude(amount=F("order__total"))
        .order_by("pk")
        .values_list("out_trade_no", "amount", "order__total")
    ):
        problems.append(f"payment {number}: amount {amount} != order total {total}")
    payments = paid.filter(order=OuterRef("pk")).order_by().values("order")
    refunds = (
        ProviderRefund.objects.filter(
            payment__order=OuterRef("pk"), status=ProviderRefund.Status.SUCCESS
        )
        .order_by()
        .values("payment__order")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    orders = Order.objects.filter(status__in=PAID_STATES).annotate(
        paid_payments=Coalesce(Subquery(payments.annotate(n=Count("pk")).values("n")), 0),
        provider_refunded=Coalesce(
            Subquery(refunds.annotate(s=Sum("amount")).values("s"), output_field=money),
            Value(0, output_field=money),
        ),
    )
    # entries are whole fen: a difference is at least 0.01, less is SQLite's float noise
    suspects = orders.filter(
        ~Q(paid_payments=1)
        | Q(provider_refunded__gte=F("refunded_amount") + HALF_FEN)
        | Q(provider_refunded__lte=F("refunded_amount") - HALF_FEN)
    )
    for number, count, refunded, provider in suspects.order_by("pk").values_list(
        "number", "paid_payments", "refunded_amount", "provider_refunded"
    ):
        if count != 1:
            problems.append(f"order {number}: {count} paid payments, expected 1")
        provider = round_sum_to_fen(provider)
        if provider != refunded:
            problems.append(
                f"order {number}: refunded {refunded} but provider refunds total {provider}"
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
