"""Settlement: `fenxiao run-due` settling N due commissions with their ledger postings, against
one set-based SQL statement writing the same rows on the same database (PostgreSQL only).

    .venv/bin/python bench/settlement.py [--commissions 1000000] [--json-out FILE]

The data is written with INSERT … SELECT over generate_series: orders completed 30 days ago,
one line each, two levels of commission per line spread over 1,000 distributors, whose frozen
accounts hold them. The reference statement (settle every due commission, one ledger
transaction and two entries each, one balance update per account) runs inside a transaction
that is rolled back, so `run-due` then starts from the same rows. Its process's peak memory is
read from the kernel (ru_maxrss of the finished child).
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import REPO, django_setup, emit

DISTRIBUTORS = 1000


def insert_from(model, source: str, values: dict[str, str]) -> int:
    """INSERT INTO model's table (every concrete column) SELECT … FROM source: columns not in
    `values` (SQL expressions over the source) take their field's default, else NULL. Returns
    the rows written. A literal % in `source` or `values` is written %%."""
    from django.db import connection

    columns, exprs, params = [], [], []
    for f in model._meta.concrete_fields:
        if f.name in values:
            exprs.append(values[f.name])
        elif f.primary_key:
            continue
        elif f.has_default() or not f.null:
            default = f.get_default()  # "" for a text field without one
            if default is None:
                raise ValueError(f"{model.__name__}.{f.name} needs a value")
            exprs.append("%s")
            params.append(f.get_db_prep_save(default, connection))
        else:
            exprs.append("NULL")
        columns.append(connection.ops.quote_name(f.column))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def make_data(commissions: int) -> None:
    from django.db import connection

    from fenxiao.accounts.models import User
    from fenxiao.catalog.models import Product, Sku
    from fenxiao.distribution.models import Commission
    from fenxiao.ledger.models import Account
    from fenxiao.orders.models import Order, OrderLine

    orders = commissions // 2
    buyer = User.objects.create(phone="13900000000", nickname="买家")
    insert_from(
        User,
        f"generate_series(1, {DISTRIBUTORS}) g",
        {"phone": "'137' || lpad(g::text, 8, '0')", "nickname": "'分销商' || g", "password": "'!'"},
    )
    product = Product.objects.create(name="保温杯", status="on_shelf")
    sku = Sku.objects.create(product=product, price=100, stock=0, specs={})
    completed = "now() - interval '30 days'"
    insert_from(
        Order,
        f"generate_series(1, {orders}) g",
        {
            "number": "'S' || lpad(g::text, 10, '0')",
            "buyer": str(buyer.pk),
            "status": "'completed'",
            "goods_amount": "100",
            "total": "100",
            "ship_name": "'张三'",
            "ship_phone": "'13800000000'",
            "ship_province": "'浙江省'",
            "ship_city": "'杭州市'",
            "ship_detail": "'文三路 100 号'",
            "created_at": completed,
            "pay_deadline": completed,
            "paid_at": completed,
            "completed_at": completed,
        },
    )
    insert_from(
        OrderLine,
        "orders_order o",
        {
            "order": "o.id",
            "sku": str(sku.pk),
            "product": str(product.pk),
            "product_name": "'保温杯'",
            "unit_price": "100",
            "quantity": "1",
            "amount": "100",
        },
    )
    first = User.objects.filter(phone__startswith="137").order_by("pk").first().pk
    insert_from(
        Commission,
        "orders_orderline l JOIN orders_order o ON o.id = l.order_id"
        " CROSS JOIN (VALUES (1, 10.00), (2, 5.00)) lv(level, amount)",
        {
            "order": "o.id",
            "line": "l.id",
            "level": "lv.level",
            "beneficiary": f"{first} + mod(l.id * 7 + lv.level, {DISTRIBUTORS})",
            "order_number": "o.number",
            "product_name": "l.product_name",
            "sku_id": "l.sku_id",
            "quantity": "1",
            "base": "100",
            "share_cap": "50",
            "rate_kind": "'percent'",
            "rate": "lv.amount",
            "rate_source": "'plan'",
            "original_amount": "lv.amount",
            "amount": "lv.amount",
            "status": "'frozen'",
            "created_at": completed,
        },
    )
    for kind in ("frozen", "available"):
        insert_from(
            Account,
            "accounts_user u WHERE u.phone LIKE '137%%'",
            {
                "key": f"'user:' || u.id || ':{kind}'",
                "kind": f"'{kind}'",
                "owner": "u.id",
                "balance": "0",
            },
        )
    expense = {"key": "'platform:commission_expense'", "kind": "'commission_expense'"}
    insert_from(Account, "(SELECT 1) one", expense)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_account a SET balance = s.total FROM (SELECT beneficiary_id,"
            " sum(amount) AS total FROM distribution_commission GROUP BY beneficiary_id) s"
            " WHERE a.key = 'user:' || s.beneficiary_id || ':frozen'"
        )
        cursor.execute("ANALYZE")


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
    make_data(args.commissions)
    load_s = time.perf_counter() - started
    sql_s = reference_seconds(args.commissions)
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
        "settled": args.commissions,
        "settled_rows": args.commissions,
        "transactions": args.commissions,
        "entries": 2 * args.commissions,
    }
    results = {
        "db": "postgres",
        "commissions": args.commissions,
        "load_s": load_s,
        "sql_s": sql_s,
        "run_due_s": run_s,
        "ratio": run_s / sql_s,
        "per_s": args.commissions / run_s,
        "peak_mb": peak_mb,
        "checks": checks,
        "ok": ok,
    }
    emit(results, args.json_out)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    sys.exit(main(sys.argv[1:]))
