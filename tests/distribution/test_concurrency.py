"""Races on PostgreSQL with real threads and real processes: settlement by several workers,
refunds racing settlement, many payments under one distributor. Each test asserts the books
afterwards — one settlement per commission, balances equal to the commissions, `fenxiao
reconcile` clean — not only that nothing crashed. Skipped on SQLite."""

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F, Sum
from django.utils import timezone

from fenxiao.cli import main as fenxiao
from fenxiao.distribution import selectors
from fenxiao.distribution.models import Binding, BindingEvent, Commission
from fenxiao.distribution.rules import Rate, line_amounts
from fenxiao.distribution.services import binding
from fenxiao.distribution.services.commissions import commissions_settle_due
from fenxiao.ledger.models import Account, Transaction
from fenxiao.ledger.selectors import balances_of
from fenxiao.money import ZERO, to_integer_fen
from fenxiao.orders import services as orders
from fenxiao.payments import providers
from fenxiao.payments import services as payments
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import (
    D,
    buy,
    buyer_under,
    chain,
    code_of,
    complete,
    line_of,
    make_distributor,
    place,
    plan_set,
    refund,
    request_refund,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FENXIAO = Path(sys.executable).with_name("fenxiao")


def race(n: int, work) -> list:
    """Run work(0..n-1) in n threads released together; each closes its DB connection.
    Exceptions are returned, not raised, so every thread's outcome can be asserted."""
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait(timeout=60)
            return work(i)
        except Exception as exc:  # noqa: BLE001 - the test asserts there were none
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def no_errors(results: list) -> list:
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def assert_books(capsys=None) -> None:
    """Each distributor's frozen balance is their frozen commissions and their available
    balance their settled ones (nobody withdrew); one settlement per settled commission;
    `fenxiao reconcile` exits 0."""
    for account in Account.objects.exclude(owner=None):
        mine = Commission.objects.filter(beneficiary=account.owner)
        if account.kind == "frozen":
            earned = mine.filter(status="frozen").aggregate(s=Sum("amount"))["s"] or ZERO
        elif account.kind == "available":
            # settled ones, less what refunds clawed back since (a reversed one holds 0)
            earned = mine.filter(settled_at__isnull=False).aggregate(s=Sum("amount"))["s"]
        else:
            earned = ZERO
        assert account.balance == (earned or ZERO), (account.key, account.balance, earned)
    settled = Commission.objects.filter(settled_at__isnull=False)
    assert Transaction.objects.filter(kind="commission_settle").count() == settled.count()
    for commission in settled:
        assert (
            Transaction.objects.filter(
                kind="commission_settle", source_id=str(commission.pk)
            ).count()
            == 1
        )
    if capsys is not None:
        capsys.readouterr()
    assert fenxiao(["reconcile"]) == 0


def due_commissions(orders_count: int, lines: int = 3):
    """A two-level chain and `orders_count` completed orders of `lines` lines each, completed
    8 days ago: 2 × orders_count × lines commissions due for settlement."""
    top, parent = chain(2)
    buyers = [buyer_under(parent) for _ in range(3)]
    skus = [SkuFactory(price=D("10.00") + i, stock=1000) for i in range(lines)]
    done = timezone.now() - timedelta(days=8)
    made = []
    for i in range(orders_count):
        made.append(complete(buy(buyers[i % 3], *[(s, 1 + i % 2) for s in skus]), at=done))
    return top, parent, made


def test_two_threads_settling_at_once_pay_each_commission_once(capsys):
    top, parent, _ = due_commissions(10)
    due = Commission.objects.count()
    expected_parent = Commission.objects.filter(beneficiary=parent).aggregate(s=Sum("amount"))["s"]

    settled = no_errors(race(4, lambda i: commissions_settle_due()))

    assert sum(settled) == due  # together they settled each one, once
    assert Commission.objects.filter(status="settled").count() == due
    assert balances_of(parent.pk) == {
        "frozen": ZERO,
        "available": expected_parent,
        "withdrawing": ZERO,
    }
    assert_books(capsys)


def test_two_run_due_processes_at_once_pay_each_commission_once(capsys):
    top, parent, _ = due_commissions(25, lines=4)
    due = Commission.objects.count()
    total = Commission.objects.aggregate(s=Sum("amount"))["s"]
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "FENXIAO_DATABASE_URL": url}
    at = timezone.now().isoformat()

    workers = [
        subprocess.Popen(
            [str(FENXIAO), "run-due", "--at", at],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]

    assert [w.returncode for w in workers] == [0, 0], outputs
    reported = [
        int(line.split(":")[1])
        for out, _ in outputs
        for line in out.splitlines()
        if line.startswith("settle-commissions:")
    ]
    assert sum(reported) == due, outputs
    assert Commission.objects.filter(status="settled").count() == due
    held = balances_of(parent.pk)["available"] + balances_of(top.pk)["available"]
    assert held == total
    assert_books(capsys)


def kept_earnings(commission: Commission) -> Decimal:
    line = commission.line
    line.refresh_from_db()
    kept_paid = line.amount - line.refunded_amount
    return line_amounts(
        paid=kept_paid,
        base=kept_paid,
        quantity=line.quantity - line.refunded_quantity,
        rates=[Rate(commission.level, commission.rate_kind, commission.rate)],
        share=commission.share_cap,
    )[commission.level]


def test_refunds_racing_settlement_leave_consistent_books(capsys):
    top, parent, made = due_commissions(8, lines=1)
    # each refund thread asks for and gets back one unit of its order while two workers settle
    refunders = len(made)

    def work(i):
        if i < refunders:
            order = made[i]
            return refund(order, {line_of(order).pk: 1})
        return commissions_settle_due()

    no_errors(race(refunders + 2, work))

    for commission in Commission.objects.select_related("line"):
        assert commission.amount == min(commission.original_amount, kept_earnings(commission))
        assert (commission.status == "reversed") == (commission.amount == 0)
    # whatever came first, the refunds were either reversed from frozen or clawed back
    reversals = Transaction.objects.filter(kind__in=["commission_reverse", "commission_clawback"])
    touched = Commission.objects.exclude(amount=F("original_amount"))
    assert reversals.count() == touched.count()
    assert_books(capsys)
    # a line whose refund was still open when the workers looked settles at the next run
    commissions_settle_due()
    assert not Commission.objects.filter(status="frozen").exists()
    assert_books(capsys)


def test_refund_of_settled_and_frozen_lines_racing_settlement_does_not_deadlock(capsys):
    """One refund claws back a settled line (the available account) and reverses a frozen line
    (the frozen account) of a distributor, while workers settle the same distributor's other
    commissions (frozen, then available): locks in one order, or a deadlock."""
    for _ in range(5):
        top, parent = chain(2)
        buyer = buyer_under(parent)
        sku_a, sku_b = SkuFactory(price=D("100.00")), SkuFactory(price=D("50.00"))
        done = timezone.now() - timedelta(days=8)
        mixed = complete(buy(buyer, (sku_a, 1), (sku_b, 1)), at=done)
        held = request_refund(mixed, {line_of(mixed, 1).pk: 1})
        assert commissions_settle_due() == 2  # line 1 only: line 2 has an open refund
        orders.refund_reject(refund_id=held.pk, staff=None, reason="无理由")
        for _ in range(6):
            complete(buy(buyer, (SkuFactory(price=D("20.00")), 1)), at=done)
        asked = request_refund(mixed, {line_of(mixed, 0).pk: 1, line_of(mixed, 1).pk: 1})

        def work(i, asked=asked):
            if i == 0:
                return payments.refund_approve(refund_id=asked.pk, staff=None)
            return commissions_settle_due()

        no_errors(race(3, work))
        assert set(Commission.objects.filter(order=mixed).values_list("status", flat=True)) == {
            "reversed"
        }
        assert_books(capsys)


def test_many_payments_under_one_distributor_at_once(capsys):
    top, parent = chain(2)
    sku = SkuFactory(price=D("100.00"), stock=1000)
    placed = [place(buyer_under(parent), (sku, 2)) for _ in range(20)]
    # and some earlier commissions of the same distributors come due meanwhile
    done = timezone.now() - timedelta(days=8)
    for _ in range(4):
        complete(buy(buyer_under(parent), (sku, 1)), at=done)
    notifications = []
    for order in placed:
        payment, _ = payments.payment_start(order_id=order.pk, buyer=order.buyer)
        notifications.append(
            providers.get("sandbox").payment_notification(
                out_trade_no=payment.out_trade_no, amount_cents=to_integer_fen(payment.amount)
            )
        )

    def work(i):
        if i < len(placed):
            headers, body = notifications[i]
            return payments.notification_handle(provider_name="sandbox", headers=headers, body=body)
        return commissions_settle_due()

    no_errors(race(len(placed) + 2, work))

    assert Commission.objects.filter(order__in=placed).count() == 40
    assert balances_of(parent.pk) == {
        "frozen": D("30.00") * 20,
        "available": D("15.00") * 4,
        "withdrawing": ZERO,
    }
    assert balances_of(top.pk)["frozen"] == D("20.00") * 20
    assert Transaction.objects.filter(kind="commission_accrue").count() == 48
    assert_books(capsys)


def assert_no_cycle(person) -> None:
    seen, current = [], person.pk
    while current is not None:
        assert current not in seen, seen
        seen.append(current)
        current = selectors.inviter_id_of(current)


def test_two_links_followed_at_once_bind_once_under_first_touch(capsys):
    inviters = [make_distributor() for _ in range(4)]
    for user in [UserFactory() for _ in range(5)]:
        results = no_errors(
            race(
                len(inviters),
                lambda i, user=user: binding.referral_visit(user=user, code=code_of(inviters[i])),
            )
        )
        # first touch: one of them won, and everyone was told the same inviter
        assert sum(r.bound for r in results) == 1
        winner = Binding.objects.get(user=user).inviter_id
        assert {r.inviter_id for r in results} == {winner}
        binds = BindingEvent.objects.filter(user=user).exclude(kind="visit")
        assert [(e.kind, e.inviter_id) for e in binds] == [("bind", winner)]


def test_two_distributors_following_each_others_link_at_once_make_no_cycle(capsys):
    plan_set(bind_rule="last_touch")
    for _ in range(5):
        a, b, c = make_distributor(), make_distributor(), make_distributor()
        binding.referral_visit(user=c, code=code_of(b))  # c under b
        # a follows c's link while b follows a's: both at once would close a → c → b → a
        pairs = [(a, c), (b, a)]
        no_errors(
            race(
                2,
                lambda i, pairs=pairs: binding.referral_visit(
                    user=pairs[i][0], code=code_of(pairs[i][1])
                ),
            )
        )
        for person in (a, b, c):
            assert_no_cycle(person)
        assert Binding.objects.filter(user__in=[a, b]).count() == 1
