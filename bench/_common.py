"""Shared helpers for the bench scripts: databases, Django set-up, pgbench, statistics, and
`fenxiao serve` started as deployed for the benches that load it over HTTP.

Each bench script runs against one database per process (`--db sqlite` or `--db postgres`),
so Django's settings are read from FENXIAO_* exactly as in production; bench/run.py starts
one subprocess per (script, database).
"""

import atexit
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("BENCH_PG_PORT", "5432")
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
# BENCH_PG_DB: another database name, so benches of two work trees on one server do not clash
PG_BENCH_DB = os.environ.get("BENCH_PG_DB", "fenxiao_bench")
PG_PGBENCH_DB = "fenxiao_pgbench"
# the served benches sign API tokens in-process that the server must accept
SECRET_KEY = "bench-secret-key"


def pg_env() -> dict:
    return {**os.environ, "PGHOST": PG_HOST, "PGPORT": PG_PORT, "PGUSER": PG_USER}


def pg_reachable() -> bool:
    if not shutil.which("psql"):
        return False
    done = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", "SELECT 1"],
        env=pg_env(),
        capture_output=True,
        text=True,
        timeout=10,
    )
    return done.returncode == 0 and done.stdout.strip() == "1"


def psql(sql: str, db: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", "-v", "ON_ERROR_STOP=1", "-d", db, "-tAc", sql],
        env=pg_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def pg_fresh_database(name: str) -> None:
    """Drop and create `name`, so every run starts from the same empty database."""
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')


def pg_ensure_database(name: str) -> None:
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        psql(f'CREATE DATABASE "{name}"')


def pgbench(args: list[str], db: str) -> float:
    """Run pgbench and return its TPS (without initial connection time)."""
    done = subprocess.run(
        ["pgbench", *args, db], env=pg_env(), capture_output=True, text=True, check=True
    )
    match = re.search(r"tps = ([\d.]+) \((without initial connection time|excluding)", done.stdout)
    if not match:
        raise RuntimeError(f"pgbench printed no tps:\n{done.stdout}\n{done.stderr}")
    return float(match.group(1))


def pgbench_init(db: str, scale: int = 1) -> None:
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", str(scale), db],
        env=pg_env(),
        capture_output=True,
        text=True,
        check=True,
    )


def django_setup(db: str) -> str:
    """Point FENXIAO_* at a fresh bench database, set Django up and migrate; returns the URL."""
    data_dir = tempfile.mkdtemp(prefix=f"fenxiao-bench-{db}-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    if db == "sqlite":
        url = f"sqlite:///{data_dir}/bench.sqlite3"
    else:
        pg_fresh_database(PG_BENCH_DB)
        url = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_BENCH_DB}"
    os.environ["FENXIAO_DATABASE_URL"] = url
    os.environ["FENXIAO_DATA_DIR"] = data_dir
    os.environ.setdefault("FENXIAO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fenxiao.settings")
    sys.path.insert(0, str(REPO / "src"))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url


def timed(fn, *, min_runs: int = 20, max_runs: int = 200, budget_s: float = 1.0) -> list[float]:
    """Call fn after two warm-up calls until min_runs and the budget are spent; ms per call."""
    fn()
    fn()
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < max_runs and (
        len(samples) < min_runs or time.perf_counter() - started < budget_s
    ):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def pct(samples: list[float], p: int) -> float:
    if not samples:
        return 0.0
    if p == 50:
        return statistics.median(samples)
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def pad(text: str, width: int, right: bool = False) -> str:
    """Pad to `width` terminal columns, counting CJK characters as two."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    fill = " " * max(0, width - cols)
    return fill + text if right else text + fill


def emit(results: dict, json_out: str | None) -> None:
    if json_out:
        Path(json_out).write_text(json.dumps(results, ensure_ascii=False, indent=1))


def bench_data(*args: str) -> dict:
    """`fenxiao manage bench_data ARGS` on the database django_setup pointed at, as a separate
    process (the way an operator loads it); returns what it reports it made."""
    cli = Path(sys.executable).with_name("fenxiao")
    done = subprocess.run(
        [str(cli), "manage", "bench_data", *args], capture_output=True, text=True, env=os.environ
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, data_dir: str, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        # this work tree's code, not whichever tree the virtualenv was installed from
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
        "FENXIAO_DATABASE_URL": url,
        "FENXIAO_DATA_DIR": data_dir,
        "FENXIAO_DEBUG": "0",
        "FENXIAO_SECRET_KEY": SECRET_KEY,
        "FENXIAO_ALLOWED_HOSTS": "127.0.0.1",
        "FENXIAO_PUBLIC_BASE_URL": base,
        "FENXIAO_PAYMENT_PROVIDERS": "sandbox",
        "FENXIAO_CELERY_EAGER": "1",
        "FENXIAO_LOG_LEVEL": "WARNING",
    }
    cli = Path(sys.executable).with_name("fenxiao")
    log = open(Path(data_dir) / "serve.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(workers), "--threads", str(threads)],
        env=env,
        cwd=data_dir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            raise RuntimeError((Path(data_dir) / "serve.log").read_text()[-3000:])
        try:
            if requests.get(base + "/api/v1/health", timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("fenxiao serve did not answer")
        time.sleep(0.3)


def peak_memory_mb(pid: int) -> float:
    """The highest VmHWM among the process and its children (gunicorn's master and workers)."""
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    peak = 0.0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return peak


def together(target, args: list[tuple]) -> tuple[float, float]:
    """`target(start, *a)` in a thread for each `a` of `args`, released together (each calls
    `start.wait()` when ready); returns (the release's perf_counter, seconds until the last
    thread was done)."""
    start = threading.Barrier(len(args) + 1)
    threads = [threading.Thread(target=target, args=(start, *a)) for a in args]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return began, time.perf_counter() - began
