"""Work-order generation: a 30-day horizon for N agreements, then a rerun.

    .venv/bin/python bench/bench_maintenance.py                      # SQLite, 10,000 agreements
    .venv/bin/python bench/bench_maintenance.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Issue 5's targets on PostgreSQL with 10,000 agreements: generating a 30-day horizon ≤ 20 s,
a rerun ≤ 5 s. The agreements are spread over the three built-in tiers (Silver has no
scheduled maintenance, Gold and Platinum do), over the six segments and four time zones,
with start dates over the past year — so rules, anchors and calendars vary as in a real
book of clients. Both runs go through `workorders_generate`, the service the daily job calls.
"""

import argparse
import datetime as dt
import time

import benchenv

TARGET_FIRST_S = 20.0
TARGET_RERUN_S = 5.0
ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")


def _setup(n: int) -> None:
    from django.core.management import call_command

    from tierdesk.catalog.models import Segment
    from tierdesk.clients.models import Agreement, Client, Site
    from tierdesk.maintenance.factories import load_tiers

    call_command("migrate", verbosity=0)
    versions = list(load_tiers().values())
    segments = list(Segment.objects.order_by("pk"))
    clients = Client.objects.bulk_create([
        Client(name=f"Bench client {i}", segment=segments[i % len(segments)],
               timezone=ZONES[i % len(ZONES)]) for i in range(n)], batch_size=2000)
    Site.objects.bulk_create([Site(client=c, name="Main", address="1 Main St",
                                   drive_minutes=20) for c in clients], batch_size=2000)
    start = dt.date(2026, 1, 1)
    Agreement.objects.bulk_create([
        Agreement(client=c, plan_version=versions[i % len(versions)], status="active",
                  start_date=start - dt.timedelta(days=i % 365), users_count=10,
                  devices_count=10, base_fee=100, price_per_user=0, price_per_device=0)
        for i, c in enumerate(clients)], batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--horizon-days", type=int, default=30)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a bench database is made)")
    args = parser.parse_args()
    benchenv.prepare("maintenance", postgres=args.postgres)

    import django

    django.setup()
    from tierdesk.maintenance.generation import workorders_generate
    from tierdesk.maintenance.models import WorkOrder

    t0 = time.perf_counter()
    _setup(args.agreements)
    print(f"setup: {args.agreements:,} agreements in {time.perf_counter() - t0:.1f} s")
    today = dt.date(2026, 12, 1)
    t0 = time.perf_counter()
    first = workorders_generate(today=today, horizon_days=args.horizon_days)
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rerun = workorders_generate(today=today, horizon_days=args.horizon_days)
    rerun_s = time.perf_counter() - t0
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{database}: {first.created:,} work orders ({WorkOrder.objects.count():,} rows, "
          f"{first.schedules_created:,} schedules) for {first.agreements:,} agreements")
    print(f"generate {args.horizon_days} days: {first_s:.2f} s "
          f"(target {TARGET_FIRST_S:.0f} s: {first_s / TARGET_FIRST_S:.2f} of it)")
    print(f"rerun: {rerun_s:.2f} s, {rerun.created} created "
          f"(target {TARGET_RERUN_S:.0f} s: {rerun_s / TARGET_RERUN_S:.2f} of it)")


if __name__ == "__main__":
    main()
