"""Checkout and rush against `fenxiao serve` as deployed (gunicorn, DEBUG off) on PostgreSQL.

    .venv/bin/python bench/checkout.py [--clients 8] [--seconds 20] [--products 1000]
                                       [--history 20000] [--rush-buyers 1000] [--rush-units 100]
                                       [--rush-runs 5]
                                       [--json-out FILE]

checkout: `clients` threads, each a buyer with a keep-alive HTTP session, buy in a loop for
`seconds`: POST /orders (1-2 of `products` products), POST /orders/{id}/pay (sandbox), POST
/payments/sandbox/{id}/complete (the signed notification through the real handler, which
creates three levels of commission). Purchases a second, p50/p99 of each step; afterwards every
paid order must hold its three commissions. Reference in the same command: `pgbench`
TPC-B-like with the same number of clients and seconds on its own database, and PostgreSQL's CPU
per pgbench transaction against its CPU per purchase: the ratio the two would reach were the
server on cores of its own (both bound by the database's CPU).

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
from pathlib import Path

import requests
from _common import (
    PG_PGBENCH_DB,
    SECRET_KEY,
    bench_data,
    django_setup,
    emit,
    pct,
    peak_memory_mb,
    pg_ensure_database,
    pgbench,
    pgbench_init,
    serve,
    together,
)

ADDRESS = {
    "name": "张三",
    "phone": "13800000000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "detail": "文三路 100 号",
}


def make_shop(
    products: int, buyers: int, chains: int, history: int = 0
) -> tuple[list[str], list[int]]:
    """`fenxiao manage bench_data`: `products` products whose SKUs hold a million units each,
    `chains` three-level chains and `buyers` buyers bound under them in turn; returns the
    buyers' API tokens and the sellable SKUs' ids."""
    from fenxiao.accounts.models import User
    from fenxiao.accounts.services import token_issue
    from fenxiao.catalog.models import Sku

    bench_data(
        *("--products", str(products), "--stock", "1000000"),
        *("--chains", str(chains), "--buyers", str(buyers)),
        *("--orders", str(history)),
    )
    people = User.objects.filter(phone__startswith="139").order_by("pk")
    sellable = Sku.objects.filter(is_active=True, product__status="on_shelf", stock__gt=0)
    return [token_issue(user=u) for u in people], list(sellable.values_list("pk", flat=True))


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds each live process has used so far, with that of its children
    that have ended (PostgreSQL's backends of a finished pgbench), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = sum(map(int, fields[11:15])) / tick  # utime, stime, cutime, cstime
    return used


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings (a process started in between counts whole)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def family(pid: int) -> list[int]:
    """The process and its children (gunicorn's master and workers)."""
    try:
        return [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    except OSError:
        return [pid]


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


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

    def buyer(start, i: int) -> None:
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

    _, elapsed = together(buyer, [(i,) for i in range(clients)])
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
    sold_at: list[float] = []
    outcome = {"sold": 0, "sold_out": 0, "errors": 0, "first_error": ""}
    lock = threading.Lock()

    def buyer(start, token: str) -> None:
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

    began, _ = together(buyer, [(t,) for t in tokens])
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
    parser.add_argument("--chains", type=int, default=333, help="1: every buyer under one chain")
    parser.add_argument("--rush-buyers", type=int, default=1000)
    parser.add_argument("--rush-units", type=int, default=100)
    parser.add_argument("--rush-runs", type=int, default=5)
    parser.add_argument("--history", type=int, default=20000, help="completed orders loaded first")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--json-out")
    parser.add_argument("--db", default="postgres", choices=["postgres"])
    args = parser.parse_args(argv)

    # tokens made here must hold in the server: both sign with the same key
    os.environ["FENXIAO_SECRET_KEY"] = SECRET_KEY
    url = django_setup("postgres")
    tokens, skus = make_shop(
        args.products, max(args.rush_buyers, args.clients), args.chains, args.history
    )
    from django.db import connection

    connection.close()  # the server's workers take the connections from here on
    data_dir = tempfile.mkdtemp(prefix="fenxiao-bench-serve-")
    proc, base = serve(url, data_dir, args.workers, args.threads)
    try:
        server = family(proc.pid)
        before = (cpu_seconds(server), cpu_seconds(postgres_pids()), time.process_time())
        bought = checkout(base, tokens, skus, args.clients, args.seconds)
        after = (cpu_seconds(server), cpu_seconds(postgres_pids()), time.process_time())
        spent = [cpu_spent(before[0], after[0]), cpu_spent(before[1], after[1])]
        spent.append(after[2] - before[2])
        n = max(1, bought["purchases"])
        bought["cpu_ms_per_purchase"] = {
            name: 1000 * seconds / n
            for name, seconds in zip(("server", "postgres", "load"), spent, strict=True)
        }
        rushers = tokens[: args.rush_buyers]
        rushes = [rush(base, rushers, args.rush_units) for _ in range(args.rush_runs)]
        memory = peak_memory_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    pg_ensure_database(PG_PGBENCH_DB)
    pgbench_init(PG_PGBENCH_DB)
    seconds = int(args.seconds)
    pg_before = cpu_seconds(postgres_pids())
    tps = pgbench(["-c", str(args.clients), "-j", "2", "-T", str(seconds)], PG_PGBENCH_DB)
    pg_ms_per_txn = 1000 * cpu_spent(pg_before, cpu_seconds(postgres_pids())) / (tps * seconds)
    results = {
        "db": "postgres",
        "checkout": bought,
        "pgbench_tps": tps,
        "ratio": bought["per_s"] / tps,
        # were the server on cores of its own, PostgreSQL's CPU would bound both: this is the
        # ratio of those bounds
        "pgbench_postgres_cpu_ms": pg_ms_per_txn,
        "postgres_bound_ratio": pg_ms_per_txn / bought["cpu_ms_per_purchase"]["postgres"],
        "commissions_complete": commissions_complete(),
        "rush": rushes,
        "rush_units": args.rush_units,
        "rush_buyers": args.rush_buyers,
        "chains": args.chains,
        "history": args.history,
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
