"""Checkout and rush against `fenxiao serve` as deployed (gunicorn, DEBUG off) on PostgreSQL.

    .venv/bin/python bench/checkout.py [--clients 8] [--seconds 20] [--products 1000]
                                       [--rush-buyers 1000] [--rush-units 100] [--rush-runs 5]
                                       [--json-out FILE]

checkout: `clients` threads, each a buyer with a keep-alive HTTP session, buy in a loop for
`seconds`: POST /orders (1-2 of `products` products), POST /orders/{id}/pay (sandbox), POST
/payments/sandbox/{id}/complete (the signed notification through the real handler, which
creates three levels of commission). Purchases a second, p50/p99 of each step; afterwards every
paid order must hold its three commissions. Reference in the same command: `pgbench`
TPC-B-like with the same number of clients and seconds on its own database.

rush: `rush-buyers` buyers at once (a thread each, released together) order one unit of a SKU
with `rush-units` in stock: units sold must be exactly `rush-units` every run, and no error but
"sold out".

Peak memory (VmHWM) of the server's processes is read from /proc at the end.
"""

import argparse
import os
import random
import sys
import tempfile
import threading
import time
import uuid

import requests
from _common import (
    PG_PGBENCH_DB,
    SECRET_KEY,
    django_setup,
    emit,
    pct,
    peak_memory_mb,
    pg_ensure_database,
    pgbench,
    pgbench_init,
    serve,
)

ADDRESS = {
    "name": "张三",
    "phone": "13800000000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "detail": "文三路 100 号",
}


def make_shop(products: int, buyers: int) -> tuple[list[str], list[int]]:
    """A three-level chain, `buyers` bound under its last distributor with API tokens, and
    `products` on-shelf products with one SKU each; returns (tokens, sku ids)."""
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password

    from fenxiao.accounts.models import User
    from fenxiao.accounts.services import token_issue
    from fenxiao.catalog.models import Product, Sku
    from fenxiao.catalog.services import stocks_record_initial
    from fenxiao.distribution.models import Binding
    from fenxiao.distribution.services.binding import referral_visit
    from fenxiao.distribution.services.distributors import distributor_ensure
    from fenxiao.distribution.services.plan import plan_as_dict, plan_get, plan_update

    plan = plan_as_dict(plan_get())
    plan.update(
        mode="everyone",
        levels=3,
        rates=[
            {"level": 1, "percent": "10"},
            {"level": 2, "percent": "5"},
            {"level": 3, "percent": "2"},
        ],
        bind_on="visit",
    )
    plan_update(data=plan, source="import")
    password = make_password(None)
    chain = []
    for i in range(3):
        user = User.objects.create(phone=f"1370000000{i}", nickname=f"分销商{i}", password=password)
        distributor = distributor_ensure(user=user)
        if chain:
            referral_visit(user=user, code=chain[-1].referral_code)
        chain.append(distributor)
    people = User.objects.bulk_create(
        User(phone=f"139{i:08d}", nickname=f"买家{i}", password=password) for i in range(buyers)
    )
    Binding.objects.bulk_create(
        Binding(user=u, inviter_id=chain[-1].pk, bound_at=u.date_joined, source="link")
        for u in people
    )
    items = Product.objects.bulk_create(
        Product(name=f"日用好物 {i}", status="on_shelf", search_text=f"日用好物 {i}")
        for i in range(products)
    )
    skus = Sku.objects.bulk_create(
        Sku(product=p, price=Decimal("19.90") + i % 50, cost=Decimal("5.00"), stock=1_000_000)
        for i, p in enumerate(items)
    )
    stocks_record_initial(skus=skus)
    return [token_issue(user=u) for u in people], [s.pk for s in skus]


def session(base: str, token: str) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    s.headers["Content-Type"] = "application/json"
    s.base = base  # type: ignore[attr-defined]
    return s


def checkout(base: str, tokens: list[str], skus: list[int], clients: int, seconds: float) -> dict:
    steps = {"order": [], "pay": [], "notify": []}
    totals = {"purchases": 0, "errors": 0, "first_error": ""}
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def buyer(i: int) -> None:
        rng = random.Random(i)
        mine = {k: [] for k in steps}
        done = errors = 0
        first = ""
        s = session(base, tokens[i % len(tokens)])
        start.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            lines = [{"sku_id": k, "quantity": 1} for k in rng.sample(skus, rng.randint(1, 2))]
            try:
                t0 = time.perf_counter()
                order = s.post(
                    f"{base}/api/v1/orders",
                    json={"lines": lines, "address": ADDRESS, "request_id": uuid.uuid4().hex},
                )
                order.raise_for_status()
                t1 = time.perf_counter()
                pay = s.post(
                    f"{base}/api/v1/orders/{order.json()['id']}/pay", json={"provider": "sandbox"}
                )
                pay.raise_for_status()
                t2 = time.perf_counter()
                paid = s.post(f"{base}/api/v1/payments/sandbox/{pay.json()['payment_id']}/complete")
                paid.raise_for_status()
                t3 = time.perf_counter()
            except requests.RequestException as exc:
                errors += 1
                body = getattr(exc.response, "text", "")[:200] if exc.response is not None else ""
                first = first or f"{exc!r} {body}"
                continue
            mine["order"].append((t1 - t0) * 1000)
            mine["pay"].append((t2 - t1) * 1000)
            mine["notify"].append((t3 - t2) * 1000)
            done += 1
        with lock:
            for k in steps:
                steps[k] += mine[k]
            totals["purchases"] += done
            totals["errors"] += errors
            totals["first_error"] = totals["first_error"] or first

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return {
        **totals,
        "clients": clients,
        "seconds": elapsed,
        "per_s": totals["purchases"] / elapsed,
        "steps": {k: {"p50": pct(v, 50), "p99": pct(v, 99)} for k, v in steps.items()},
    }


