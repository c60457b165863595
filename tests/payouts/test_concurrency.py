"""Races on PostgreSQL with real threads: withdrawals competing for one balance, double
approval, approve against reject, a failure against mark-paid, a claw-back against a
withdrawal. Each asserts the books afterwards (`fenxiao reconcile` clean), not only that
nothing crashed. Skipped on SQLite."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from fenxiao.distribution.services.commissions import commissions_settle_due
from fenxiao.payouts import errors, services
from fenxiao.payouts.models import PayoutTransfer, Withdrawal
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import buy, buyer_under, chain, complete, line_of, refund
from tests.payouts.flows import (
    D,
    assert_books_clean,
    balances,
    confirm,
    rich_distributor,
    txns,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ZERO = D("0.00")


def race(n: int, work) -> list:
    """Run work(0..n-1) in n threads released together; exceptions are returned, not raised,
    so every thread's outcome can be asserted."""
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait(timeout=60)
            return work(i)
        except Exception as exc:  # noqa: BLE001 - the test asserts each outcome
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def kinds(results) -> list[str]:
    return sorted(type(r).__name__ for r in results)


def ask(user, amount, request_id, channel="sandbox", account=None):
    withdrawal, _ = services.withdrawal_request(
        user=user, amount=amount, channel=channel, request_id=request_id, account=account
    )
    return withdrawal


def test_withdrawals_racing_for_one_balance_take_only_what_is_there():
    user = rich_distributor("100.00", withdraw_daily_count="10")

    results = race(4, lambda i: ask(user, "40.00", f"r{i}"))

    assert kinds(results) == ["InsufficientBalance"] * 2 + ["Withdrawal"] * 2
    assert balances(user) == {"frozen": ZERO, "available": D("20.00"), "withdrawing": D("80.00")}
    assert txns("withdrawal_request") == 2
    assert_books_clean()


def test_the_same_request_sent_three_times_at_once_is_one_withdrawal():
    user = rich_distributor("100.00")

    results = race(3, lambda i: ask(user, "30.00", "same"))

    assert len({r.pk for r in results}) == 1, results
    assert Withdrawal.objects.count() == 1
    assert balances(user)["withdrawing"] == D("30.00")
    assert_books_clean()


def test_double_approval_pays_once(staff):
    user = rich_distributor("100.00")
    withdrawal = ask(user, "100.00", "a")

    results = race(
        4, lambda i: services.withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
    )

    assert kinds(results) == ["Withdrawal"] + ["WithdrawalState"] * 3
    assert PayoutTransfer.objects.filter(withdrawal=withdrawal).count() == 1  # one bill
    confirm(withdrawal)
    assert txns("withdrawal_paid", withdrawal.pk) == 1
    assert balances(user) == {"frozen": ZERO, "available": ZERO, "withdrawing": ZERO}
    assert_books_clean()


def test_approve_racing_reject_one_wins_and_the_money_moves_once(staff):
    user = rich_distributor("100.00")
    withdrawal = ask(user, "100.00", "a")

    def decide(i):
        if i == 0:
            return services.withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
        return services.withdrawal_reject(withdrawal_id=withdrawal.pk, staff=staff, reason="风控")

    results = race(2, decide)

    assert kinds(results) == ["Withdrawal", "WithdrawalState"]
    withdrawal.refresh_from_db()
    if withdrawal.status == "approved":  # the sandbox bill waits for the user
        withdrawal = confirm(withdrawal)
    if withdrawal.status == "paid":
        assert balances(user)["available"] == ZERO
        assert txns("withdrawal_return") == 0
    else:
        assert withdrawal.status == "rejected"
        assert balances(user)["available"] == D("100.00")
        assert txns("withdrawal_paid") == 0
    assert_books_clean()


def test_a_payout_failing_while_finance_marks_it_paid_returns_money_at_most_once(staff):
    user = rich_distributor("100.00")
    bank = {"bank_name": "招商银行", "card_no": "6225880000000000", "holder": "张三"}
    withdrawal = ask(user, "100.00", "a", channel="bank", account=bank)
    services.withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)

    def decide(i):
        if i == 0:
            return services.withdrawal_mark_paid(
                withdrawal_id=withdrawal.pk, staff=staff, reference="B1"
            )
        return services.withdrawal_fail(withdrawal_id=withdrawal.pk, staff=staff, reason="退票")

    results = race(3, decide)

    assert kinds(results).count("Withdrawal") == 1
    withdrawal.refresh_from_db()
    returned = txns("withdrawal_return", withdrawal.pk)
    paid = txns("withdrawal_paid", withdrawal.pk)
    assert (returned, paid) == ((1, 0) if withdrawal.status == "failed" else (0, 1))
    assert balances(user)["available"] == (D("100.00") if returned else ZERO)
    assert_books_clean()


def test_a_clawback_racing_a_withdrawal_never_loses_money():
    _, parent = chain(2)
    buyer = buyer_under(parent)
    order = buy(buyer, (SkuFactory(price=D("100.00"), stock=10), 1))
    complete(order, at=timezone.now() - timedelta(days=8))
    assert commissions_settle_due() > 0
    assert balances(parent)["available"] == D("15.00")

    def work(i):
        if i == 0:
            return refund(order, {line_of(order).pk: 1})
        return ask(parent, "15.00", "w")

    results = race(2, work)

    outcome = kinds(results)
    after = balances(parent)
    if "InsufficientBalance" in outcome:  # the claw-back came first
        assert after == {"frozen": ZERO, "available": ZERO, "withdrawing": ZERO}
        assert not Withdrawal.objects.exists()
    else:  # the withdrawal came first: the claw-back leaves a debt in available
        assert not any(isinstance(r, Exception) for r in results), results
        assert after == {"frozen": ZERO, "available": D("-15.00"), "withdrawing": D("15.00")}
    with pytest.raises(errors.InsufficientBalance):
        ask(parent, "1.00", "again")  # nothing (or a debt) is left either way
    assert_books_clean()
