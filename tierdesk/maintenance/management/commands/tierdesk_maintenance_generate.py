"""manage.py tierdesk_maintenance_generate [--horizon-days 30] [--today YYYY-MM-DD]:
generate the work orders of the coming horizon. Idempotent: rerun it after a crash (or at
any time) and it creates only what is missing — exactly one work order per occurrence."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tierdesk.maintenance.generation import workorders_generate


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: expected YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Generate (or complete) the maintenance work orders of the coming horizon."

    def add_arguments(self, parser):
        parser.add_argument("--horizon-days", type=int, default=None,
                            help="days ahead (1..366; default TIERDESK_MAINTENANCE_HORIZON_DAYS)")
        parser.add_argument("--today", type=_date, default=None,
                            help="generate as if today were this date (YYYY-MM-DD)")

    def handle(self, *args, horizon_days, today, **options):
        try:
            result = workorders_generate(today=today, horizon_days=horizon_days)
        except ValidationError as exc:
            raise CommandError("; ".join(f"--{k.replace('_', '-')}: {', '.join(v)}"
                                         for k, v in exc.message_dict.items())) from None
        start, end = result.window
        self.stdout.write(
            f"{start}..{end}: {result.agreements} agreement(s), {result.created} work "
            f"order(s) created, {result.cancelled} cancelled, {result.schedules_created} "
            f"schedule(s) created, {result.schedules_deactivated} deactivated")
