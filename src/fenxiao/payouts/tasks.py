"""Periodic jobs of payouts (thin wrappers; see PERIODIC_JOBS in fenxiao.celery)."""

from celery import shared_task

from fenxiao.celery import as_of
from fenxiao.payouts import transfers


@shared_task(name="fenxiao.payouts.tasks.query_transfers")
def query_transfers(at: str | None = None) -> int:
    return transfers.transfers_query_due(now=as_of(at))


@shared_task(name="fenxiao.payouts.tasks.cancel_unconfirmed_transfers")
def cancel_unconfirmed_transfers(at: str | None = None) -> int:
    return transfers.transfers_cancel_expired(now=as_of(at))
