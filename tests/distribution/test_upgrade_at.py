"""`fenxiao run-due --at T` upgrades grades and activates threshold distributors as of T:
sales completed after T do not count yet, and the activation is stamped T."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.cli import main as fenxiao
from fenxiao.distribution.models import Distributor, Grade
from fenxiao.distribution.services import grades
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import D, buy, buyer_under, complete, make_distributor, plan_set

pytestmark = pytest.mark.django_db


def run_due(at) -> None:
    assert fenxiao(["run-due", "--at", at.isoformat()]) == 0


def test_grade_upgrade_counts_only_sales_completed_by_the_given_moment():
    # given: silver needs ¥500 of own completed sales and one direct recruit who bought
    silver = grades.grade_save(
        grade=Grade(name="银牌", rank=1, upgrade_own_sales=D("500"), upgrade_direct_buyers=1)
    )
    me = make_distributor()
    completed_at = timezone.now()
    complete(buy(buyer_under(me), (SkuFactory(price=D("600.00")), 1)), at=completed_at)

    # when: the job runs as of the day before the sale completed
    run_due(completed_at - timedelta(days=1))
    # then: not yet
    assert Distributor.objects.get(pk=me.pk).grade.is_default

    # when: as of a moment after it
    run_due(completed_at + timedelta(minutes=1))
    assert Distributor.objects.get(pk=me.pk).grade == silver


def test_threshold_activation_as_of_the_given_moment():
    plan_set(mode="threshold", threshold_amount="100.00")
    buyer = buyer_under(None)
    completed_at = timezone.now() - timedelta(days=3)
    complete(buy(buyer, (SkuFactory(price=D("120.00")), 1)), at=completed_at)

    run_due(completed_at - timedelta(hours=1))
    assert not Distributor.objects.filter(pk=buyer.pk).exists()

    run_due(completed_at)
    found = Distributor.objects.get(pk=buyer.pk)
    assert found.status == "active"
    assert found.activated_at == completed_at
