"""bind_rule `expiring`: a binding lasts bind_days. After that, until a new link binds the
user again, nobody upstream earns on their orders and they leave the inviter's team."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.distribution import selectors
from fenxiao.money import truncate_to_fen
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import (
    amounts_by_level,
    assert_ledger_clean,
    bind_to,
    buy,
    make_distributor,
    plan_set,
)

pytestmark = pytest.mark.django_db


def test_a_binding_in_force_earns_and_a_lapsed_one_does_not():
    plan_set(bind_rule="expiring", bind_days=30)
    inviter, sku = make_distributor(), SkuFactory(stock=10)
    fresh, lapsed = UserFactory(), UserFactory()
    assert bind_to(fresh, inviter, now=timezone.now() - timedelta(days=29))
    assert bind_to(lapsed, inviter, now=timezone.now() - timedelta(days=31))

    assert amounts_by_level(buy(fresh, (sku, 1))) == {1: truncate_to_fen(sku.price * 15 / 100)}
    assert amounts_by_level(buy(lapsed, (sku, 1))) == {}
    assert selectors.inviter_id_of(lapsed.pk) is None
    team = [m["user_id"] for m in selectors.team(user_id=inviter.pk, level=1)]
    assert team == [fresh.pk]
    assert_ledger_clean()


def test_the_next_link_after_lapsing_binds_again():
    plan_set(bind_rule="expiring", bind_days=30)
    first, second, user = make_distributor(), make_distributor(), UserFactory()
    bind_to(user, first, now=timezone.now() - timedelta(days=31))
    assert bind_to(user, second)
    assert selectors.inviter_id_of(user.pk) == second.pk
