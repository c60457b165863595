"""Settlement: `fenxiao run-due` settling N due commissions with their ledger postings, against
one set-based SQL statement writing the same rows on the same database (PostgreSQL only).

    .venv/bin/python bench/settlement.py [--commissions 1000000] [--json-out FILE]

The data comes from `fenxiao manage bench_data --orders N/3`: orders completed 30 days ago, one
line each, three levels of commission per line spread over 333 three-level chains of
distributors, with their accrual postings and frozen balances. The reference statement (settle
every due commission, one ledger transaction and two entries each, one balance update per
account) runs inside a transaction that is rolled back, so `run-due` then starts from the same
rows. Its process's peak memory is read from the kernel (ru_maxrss of the finished child).
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import REPO, bench_data, django_setup, emit

# Every due commission settled, one ledger transaction and two entries each, and one balance
# update per account: what run-due writes, in one statement.
REFERENCE = """
WITH due AS (
    UPDATE distribution_commission c SET status = 'settled', settled_at = now()
    FROM orders_order o
    WHERE c.order_id = o.id AND c.status = 'frozen' AND o.status = 'completed'
      AND o.completed_at <= now() - interval '7 days'
    RETURNING c.id, c.beneficiary_id, c.amount, c.order_number
), txn AS (
    INSERT INTO ledger_transaction (kind, source_id, memo, created_at)
    SELECT 'commission_settle', id::text, '订单 ' || order_number || ' 佣金结算', now() FROM due
    RETURNING id, source_id
), legs AS (
    SELECT due.id, 'user:' || due.beneficiary_id || ':frozen' AS key, -due.amount AS amount
    FROM due
    UNION ALL
    SELECT due.id, 'user:' || due.beneficiary_id || ':available', due.amount FROM due
), entries AS (
    INSERT INTO ledger_entry (transaction_id, account_id, amount)
    SELECT txn.id, a.id, legs.amount
    FROM legs JOIN txn ON txn.source_id = legs.id::text JOIN ledger_account a ON a.key = legs.key
    RETURNING account_id, amount
), balances AS (
    UPDATE ledger_account a SET balance = a.balance + d.delta
    FROM (SELECT key, sum(amount) AS delta FROM legs GROUP BY key) d
    WHERE a.key = d.key
    RETURNING a.id
)
SELECT (SELECT count(*) FROM due), (SELECT count(*) FROM entries), (SELECT count(*) FROM balances)
"""


def reference_seconds(expected: int) -> float:
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(REFERENCE)
            settled, entries, _ = cursor.fetchone()
            seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    assert (settled, entries) == (expected, 2 * expected), (settled, entries)
    return seconds


def run_due(url: str) -> tuple[float, int, float]:
    """`fenxiao run-due` as deployed: (seconds, commissions it settled, peak RSS in MiB)."""
    env = {**os.environ, "FENXIAO_DATABASE_URL": url, "FENXIAO_DEBUG": "0"}
    cli = Path(sys.executable).with_name("fenxiao")
    started = time.perf_counter()
    done = subprocess.run([str(cli), "run-due"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    settled = next(
        int(line.split(":")[1]) for line in done.stdout.splitlines() if line.startswith("settle-")
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, settled, peak


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commissions", type=int, default=1_000_000)
    parser.add_argument("--json-out")
    parser.add_argument("--db", default="postgres", choices=["postgres"])
    args = parser.parse_args(argv)
    url = django_setup("postgres")
    started = time.perf_counter()
    made = bench_data("--products", "1000", "--orders", str(max(1, args.commissions // 3)))
    load_s = time.perf_counter() - started
    due = made["commissions"]
    sql_s = reference_seconds(due)
    run_s, settled, peak_mb = run_due(url)

    from fenxiao.distribution.models import Commission
    from fenxiao.ledger.models import Entry, Transaction

    checks = {
        "settled": settled,
        "settled_rows": Commission.objects.filter(status="settled").count(),
        "transactions": Transaction.objects.filter(kind="commission_settle").count(),
        "entries": Entry.objects.count(),
    }
    ok = checks == {
        "settled": due,
        "settled_rows": due,
        "transactions": due,
        "entries": 4 * due,  # two to accrue, two to settle
    }
    results = {
        "db": "postgres",
        "commissions": due,
        "load_s": load_s,
        "sql_s": sql_s,
        "run_due_s": run_s,
        "ratio": run_s / sql_s,
        "per_s": due / run_s,
        "peak_mb": peak_mb,
        "checks": checks,
        "ok": ok,
    }
    emit(results, args.json_out)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    sys.exit(main(sys.argv[1:]))
