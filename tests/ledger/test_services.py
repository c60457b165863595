"""The ledger's promises: balanced, once per event, cached balances that agree with entries."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from fenxiao.ledger.errors import UnbalancedTransaction
from fenxiao.ledger.models import Account, Entry, Transaction
from fenxiao.ledger.selectors import balances_of, ledger_differences, platform_balance
from fenxiao.ledger.services import Posting, platform_key, post, post_many, user_key
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

D = Decimal


def earn(user_id: int, amount: str, source: str):
    return post(
        kind="commission_frozen",
        source_id=source,
        legs=[
            (platform_key("commission_expense"), -D(amount)),
            (user_key(user_id, "frozen"), D(amount)),
        ],
    )


def test_a_posting_moves_money_and_the_cached_balance_with_it():
    user = UserFactory()
    txn = earn(user.pk, "44.98", "line-1")
    assert txn is not None and txn.entries.count() == 2
    assert balances_of(user.pk) == {"frozen": D("44.98"), "available": D(0), "withdrawing": D(0)}
    assert platform_balance("commission_expense") == D("-44.98")
    assert ledger_differences() == []


def test_the_same_event_posts_once():
    user = UserFactory()
    assert earn(user.pk, "10.00", "line-1") is not None
    # given the same (kind, source id) again, with another amount even
    assert earn(user.pk, "99.00", "line-1") is None
    assert Transaction.objects.count() == 1
    assert balances_of(user.pk)["frozen"] == D("10.00")


def test_an_unbalanced_posting_is_refused_and_writes_nothing():
    user = UserFactory()
    with pytest.raises(UnbalancedTransaction):
        post(
            kind="commission_frozen",
            source_id="line-2",
            legs=[
                (platform_key("commission_expense"), D("-1.00")),
                (user_key(user.pk, "frozen"), D("1.01")),
            ],
        )
    assert not Transaction.objects.exists() and not Entry.objects.exists()
    assert balances_of(user.pk)["frozen"] == D(0)


def test_zero_legs_leave_no_entry():
    user = UserFactory()
    post(
        kind="adjust",
        source_id="a-1",
        legs=[
            (user_key(user.pk, "frozen"), D("0.00")),
            (user_key(user.pk, "available"), D("5.00")),
            (platform_key("commission_expense"), D("-5.00")),
        ],
    )
    assert Entry.objects.count() == 2


def test_a_debt_may_stand_after_a_claw_back():
    user = UserFactory()
    post(
        kind="claw_back",
        source_id="refund-1",
        legs=[
            (user_key(user.pk, "available"), D("-3.00")),
            (platform_key("commission_expense"), D("3.00")),
        ],
    )
    assert balances_of(user.pk)["available"] == D("-3.00")
    assert ledger_differences() == []


def test_reconciliation_finds_a_tampered_cached_balance():
    user = UserFactory()
    earn(user.pk, "8.00", "line-1")
    Account.objects.filter(key=user_key(user.pk, "frozen")).update(balance=D("80.00"))
    problems = ledger_differences()
    assert len(problems) == 1 and "80.00" in problems[0] and "8.00" in problems[0]


def test_reconciliation_finds_a_transaction_that_does_not_sum_to_zero():
    user = UserFactory()
    txn = earn(user.pk, "8.00", "line-1")
    # entries are never updated by the code; a hand edit in the database is what this catches
    Entry.objects.filter(transaction=txn, amount__lt=0).update(amount=D("-7.99"))
    Account.objects.filter(key=user_key(user.pk, "frozen")).update(balance=D("8.00"))
    assert any("sum to 0.01" in p for p in ledger_differences())


def test_platform_accounts_are_summed_from_entries_not_cached():
    users = UserFactory.create_batch(3)
    for n, user in enumerate(users):
        earn(user.pk, f"{n + 1}.10", f"line-{n}")
    expense = Account.objects.get(key=platform_key("commission_expense"))
    assert expense.balance == D(0)  # never written: no single hot row
    assert platform_balance("commission_expense") == D("-6.30")


def test_many_postings_at_once_keep_every_promise_of_one():
    a, b = UserFactory(), UserFactory()
    earn(a.pk, "10.00", "a-1")
    earn(b.pk, "5.50", "b-1")
    moves = [
        Posting(
            source_id=f"{user.pk}-{n}",
            legs=[
                (user_key(user.pk, "frozen"), -D(amount)),
                (user_key(user.pk, "available"), D(amount)),
            ],
            memo=f"结算 {n}",
        )
        for n, (user, amount) in enumerate([(a, "3.00"), (b, "5.50"), (a, "7.00"), (b, "0")])
    ]

    posted = post_many(kind="commission_settle", postings=moves)

    assert posted == 4
    assert balances_of(a.pk)["frozen"] == D("0.00") and balances_of(a.pk)["available"] == D("10.00")
    assert balances_of(b.pk)["frozen"] == D("0.00") and balances_of(b.pk)["available"] == D("5.50")
    assert Transaction.objects.filter(kind="commission_settle").count() == 4
    # a zero leg writes no entry; the transaction still marks the event as done
    assert Entry.objects.filter(transaction__kind="commission_settle").count() == 6
    assert Transaction.objects.get(kind="commission_settle", source_id=f"{b.pk}-3").memo == "结算 3"
    assert ledger_differences() == []


def test_many_postings_refuse_an_event_posted_before_and_write_nothing():
    user = UserFactory()
    earn(user.pk, "10.00", "e-1")
    first = Posting(
        source_id="s-1",
        legs=[
            (user_key(user.pk, "frozen"), -D("1.00")),
            (user_key(user.pk, "available"), D("1.00")),
        ],
    )
    post_many(kind="commission_settle", postings=[first])
    again = [Posting(source_id="s-2", legs=first.legs), first]

    # no savepoint of its own: the caller's transaction (here a block of the test's) rolls back
    with pytest.raises(IntegrityError), transaction.atomic():
        post_many(kind="commission_settle", postings=again)

    assert Transaction.objects.filter(kind="commission_settle").count() == 1
    assert balances_of(user.pk)["available"] == D("1.00")
    assert ledger_differences() == []


def test_many_postings_refuse_an_unbalanced_one_before_writing():
    user = UserFactory()
    legs = [(user_key(user.pk, "frozen"), -D("1.00")), (user_key(user.pk, "available"), D("0.99"))]

    with pytest.raises(UnbalancedTransaction):
        post_many(kind="commission_settle", postings=[Posting(source_id="x", legs=legs)])

    assert not Transaction.objects.filter(kind="commission_settle").exists()
    assert not Account.objects.filter(owner=user).exists()
