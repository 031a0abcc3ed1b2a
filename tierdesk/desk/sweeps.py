"""The SLA sweep: announce passed warning thresholds and record breaches, exactly once.

Store deadlines, sweep what is due (healthchecks' `sendalerts`): each open ticket carries
`sla_check_at`, the next instant something may have happened to its clocks. The sweep takes
the rows whose instant has come, and for every passed threshold of a step still owed:

* inserts an SlaNotice (ticket, target, threshold) — the unique constraint makes the insert
  the lock: only the worker whose insert succeeds sends the notice, so two sweeps running at
  once (or a sweep re-run after a crash) notify once;
* for a breach, first sets the flag with a conditional UPDATE that re-checks, in the
  database, that the step is still owed and its stored due time has passed — a reply that
  lands while the sweep runs wins, and a breach is decided from the stored due time, never
  from when the job happened to run;
* then moves `sla_check_at` to the next threshold (conditionally, so a service that
  recomputed the clocks meanwhile keeps its value).

Breached open tickets are the dispatcher view's "escalated" list (selectors.escalated).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import IntegrityError, transaction

from tierdesk.core import clock
from tierdesk.desk import clocks, events, notify
from tierdesk.desk.models import SlaNotice, Ticket, TicketPause
from tierdesk.desk.statuses import OPEN_STATUSES


def _flag_breach(ticket: Ticket, target: str, now: dt.datetime) -> bool:
    """Set `<target>_breached` if the step is still owed and overdue; True if this call or an
    earlier one set it."""
    rows = Ticket.objects.filter(pk=ticket.pk, status__in=OPEN_STATUSES,
                                 **{f"{target}_due_at__lt": now})
    if target == "first_response":
        rows = rows.filter(first_responded_at__isnull=True)
    elif target == "onsite":
        rows = rows.filter(onsite_arrived_at__isnull=True)
    else:
        rows = rows.filter(paused_at__isnull=True)
    if rows.filter(**{f"{target}_breached": False}).update(**{f"{target}_breached": True}):
        setattr(ticket, f"{target}_breached", True)
        events.ticket_breached_event(ticket=ticket, target=target)
        return True
    return rows.filter(**{f"{target}_breached": True}).exists()


def announce_due_thresholds(*, ticket: Ticket, thresholds: list[clocks.Threshold],
                            now: dt.datetime, only: tuple[str, ...] | None = None
                            ) -> Counter:
    """Announce every threshold of a still-owed step that has passed by `now` and was not
    announced before; returns counts by label. Call inside a transaction."""
    pending = clocks.pending_targets(ticket)
    passed = [th for th in thresholds if th.target in pending and th.at <= now
              and (only is None or th.label in only)]
    sent: Counter = Counter()
    if not passed:
        return sent
    done = set(SlaNotice.objects.filter(ticket=ticket).values_list("target", "threshold"))
    breaching = {th.target for th in passed if th.label == "breach"}
    for th in sorted(passed, key=lambda t: t.at):
        if (th.target, th.label) in done:
            continue
        if th.label == "breach" and not _flag_breach(ticket, th.target, now):
            continue
        try:
            with transaction.atomic():  # a savepoint: a lost race must not spoil the rest
                SlaNotice.objects.create(ticket=ticket, target=th.target, threshold=th.label)
        except IntegrityError:
            continue  # another worker announced it
        # A warning overtaken by the breach in the same pass is recorded, not sent: one
        # breach mail says more than three mails at once.
        if th.label not in ("breach", "drive") and th.target in breaching:
            continue
        notify.sla_notice(ticket=ticket, target=th.target, threshold=th.label, at=now)
        sent[th.label if th.label in ("breach", "drive") else "warning"] += 1
    return sent


def sla_check(ticket: Ticket, *, now: dt.datetime) -> Counter:
    """Look at one ticket whose `sla_check_at` has come."""
    paused = list(TicketPause.objects.filter(ticket=ticket).values_list("started_at",
                                                                         "ended_at"))
    state = clocks.compute(calendar=ticket.sla_calendar, targets=ticket.sla_targets or {},
                           opened_at=ticket.opened_at, paused=paused,
                           drive_minutes=ticket.site.drive_minutes if ticket.site_id else None)
    sent = announce_due_thresholds(ticket=ticket, thresholds=state.thresholds, now=now)
    following = clocks.next_check(ticket, state.thresholds, after=now)
    Ticket.objects.filter(pk=ticket.pk, sla_check_at=ticket.sla_check_at).update(
        sla_check_at=following)
    return sent


def sla_sweep(*, now: dt.datetime | None = None, batch_size: int = 200) -> dict:
    """Check every ticket whose `sla_check_at` has come (idempotent; safe with several
    workers). Returns {"tickets", "warnings", "breaches", "drive"} counts."""
    now = now or clock.now()
    ids = list(Ticket.objects.filter(sla_check_at__lte=now).order_by("sla_check_at")
               .values_list("pk", flat=True))
    totals: Counter = Counter()
    for i in range(0, len(ids), batch_size):
        chunk = (Ticket.objects.filter(pk__in=ids[i:i + batch_size], sla_check_at__lte=now)
                 .select_related("client", "site", "assignee"))
        for ticket in chunk:
            with transaction.atomic():
                totals += sla_check(ticket, now=now)
            totals["tickets"] += 1
    return {"tickets": totals["tickets"], "warnings": totals["warning"],
            "breaches": totals["breach"], "drive": totals["drive"]}
