"""Periodic jobs of payments (thin wrappers; see PERIODIC_JOBS in fenxiao.celery)."""

from celery import shared_task

from fenxiao.celery import as_of
from fenxiao.payments import reconcile, services


@shared_task(name="fenxiao.payments.tasks.close_cancelled_payments")
def close_cancelled_payments(at: str | None = None) -> int:
    return services.payments_close_for_cancelled()


@shared_task(name="fenxiao.payments.tasks.retry_refunds")
def retry_refunds(at: str | None = None) -> int:
    return services.refunds_retry(now=as_of(at))


@shared_task(name="fenxiao.payments.tasks.query_pending_payments")
def query_pending_payments(at: str | None = None) -> int:
    return services.payments_query_pending(now=as_of(at))


@shared_task(name="fenxiao.payments.tasks.reconcile_bills")
def reconcile_bills(at: str | None = None) -> int:
    return reconcile.bills_reconcile_due(now=as_of(at))
