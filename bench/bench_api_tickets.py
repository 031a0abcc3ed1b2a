"""API ticket creation benchmark: POST /api/tickets through the whole stack (bearer token,
schema, desk.services.ticket_open with its SLA snapshot, timeline entry, audit event and
queued acknowledgement mail), in process with Django's test client — no network.

    .venv/bin/python bench/bench_api_tickets.py                 # SQLite in a temporary dir
    .venv/bin/python bench/bench_api_tickets.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Target (issue 3): >= 500 tickets per second. For scale: django-helpdesk 2.6.1 on this
machine creates about 53 per second through its API. Tickets go to 50 clients on the three
built-in tiers, through e-mail and phone channels (staff token) and the portal (a contact's
token); mail is queued to the task queue as in production (not sent inline).
"""

import argparse
import json
import statistics
import time

import benchenv

TARGET_PER_SECOND = 500.0
HELPDESK_PER_SECOND = 53.0


def _prepare_environment(args) -> None:
    benchenv.prepare("api", postgres=args.postgres)


def _setup(n_clients: int):
    import datetime as dt

    from tierdesk.api.services import api_token_create
    from tierdesk.catalog.models import Segment
    from tierdesk.catalog.seed import catalog_load_defaults
    from tierdesk.clients.models import Agreement, Client, Contact, Site
    from tierdesk.core.models import Role, User
    from tierdesk.plans.models import PlanVersion
    from tierdesk.plans.seed import tiers_load_defaults

    catalog_load_defaults()
    tiers_load_defaults()
    versions = list(PlanVersion.objects.order_by("plan__rank"))
    segment = Segment.objects.order_by("id").first()
    clients = []
    for i in range(n_clients):
        client = Client.objects.create(name=f"Bench client {i}", segment=segment,
                                       timezone="America/New_York")
        site = Site.objects.create(client=client, name="Main", address="1 Main St",
                                   drive_minutes=20 + i % 60, has_rmm_agent=True)
        contact = Contact.objects.create(client=client, name=f"Contact {i}",
                                         email=f"c{i}@bench.example")
        version = versions[i % len(versions)]
        Agreement.objects.create(
            client=client, plan_version=version, status="active",
            start_date=dt.date.today() - dt.timedelta(days=30), users_count=10,
            devices_count=10, base_fee=version.base_fee, price_per_user=version.price_per_user,
            price_per_device=version.price_per_device,
        )
        clients.append((client, site, contact))
    dispatcher = User.objects.create(username="bench-dispatcher", role=Role.DISPATCHER)
    portal_user = User.objects.create(username="bench-contact", role=Role.CONTACT)
    portal_contact = clients[0][2]
    portal_contact.user = portal_user
    portal_contact.save()
    _, staff_token = api_token_create(user=dispatcher, name="bench", scope="write")
    _, contact_token = api_token_create(user=portal_user, name="bench", scope="write")
    return clients, staff_token, contact_token


def _run(http, token: str, bodies: list[dict]) -> tuple[float, list[float]]:
    headers = {"Authorization": f"Bearer {token}"}
    samples = []
    started = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        response = http.post("/api/tickets", data=json.dumps(body),
                             content_type="application/json", headers=headers)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 201, (response.status_code, response.content[:300])
    return time.perf_counter() - started, samples


def _report(name: str, n: int, seconds: float, samples: list[float]) -> None:
    rate = n / seconds
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"{name:34} {n:7d} {rate:10.0f} {statistics.median(samples):8.2f} {p95:8.2f} "
          f"{rate / TARGET_PER_SECOND:8.2f} {rate / HELPDESK_PER_SECOND:9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--postgres", help="PostgreSQL URL of a server to create a bench DB on")
    args = parser.parse_args()
    _prepare_environment(args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client as HttpClient

    from tierdesk.desk.models import Ticket, TicketEntry

    call_command("migrate", verbosity=0)
    clients, staff_token, contact_token = _setup(args.clients)
    http = HttpClient()
    channels = ("email", "phone_attendant", "hotline", "walk_in")
    priorities = ("p1", "p2", "p3", "p4")

    def staff_body(i: int) -> dict:
        client, site, contact = clients[i % len(clients)]
        return {"client_id": client.pk, "channel": channels[i % len(channels)],
                "priority": priorities[(i // 4) % 4], "contact_id": contact.pk,
                "site_id": site.pk, "subject": f"Bench ticket {i}",
                "body": "The shared drive is unreachable from the front desk.",
                "needs_onsite": i % 10 == 0}

    def contact_body(i: int) -> dict:
        return {"subject": f"Portal ticket {i}", "body": "Printer offline.",
                "priority": "p3" if i % 2 else "p4"}

    _run(http, staff_token, [staff_body(i) for i in range(50)])  # warm-up
    print(f"database: {connection.vendor}; {args.clients} clients on Silver/Gold/Platinum")
    print(f"{'run':34} {'tickets':>7} {'per s':>10} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'x target':>8} {'x helpdesk':>9}")
    n = args.tickets
    seconds, samples = _run(http, staff_token, [staff_body(i) for i in range(n)])
    _report("staff token, e-mail/phone/walk-in", n, seconds, samples)
    seconds, samples = _run(http, contact_token, [contact_body(i) for i in range(n // 3)])
    _report("contact token, portal", n // 3, seconds, samples)
    print(f"stored: {Ticket.objects.count()} tickets, {TicketEntry.objects.count()} entries; "
          f"with due times: "
          f"{Ticket.objects.exclude(first_response_due_at=None).count()}")


if __name__ == "__main__":
    main()
