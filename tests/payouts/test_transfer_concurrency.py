"""Transfer bills racing on PostgreSQL with real threads, through the sandbox channel (the same
states and signed notifications as WeChat): the user's confirmation against the time-out
cancel, the same FAIL applied by two workers, a FAIL notification against the periodic query.
Each asserts the books afterwards. Skipped on SQLite."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fenxiao.payouts import providers, services, transfers
from fenxiao.payouts.models import PayoutTransfer, Withdrawal
from tests.concurrency import race
from tests.payouts.flows import D, approve, assert_books_clean, balances, rich_distributor, txns

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ZERO = D("0.00")


def waiting_bill(staff, amount="100.00") -> tuple:
    user = rich_distributor(amount)
    withdrawal, _ = services.withdrawal_request(
        user=user, amount=amount, channel="sandbox", request_id="r"
    )
    approve(withdrawal, staff)
    transfer = PayoutTransfer.objects.get(withdrawal=withdrawal)
    assert transfer.state == "WAIT_USER_CONFIRM"
    return user, withdrawal, transfer


def handle(delivered) -> bool:
    headers, body = delivered
    return transfers.transfer_notification_handle(
        provider_name="sandbox", headers=headers, body=body
    )


def test_the_users_confirmation_racing_the_time_out_cancel_moves_the_money_once(staff):
    user, withdrawal, transfer = waiting_bill(staff)
    sandbox = providers.get("sandbox")
    expired = timezone.now() + timedelta(hours=25)

    def work(i):
        if i == 0:  # the user confirms in WeChat, which notifies
            delivered = sandbox.finish(transfer.out_bill_no)
            return handle(delivered) if delivered else "too late"
        return transfers.transfers_cancel_expired(now=expired)

    results = race(2, work)

    withdrawal.refresh_from_db()
    transfer.refresh_from_db()
    paid, returned = txns("withdrawal_paid"), txns("withdrawal_return")
    if withdrawal.status == "paid":
        assert (transfer.state, paid, returned) == ("SUCCESS", 1, 0)
        assert results[1] == 0  # the cancel found the bill confirmed
        assert balances(user) == {"frozen": ZERO, "available": ZERO, "withdrawing": ZERO}
    else:
        assert (withdrawal.status, transfer.state, paid, returned) == (
            "cancelled",
            "CANCELLED",
            0,
            1,
        )
        assert results == ["too late", 1]
        assert balances(user)["available"] == D("100.00")
    assert_books_clean()


def test_two_workers_applying_the_same_fail_return_the_money_once(staff):
    user, withdrawal, transfer = waiting_bill(staff)
    delivered = providers.get("sandbox").finish(transfer.out_bill_no, state="FAIL", reason="X")

    results = race(2, lambda i: handle(delivered))

    assert sorted(results) == [False, True]  # one applied it, the other saw a redelivery
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "failed"
    assert txns("withdrawal_return", withdrawal.pk) == 1
    assert balances(user) == {"frozen": ZERO, "available": D("100.00"), "withdrawing": ZERO}
    assert_books_clean()


def test_a_transfer_failing_after_approval_returns_the_money_once(staff):
    # given a bill WeChat failed: its notification and the periodic query both report it
    user, withdrawal, transfer = waiting_bill(staff)
    sandbox = providers.get("sandbox")
    delivered = sandbox.finish(transfer.out_bill_no, state="FAIL", reason="ACCOUNT_FROZEN")
    second = sandbox.notification(transfer.out_bill_no)  # a redelivery under a new id
    due = timezone.now() + timedelta(minutes=10)

    def work(i):
        if i < 2:
            return handle([delivered, second][i])
        return transfers.transfers_query_due(now=due)

    results = race(3, work)

    assert results[:2] == [True, True]  # both taken (204), only one moved money
    withdrawal.refresh_from_db()
    assert withdrawal.status == "failed" and "ACCOUNT_FROZEN" in withdrawal.reason
    assert txns("withdrawal_return", withdrawal.pk) == 1
    assert txns("withdrawal_paid", withdrawal.pk) == 0
    assert balances(user)["available"] == D("100.00")
    assert_books_clean()
