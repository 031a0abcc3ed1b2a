"""Monthly value reports: generating last month's report of 10,000 clients.

    .venv/bin/python bench/bench_value_reports.py                     # SQLite, 10,000 clients
    .venv/bin/python bench/bench_value_reports.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Issue 5's target: the value reports for 10,000 clients ≤ 60 s (on PostgreSQL).

The data is a realistic month for each client, bulk-loaded with the ORM (so it follows the
models): a third each on Silver, Gold and Platinum (the seeded tiers), in three time zones;
about 8 tickets (two of them monitoring alerts with repeats folded in, one auto-resolved),
12 classified work sessions (allowance, overage, billable break-fix and on-site, included
maintenance) and 26 work orders (a daily checklist of 6 items every business day and
weekly maintenance of 3 items, a few missed) per client, and an issued invoice with its
lines. Then `value_reports_generate` runs for the month (the timed figure), and again (a
rerun replaces every unsent snapshot), and the rows are counted: exactly one report per
client. PDF rendering is on demand, not part of the run.
"""

import argparse
import datetime as dt
import json
import resource
import time
from decimal import Decimal

import benchenv

TARGET_SECONDS = 60.0
ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles")


def _month() -> dt.date:
    today = dt.date.today()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _setup(n_clients: int, month: dt.date) -> None:
    from zoneinfo import ZoneInfo

    from tierdesk.billing.models import Invoice, InvoiceLine, WorkSession
    from tierdesk.catalog.models import Segment, Service
    from tierdesk.catalog.seed import catalog_load_defaults
    from tierdesk.clients.models import Agreement, Client
    from tierdesk.core.models import User
    from tierdesk.desk.models import EntryKind, Ticket, TicketEntry
    from tierdesk.insights.value_figures import month_last_day
    from tierdesk.maintenance.models import WorkOrder
    from tierdesk.plans.models import PlanVersion
    from tierdesk.plans.seed import tiers_load_defaults

    catalog_load_defaults()
    tiers_load_defaults()
    versions = list(PlanVersion.objects.select_related("plan").order_by("plan__rank"))
    segment = Segment.objects.order_by("id").first()
    service_ids = list(Service.objects.order_by("id").values_list("id", flat=True))[:6]
    tech = User.objects.create(username="bench-tech", role="technician")
    clients = Client.objects.bulk_create(
        [Client(name=f"Bench client {i:05d}", segment=segment, timezone=ZONES[i % 3],
                billing_email=f"billing{i}@bench.example") for i in range(n_clients)],
        batch_size=2000)
    agreements = Agreement.objects.bulk_create([
        Agreement(client=c, plan_version=versions[i % 3], status="active",
                  start_date=month - dt.timedelta(days=200), users_count=8 + i % 20,
                  devices_count=10 + i % 30, base_fee=versions[i % 3].base_fee,
                  price_per_user=versions[i % 3].price_per_user,
                  price_per_device=versions[i % 3].price_per_device)
        for i, c in enumerate(clients)], batch_size=2000)
    last = month_last_day(month)
    business_days = [month + dt.timedelta(days=d) for d in range((last - month).days + 1)
                     if (month + dt.timedelta(days=d)).weekday() < 5]

    tickets, sessions, orders, invoices = [], [], [], []
    for i, (client, agreement) in enumerate(zip(clients, agreements, strict=True)):
        tz = ZoneInfo(client.timezone)
        version = versions[i % 3]

        def at(day, hour, minute=0, tz=tz):
            d = month + dt.timedelta(days=day)
            return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=tz)

        for t in range(8):
            opened = at((i + 3 * t) % 27, 9 + t % 8)
            due = opened + dt.timedelta(hours=4)
            alert = t >= 6
            tickets.append(Ticket(
                reference=f"B{i:05d}{t}", client=client, agreement=agreement,
                plan_version=version, channel="monitoring" if alert else "email",
                type="monitoring_alert" if alert else "helpdesk",
                status="resolved" if t % 3 else "open", subject=f"Bench {t}",
                opened_at=opened, first_response_due_at=due,
                first_responded_at=opened + dt.timedelta(hours=1 + (t + i) % 5),
                first_response_breached=(t + i) % 5 >= 4,
                resolution_due_at=opened + dt.timedelta(days=2),
                resolved_at=opened + dt.timedelta(hours=20) if t % 3 else None,
                alert_key=f"dev{t}|check" if alert else "", alert_count=1 + (i + t) % 6
                if alert else 0))
        for s in range(12):
            start = at((i + 2 * s) % 26, 9 + s % 7)
            minutes = (10, 12, 20, 25, 40, 60)[s % 6]
            kind = s % 6
            if kind < 3:
                cls = ("allowance" if version.helpdesk_sessions is None or s < 4
                       else "overage")
                row = dict(work_type="helpdesk", mode="remote", classification=cls,
                           reason=f"{cls}: bench help desk",
                           amount=version.overage_session_price if cls == "overage"
                           else Decimal("0.00"), overage_units=1 if cls == "overage" else 0,
                           allowance_units=0 if cls == "overage" else 1)
            elif kind == 3:
                row = dict(work_type="break_fix", mode="remote",
                           service_id=service_ids[s % len(service_ids)],
                           classification="billable" if i % 3 == 0 else "included",
                           reason="billable: bench break-fix", amount=Decimal("150.00"))
            elif kind == 4:
                row = dict(work_type="break_fix", mode="onsite", travel_minutes=30,
                           classification="billable", reason="billable: bench on-site",
                           amount=Decimal("225.00"))
            else:
                row = dict(work_type="maintenance", mode="remote",
                           service_id=service_ids[0], classification="included",
                           reason="included: bench maintenance", amount=Decimal("0.00"))
            sessions.append(WorkSession(
                client=client, agreement=agreement, technician=tech, started_at=start,
                ended_at=start + dt.timedelta(minutes=minutes), period_start=month,
                classified_at=start, **row))
        for n, day in enumerate(business_days):
            checklist = [{"key": f"d{k}", "section": "Daily", "label": f"Daily task {k}",
                          "done": (n + k) % 7 != 0} for k in range(6)]
            orders.append(_order(WorkOrder, agreement, client, "daily", f"daily:{day}",
                                 "Daily checklist", day, checklist, "done"))
        for week in range(4):
            day = business_days[min(len(business_days) - 1, week * 5)]
            checklist = [{"key": f"w{k}", "section": "Weekly", "label": f"Weekly task {k}",
                          "done": True} for k in range(3)]
            orders.append(_order(WorkOrder, agreement, client, "maintenance",
                                 f"s1:{day}", ("Patch workstations", "Verify backups")[week % 2],
                                 day, checklist, "missed" if (i + week) % 9 == 0 else "done"))
        invoices.append(Invoice(
            number=f"B-{i:06d}", client=client, agreement=agreement, period_start=month,
            period_end=last, status="issued", currency="USD", subtotal=Decimal("300.00"),
            total=Decimal("300.00"), issued_at=at(0, 6)))
    _bulk(Ticket, tickets)
    _bulk(WorkSession, sessions)
    _bulk(WorkOrder, orders)
    _bulk(Invoice, invoices)
    auto = Ticket.objects.filter(type="monitoring_alert", status="resolved")
    _bulk(TicketEntry, [TicketEntry(ticket_id=pk, kind=EntryKind.STATUS, author_user=None,
                                    body="Monitoring: resolved",
                                    data={"from": "open", "to": "resolved"}, created_at=at)
                        for pk, at in auto.values_list("id", "resolved_at")])
    lines = []
    for pk in Invoice.objects.values_list("id", flat=True):
        lines += [InvoiceLine(invoice_id=pk, position=1, kind="recurring",
                              description="Monthly fee", reason="recurring: fee in advance",
                              quantity=1, unit_price=Decimal("250.00"),
                              amount=Decimal("250.00")),
                  InvoiceLine(invoice_id=pk, position=2, kind="overage",
                              description="Help-desk overage", reason="overage: bench",
                              quantity=1, unit_price=Decimal("50.00"),
                              amount=Decimal("50.00"))]
    _bulk(InvoiceLine, lines)


