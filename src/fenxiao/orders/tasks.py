"""Periodic jobs of the orders app (thin wrappers; see PERIODIC_JOBS in fenxiao.celery)."""

from celery import shared_task

from fenxiao.celery import as_of
from fenxiao.orders import services


@shared_task(name="fenxiao.orders.tasks.cancel_unpaid_orders")
def cancel_unpaid_orders(at: str | None = None) -> int:
    from fenxiao.payments.services import payments_query_pending

    # whichever job beat starts first in a minute: a payment the provider took whose
    # notification was lost pays its order before the timeout could cancel it
    now = as_of(at)
    payments_query_pending(now=now, overdue_only=True)
    return services.orders_cancel_unpaid(now=now)


@shared_task(name="fenxiao.orders.tasks.auto_confirm_orders")
def auto_confirm_orders(at: str | None = None) -> int:
    return services.orders_auto_confirm(now=as_of(at))
