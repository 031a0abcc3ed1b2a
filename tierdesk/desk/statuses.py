"""Ticket statuses: the one allowed-transitions map, and which statuses pause the clock.

Every status change goes through `services.ticket_transition`, which calls
`check_transition` — no view, task or API endpoint sets `Ticket.status` itself.

Pausing: "waiting on client" always pauses the resolution clock (the MSP cannot progress
while the client owes an answer); "waiting on vendor" pauses only when the MSP says so in
settings (`TIERDESK_VENDOR_WAIT_PAUSES`, default False), because most agreements hold the
MSP responsible for its vendors. The setting is read on every call so a test override
applies.
"""

from django.conf import settings
from django.core.exceptions import ValidationError

from tierdesk.desk.models import TicketStatus

S = TicketStatus

#: status -> the statuses it may move to. Resolved tickets may be reopened (back to open)
#: or closed; closed is final (a client writing again opens a new request).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.OPEN, S.WAITING_CLIENT, S.WAITING_VENDOR, S.RESOLVED, S.CLOSED}),
    S.OPEN: frozenset({S.WAITING_CLIENT, S.WAITING_VENDOR, S.RESOLVED, S.CLOSED}),
    S.WAITING_CLIENT: frozenset({S.OPEN, S.WAITING_VENDOR, S.RESOLVED, S.CLOSED}),
    S.WAITING_VENDOR: frozenset({S.OPEN, S.WAITING_CLIENT, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset(),
}

#: Statuses in which a ticket is still being worked on (its clocks may run).
OPEN_STATUSES: frozenset[str] = frozenset({S.NEW, S.OPEN, S.WAITING_CLIENT, S.WAITING_VENDOR})
#: The same, as the fixed list the queue filters on: it must equal the condition of the
#: `ticket_queue_order` index (models/tickets.py) so the database uses that index.
OPEN_STATUS_LIST: list[str] = [S.NEW.value, S.OPEN.value, S.WAITING_CLIENT.value,
                               S.WAITING_VENDOR.value]
DONE_STATUSES: frozenset[str] = frozenset({S.RESOLVED, S.CLOSED})


def pausing_statuses() -> frozenset[str]:
    """The statuses that hold the resolution clock, as configured now."""
    if getattr(settings, "TIERDESK_VENDOR_WAIT_PAUSES", False):
        return frozenset({S.WAITING_CLIENT, S.WAITING_VENDOR})
    return frozenset({S.WAITING_CLIENT})


def pauses_clock(status: str) -> bool:
    return status in pausing_statuses()


def allowed_transitions(status: str) -> list[str]:
    """The statuses `status` may move to, in the order of TicketStatus (for buttons)."""
    allowed = TRANSITIONS.get(status, frozenset())
    return [s for s in S.values if s in allowed]


def check_transition(old: str, new: str) -> None:
    """Raise ValidationError on `to` unless old -> new is in the map."""
    if new not in S.values:
        raise ValidationError({"to": f'"{new}" is not a ticket status'})
    if new not in TRANSITIONS.get(old, frozenset()):
        raise ValidationError(
            {"to": f"a {S(old).label.lower()} ticket cannot become {S(new).label.lower()}"}
        )
