"""Many postings at once on PostgreSQL: balances stay equal to their entries, events post once."""

from decimal import Decimal

import pytest

from fenxiao.ledger.models import Transaction
from fenxiao.ledger.selectors import balances_of, ledger_differences
from fenxiao.ledger.services import platform_key, post, user_key
from tests.accounts.factories import UserFactory
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_postings_to_one_account_at_once_all_count():
    user = UserFactory()

    def earn(i):
        return post(
            kind="commission_frozen",
            source_id=f"line-{i}",
            legs=[
                (platform_key("commission_expense"), Decimal("-1.01")),
                (user_key(user.pk, "frozen"), Decimal("1.01")),
            ],
        )

    race(20, earn)
    assert balances_of(user.pk)["frozen"] == Decimal("20.20")
    assert ledger_differences() == []


def test_the_same_event_posted_by_twenty_workers_at_once_posts_once():
    user = UserFactory()

    def settle(i):
        return post(
            kind="commission_settled",
            source_id="commission-7",
            legs=[
                (user_key(user.pk, "frozen"), Decimal("-5.00")),
                (user_key(user.pk, "available"), Decimal("5.00")),
            ],
        )

    results = race(20, settle)
    assert sum(1 for r in results if r is not None) == 1
    assert Transaction.objects.filter(source_id="commission-7").count() == 1
    balances = balances_of(user.pk)
    assert (balances["frozen"], balances["available"]) == (Decimal("-5.00"), Decimal("5.00"))
    assert ledger_differences() == []
