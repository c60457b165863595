"""`make bench`: search, order placement and the report pages on SQLite and PostgreSQL, and
checkout, catalog and settlement against PostgreSQL, as compact tables.

Each (bench, database) pair runs in its own process so Django is set up from FENXIAO_*
settings exactly once per database; PostgreSQL parts are skipped when it is not reachable.
Figures are ratios against references run in the same command (a naive scan, pgbench).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import PG_HOST, PG_PORT, REPO, pad, pg_reachable
from reads import table as reads_table

HERE = Path(__file__).resolve().parent


def run_bench(script: str, db: str, extra: list[str]) -> dict | None:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        json_out = out.name
    started = time.perf_counter()
    print(f"… {script} on {db}", file=sys.stderr, flush=True)
    done = subprocess.run(
        [sys.executable, str(HERE / script), "--db", db, "--json-out", json_out, *extra],
        capture_output=True,
        text=True,
    )
    print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    try:
        if done.returncode != 0:
            print(f"!! {script} --db {db} failed:\n{done.stdout}\n{done.stderr}", file=sys.stderr)
            return None
        return json.loads(Path(json_out).read_text())
    finally:
        os.unlink(json_out)


def search_table(results: list[dict]) -> None:
    print("\nsearch: GET /products?q= page 1 (20 cards + count), 100,000 products")
    print("ms median / p95; '÷ scan' = median ÷ a naive LIKE scan of the same columns")
    header = pad("query", 24) + "".join(
        f"{r['db'] + ' page1':>20}{'÷ scan':>8}  {pad('index', 13)}" for r in results
    )
    print(header.rstrip())
    for i, row in enumerate(results[0]["queries"]):
        line = pad(f"{row['label']} {row['q']}".strip(), 24)
        for r in results:
            q = r["queries"][i]
            timing = f"{q['api_median']:.1f} / {q['api_p95']:.1f}"
            line += f"{timing:>20}{q['api_median'] / q['naive_median']:>8.2f}  "
            line += pad(q["index"], 13)
        print(line.rstrip())
    for r in results:
        for q in r["queries"]:
            if not q["count_ok"] or not q["name_hits_first"]:
                print(
                    f"!! {r['db']} {q['q']!r}: {q['count']} found, naive scan {q['naive_count']}"
                    f", name hits first: {q['name_hits_first']}"
                )
            if q["api_median"] > q["naive_median"]:  # an index read worse than no index
                print(f"!! {r['db']} {q['q']!r}: slower than the naive scan (a bad plan?)")
        naive = ", ".join(f"{q['naive_median']:.0f}" for q in r["queries"])
        print(f"   {r['db']}: naive scan medians (ms): {naive}; load {r['load_s']:.0f} s")
        if "pgbench_select_tps" in r:
            tps = r["pgbench_select_tps"]
            print(
                f"   {r['db']}: pgbench -S -c 1 -T 5, same database: {tps:,.0f} tps "
                f"({1000 / tps:.3f} ms a select)"
            )


def orders_table(results: list[dict]) -> None:
    pgbench_tps = next((r["pgbench_tps"] for r in results if "pgbench_tps" in r), {})
    seconds = results[0]["seconds"]
    print(f"\norders: order_place from N threads, {seconds:.0f} s each; 秒杀 SKU of limited stock")
    print("'÷ pgbench' = orders/s ÷ pgbench TPC-B-like tps (-c N -j ≤2, fenxiao_pgbench)")
    header = f"{'threads':>7}{'pgbench tps':>13}" + "".join(
        f"{r['db'] + ' orders/s':>18}{'÷ pgbench':>11}{pad('秒杀 sold', 11, right=True)}"
        f"{'oversold':>10}{'errors':>8}"
        for r in results
    )
    print(header.rstrip())
    for i, phase in enumerate(results[0]["phases"]):
        n = phase["threads"]
        tps = pgbench_tps.get(str(n))
        line = f"{n:>7}{(f'{tps:,.0f}' if tps else 'n/a'):>13}"
        for r in results:
            p = r["phases"][i]
            ratio = f"{p['orders_per_s'] / tps:.3f}" if tps else "n/a"
            sold = f"{p['hot_sold']}/{p['hot_stock']}"
            line += f"{p['orders_per_s']:>18.0f}{ratio:>11}{sold:>11}{p['oversold']:>10}"
            line += f"{p['errors']:>8}"
        print(line.rstrip())
    for r in results:
        for p in r["phases"]:
            if p["errors"] or p["oversold"] or not p["orders_match"]:
                print(f"!! {r['db']} {p['threads']} threads: {p}")


def checkout_table(r: dict) -> None:
    c = r["checkout"]
    print(
        f"\ncheckout: `fenxiao serve` (gunicorn, DEBUG off), {c['clients']} buyers with keep-alive "
        f"sessions for {c['seconds']:.0f} s: order + pay + sandbox notification + 3 levels of "
        "commission"
    )
    print("'÷ pgbench' = purchases/s ÷ pgbench TPC-B-like tps at the same clients and seconds")
    print(
        f"{'purchases/s':>12}{'pgbench tps':>13}{'÷ pgbench':>11}  p50 / p99 ms: order, pay, notify"
    )
    steps = ", ".join(f"{v['p50']:.0f} / {v['p99']:.0f}" for v in c["steps"].values())
    print(f"{c['per_s']:>12.1f}{r['pgbench_tps']:>13,.0f}{r['ratio']:>11.4f}  {steps}")
    cpu = c.get("cpu_ms_per_purchase")
    if cpu:
        print(
            f"CPU ms a purchase: server {cpu['server']:.1f}, PostgreSQL {cpu['postgres']:.1f}, "
            f"load generator {cpu['load']:.1f} (buyers under {r.get('chains', '?')} chains, "
            f"{r.get('history', 0):,} orders of history)"
        )
        load = cpu["load"] or float("nan")
        print(
            f"÷ the load generator's (the same code in every run: compare code by these): "
            f"server {cpu['server'] / load:.2f}, PostgreSQL {cpu['postgres'] / load:.2f}"
        )
    if "postgres_bound_ratio" in r:
        print(
            f"PostgreSQL CPU ms a pgbench transaction {r['pgbench_postgres_cpu_ms']:.2f}: with "
            f"the server on cores of its own, purchases ÷ pgbench ≤ "
            f"{r['postgres_bound_ratio']:.3f} (PostgreSQL CPU a transaction ÷ a purchase)"
        )
    print(
        f"rush: {r['rush_buyers']:,} buyers at once for {r['rush_units']} units, "
        f"{len(r['rush'])} runs; server peak memory {r['server_peak_mb']:.0f} MiB"
    )
    for i, run in enumerate(r["rush"], 1):
        took = f"{run['sell_out_s']:.2f} s" if run["sell_out_s"] is not None else "not sold out"
        print(
            f"  run {i}: sold {run['sold']}/{r['rush_units']}, sold out in {took}, "
            f"refused as sold out {run['sold_out']}, other errors {run['errors']}"
        )
    if not r["ok"]:
        print(
            f"!! checkout: errors {c['errors']} {c['first_error']}; commissions complete: "
            f"{r['commissions_complete']}"
        )


def catalog_table(r: dict) -> None:
    print(
        f"\ncatalog: `fenxiao serve` (gunicorn, DEBUG off, {r['workers']} workers × {r['threads']} "
        f"threads), {r['products']:,} products, {r['clients']} clients with keep-alive sessions "
        f"for {r['rows'][0]['seconds']:.0f} s each"
    )
    print(
        "'÷ health' = requests/s ÷ GET /api/v1/health's (no database) on the same server; "
        "'不缓存': the same with CATALOG_PAGE_CACHE_SECONDS=0 (every page computed)"
    )
    print(pad("GET", 34) + f"{'hits':>9}{'req/s':>9}{'÷ health':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for row in r["rows"]:
        hits = "" if "count" not in row else f"{row['count']:,}"
        hits += "+" if row.get("count_capped") else ""
        label = row["label"] + ("" if row.get("cached", True) else " · 不缓存")
        print(
            pad(label, 34)
            + f"{hits:>9}{row['per_s']:>9.0f}{row['ratio']:>10.2f}"
            + f"{row['p50']:>9.1f}{row['p99']:>9.1f}"
        )
    print(f"   server peak memory {r['server_peak_mb']:.0f} MiB; load {r['load_s']:.0f} s")
    for row in r["rows"]:
        if row["errors"]:
            print(f"!! catalog {row['path']}: {row['errors']} errors, {row['first_error']}")


def reports_table(results: list[dict]) -> None:
    first = results[0]
    print(
        f"\nreports: each page's selector, {first['orders']:,} orders over a year "
        f"({first['lines']:,} lines, {first['commissions']:,} commissions, "
        f"{first['visits_and_bindings']:,} referral events, {first['users']:,} users)"
    )
    print("ms median / p95; '÷ scan' = median ÷ SELECT count(*), sum(total) FROM orders_order")
    header = pad("page", 16) + f"{'days':>5}"
    header += "".join(f"{r['db'] + ' ms':>20}{'÷ scan':>9}" for r in results)
    print(header.rstrip())
    for i, row in enumerate(first["rows"]):
        line = pad(row["page"], 16) + f"{row['days']:>5}"
        for r in results:
            found = r["rows"][i]
            timing = f"{found['median']:.0f} / {found['p95']:.0f}"
            line += f"{timing:>20}{found['median'] / r['scan_median']:>9.1f}"
        print(line.rstrip())
    for r in results:
        note = f"   {r['db']}: scan median {r['scan_median']:.2f} ms; load {r['load_s']:.0f} s"
        if "pgbench_select_tps" in r:
            note += f"; pgbench -S -c 1 -T 5: {r['pgbench_select_tps']:,.0f} tps"
        print(note)


def settlement_table(r: dict) -> None:
    print(
        f"\nsettlement: `fenxiao run-due` on {r['commissions']:,} due commissions (3 levels, "
        "333 chains of distributors) against one set-based SQL statement writing the same rows"
    )
    print(f"{'sql s':>8}{'run-due s':>11}{'÷ sql':>8}{'commissions/s':>15}{'worker peak MiB':>17}")
    print(
        f"{r['sql_s']:>8.1f}{r['run_due_s']:>11.1f}{r['ratio']:>8.2f}{r['per_s']:>15,.0f}"
        f"{r['peak_mb']:>17.0f}"
    )
    if not r["ok"]:
        print(f"!! settlement: {r['checks']}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=["search", "orders", "reports", "reads", "checkout", "catalog", "settlement"],
    )
    parser.add_argument(
        "--commissions", type=int, default=1_000_000, help="settlement: due commissions"
    )
    args = parser.parse_args(argv)
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dbs = ["sqlite"]
    if pg_reachable():
        dbs.append("postgres")
    else:
        print(f"PostgreSQL at {PG_HOST}:{PG_PORT} not reachable: SQLite only", file=sys.stderr)
    served = ["checkout", "catalog", "settlement"]  # PostgreSQL only
    local = ["search", "orders", "reports", "reads"]  # each on SQLite and PostgreSQL
    benches = [*local, *served] if args.only is None else [args.only]
    searches = [r for db in dbs if "search" in benches and (r := run_bench("search.py", db, []))]
    orders = [r for db in dbs if "orders" in benches and (r := run_bench("orders.py", db, []))]
    reports = [r for db in dbs if "reports" in benches and (r := run_bench("reports.py", db, []))]
    reads = [r for db in dbs if "reads" in benches and (r := run_bench("reads.py", db, []))]
    checkout = catalog = settlement = None
    if "checkout" in benches and "postgres" in dbs:
        checkout = run_bench("checkout.py", "postgres", [])
    if "catalog" in benches and "postgres" in dbs:
        catalog = run_bench("catalog.py", "postgres", [])
    if "settlement" in benches and "postgres" in dbs:
        extra = ["--commissions", str(args.commissions)]
        settlement = run_bench("settlement.py", "postgres", extra)

    load = os.getloadavg()
    print(
        f"fenxiao bench · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · commit {commit} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    if searches:
        search_table(searches)
    if orders:
        orders_table(orders)
    if reports:
        reports_table(reports)
    if reads:
        print("\nreads: the hottest reads as the ORM compiles them against fenxiao.db.read")
        for r in reads:
            reads_table(r)
    if checkout:
        checkout_table(checkout)
    if catalog:
        catalog_table(catalog)
    if settlement:
        settlement_table(settlement)
    expected = len(dbs) * len(set(local) & set(benches))
    expected += len(set(served) & set(benches)) if "postgres" in dbs else 0
    extra = [r for r in (checkout, catalog, settlement) if r is not None]
    ran = len(searches) + len(orders) + len(reports) + len(reads) + len(extra)
    return 0 if ran == expected and all(r["ok"] for r in extra) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
