"""Order placement throughput: N threads of buyers racing for a limited SKU and many others.

    .venv/bin/python bench/orders.py --db sqlite|postgres [--threads 1,4,16] [--seconds 5]
                                     [--json-out FILE]

Each thread calls `orders.services.order_place` (one transaction: order row, one conditional
UPDATE per SKU in id order, lines) in a loop for the given seconds. A quarter of the orders
want one unit of a "秒杀" SKU with 50 units; every order takes 1-3 of 300 other SKUs.
Afterwards, stock is checked against the order lines SKU by SKU: nothing may be oversold.
On PostgreSQL the reference in the same run is `pgbench` TPC-B-like (`pgbench -i -s 1` in
its own database `fenxiao_pgbench`, then `pgbench -c N -j 2 -T seconds`).

The threads share one Python process, as in a threaded WSGI worker, so the GIL is part of
what is measured; pgbench is C with no such limit.
"""

import argparse
import random
import sys
import threading
import time
import uuid

from _common import (
    PG_PGBENCH_DB,
    django_setup,
    emit,
    pad,
    pg_ensure_database,
    pgbench,
    pgbench_init,
    together,
)

HOT_STOCK = 50
HOT_SHARE = 0.25
OTHER_SKUS = 300
BUYERS = 500
ADDRESS = {
    "name": "张三",
    "phone": "13800000000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "detail": "文三路 100 号",
}


def make_shop():
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password

    from fenxiao.accounts.models import User
    from fenxiao.catalog.models import Product, Sku
    from fenxiao.catalog.services import stocks_record_initial

    password = make_password(None)  # unusable: nobody logs in, and hashing 500 times is slow
    buyers = User.objects.bulk_create(
        User(phone=f"139{i:08d}", nickname=f"买家{i}", password=password) for i in range(BUYERS)
    )
    products = Product.objects.bulk_create(
        Product(name=f"日用好物 {i}", status="on_shelf", search_text=f"日用好物 {i}")
        for i in range(OTHER_SKUS)
    )
    others = Sku.objects.bulk_create(
        Sku(product=p, price=Decimal("19.90") + i, cost=Decimal("5.00"), stock=1_000_000)
        for i, p in enumerate(products)
    )
    stocks_record_initial(skus=others)  # so `fenxiao reconcile` agrees with the bench's stock
    return buyers, [s.pk for s in others]


def make_hot_sku(label: str):
    from decimal import Decimal

    from fenxiao.catalog.models import Product
    from fenxiao.catalog.services import sku_create

    product = Product.objects.create(
        name=f"限量秒杀 {label}", status="on_shelf", search_text=f"限量秒杀 {label}"
    )
    return sku_create(product=product, price=Decimal("9.90"), stock=HOT_STOCK).pk


def race(threads: int, seconds: float, buyers, hot_id: int, other_ids: list[int]) -> dict:
    from django.db import connection

    from fenxiao.orders.errors import OutOfStock
    from fenxiao.orders.services.orders import LineRequest, order_place

    totals = {"placed": 0, "out_of_stock": 0, "errors": 0, "first_error": ""}
    lock = threading.Lock()

    def buyer_loop(start, seed: int) -> None:
        rng = random.Random(seed)
        placed = out_of_stock = errors = 0
        first_error = ""
        start.wait()
        deadline = time.perf_counter() + seconds
        try:
            while time.perf_counter() < deadline:
                lines = [
                    LineRequest(sku_id, rng.randint(1, 3))
                    for sku_id in rng.sample(other_ids, rng.randint(1, 3))
                ]
                if rng.random() < HOT_SHARE:
                    lines.append(LineRequest(hot_id, 1))
                try:
                    order_place(
                        buyer=rng.choice(buyers),
                        lines=lines,
                        address=ADDRESS,
                        request_id=uuid.uuid4().hex,
                    )
                    placed += 1
                except OutOfStock:
                    out_of_stock += 1
                except Exception as exc:  # counted and shown: a bench must not hide failures
                    errors += 1
                    first_error = first_error or repr(exc)
        finally:
            connection.close()
            with lock:
                totals["placed"] += placed
                totals["out_of_stock"] += out_of_stock
                totals["errors"] += errors
                totals["first_error"] = totals["first_error"] or first_error

    _, elapsed = together(buyer_loop, [(i,) for i in range(threads)])
    return {
        **totals,
        "threads": threads,
        "seconds": elapsed,
        "orders_per_s": totals["placed"] / elapsed,
        "attempts_per_s": (totals["placed"] + totals["out_of_stock"]) / elapsed,
    }


