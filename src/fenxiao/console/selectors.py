"""Figures for the console's home page: today's sales, what waits on staff, platform money."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from fenxiao.console.admin_base import money_text
from fenxiao.distribution.models import Distributor
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.ledger.models import Account
from fenxiao.money import round_sum_to_fen
from fenxiao.orders.models import Order, Refund
from fenxiao.payouts.models import Withdrawal


def today_figures(now: datetime | None = None) -> dict:
    """Today's orders, sales and refunds, and the orders and refunds waiting: two queries."""
    now = timezone.localtime(now or timezone.now())
    start = timezone.make_aware(datetime.combine(now.date(), time.min))
    end = start + timedelta(days=1)
    paid_today = Q(paid_at__gte=start, paid_at__lt=end)
    orders = Order.objects.aggregate(
        placed=Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
        paid=Count("id", filter=paid_today),
        sales=Sum("total", filter=paid_today),
        to_ship=Count("id", filter=Q(status=Order.Status.PAID)),
        pending_payment=Count("id", filter=Q(status=Order.Status.PENDING_PAYMENT)),
    )
    refunds = Refund.objects.aggregate(
        refunded=Sum("amount", filter=Q(refunded_at__gte=start, refunded_at__lt=end)),
        to_review=Count("id", filter=Q(status=Refund.Status.REQUESTED)),
    )
    return {
        "date": now.date(),
        "orders_placed": orders["placed"],
        "orders_paid": orders["paid"],
        # SQLite sums decimals as floats: back to exact yuan with two decimals
        "sales": round_sum_to_fen(orders["sales"]),
        "refunded": round_sum_to_fen(refunds["refunded"]),
        "to_ship": orders["to_ship"],
        "refunds_to_review": refunds["to_review"],
        "pending_payment": orders["pending_payment"],
    }


def waiting_on_staff() -> dict:
    """Distributor applications and withdrawals waiting for a decision."""
    return {
        "applications": Distributor.objects.filter(status=Distributor.Status.APPLIED).count(),
        "withdrawals": Withdrawal.objects.filter(status=Withdrawal.Status.REQUESTED).count(),
    }


def platform_accounts() -> list[dict]:
    """The platform accounts with their balances summed from the entries (one query)."""
    labels = dict(Account.Kind.choices)
    return [
        {
            "kind": kind,
            "label": labels[kind],
            "balance": balance,
            "balance_text": money_text(balance),
        }
        for kind, balance in ledger_selectors.platform_balances().items()
    ]
