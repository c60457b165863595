"""The catalog at 100,000 products against `fenxiao serve` as deployed (gunicorn, DEBUG off) on
PostgreSQL: requests a second beside a bare JSON endpoint of the same server.

    .venv/bin/python bench/catalog.py [--products 100000] [--clients 8] [--seconds 10]
                                      [--workers 2] [--threads 8] [--json-out FILE]

Loads the products (`fenxiao manage bench_data --products`), starts the server, then for each
endpoint `clients` threads, each with a keep-alive HTTP session, request it in a loop for
`seconds`: GET /api/v1/health (the reference: no database), the product list's page 1, and
page 1 of searches for a common two-character term, one in almost every product (好物), and a
rare one. Requests a second, p50/p99, and each endpoint's ratio to the health endpoint;
every answer must be a 200 with the count the database holds (capped like the API's). Twice:
as deployed (pages cached for CATALOG_PAGE_CACHE_SECONDS), then with the cache off.
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time

import requests
from _common import bench_data, django_setup, emit, pct, peak_memory_mb, serve, together

ENDPOINTS = [
    ("health", "/api/v1/health", None),
    ("商品列表 第 1 页", "/api/v1/products", ""),
    ("2 字 保温", "/api/v1/products?q=保温", "保温"),
    ("2 字, 几乎全中 好物", "/api/v1/products?q=好物", "好物"),
    ("2 字, 少见 石斛", "/api/v1/products?q=石斛", "石斛"),
]


def load_products(n: int) -> float:
    """`fenxiao manage bench_data --products n`; seconds taken."""
    started = time.perf_counter()
    bench_data("--products", str(n), "--buyers", "0")
    return time.perf_counter() - started


def expected_counts() -> dict[str, dict]:
    """What each list must answer, from the API's own selectors before the server starts."""
    from fenxiao.catalog import api as catalog_api

    return {
        q: {
            k: v
            for k, v in catalog_api.card_page(None, catalog_api.ProductFilters(q=q)).items()
            if k in ("count", "count_capped")
        }
        for _, _, q in ENDPOINTS
        if q is not None
    }


def hammer(url: str, clients: int, seconds: float, expected: dict | None) -> dict:
    """`clients` keep-alive sessions GET `url` in a loop for `seconds`."""
    latencies: list[float] = []
    totals = {"requests": 0, "errors": 0, "first_error": ""}
    lock = threading.Lock()

    def client(start) -> None:
        mine: list[float] = []
        errors, first = 0, ""
        s = requests.Session()
        start.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                r = s.get(url, timeout=30)
                ok = r.status_code == 200
                body = r.json()
            except (requests.RequestException, ValueError) as exc:
                ok, body = False, repr(exc)
            mine.append((time.perf_counter() - t0) * 1000)
            if ok and expected is not None:
                ok = {k: body.get(k) for k in expected} == expected
            if not ok:
                errors += 1
                first = first or str(body)[:200]
        with lock:
            latencies.extend(mine)
            totals["requests"] += len(mine)
            totals["errors"] += errors
            totals["first_error"] = totals["first_error"] or first

    _, elapsed = together(client, [()] * clients)
    return {
        **totals,
        "seconds": elapsed,
        "per_s": totals["requests"] / elapsed,
        "p50": pct(latencies, 50),
        "p99": pct(latencies, 99),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--json-out")
    parser.add_argument("--db", default="postgres", choices=["postgres"])
    args = parser.parse_args(argv)

    url = django_setup("postgres")
    load_s = load_products(args.products)
    expected = expected_counts()
    from django.db import connection

    connection.close()  # the server's workers take the connections from here on
    rows, memory = [], 0.0
    # as deployed (the list's pages cached for a few seconds), then every request computed
    for cached in (True, False):
        os.environ["FENXIAO_CATALOG_PAGE_CACHE_SECONDS"] = "5" if cached else "0"
        data_dir = tempfile.mkdtemp(prefix="fenxiao-bench-serve-")
        proc, base = serve(url, data_dir, args.workers, args.threads)
        found_rows = []
        try:
            for label, path, q in ENDPOINTS:
                want = None if q is None else expected[q]
                found = hammer(base + path, args.clients, args.seconds, want)
                row = {"label": label, "path": path, "cached": cached, **found, **(want or {})}
                found_rows.append(row)
            memory = max(memory, peak_memory_mb(proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        health = found_rows[0]["per_s"]
        for row in found_rows:
            row["ratio"] = row["per_s"] / health
        rows += found_rows if cached else found_rows[1:]
    results = {
        "db": "postgres",
        "products": args.products,
        "load_s": load_s,
        "clients": args.clients,
        "workers": args.workers,
        "threads": args.threads,
        "rows": rows,
        "server_peak_mb": memory,
        "ok": all(row["errors"] == 0 and row["requests"] > 0 for row in rows),
    }
    emit(results, args.json_out)
    if not args.json_out:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
