"""manage.py tierdesk_invoice_run --period 2026-10: invoice every agreement billed for that
month. Idempotent: rerun it after a crash (or at any time) and it completes what is missing,
with no duplicate invoices and no gaps in the numbers."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tierdesk.billing.invoicing import invoice_run


def _period(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--period: expected YYYY-MM, got {value!r}") from None


class Command(BaseCommand):
    help = "Run (or resume) the invoice run of one billing period."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the month to bill, YYYY-MM")

    def handle(self, *args, period, **options):
        try:
            run = invoice_run(period_start=_period(period))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"{run}: {run.agreements_done}/{run.agreements_total} agreements, "
                          f"{run.invoices_created} invoice(s) created")
        if run.error:
            self.stderr.write(run.error)
