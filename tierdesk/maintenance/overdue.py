"""The overdue sweep: flag open work orders past their due time and tell the dispatchers once.

`workorders_flag_overdue` marks each overdue work order with a conditional UPDATE, so only
one sweep (of two running at once, or a rerun) marks a given row; this module mails the
dispatchers one message listing what this run marked, queued on commit as the project's
other mails are. A second run marks nothing and sends nothing.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from tierdesk.core import clock
from tierdesk.core.models import Role, User
from tierdesk.maintenance import events
from tierdesk.maintenance.models import WorkOrder
from tierdesk.maintenance.services import workorders_flag_overdue

#: Lines listed in one mail; the rest are counted ("and 40 more").
MAIL_LINES = 50


def dispatcher_addresses() -> list[str]:
    return sorted(set(User.objects.filter(role=Role.DISPATCHER, is_active=True)
                      .exclude(email="").values_list("email", flat=True)))


def _line(order: WorkOrder) -> str:
    zone = order.client.timezone
    due = order.due_at.astimezone(ZoneInfo(zone))
    where = f"{order.client.name}" + (f" · {order.site.name}" if order.site_id else "")
    who = f", assigned to {order.assigned_to}" if order.assigned_to_id else ", unassigned"
    return (f"{order.reference} {order.title} — {where}: due {due:%a %d %b %H:%M %Z} "
            f"({zone}){who}\n  {reverse('maintenance:workorder_detail', args=[order.pk])}")


def workorders_overdue_sweep(*, now: dt.datetime | None = None) -> int:
    """Flag newly overdue work orders and mail the dispatchers once about them; returns how
    many this run flagged. Idempotent: a rerun flags and mails nothing."""
    now = now or clock.now()
    with transaction.atomic():
        flagged = workorders_flag_overdue(now=now)
        if not flagged:
            return 0
        flagged.sort(key=lambda o: (o.due_at, o.client.name, o.pk))
        for order in flagged:
            events.workorder_overdue_event(work_order=order)
        recipients = dispatcher_addresses()
        if recipients:
            noun = "work order is" if len(flagged) == 1 else "work orders are"
            subject = f"[tierdesk] {len(flagged)} maintenance {noun} overdue"
            lines = [_line(o) for o in flagged[:MAIL_LINES]]
            if len(flagged) > MAIL_LINES:
                lines.append(f"… and {len(flagged) - MAIL_LINES} more (see Maintenance, "
                             "overdue only).")
            body = ("These work orders were not done by the close of the client's business "
                    "day they were due:\n\n" + "\n".join(lines) + "\n")
            transaction.on_commit(lambda: send_mail(subject, body, None, recipients,
                                                    fail_silently=True))
    return len(flagged)
