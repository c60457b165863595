"""Figures for the console's home page."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from fenxiao.money import round_sum_to_fen
from fenxiao.orders.models import Order, Refund


def today_figures(now: datetime | None = None) -> dict:
    now = timezone.localtime(now or timezone.now())
    start = timezone.make_aware(datetime.combine(now.date(), time.min))
    end = start + timedelta(days=1)
    paid = Order.objects.filter(paid_at__gte=start, paid_at__lt=end).aggregate(
        count=Count("id"), sales=Sum("total")
    )
    return {
        "date": now.date(),
        "orders_placed": Order.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        "orders_paid": paid["count"],
        # SQLite sums decimals as floats: back to exact yuan with two decimals
        "sales": round_sum_to_fen(paid["sales"]),
        "refunded": round_sum_to_fen(
            Refund.objects.filter(refunded_at__gte=start, refunded_at__lt=end).aggregate(
                s=Sum("amount")
            )["s"]
        ),
        "to_ship": Order.objects.filter(status=Order.Status.PAID).count(),
        "refunds_to_review": Refund.objects.filter(status=Refund.Status.REQUESTED).count(),
        "pending_payment": Order.objects.filter(status=Order.Status.PENDING_PAYMENT).count(),
    }
