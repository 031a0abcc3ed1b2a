"""Reads of the desk: the queue, the dispatcher view, a ticket's timeline and SLA panel.

The queue is the hot path (100,000 open tickets): one indexed query ordered by the stored
`urgency_due_at`, 50 rows a page, related rows joined; countdowns are computed in Python
from each row's snapshot calendar (cached per calendar, no database access).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL

from tierdesk.core.models import Role, User
from tierdesk.desk import clocks
from tierdesk.desk.models import EntryKind, OnCallRotation, SlaNotice, Ticket, TicketEntry
from tierdesk.desk.statuses import OPEN_STATUS_LIST

# The same condition, term for term, as the `ticket_queue_breached` index.
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


QUEUE_ORDER = (F("urgency_due_at").asc(nulls_last=True), "id")


def open_only(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Filter to open tickets with the statuses written into the SQL as literals.

    SQLite uses a partial index only when it can prove the query implies the index's
    condition at prepare time; with `status IN (%s, ...)` the values are bound parameters and
    it cannot, so it scanned and sorted 100,000 rows. The values are constants of this
    module (OPEN_STATUS_LIST), never user input."""
    values = ", ".join(f"'{s}'" for s in OPEN_STATUS_LIST)
    condition = RawSQL(f'"desk_ticket"."status" IN ({values})', (),
                       output_field=BooleanField())
    return tickets.filter(condition)


def ticket_list() -> QuerySet[Ticket]:
    """All tickets in queue order: most urgent first, no due time last."""
    return (Ticket.objects.select_related("client", "assignee", "plan_version__plan")
            .only(*QUEUE_FIELDS).order_by(*QUEUE_ORDER))


def ticket_queue() -> QuerySet[Ticket]:
    """Open tickets, most urgent first (no due time last), for the staff queue."""
    return open_only(ticket_list())


@dataclass
class QueuePage:
    """One page of the queue without a full COUNT: `total` is exact up to `cap`."""

    number: int
    tickets: list[Ticket]
    has_next: bool
    total: int
    capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def queue_page(tickets: QuerySet[Ticket], number, *, size: int = 50, cap: int = 1_000
               ) -> QueuePage:
    """Page `number` of `tickets` (a filtered Ticket queryset) in queue order.

    Two steps, because the planner must walk the `ticket_queue_order` index: the page's ids
    from desk_ticket alone (no joins to tempt SQLite into scanning clients and sorting
    100,000 rows), then those rows with their client, tier and assignee. The total is
    counted up to `cap` only: an exact count of a big filtered queue costs more than the
    page itself, and "1000+" is all a dispatcher needs to know."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    ids_query = tickets.order_by(*QUEUE_ORDER).values_list("id", flat=True)
    offset = (number - 1) * size
    ids = list(ids_query[offset:offset + size + 1])
    total = ids_query[:cap + 1].count()
    rows = ticket_list().in_bulk(ids[:size])
    return QueuePage(number=number, tickets=[rows[i] for i in ids[:size] if i in rows],
                     has_next=len(ids) > size, total=min(total, cap), capped=total > cap)


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
    return open_only(Ticket.objects.filter(BREACHED)).order_by(*QUEUE_ORDER)


def unassigned() -> QuerySet[Ticket]:
    return open_only(Ticket.objects.filter(assignee__isnull=True)).order_by(*QUEUE_ORDER)


def warned() -> QuerySet[Ticket]:
    """Open, not yet breached tickets with an SLA warning (or drive warning) sent."""
    noticed = SlaNotice.objects.exclude(threshold="breach").values("ticket_id")
    return (open_only(Ticket.objects.filter(pk__in=noticed)).exclude(BREACHED)
            .order_by(*QUEUE_ORDER))


def dispatch_board(now: dt.datetime) -> dict:
    """The dispatcher view: escalated, unassigned and warned tickets (first 50 of each, in
    queue order, counts capped like the queue's) and who is on call."""
    board = {}
    for name, tickets in (("escalated", escalated()), ("unassigned", unassigned()),
                          ("warned", warned())):
        page = queue_page(tickets, 1)
        board[name] = queue_rows(page.tickets, now)
        board[f"{name}_count"] = f"{page.total}{'+' if page.capped else ''}"
    board["on_call"] = on_call_now(now)
    return board


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
