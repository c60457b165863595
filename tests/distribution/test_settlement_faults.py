"""A `run-due` killed (SIGKILL) in the middle of settling commissions in batches: the batches
that committed stay settled, the one under way leaves nothing behind, and the next run settles
the rest — each commission once, the books clean. PostgreSQL, real processes.

To stop the run at a known place, the test holds a row lock on one distributor's ledger
account: the run settles every batch before that distributor's first commission, then waits
inside the batch that needs the account, where it is killed."""

import os
import signal
import subprocess
import time
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from fenxiao.distribution.models import Commission
from fenxiao.ledger.models import Account, Transaction
from fenxiao.ledger.selectors import balances_of
from tests.catalog.factories import SkuFactory
from tests.distribution.flows import D, buy, buyer_under, chain, complete
from tests.distribution.test_concurrency import FENXIAO, assert_books

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
BATCH = 7


def due_orders(parent, count: int, skus) -> None:
    buyer = buyer_under(parent)
    done = timezone.now() - timedelta(days=8)
    for i in range(count):
        complete(buy(buyer, *[(s, 1 + i % 2) for s in skus]), at=done)


def run_due(env) -> subprocess.Popen:
    return subprocess.Popen(
        [str(FENXIAO), "run-due"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_a_settlement_killed_between_batches_settles_each_commission_once(capsys):
    # given: chain A's 60 due commissions, then chain B's 60 (2 levels × 3 lines × 10 orders)
    skus = [SkuFactory(price=D("10.00") + i, stock=1000) for i in range(3)]
    top_a, parent_a = chain(2)
    due_orders(parent_a, 10, skus)
    top_b, parent_b = chain(2)
    due_orders(parent_b, 10, skus)
    a_ids = set(
        Commission.objects.filter(beneficiary__in=[top_a, parent_a]).values_list("pk", flat=True)
    )
    due = Commission.objects.count()
    assert (len(a_ids), due) == (60, 120)
    assert max(a_ids) < Commission.objects.exclude(pk__in=a_ids).order_by("pk").first().pk
    first_stuck = (len(a_ids) // BATCH) * BATCH  # the batch mixing A's last and B's first
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "FENXIAO_DATABASE_URL": url, "FENXIAO_SETTLE_BATCH": str(BATCH)}

    # when: B's top distributor's frozen account is locked elsewhere, and run-due starts
    holder = psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=False)
    held = holder.execute(
        "SELECT id FROM ledger_account WHERE key = %s FOR UPDATE", [f"user:{top_b.pk}:frozen"]
    ).fetchall()
    assert len(held) == 1
    worker = run_due(env)
    try:
        deadline = time.monotonic() + 120
        while Commission.objects.filter(status="settled").count() < first_stuck:
            assert worker.poll() is None, worker.communicate()
            assert time.monotonic() < deadline, "run-due did not reach the locked account"
            time.sleep(0.2)
        time.sleep(0.5)  # it waits on the lock, inside the batch it cannot finish
        assert worker.poll() is None
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        holder.rollback()
        holder.close()
    assert worker.returncode == -signal.SIGKILL

    # then: exactly the committed batches are settled, each with its one posting
    settled = Commission.objects.filter(status="settled")
    assert settled.count() == first_stuck
    assert set(settled.values_list("pk", flat=True)) <= a_ids
    assert Transaction.objects.filter(kind="commission_settle").count() == first_stuck
    assert_books(capsys)

    # and a second run settles the rest, once
    again = run_due(env)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert f"settle-commissions: {due - first_stuck}" in out.decode()
    assert Commission.objects.filter(status="settled").count() == due
    total = Commission.objects.aggregate(s=Sum("amount"))["s"]
    held_now = sum(balances_of(u.pk)["available"] for u in (top_a, parent_a, top_b, parent_b))
    assert held_now == total
    assert not Account.objects.filter(kind="frozen").exclude(balance=0).exists()
    assert_books(capsys)
