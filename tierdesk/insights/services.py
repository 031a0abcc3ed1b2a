"""Writes of insights: generating the monthly value reports and e-mailing them.

`value_reports_generate` computes the figures of every client of a month in bulk
(selectors.value_report_figures: grouped queries, no per-client loop) and stores them in
one transaction: a report that does not exist is created, the snapshot of one not yet
e-mailed is replaced, and one already e-mailed keeps the snapshot the client received
unless `force` is given. So a rerun — or a run after a crash halfway, which stored nothing
— gives exactly one report per client and month.

E-mails are sent by a task queued on commit (tasks.send_value_report_task), each report
at most once: sending claims the report with a conditional UPDATE of `emailed_at`, in the
transaction that sends, so two workers never both send and a failed send can be retried.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from tierdesk.core import clock
from tierdesk.insights import events
from tierdesk.insights.models import ValueReport
from tierdesk.insights.report_document import value_report_message
from tierdesk.insights.selectors import value_report_figures, value_report_recipients

BATCH = 500


@dataclass(frozen=True)
class ValueReportsResult:
    """What a generation run did: reports created, replaced, and kept because e-mailed."""

    month: dt.date
    clients: int
    created: int
    updated: int
    kept: int
    seconds: float


def month_validate(month) -> dt.date:
    """`month` as the first day of a month that has begun; ValidationError naming "month"."""
    if isinstance(month, str):
        try:
            month = dt.date.fromisoformat(month if len(month) > 7 else f"{month}-01")
        except ValueError:
            raise ValidationError({"month": f"{month!r} is not a month (YYYY-MM)"}) from None
    if isinstance(month, dt.datetime) or not isinstance(month, dt.date):
        raise ValidationError({"month": "a month is a date (the first day of the month)"})
    if month.day != 1:
        raise ValidationError({"month": "must be the first day of a month"})
    if month > clock.now().date():
        raise ValidationError({"month": f"{month:%B %Y} has not begun"})
    return month


def value_reports_generate(*, month: dt.date, client_ids=None, force: bool = False,
                           by=None) -> ValueReportsResult:
    """Compute and store the value report of every client with an agreement in force in
    `month` (or only of `client_ids`). Idempotent: see the module docstring. `force`
    replaces the snapshot of reports already e-mailed too (their `emailed_at` stays: a
    forced regeneration does not send again by itself)."""
    month = month_validate(month)
    started = time.perf_counter()
    figures = value_report_figures(month=month, client_ids=client_ids)
    now = clock.now()
    created = updated = kept = 0
    with transaction.atomic():
        existing = ValueReport.objects.select_for_update().filter(month=month)
        if client_ids is not None:
            existing = existing.filter(client_id__in=list(client_ids))
        known = {client_id: (pk, emailed_at) for pk, client_id, emailed_at
                 in existing.values_list("id", "client_id", "emailed_at")}
        to_create, to_update = [], []
        for client_id, data in figures.items():
            if client_id not in known:
                to_create.append((client_id, data))
                continue
            pk, emailed_at = known[client_id]
            if emailed_at is not None and not force:
                kept += 1
                continue
            to_update.append((pk, data))
        _write_snapshots(month=month, now=now, to_create=to_create, to_update=to_update)
        created, updated = len(to_create), len(to_update)
        first = (ValueReport.objects.filter(month=month).order_by("id").first()
                 if created or updated else None)
        if first is not None:
            events.value_reports_generated_event(report=first, month=month, created=created,
                                                 updated=updated, kept=kept, by=by)
    return ValueReportsResult(month=month, clients=len(figures), created=created,
                              updated=updated, kept=kept,
                              seconds=time.perf_counter() - started)


def _write_snapshots(*, month: dt.date, now: dt.datetime, to_create: list[tuple[int, dict]],
                     to_update: list[tuple[int, dict]]) -> None:
    """Insert the new reports and write new snapshots over existing ones: parameterised
    statements sent with executemany (pipelined by psycopg). Django's bulk_create and
    bulk_update spend longer preparing 10,000 JSON rows in Python (bulk_update builds a CASE
    per row) than the figures take to compute. A report created meanwhile by another run
    (a staff click during the monthly job) is left alone (ON CONFLICT DO NOTHING): it holds
    this month's figures already, and nothing is duplicated."""
    table = connection.ops.quote_name(ValueReport._meta.db_table)
    jsonb = "::jsonb" if connection.vendor == "postgresql" else ""
    stamp = ValueReport._meta.get_field("generated_at").get_db_prep_value(now, connection)
    day = ValueReport._meta.get_field("month").get_db_prep_value(month, connection)
    statements = [
        (f"INSERT INTO {table} (created_at, updated_at, client_id, month, data, generated_at, "
         f"emailed_to) VALUES (%s, %s, %s, %s, %s{jsonb}, %s, %s{jsonb}) "
         "ON CONFLICT (client_id, month) DO NOTHING",
         [(stamp, stamp, client_id, day, json.dumps(data), stamp, "[]")
          for client_id, data in to_create]),
        (f"UPDATE {table} SET data = %s{jsonb}, generated_at = %s, updated_at = %s "
         "WHERE id = %s",
         [(json.dumps(data), stamp, stamp, pk) for pk, data in to_update]),
    ]
    with connection.cursor() as cursor:
        for sql, rows in statements:
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start:start + BATCH])


