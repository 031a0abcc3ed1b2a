"""manage.py tierdesk_intake_retry: process stored e-mail, calls and alerts still waiting
(RECEIVED) after a crash or a database error. Safe to run at any time, as often as wanted;
the worker runs the same job every minute."""

from django.core.management.base import BaseCommand

from tierdesk.desk.intake.triage import inbound_retry_pending


class Command(BaseCommand):
    help = "Process stored inbound messages (e-mail, calls, alerts) that were never processed."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=60,
                            help="only messages stored at least this many seconds ago")

    def handle(self, *args, older_than, **options):
        done = inbound_retry_pending(older_than_seconds=older_than)
        self.stdout.write(f"processed {done} pending message(s)")
