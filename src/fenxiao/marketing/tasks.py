"""Periodic jobs of marketing (thin wrappers; see PERIODIC_JOBS in fenxiao.celery)."""

from celery import shared_task

from fenxiao.celery import as_of
from fenxiao.marketing import points


@shared_task(name="fenxiao.marketing.tasks.expire_points")
def expire_points(at: str | None = None) -> int:
    return points.points_expire_due(now=as_of(at))
