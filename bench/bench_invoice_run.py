"""Invoice run: 10,000 agreements and N classified sessions in the billed (previous) period.

    .venv/bin/python bench/bench_invoice_run.py                       # SQLite, 200,000 sessions
    .venv/bin/python bench/bench_invoice_run.py --sessions 2000000    # the issue's size
    .venv/bin/python bench/bench_invoice_run.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Issue 4's targets on PostgreSQL with 10,000 agreements and 2,000,000 sessions: the run
≤ 10 s and ≤ 300 MB peak memory, a rerun of the same period ≤ 2 s.

The data simulates classified history: sessions are bulk-loaded (COPY on PostgreSQL,
executemany on SQLite; 2,000,000 take well under a minute) with their classification fields
already set (85 % included/allowance, 10 % overage, 5 % billable), so the benchmark
measures the invoice engine, not classification (bench_classification.py does that). The
load goes through the migrated table, so on PostgreSQL it keeps the free room of the
table's fillfactor (migration billing 0005) that the run's in-place links use, as sessions
logged over a month would; the setup line prints it. The run
and the rerun each execute in a fresh process (`--run-only`) so that the printed peak memory
(ru_maxrss) is the run's own, not the data generation's.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "tierdesk_bench_invoices"
PERIOD = "2026-10"


def _environment(args) -> dict:
    env = dict(os.environ)
    env.update(SECRET_KEY="bench", DJANGO_SETTINGS_MODULE="tierdesk.settings",
               LOG_LEVEL="ERROR", TIERDESK_DATA_DIR=args.data_dir)
    if args.postgres:
        env["DATABASE_URL"] = args.postgres.rsplit("/", 1)[0] + "/" + DB_NAME
    else:
        env.pop("DATABASE_URL", None)
    return env


def _create_postgres_database(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1),
                         autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def _setup(n_agreements: int, n_sessions: int) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.core.management import call_command

    from tierdesk.catalog.models import Segment
    from tierdesk.clients.models import Agreement, Client
    from tierdesk.core.models import User
    from tierdesk.plans.factories import PlanFactory, PlanVersionFactory

    call_command("migrate", verbosity=0)
    segment = Segment.objects.create(name="Bench", slug="bench")
    versions = [PlanVersionFactory(plan=PlanFactory(slug=f"bench-{i}", name=f"Tier {i}"),
                                   base_fee=Decimal(fee))
                for i, fee in enumerate(("99.00", "249.00", "499.00"))]
    tech = User.objects.create(username="bench-tech", role="technician")
    clients = Client.objects.bulk_create(
        [Client(name=f"Bench client {i}", segment=segment, tax_rate_percent=Decimal("8.25"))
         for i in range(n_agreements)], batch_size=2000)
    agreements = Agreement.objects.bulk_create([
        Agreement(client=c, plan_version=versions[i % 3], status="active",
                  start_date=dt.date(2026, 1, 1) if i % 50 else dt.date(2026, 10, 12),
                  users_count=10, devices_count=10, base_fee=versions[i % 3].base_fee,
                  price_per_user=Decimal("10.00"), price_per_device=Decimal("5.00"))
        for i, c in enumerate(clients)], batch_size=2000)
    _insert_sessions(tech.pk, [(a.pk, a.client_id) for a in agreements], n_sessions)


_SESSION_COLUMNS = ("client_id", "agreement_id", "technician_id", "started_at", "ended_at",
                    "mode", "work_type", "travel_minutes", "notes", "classification", "reason",
                    "allowance_units", "overage_units", "billable_minutes",
                    "after_hours_minutes", "rate", "amount", "period_start", "classified_at",
                    "created_at", "updated_at")


def _session_rows(tech_id: int, agreements: list[tuple[int, int]], n_sessions: int,
                  sqlite: bool):
    """Classified sessions of September 2026 as plain tuples (the ORM would take minutes
    for 2,000,000): 85 % included/allowance, 10 % overage at $35, 5 % billable 30 min.
    For SQLite, datetimes are given as Django stores them there (naive UTC text)."""
    import datetime as dt
    from decimal import Decimal

    period = dt.date(2026, 9, 1)
    base = dt.datetime(2026, 9, 1, 13, 0, tzinfo=dt.UTC)
    kinds = []
    for kind in range(20):
        if kind < 17:
            cls = "included" if kind % 2 else "allowance"
            kinds.append((cls, f"{cls}: bench", 0, 0, None, Decimal("0.00")))
        elif kind < 19:
            kinds.append(("overage", "overage: bench", 1, 0, Decimal("35.00"),
                          Decimal("35.00")))
        else:
            kinds.append(("billable", "billable: bench", 0, 30, Decimal("125.00"),
                          Decimal("62.50")))
    if sqlite:  # Django stores decimals there as text
        kinds = [k[:4] + tuple(None if v is None else str(v) for v in k[4:]) for k in kinds]
    period_value = period.isoformat() if sqlite else period
    n_agreements = len(agreements)
    starts: dict[int, dt.datetime] = {}
    for i in range(n_sessions):
        agreement_id, client_id = agreements[i % n_agreements]
        cls, reason, units, minutes, rate, amount = kinds[i % 20]
        offset = (i // n_agreements) * 37 % (29 * 24 * 60)
        times = starts.get(offset)
        if times is None:
            start = base + dt.timedelta(minutes=offset)
            times = (start, start + dt.timedelta(minutes=30))
            if sqlite:
                times = tuple(str(t.replace(tzinfo=None)) for t in times)
            starts[offset] = times
        start, end = times
        yield (client_id, agreement_id, tech_id, start, end, "remote", "helpdesk", 0, "", cls,
               reason, 0, units, minutes, 0, rate, amount,
               period_value, start, start, start)


def _insert_sessions(tech_id: int, agreements: list[tuple[int, int]], n_sessions: int) -> None:
    """PostgreSQL: COPY; SQLite: executemany in transactions of 200,000 rows."""
    from itertools import islice

    from django.db import connection, transaction

    rows = _session_rows(tech_id, agreements, n_sessions,
                         sqlite=connection.vendor == "sqlite")
    columns = ", ".join(_SESSION_COLUMNS)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY billing_worksession ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        # A month's sessions arrive over the month and autovacuum has visited them by the
        # run; without this the run would pay the first-read hint-bit writes of a bulk load.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE billing_worksession")
            cursor.execute("SELECT reloptions, relpages FROM pg_class"
                           " WHERE relname = 'billing_worksession'")
            options, pages = cursor.fetchone()
        print(f"sessions table: {', '.join(options or ['no storage options'])}, "
              f"{pages:,} pages ({n_sessions / max(pages, 1):.1f} sessions a page)")
        return
    marks = ", ".join(["%s"] * len(_SESSION_COLUMNS))
    sql = f"INSERT INTO billing_worksession ({columns}) VALUES ({marks})"
    while chunk := list(islice(rows, 200_000)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, chunk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _backend_cpu() -> float | None:
    """CPU seconds of this process's PostgreSQL backend so far, when the server runs on
    this machine (else None). With the run's own CPU time it shows the work done, which
    other processes loading the machine do not change as they change the wall time."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_only() -> None:
    import datetime as dt

    import django

    django.setup()
    from tierdesk.billing.invoicing import invoice_run

    year, month = map(int, PERIOD.split("-"))
    backend = _backend_cpu()
    cpu = time.process_time()
    started = time.perf_counter()
    run = invoice_run(period_start=dt.date(year, month, 1))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if backend is not None:
        backend = _backend_cpu() - backend
    print(json.dumps({"seconds": seconds, "maxrss_mb": resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024, "status": run.status,
        "invoices_created": run.invoices_created, "agreements": run.agreements_total,
        "cpu": cpu, "backend_cpu": backend, "load": os.getloadavg()[0]}))