def value_report_send(*, report: ValueReport, by=None, force: bool = False) -> bool:
    """E-mail `report` (text and HTML, with its portal link) to the client's billing
    e-mail and portal contacts. Once: a report already e-mailed is not sent again unless
    `force` (a staff "send again"). Returns whether a mail was sent. ValidationError on
    "recipients" when the client has nowhere to send it; nothing is marked then."""
    recipients = value_report_recipients(report.client)
    if not recipients:
        raise ValidationError({"recipients": f"{report.client.name} has no billing e-mail "
                                             "and no portal contact with an e-mail"})
    with transaction.atomic():
        claim = ValueReport.objects.filter(pk=report.pk)
        if not force:
            claim = claim.filter(emailed_at__isnull=True)
        now = clock.now()
        if not claim.update(emailed_at=now, emailed_to=recipients, updated_at=now):
            return False
        report.emailed_at, report.emailed_to = now, recipients
        events.value_report_emailed_event(report=report, recipients=recipients, by=by)
        # Sent last, inside the transaction: a refused message rolls the claim back, so
        # the next run sends it again.
        value_report_message(report, recipients).send()
    return True


def value_report_send_queued(*, report_id: int) -> bool:
    """The task's body: send the report if it still exists, is unsent and has recipients."""
    report = ValueReport.objects.select_related("client").filter(pk=report_id).first()
    if report is None or report.emailed_at is not None:
        return False
    try:
        return value_report_send(report=report)
    except ValidationError:
        return False  # no address: staff see "not e-mailed" on the report


def value_reports_queue_emails(*, month: dt.date) -> int:
    """Queue the e-mail of every unsent report of `month`, on commit. Returns how many."""
    from tierdesk.insights.tasks import send_value_report_task

    ids = list(ValueReport.objects.filter(month=month, emailed_at__isnull=True)
               .order_by("id").values_list("id", flat=True))
    for report_id in ids:
        transaction.on_commit(lambda report_id=report_id: send_value_report_task(report_id))
    return len(ids)


def previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def value_reports_monthly(*, today: dt.date) -> dict:
    """The monthly job: last month's reports generated (or completed) and their e-mails
    queued. Idempotent: a second run creates nothing and sends nothing new."""
    month = previous_month(today)
    with transaction.atomic():
        result = value_reports_generate(month=month)
        queued = value_reports_queue_emails(month=month)
    return {"month": month.isoformat(), "clients": result.clients, "created": result.created,
            "updated": result.updated, "kept": result.kept, "emails_queued": queued}
