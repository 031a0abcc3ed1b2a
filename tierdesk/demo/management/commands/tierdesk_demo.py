"""manage.py tierdesk_demo: generate reproducible demo clients, sites, contacts and agreements.

    manage.py tierdesk_demo --clients 10 --seed 42 [--staff] [--reset]

The same seed gives the same clients; clients whose names already exist are skipped, so a
rerun adds nothing. --reset deletes the demo clients first. --staff also creates demo staff
accounts and a portal login, all with a known password that is printed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.demo.generate import (
    DEMO_PASSWORD,
    demo_generate,
    demo_reset,
    demo_staff_create,
)
from tierdesk.plans.seed import tiers_load_defaults


class Command(BaseCommand):
    help = "Generate reproducible demo data (clients, sites, contacts, agreements)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=10, help="How many clients.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (reproducible).")
        parser.add_argument("--staff", action="store_true",
                            help="Also create demo staff and a portal login (known password).")
        parser.add_argument("--reset", action="store_true",
                            help="Delete existing demo clients first.")

    def handle(self, *args, clients: int, seed: int, staff: bool, reset: bool, **options):
        if clients < 0:
            raise CommandError("--clients: must be 0 or more")
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
            accounts = demo_staff_create(first_client_name=result["first_client"])
            self.stdout.write(f"Demo accounts (password for new ones: {DEMO_PASSWORD}):")
            for username, role, created in accounts:
                note = "created" if created else "already existed, password unchanged"
                self.stdout.write(f"  {username:<18} {role:<11} {note}")
