"""Reads of the desk: the queue, the dispatcher view, a ticket's timeline and SLA panel.

The queue is the hot path (100,000 open tickets): one indexed query ordered by the stored
`urgency_due_at`, 50 rows a page, related rows joined; countdowns are computed in Python
from each row's snapshot calendar (cached per calendar, no database access).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from tierdesk.core.models import Role, User
from tierdesk.desk import clocks
from tierdesk.desk.models import EntryKind, OnCallRotation, Ticket, TicketEntry
from tierdesk.desk.statuses import OPEN_STATUSES

BREACHED = Q(first_response_breached=True) | Q(onsite_breached=True) | Q(resolution_breached=True)
QUEUE_FIELDS = (
    "id", "reference", "subject", "status", "priority", "channel", "opened_at",
    "outside_entitlement", "agreement_id", "sla_calendar", "sla_targets",
    "first_response_due_at", "onsite_due_at", "resolution_due_at", "first_responded_at",
    "onsite_arrived_at", "paused_at", "first_response_breached", "onsite_breached",
    "resolution_breached", "urgency_due_at", "needs_onsite",
    "client__id", "client__name", "client__timezone", "assignee__id", "assignee__username",
    "assignee__first_name", "assignee__last_name", "plan_version__id", "plan_version__number",
    "plan_version__plan__name", "plan_version__plan__id",
)


def ticket_list() -> QuerySet[Ticket]:
    """All tickets in queue order: most urgent first, no due time last."""
    return (Ticket.objects.select_related("client", "assignee", "plan_version__plan")
            .only(*QUEUE_FIELDS)
            .order_by(F("urgency_due_at").asc(nulls_last=True), "id"))


def ticket_queue() -> QuerySet[Ticket]:
    """Open tickets, most urgent first (no due time last), for the staff queue."""
    return ticket_list().filter(status__in=OPEN_STATUSES)


@dataclass
class QueueRow:
    ticket: Ticket
    step: str            # the pending step the countdown is about ("" when none)
    due_at: dt.datetime | None
    countdown: str       # "2h 14m business left", "overdue 5m", "paused", ""
    overdue: bool
    breached: bool

    @property
    def step_label(self) -> str:
        return clocks.TARGET_LABELS.get(self.step, "")


def queue_rows(tickets, now: dt.datetime) -> list[QueueRow]:
    """The countdown of each ticket's most urgent pending step, computed from its snapshot
    calendar in Python (no query per row)."""
    rows = []
    for t in tickets:
        pending = clocks.pending_targets(t)
        step = min(pending, key=lambda name: getattr(t, f"{name}_due_at"), default="")
        if not step and t.is_open and t.resolution_due_at and t.paused_at:
            step = "resolution"
        due = getattr(t, f"{step}_due_at") if step else None
        text = clocks.countdown(calendar=t.sla_calendar, spec=(t.sla_targets or {}).get(step),
                                due=due, now=now, paused=bool(step == "resolution"
                                                              and t.paused_at))
        rows.append(QueueRow(t, step, due, text, bool(due and now > due and not t.paused_at),
                             t.first_response_breached or t.onsite_breached
                             or t.resolution_breached))
    return rows


def escalated() -> QuerySet[Ticket]:
    """Open tickets with a breached target: the dispatcher's escalation list."""
    return ticket_queue().filter(BREACHED)


def unassigned() -> QuerySet[Ticket]:
    return ticket_queue().filter(assignee__isnull=True)


def warned(now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """Open, not yet breached tickets with an SLA warning sent."""
    return (ticket_queue().exclude(BREACHED)
            .filter(sla_notices__threshold__in=["0.75", "0.9", "drive"]).distinct())


def workers() -> QuerySet[User]:
    """Who tickets may be assigned to."""
    return User.objects.filter(is_active=True, role__in=[Role.OWNER, Role.DISPATCHER,
                                                         Role.TECHNICIAN]).order_by("username")


def on_call_now(now: dt.datetime) -> list[dict]:
    """Who is on call in each active rotation at `now`: members take turns of shift_days
    in position order from starts_at."""
    result = []
    for rotation in OnCallRotation.objects.filter(is_active=True).prefetch_related(
            "members__user"):
        members = list(rotation.members.all())
        if not members or now < rotation.starts_at:
            continue
        shift = dt.timedelta(days=rotation.shift_days)
        index = int((now - rotation.starts_at) // shift) % len(members)
        ends = rotation.starts_at + shift * (int((now - rotation.starts_at) // shift) + 1)
        result.append({"rotation": rotation, "member": members[index], "until": ends})
    return result


def ticket_timeline(ticket: Ticket) -> QuerySet[TicketEntry]:
    return (TicketEntry.objects.filter(ticket=ticket)
            .select_related("author_user", "author_contact").order_by("created_at", "id"))


def public_timeline(ticket: Ticket) -> QuerySet[TicketEntry]:
    """What the client may see: messages, replies and calls."""
    return ticket_timeline(ticket).filter(kind__in=[EntryKind.INBOUND, EntryKind.REPLY,
                                                    EntryKind.CALL])