def _order(model, agreement, client, kind, key, title, day, checklist, status):
    at = dt.datetime(day.year, day.month, day.day, 14, tzinfo=dt.UTC)
    return model(agreement=agreement, client=client, kind=kind, key=key, title=title,
                 occurrence_on=day, due_on=day, scheduled_at=at,
                 due_at=at + dt.timedelta(hours=8), estimated_minutes=30,
                 checklist=checklist, status=status,
                 # bulk_create skips save(), which keeps these counters.
                 items_total=len(checklist), items_done=sum(1 for i in checklist if i["done"]),
                 completed_at=at if status == "done" else None)


def _bulk(model, rows: list) -> None:
    from django.db import transaction

    with transaction.atomic():
        model.objects.bulk_create(rows, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--postgres", help="PostgreSQL URL of a server to create a bench DB on")
    args = parser.parse_args()
    benchenv.prepare("value_reports", postgres=args.postgres, LOG_LEVEL="ERROR")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tierdesk.insights.models import ValueReport
    from tierdesk.insights.services import value_reports_generate

    call_command("migrate", verbosity=0)
    month = _month()
    t0 = time.perf_counter()
    _setup(args.clients, month)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    setup_seconds = time.perf_counter() - t0

    first = value_reports_generate(month=month)
    rerun = value_reports_generate(month=month)
    reports = ValueReport.objects.filter(month=month).count()
    sample = ValueReport.objects.filter(month=month).order_by("id").first().data
    assert reports == args.clients, (reports, args.clients)
    print(json.dumps({
        "database": connection.vendor, "clients": args.clients, "month": month.isoformat(),
        "setup_seconds": round(setup_seconds, 1),
        "generate_seconds": round(first.seconds, 2),
        "rerun_seconds": round(rerun.seconds, 2),
        "created": first.created, "replaced_on_rerun": rerun.updated, "reports": reports,
        "ratio_to_target": round(first.seconds / TARGET_SECONDS, 3),
        "target_seconds": TARGET_SECONDS,
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "sample": {"tier": sample["tier"]["name"], "maintenance": [
            sample["maintenance"]["done"], sample["maintenance"]["total"]],
            "alerts": sample["alerts"], "next_tier": (sample["next_tier"] or {}).get("summary")},
    }, indent=1))
    verdict = "met" if first.seconds <= TARGET_SECONDS else "NOT met"
    print(f"value reports for {args.clients} clients: {first.seconds:.1f} s "
          f"({first.seconds / TARGET_SECONDS:.2f} of the {TARGET_SECONDS:.0f} s target: {verdict})")


if __name__ == "__main__":
    main()
