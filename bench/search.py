"""Product search on 100,000 products: the API's page-1 query against a naive full scan.

    .venv/bin/python bench/search.py --db sqlite|postgres [--products N] [--json-out FILE]

Builds a fresh database (a SQLite file in a temp dir, or PostgreSQL `fenxiao_bench`, dropped
and re-created), migrates it with Django's own settings, bulk-loads generated products, then
times the catalog API's `GET /products?q=` work (selector, first 20 cards with images and
price, count) for short and long Chinese queries. The reference in the same run is a naive
`LIKE '%q%'` scan over the same columns (name, tagline, selling points, category names)
with no index; on PostgreSQL also `pgbench -S` on the same database.
"""

import argparse
import sys
import time

from _common import (
    PG_BENCH_DB,
    django_setup,
    emit,
    median,
    p95,
    pad,
    pgbench,
    pgbench_init,
    timed,
)

QUERIES = [
    ("无搜索词", ""),
    ("1 字", "茶"),
    ("2 字", "保温"),
    ("3 字", "保温杯"),
    ("5 字", "真丝连衣裙"),
    ("2 字, 几乎全中", "好物"),
    ("无结果 2 字", "鲲鹏"),
    ("无结果 5 字", "量子计算机"),
]


def load_catalog(n_products: int, seed: int = 20240601) -> float:
    """The catalog from `fenxiao.demo.bench_data` (what `fenxiao manage bench_data --products`
    loads); seconds taken."""
    from fenxiao.demo.bench_data import products

    started = time.perf_counter()
    products(n_products, seed=seed)
    return time.perf_counter() - started


def naive_count_sql(vendor: str) -> str:
    """Every searched column scanned with LIKE, no index: the baseline to beat."""
    points = (
        "EXISTS (SELECT 1 FROM json_each(p.selling_points) sp WHERE sp.value LIKE %s)"
        if vendor == "sqlite"
        else "EXISTS (SELECT 1 FROM jsonb_array_elements_text(p.selling_points) sp "
        "WHERE sp LIKE %s)"
    )
    return (
        "SELECT count(*) FROM catalog_product p "
        "LEFT JOIN catalog_category c ON c.id = p.category_id "
        "LEFT JOIN catalog_category pc ON pc.id = c.parent_id "
        "WHERE p.status = 'on_shelf' AND (p.name LIKE %s OR p.tagline LIKE %s OR "
        f"{points} OR c.name LIKE %s OR pc.name LIKE %s)"
    )


def plan_of(q: str, many: bool) -> tuple[str, str]:
    """Which access path the page query takes, from EXPLAIN: index name or scan; `many`: the
    page of a capped count (the shelf order)."""
    from fenxiao.catalog import selectors

    plan = selectors.product_cards(q=q, many=many)[:20].explain()
    marks = {
        "catalog_product_fts VIRTUAL TABLE INDEX": "fts5 trigram",
        "catalog_product_grams VIRTUAL TABLE INDEX": "fts5 grams",
        "catalog_product_search_trgm": "gin pg_trgm",
        "catalog_product_grams_gin": "gin grams",
        "catalog_product_shelf_order": "shelf order",
    }
    used = next((name for mark, name in marks.items() if mark in plan), "scan")
    if not q:
        used = "-"
    return used, plan


def run(db: str, n_products: int) -> dict:
    url = django_setup(db)
    from django.conf import settings
    from django.db import connection

    from fenxiao.catalog import api as catalog_api

    load_s = load_catalog(n_products)

    def api_page(q: str) -> dict:
        # the body of GET /products?q=: selector, price annotation, first 20 cards, count
        return catalog_api.card_page(None, catalog_api.ProductFilters(q=q))

    naive_sql = naive_count_sql(connection.vendor)
    cap = settings.CATALOG_COUNT_CAP

    def naive(q: str) -> int:
        pattern = f"%{q}%"
        with connection.cursor() as cursor:
            cursor.execute(naive_sql, [pattern] * 5)
            return cursor.fetchone()[0]

    rows = []
    for label, q in QUERIES:
        page = api_page(q)
        hits = naive(q)
        api_ms = timed(lambda q=q: api_page(q))
        naive_ms = timed(lambda q=q: naive(q))
        used, plan = plan_of(q, page["count_capped"])
        rows.append(
            {
                "label": label,
                "q": q,
                "count": page["count"],
                "naive_count": hits,
                "count_capped": page["count_capped"],
                # the count stops at the cap, and past it the page is in the shelf order
                "count_ok": (page["count"], page["count_capped"]) == (min(hits, cap), hits > cap),
                "name_hits_first": page["count_capped"] or _name_hits_first(page["items"], q),
                "api_median": median(api_ms),
                "api_p95": p95(api_ms),
                "naive_median": median(naive_ms),
                "naive_p95": p95(naive_ms),
                "runs": len(api_ms),
                "index": used,
                "plan": plan,
            }
        )
    result = {
        "db": db,
        "vendor": connection.vendor,
        "url": url,
        "products": n_products,
        "load_s": load_s,
        "queries": rows,
    }
    if connection.vendor == "postgresql":
        connection.close()
        pgbench_init(PG_BENCH_DB)
        result["pgbench_select_tps"] = pgbench(["-S", "-c", "1", "-j", "1", "-T", "5"], PG_BENCH_DB)
    return result


def _name_hits_first(items: list[dict], q: str) -> bool:
    flags = [q in item["name"].lower() for item in items]
    return flags == sorted(flags, reverse=True)


def print_report(result: dict) -> None:
    print(
        f"\nsearch · {result['db']} · {result['products']:,} products "
        f"(loaded in {result['load_s']:.0f} s)"
    )
    if "pgbench_select_tps" in result:
        tps = result["pgbench_select_tps"]
        print(f"reference: pgbench -S -c 1 -T 5 on the same database: {tps:,.0f} tps")
    print(
        f"{pad('query', 26)}{'hits':>8}{'page1 med':>11}{'p95':>9}{'naive med':>11}{'p95':>9}"
        f"{'÷ naive':>9}  index"
    )
    for row in result["queries"]:
        hits = f"{row['count']}{'+' if row['count_capped'] else ''}"
        print(
            f"{pad(row['label'] + ' ' + row['q'], 26)}{hits:>8}"
            f"{row['api_median']:>9.1f}ms{row['api_p95']:>7.1f}ms"
            f"{row['naive_median']:>9.1f}ms{row['naive_p95']:>7.1f}ms"
            f"{row['api_median'] / row['naive_median']:>9.2f}  {row['index']}"
        )
        if row["api_median"] > row["naive_median"]:
            # an index that reads more than the scan: a bad plan (f6177ce: a generic one)
            print("  !! slower than the naive scan")
        if not row["count_ok"] or not row["name_hits_first"]:
            print(
                f"  !! mismatch: api count {row['count']}, naive count {row['naive_count']}, "
                f"name hits first: {row['name_hits_first']}"
            )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--json-out")
    parser.add_argument("--plans", action="store_true", help="print each EXPLAIN")
    args = parser.parse_args(argv)
    result = run(args.db, args.products)
    print_report(result)
    if args.plans:
        for row in result["queries"]:
            print(f"\n-- {row['q']}\n{row['plan']}")
    emit(result, args.json_out)


if __name__ == "__main__":
    main(sys.argv[1:])
