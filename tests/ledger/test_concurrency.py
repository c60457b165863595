"""Many postings at once on PostgreSQL: balances stay equal to their entries, events post once."""

from decimal import Decimal

import psycopg
import pytest
from django.db import transaction

from fenxiao.ledger.models import Account, Transaction
from fenxiao.ledger.selectors import balances_of, ledger_differences
from fenxiao.ledger.services import accounts_lock, platform_key, post, user_key
from tests.accounts.factories import UserFactory
from tests.concurrency import other_connection, race

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


@pytest.mark.parametrize("how", ["accounts_lock", "post"])
def test_the_user_accounts_are_locked_and_the_platform_one_left_free(how):
    user = UserFactory()
    legs = [
        (platform_key("commission_expense"), Decimal("-1.00")),
        (user_key(user.pk, "frozen"), Decimal("1.00")),
    ]
    post(kind="commission_frozen", source_id="line-1", legs=legs)  # opens both accounts
    ids = dict(Account.objects.values_list("key", "pk"))

    with transaction.atomic():
        if how == "post":
            post(kind="commission_frozen", source_id="line-2", legs=legs)
        else:  # takes the locks only: the UPDATE of a balance would lock its row too
            accounts_lock([key for key, _ in legs])
        with other_connection() as other:
            # every purchase posts to the platform's account: a lock on it would queue them all
            lock = "SELECT 1 FROM ledger_account WHERE id = %s FOR UPDATE NOWAIT"
            other.execute(lock, [ids[platform_key("commission_expense")]])
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute(lock, [ids[user_key(user.pk, "frozen")]])
    assert balances_of(user.pk)["frozen"] == Decimal("2.00" if how == "post" else "1.00")