def stock_check(initial: dict[int, int], placed: int, since_order_id: int) -> dict:
    """Stock taken must equal the units on order lines, SKU by SKU; none may go below zero."""
    from django.db.models import Sum

    from fenxiao.catalog.models import Sku
    from fenxiao.orders.models import Order, OrderLine

    sold = dict(
        OrderLine.objects.filter(order_id__gt=since_order_id)
        .values_list("sku_id")
        .annotate(units=Sum("quantity"))
    )
    stock = dict(Sku.objects.filter(pk__in=initial).values_list("pk", "stock"))
    mismatched = [s for s in initial if initial[s] - stock[s] != sold.get(s, 0)]
    negative = [s for s in initial if stock[s] < 0]
    orders = Order.objects.filter(pk__gt=since_order_id)
    return {
        "orders_in_db": orders.count(),
        "orders_without_lines": orders.filter(lines__isnull=True).count(),
        "orders_match": orders.count() == placed,
        "stock_mismatches": len(mismatched),
        "negative_stock": len(negative),
    }


def run(db: str, threads: list[int], seconds: float) -> dict:
    django_setup(db)
    from django.db import connection
    from django.db.models import Max

    from fenxiao.catalog.models import Sku
    from fenxiao.orders.models import Order

    buyers, other_ids = make_shop()
    phases = []
    for n in threads:
        hot_id = make_hot_sku(f"{n} 线程")
        initial = dict(Sku.objects.filter(pk__in=[hot_id, *other_ids]).values_list("pk", "stock"))
        since = Order.objects.aggregate(m=Max("pk"))["m"] or 0
        result = race(n, seconds, buyers, hot_id, other_ids)
        check = stock_check(initial, result["placed"], since)
        hot_left = Sku.objects.get(pk=hot_id).stock
        result.update(check, hot_sold=HOT_STOCK - hot_left, hot_stock=HOT_STOCK)
        result["oversold"] = check["stock_mismatches"] + check["negative_stock"]
        phases.append(result)
    out = {"db": db, "vendor": connection.vendor, "seconds": seconds, "phases": phases}
    if connection.vendor == "postgresql":
        connection.close()
        pg_ensure_database(PG_PGBENCH_DB)
        pgbench_init(PG_PGBENCH_DB)
        out["pgbench_tps"] = {
            n: pgbench(
                ["-c", str(n), "-j", str(min(2, n)), "-T", str(round(seconds))], PG_PGBENCH_DB
            )
            for n in threads
        }
    return out


def print_report(result: dict, pgbench_tps: dict | None = None) -> None:
    pgbench_tps = pgbench_tps or result.get("pgbench_tps") or {}
    print(f"\norders · {result['db']} · {result['seconds']:.0f} s per thread count")
    print(
        f"{'threads':>7}{'orders/s':>10}{'tries/s':>9}{'placed':>8}"
        f"{pad('秒杀 sold', 11, right=True)}"
        f"{'oversold':>9}{'errors':>8}{'pgbench tps':>13}{'÷ pgbench':>11}"
    )
    for p in result["phases"]:
        tps = pgbench_tps.get(p["threads"]) or pgbench_tps.get(str(p["threads"]))
        ratio = f"{p['orders_per_s'] / tps:.3f}" if tps else "n/a"
        print(
            f"{p['threads']:>7}{p['orders_per_s']:>10.0f}{p['attempts_per_s']:>9.0f}"
            f"{p['placed']:>8}{p['hot_sold']:>7}/{p['hot_stock']:<3}{p['oversold']:>9}"
            f"{p['errors']:>8}{(f'{tps:,.0f}' if tps else 'n/a'):>13}{ratio:>11}"
        )
        if p["errors"] or not p["orders_match"] or p["oversold"]:
            print(f"  !! {p}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--threads", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json-out")
    args = parser.parse_args(argv)
    threads = [int(n) for n in args.threads.split(",")]
    result = run(args.db, threads, args.seconds)
    print_report(result)
    emit(result, args.json_out)


if __name__ == "__main__":
    main(sys.argv[1:])
