"""manage.py tierdesk_demo: reproducible demo clients, sites, contacts, agreements, tickets.

    manage.py tierdesk_demo --clients 10 --seed 42 [--staff] [--reset]
                            [--tickets-per-client N]

The same seed gives the same clients and tickets; clients whose names already exist are
skipped (with their tickets), so a rerun adds nothing. --reset deletes the demo clients and
their tickets first. --staff also creates demo staff accounts and a portal login, all with a
known password that is printed; demo tickets are then assigned to the demo technicians.
Runs of up to 200 clients get 0-4 tickets per client; bigger runs none unless
--tickets-per-client says how many.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.demo.generate import (
    DEMO_PASSWORD,
    demo_clients_in_order,
    demo_generate,
    demo_reset,
    demo_staff_create,
)
from tierdesk.demo.maintenance import demo_maintenance_generate
from tierdesk.demo.tickets import AUTO_TICKETS_MAX_CLIENTS, demo_tickets_generate
from tierdesk.plans.seed import tiers_load_defaults


class Command(BaseCommand):
    help = "Generate reproducible demo data (clients, sites, contacts, agreements, tickets)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=10, help="How many clients.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (reproducible).")
        parser.add_argument("--staff", action="store_true",
                            help="Also create demo staff and a portal login (known password).")
        parser.add_argument("--reset", action="store_true",
                            help="Delete existing demo clients and their tickets first.")
        parser.add_argument(
            "--tickets-per-client", type=int, default=None,
            help=f"Tickets per new client (default: 0-4 each up to {AUTO_TICKETS_MAX_CLIENTS} "
                 "clients, none above).")

    def handle(self, *args, clients: int, seed: int, staff: bool, reset: bool,
               tickets_per_client: int | None, **options):
        if clients < 0:
            raise CommandError("--clients: must be 0 or more")
        if tickets_per_client is not None and tickets_per_client < 0:
            raise CommandError("--tickets-per-client: must be 0 or more")
        if tickets_per_client is None and clients > AUTO_TICKETS_MAX_CLIENTS:
            tickets_per_client = 0
        catalog_load_defaults()
        tiers_load_defaults()
        if reset:
            try:
                deleted = demo_reset()
            except ProtectedError as exc:
                raise CommandError(
                    "--reset: demo clients still have records that refer to them "
                    f"({len(exc.protected_objects)} protected rows, e.g. tickets or "
                    "invoices); nothing was deleted."
                ) from None
            self.stdout.write("Deleted demo data: " + ", ".join(
                f"{n} {name}" for name, n in deleted.items()) + ".")

        result = demo_generate(clients=clients, seed=seed)
        self.stdout.write(self.style.SUCCESS(
            f"Created {result['clients']} clients, {result['sites']} sites, "
            f"{result['contacts']} contacts and {result['agreements']} agreements "
            f"in {result['seconds']:.1f} s (seed {seed})."
        ))
        if result["skipped"]:
            self.stdout.write(
                f"Skipped {result['skipped']} clients that already exist (same seed as an "
                "earlier run?); use --reset to delete demo clients and generate them again."
            )
        if staff:
            # Before the tickets, so they can be assigned to the demo technicians.
            accounts = demo_staff_create(first_client_name=result["first_client"])
            self.stdout.write(f"Demo accounts (password for new ones: {DEMO_PASSWORD}):")
            for username, role, created in accounts:
                note = "created" if created else "already existed, password unchanged"
                self.stdout.write(f"  {username:<18} {role:<11} {note}")
        if tickets_per_client != 0 and result["created"]:
            tickets = demo_tickets_generate(
                clients=demo_clients_in_order(result["created"]), seed=seed,
                per_client=tickets_per_client)
            states = ", ".join(f"{n} {status.replace('_', ' ')}"
                               for status, n in sorted(tickets.items())
                               if status not in ("tickets", "sweep"))
            sweep = tickets["sweep"]
            self.stdout.write(
                f"Opened {tickets['tickets']} demo tickets ({states or 'none'}); SLA sweep: "
                f"{sweep.get('warnings', 0)} warnings, {sweep.get('breaches', 0)} breaches. "
                "Their mail is marked as handled, not sent.")
        if tickets_per_client != 0 and result["created"]:
            work = demo_maintenance_generate(
                clients=demo_clients_in_order(result["created"]), seed=seed)
            self.stdout.write(
                f"Generated {work['work orders']} maintenance work orders ({work['done']} "
                f"past ones done, {work['missed']} missed).")
