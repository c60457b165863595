"""A small shop with a known history over four days, for the report tests.

Everything is made through the services (sign-up, referral visits, orders paid with signed
sandbox notifications, refunds); the services stamp the present, so each record's moments are
then moved to its day of the story. Period under test: 2026-03-09 and 03-10 (Beijing time);
previous period: 03-07 and 03-08.

  03-07  dave signs up; the distributor signs up and becomes one
  03-08  10:00 dave pays a band (¥229.00); 12:00 the plan is first saved (distribution on)
  03-09  alice signs up through the distributor's share of the band and is bound;
         bob signs up on his own and pays a mat (¥89.00)
  03-10  alice pays a band (¥229.00) and a mat (¥89.00): her first order the day after she
         was bound, then a second; the distributor buys a shirt for themself (¥79.00,
         self-purchase commission); carol signs up, orders a shirt and cancels it unpaid;
         bob's mat is refunded in full (¥89.00): a refund on another day than its payment
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fenxiao.accounts.models import User
from fenxiao.distribution.models import (
    Binding,
    BindingEvent,
    Commission,
    Distributor,
    PlanChange,
)
from fenxiao.distribution.services import binding
from fenxiao.orders.models import Order, Refund
from fenxiao.orders.services import order_cancel
from fenxiao.reports.periods import Period
from tests.accounts.factories import UserFactory
from tests.console.conftest import (  # noqa: F401 (fixtures)
    STAFF_PASSWORD,
    console,
    make_staff,
    shop,
    shopper,
)
from tests.console.test_browser import page  # noqa: F401 (fixture)
from tests.distribution.flows import buy, code_of, make_distributor, place, plan_set, refund

SH = ZoneInfo("Asia/Shanghai")
PERIOD = Period(datetime(2026, 3, 9).date(), datetime(2026, 3, 10).date())
D = Decimal


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SH)


@dataclass
class Story:
    distributor: User
    alice: User
    bob: User
    carol: User
    dave: User
    shop: object


def _order_at(order: Order, moment: datetime) -> None:
    Order.objects.filter(pk=order.pk).update(created_at=moment, paid_at=moment)
    Commission.objects.filter(order=order).update(created_at=moment)


def _joined(user: User, moment: datetime) -> None:
    User.objects.filter(pk=user.pk).update(date_joined=moment)


@pytest.fixture
def story(shop) -> Story:  # noqa: F811
    # apply: only the approved distributor earns (with "everyone" each buyer would self-earn)
    plan_set(mode="apply", levels=1, rates=[{"level": 1, "percent": "10"}], self_purchase=True)
    PlanChange.objects.update(changed_at=at(8, 12))

    dave = UserFactory(nickname="dave")
    _joined(dave, at(7, 9))
    distributor = make_distributor(nickname="小王")
    _joined(distributor, at(7, 10))
    Distributor.objects.filter(pk=distributor.pk).update(
        created_at=at(7, 10), activated_at=at(7, 10)
    )
    _order_at(buy(dave, (shop.sku(shop.band), 1)), at(8, 10))

    alice = UserFactory(nickname="alice")
    _joined(alice, at(9, 9))
    binding.referral_visit(
        user=alice, code=code_of(distributor), product_id=shop.band.pk, now=at(9, 9, 5)
    )
    bob = UserFactory(nickname="bob")
    _joined(bob, at(9, 11))
    bobs = buy(bob, (shop.sku(shop.mat), 1))
    _order_at(bobs, at(9, 15))

    _order_at(buy(alice, (shop.sku(shop.band), 1)), at(10, 9))
    _order_at(buy(alice, (shop.sku(shop.mat), 1)), at(10, 20))
    _order_at(buy(distributor, (shop.sku(shop.shirt), 1)), at(10, 11))
    carol = UserFactory(nickname="carol")
    _joined(carol, at(10, 12))
    cancelled = place(carol, (shop.sku(shop.shirt), 1))
    order_cancel(order_id=cancelled.pk, buyer=carol)
    Order.objects.filter(pk=cancelled.pk).update(created_at=at(10, 12))
    done = refund(bobs, {bobs.lines.get().pk: 1})
    Refund.objects.filter(pk=done.pk).update(created_at=at(10, 16), refunded_at=at(10, 16))

    # the story's own checks: what the services made is what the figures assume
    assert Binding.objects.get(user=alice).inviter_id == distributor.pk
    assert BindingEvent.objects.filter(user=alice, kind="bind").count() == 1
    assert [o.total for o in Order.objects.filter(paid_at__isnull=False).order_by("paid_at")] == [
        D("229.00"),
        D("89.00"),
        D("229.00"),
        D("79.00"),
        D("89.00"),
    ]
    assert Order.objects.get(pk=cancelled.pk).status == Order.Status.CANCELLED
    assert sorted(Commission.objects.values_list("original_amount", flat=True)) == [
        D("7.90"),
        D("8.90"),
        D("22.90"),
    ]
    return Story(distributor, alice, bob, carol, dave, shop)
