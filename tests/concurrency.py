"""Real races for the PostgreSQL concurrency tests: threads released together."""

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
from django.db import connection


def race(n: int, work) -> list:
    """Run work(0..n-1) in n threads released together; each closes its DB connection."""
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait(timeout=60)
            return work(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def other_connection() -> psycopg.Connection:
    """A second connection to the test database, outside Django (autocommit): to see which
    rows the test's own transaction holds locked, with FOR UPDATE NOWAIT."""
    s = connection.settings_dict
    dsn = f"host={s['HOST']} port={s['PORT']} dbname={s['NAME']} user={s['USER']}"
    return psycopg.connect(dsn, autocommit=True)
