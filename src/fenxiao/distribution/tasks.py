"""Periodic jobs of distribution (thin wrappers; see PERIODIC_JOBS in fenxiao.celery)."""

from celery import shared_task

from fenxiao.celery import as_of
from fenxiao.distribution.services import commissions, distributors, grades


@shared_task(name="fenxiao.distribution.tasks.settle_commissions")
def settle_commissions(at: str | None = None) -> int:
    return commissions.commissions_settle_due(now=as_of(at))


@shared_task(name="fenxiao.distribution.tasks.upgrade_distributors")
def upgrade_distributors(at: str | None = None) -> dict:
    now = as_of(at)
    return {
        "activated": distributors.distributors_activate_by_threshold(now=now),
        "upgraded": grades.grades_upgrade_due(now=now),
    }
