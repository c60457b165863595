"""The Celery app and the beat schedule of every periodic job (also run by `fenxiao run-due`)."""

import os
from datetime import datetime

from celery import Celery
from django.utils import timezone

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fenxiao.settings")

app = Celery("fenxiao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# name -> (task name, seconds between runs). The same tasks, in this order, make `run-due`.
PERIODIC_JOBS = {
    # first, so an order whose notification was lost is paid before its timeout cancels it
    "query-pending-payments": ("fenxiao.payments.tasks.query_pending_payments", 60),
    "cancel-unpaid-orders": ("fenxiao.orders.tasks.cancel_unpaid_orders", 60),
    # yesterday's bills, once a day after 10:00 (hourly tries until a run did not fail)
    "reconcile-bills": ("fenxiao.payments.tasks.reconcile_bills", 3600),
    "auto-confirm-orders": ("fenxiao.orders.tasks.auto_confirm_orders", 600),
    "close-cancelled-payments": ("fenxiao.payments.tasks.close_cancelled_payments", 300),
    "retry-refunds": ("fenxiao.payments.tasks.retry_refunds", 600),
    "query-transfers": ("fenxiao.payouts.tasks.query_transfers", 300),
    "cancel-unconfirmed-transfers": ("fenxiao.payouts.tasks.cancel_unconfirmed_transfers", 600),
    "settle-commissions": ("fenxiao.distribution.tasks.settle_commissions", 600),
    "upgrade-distributors": ("fenxiao.distribution.tasks.upgrade_distributors", 3600),
    # hourly; does something only from Jan 1 on, once per user and year
    "expire-points": ("fenxiao.marketing.tasks.expire_points", 3600),
}

app.conf.beat_schedule = {
    name: {"task": task, "schedule": float(seconds)}
    for name, (task, seconds) in PERIODIC_JOBS.items()
}
app.conf.timezone = "Asia/Shanghai"
app.conf.task_ignore_result = True


def as_of(at: str | None) -> datetime | None:
    """The moment a periodic job runs "as of": an ISO time from `run-due --at`, or now."""
    if not at:
        return None
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    return moment