def rush(base: str, tokens: list[str], units: int) -> dict:
    """Every token orders one unit of a new SKU with `units` in stock, all at once."""
    from decimal import Decimal

    from fenxiao.catalog.models import Product
    from fenxiao.catalog.services import sku_create

    product = Product.objects.create(name="限量秒杀", status="on_shelf", search_text="限量秒杀")
    sku_id = sku_create(product=product, price=Decimal("9.90"), stock=units).pk
    start = threading.Barrier(len(tokens) + 1)
    sold_at: list[float] = []
    outcome = {"sold": 0, "sold_out": 0, "errors": 0, "first_error": ""}
    lock = threading.Lock()

    def buyer(token: str) -> None:
        s = session(base, token)
        body = {"lines": [{"sku_id": sku_id, "quantity": 1}], "address": ADDRESS}
        start.wait()
        try:
            r = s.post(f"{base}/api/v1/orders", json=body, timeout=120)
            code = r.status_code
            kind = r.json().get("code", "") if code >= 400 else ""
        except requests.RequestException as exc:
            code, kind = 0, repr(exc)
        with lock:
            if code == 201:
                outcome["sold"] += 1
                sold_at.append(time.perf_counter())
            elif kind == "out_of_stock":
                outcome["sold_out"] += 1
            else:
                outcome["errors"] += 1
                outcome["first_error"] = outcome["first_error"] or f"{code} {kind}"

    threads = [threading.Thread(target=buyer, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    outcome["sell_out_s"] = (max(sold_at) - began) if len(sold_at) == units else None
    return outcome


def commissions_complete() -> bool:
    """Every paid order holds a commission for each of its lines at each of the three levels."""
    from django.db.models import Count

    from fenxiao.distribution.models import Commission
    from fenxiao.orders.models import Order, OrderLine

    paid = Order.objects.filter(paid_at__isnull=False)
    lines = OrderLine.objects.filter(order__in=paid).count()
    levels = Commission.objects.filter(order__in=paid).aggregate(n=Count("pk"))["n"]
    return levels == 3 * lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--rush-buyers", type=int, default=1000)
    parser.add_argument("--rush-units", type=int, default=100)
    parser.add_argument("--rush-runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--json-out")
    parser.add_argument("--db", default="postgres", choices=["postgres"])
    args = parser.parse_args(argv)

    # tokens made here must hold in the server: both sign with the same key
    os.environ["FENXIAO_SECRET_KEY"] = SECRET_KEY
    url = django_setup("postgres")
    tokens, skus = make_shop(args.products, max(args.rush_buyers, args.clients))
    from django.db import connection

    connection.close()  # the server's workers take the connections from here on
    data_dir = tempfile.mkdtemp(prefix="fenxiao-bench-serve-")
    proc, base = serve(url, data_dir, args.workers, args.threads)
    try:
        bought = checkout(base, tokens, skus, args.clients, args.seconds)
        rushers = tokens[: args.rush_buyers]
        rushes = [rush(base, rushers, args.rush_units) for _ in range(args.rush_runs)]
        memory = peak_memory_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    pg_ensure_database(PG_PGBENCH_DB)
    pgbench_init(PG_PGBENCH_DB)
    seconds = str(int(args.seconds))
    tps = pgbench(["-c", str(args.clients), "-j", "2", "-T", seconds], PG_PGBENCH_DB)
    results = {
        "db": "postgres",
        "checkout": bought,
        "pgbench_tps": tps,
        "ratio": bought["per_s"] / tps,
        "commissions_complete": commissions_complete(),
        "rush": rushes,
        "rush_units": args.rush_units,
        "rush_buyers": args.rush_buyers,
        "server_peak_mb": memory,
    }
    results["ok"] = (
        bought["errors"] == 0
        and results["commissions_complete"]
        and all(r["sold"] == args.rush_units and r["errors"] == 0 for r in rushes)
    )
    emit(results, args.json_out)
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
