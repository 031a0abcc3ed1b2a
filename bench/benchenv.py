"""What every benchmark shares: a throwaway environment and percentiles.

`prepare(name, postgres=URL)` points tierdesk at a fresh temporary data directory (SQLite
there by default) or at a freshly created PostgreSQL database `tierdesk_bench_<name>` on the
server of URL, with production settings (not the test settings), before django.setup().
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def prepare(name: str, *, postgres: str | None = None, data_dir: str | None = None,
            reuse_database: bool = False, **environ: str) -> None:
    os.environ["TIERDESK_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix=f"tierdesk-bench-{name}-")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ["EMAIL_URL"] = "locmem://"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tierdesk.settings"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.update(environ)
    if postgres:
        database = f"tierdesk_bench_{name}"
        if not reuse_database:
            import psycopg

            base = postgres.replace("postgres://", "postgresql://", 1)
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {database}")
                conn.execute(f"CREATE DATABASE {database}")
        os.environ["DATABASE_URL"] = postgres.rsplit("/", 1)[0] + "/" + database


def percentile(samples: list[float], fraction: float) -> float:
    """The sample at `fraction` of the sorted samples (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def cpu_reference() -> float:
    """Milliseconds this machine takes, now, for a fixed pure-Python loop (best of 3).

    This project's machines are shared: the same code measured minutes apart ran up to a
    quarter faster or slower, and machines differ between sessions. A benchmark prints
    this beside its figures so that two of them can be compared as well as they can be.
    """
    import time

    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for i in range(2_000_000):
            total += i * i
        best = min(best, time.process_time() - started)
    return best * 1000