def _timed_child(env) -> dict:
    out = subprocess.run([sys.executable, __file__, "--run-only"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--postgres",
                        help=f"a PostgreSQL URL; a database {DB_NAME} is (re)created")
    parser.add_argument("--run-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_only:
        return _run_only()
    args.data_dir = args.data_dir or tempfile.mkdtemp(prefix="tierdesk-bench-invoices-")
    env = _environment(args)
    if args.postgres:
        _create_postgres_database(args.postgres)
    os.environ.update(env)
    if not args.postgres:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    t0 = time.perf_counter()
    _setup(args.agreements, args.sessions)
    from django.db import connections

    connections.close_all()
    print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; {args.agreements:,} "
          f"agreements, {args.sessions:,} sessions (setup {time.perf_counter() - t0:.1f} s)")
    first = _timed_child(env)
    print(f"run:   {first['seconds']:.2f} s (target <= 10 s), peak memory "
          f"{first['maxrss_mb']:.0f} MB (target <= 300 MB), {first['invoices_created']:,} "
          f"invoices of {first['agreements']:,} agreements, {first['status']}")
    backend = ("" if first["backend_cpu"] is None
               else f", PostgreSQL backend {first['backend_cpu']:.2f} s")
    print(f"       CPU: Python {first['cpu']:.2f} s{backend}; machine load "
          f"{first['load']:.1f} at the end (other processes stretch the wall time)")
    again = _timed_child(env)
    print(f"rerun: {again['seconds']:.2f} s (target <= 2 s), {again['invoices_created']} new "
          f"invoices, peak memory {again['maxrss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
