"""Steps shared by the payouts tests: a distributor with money in `available`, approval with
its transfer bill issued, the distributor confirming a sandbox transfer, and the books."""

import itertools
from decimal import Decimal

from django.test import TestCase

from fenxiao.cli import main as fenxiao
from fenxiao.distribution.models import Distributor
from fenxiao.ledger import selectors as ledger_selectors
from fenxiao.ledger import services as ledger
from fenxiao.ledger.models import Transaction
from fenxiao.payouts import services, transfers
from fenxiao.payouts.models import Withdrawal
from fenxiao.payouts.selectors import payout_differences
from tests.distribution.flows import make_distributor

D = Decimal
_credits = itertools.count(1)


def credit(user, amount: str) -> None:
    """Settled commission lands in `available` (posted as settlement would post it)."""
    amount = D(amount)
    ledger.post(
        kind="test_credit",
        source_id=f"{user.pk}:{next(_credits)}",
        legs=[
            (ledger.platform_key("commission_expense"), -amount),
            (ledger.user_key(user.pk, "available"), amount),
        ],
    )


def rich_distributor(amount: str = "1000.00", **grade_limits):
    user = make_distributor()
    if grade_limits:
        grade = Distributor.objects.get(pk=user.pk).grade
        for field, value in grade_limits.items():
            setattr(grade, field, D(value))
        grade.save()
    credit(user, amount)
    return user


def balances(user) -> dict[str, Decimal]:
    return ledger_selectors.balances_of(user.pk)


def txns(kind: str, source_id=None) -> int:
    qs = Transaction.objects.filter(kind=kind)
    return (qs.filter(source_id=str(source_id)) if source_id is not None else qs).count()


def withdrawal_txns() -> int:
    return Transaction.objects.filter(kind__startswith="withdrawal_").count()


def assert_books_clean() -> None:
    assert payout_differences() == []
    assert fenxiao(["reconcile"]) == 0


def approve(withdrawal, staff) -> Withdrawal:
    """Approve; on a transfer channel the bill is issued once the approval commits, which a
    test's own transaction never does: the after-commit work runs here."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.withdrawal_approve(withdrawal_id=withdrawal.pk, staff=staff)
    return Withdrawal.objects.get(pk=withdrawal.pk)


def confirm(withdrawal) -> Withdrawal:
    """The distributor accepts the sandbox transfer ("in WeChat"): its signed notification
    is handled, the withdrawal is paid."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return transfers.sandbox_transfer_confirm(user=withdrawal.user, withdrawal_id=withdrawal.pk)


def approve_and_confirm(withdrawal, staff) -> Withdrawal:
    approve(withdrawal, staff)
    return confirm(withdrawal)
