"""manage.py tierdesk_setup: load the default catalog and tiers, and create the owner.

Safe to run on every deploy: the defaults only fill in what is missing, and once an owner
exists it is left alone — its password is never printed or reset again.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.core.models import Role, User
from tierdesk.core.services import user_create
from tierdesk.plans.seed import tiers_load_defaults


def password_box(lines: list[str]) -> str:
    """Frame `lines` so a one-time secret stands out in a terminal and in a log."""
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])


class Command(BaseCommand):
    help = "Load the default catalog and Silver/Gold/Platinum tiers; create the owner account."

    def add_arguments(self, parser):
        parser.add_argument("--owner-username", default="owner")
        parser.add_argument("--owner-email", default="")

    def handle(self, *args, owner_username: str, owner_email: str, **options):
        with transaction.atomic():
            catalog = catalog_load_defaults()
            tiers = tiers_load_defaults()
        self.stdout.write(
            "Catalog: {services} services, {segments} segments, {requirements} requirements, "
            "{tasks} maintenance tasks created.".format(**catalog)
        )
        self.stdout.write("Tiers: {plans} tiers, {versions} versions created.".format(**tiers))

        owner = User.objects.filter(role=Role.OWNER).order_by("pk").first()
        if owner is not None:
            self.stdout.write(f"Owner exists ({owner.username}); password left unchanged.")
            return
        user, password = user_create(username=owner_username, email=owner_email,
                                     role=Role.OWNER)
        self.stdout.write(self.style.SUCCESS(f"Created the owner account {user.username!r}."))
        self.stdout.write(password_box([
            "Owner login - shown ONCE, it is not stored anywhere readable:",
            f"  username: {user.username}",
            f"  password: {password}",
            "You will be asked to choose a new password at first login.",
        ]))
