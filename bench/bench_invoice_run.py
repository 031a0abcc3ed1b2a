"""Invoice run: 10,000 agreements and N classified sessions in the billed (previous) period.

    .venv/bin/python bench/bench_invoice_run.py                       # SQLite, 200,000 sessions
    .venv/bin/python bench/bench_invoice_run.py --sessions 2000000    # the issue's size
    .venv/bin/python bench/bench_invoice_run.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Issue 4's targets on PostgreSQL with 10,000 agreements and 2,000,000 sessions: the run
≤ 10 s and ≤ 300 MB peak memory, a rerun of the same period ≤ 2 s.

The data simulates classified history: sessions are bulk-inserted with their classification
fields already set (85 % included/allowance, 10 % overage, 5 % billable), so the benchmark
measures the invoice engine, not classification (bench_classification.py does that). The run
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

    from tierdesk.billing.models import WorkSession
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
    period = dt.date(2026, 9, 1)
    base = dt.datetime(2026, 9, 1, 13, 0, tzinfo=dt.UTC)
    batch = []
    for i in range(n_sessions):
        a = agreements[i % n_agreements]
        kind = i % 20
        start = base + dt.timedelta(minutes=(i // n_agreements) * 37 % (29 * 24 * 60))
        if kind < 17:
            cls, amount, rate, units, minutes = ("included" if kind % 2 else "allowance",
                                                 Decimal("0.00"), None, 0, 0)
        elif kind < 19:
            cls, amount, rate, units, minutes = ("overage", Decimal("35.00"), Decimal("35.00"),
                                                 1, 0)
        else:
            cls, amount, rate, units, minutes = ("billable", Decimal("62.50"),
                                                 Decimal("125.00"), 0, 30)
        batch.append(WorkSession(
            client_id=a.client_id, agreement_id=a.pk, technician=tech, started_at=start,
            ended_at=start + dt.timedelta(minutes=30), classification=cls,
            reason=f"{cls}: bench", overage_units=units, billable_minutes=minutes, rate=rate,
            amount=amount, period_start=period, classified_at=start))
        if len(batch) == 10_000:
            WorkSession.objects.bulk_create(batch)
            batch = []
    WorkSession.objects.bulk_create(batch)


def _run_only() -> None:
    import datetime as dt

    import django

    django.setup()
    from tierdesk.billing.invoicing import invoice_run

    year, month = map(int, PERIOD.split("-"))
    started = time.perf_counter()
    run = invoice_run(period_start=dt.date(year, month, 1))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "maxrss_mb": resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024, "status": run.status,
        "invoices_created": run.invoices_created, "agreements": run.agreements_total}))


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
    again = _timed_child(env)
    print(f"rerun: {again['seconds']:.2f} s (target <= 2 s), {again['invoices_created']} new "
          f"invoices, peak memory {again['maxrss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
