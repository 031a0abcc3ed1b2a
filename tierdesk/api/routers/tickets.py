"""/tickets: the service desk through the API — list, detail with SLA due times, opening,
public replies, internal notes, status transitions, assignment and priority.

Who may do what (every write goes through tierdesk.desk.services, which enforces the
roles again):

    staff (any role)      read every ticket, with internal notes and the SLA calendar
    owner, dispatcher,    open tickets for any client through any channel, reply, note,
      technician          move through the status map, take unassigned tickets
    owner, dispatcher     assign to anyone, change priority
    client contact        read its own client's tickets (public timeline only), open
                          tickets through the portal channel at P3/P4, write messages

Another client's ticket is 404 by every route, as if it did not exist; internal notes do not
exist for contacts (404); a staff action on a contact's own ticket is 403.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.auth import require_staff
from tierdesk.api.lookups import lookup
from tierdesk.api.schemas.tickets import (
    AssignmentIn,
    EntryOut,
    MessageIn,
    PriorityPatch,
    TicketDetailOut,
    TicketIn,
    TicketOut,
    TransitionIn,
)
from tierdesk.clients.access import contact_with_site_for_contact
from tierdesk.clients.models import Client, Contact, Site
from tierdesk.clients.selectors import contact_with_site
from tierdesk.core.models import User
from tierdesk.desk import access, selectors, services
from tierdesk.desk.models import IntakeChannel, Ticket, TicketEntry
from tierdesk.plans.models import Priority

router = Router(tags=["tickets"])

#: What a client contact may choose when opening a ticket (see portal/forms.py: P1/P2 are
#: the dispatcher's call after triage).
CONTACT_PRIORITIES = (Priority.NORMAL, Priority.LOW)


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def visible_tickets(user) -> QuerySet[Ticket]:
    if user.is_msp_staff:
        return Ticket.objects.select_related("client")
    if user.is_client_contact:
        return access.tickets_for_contact(user)
    return Ticket.objects.none()


def ticket_for(user, ticket_id: int) -> Ticket:
    """The ticket if the caller may see it; Http404 otherwise (for contacts, also for
    another client's ticket)."""
    if user.is_msp_staff:
        return access.ticket_for_staff(user, ticket_id)
    return access.ticket_for_contact(user, ticket_id)


def _staff_ticket(request, ticket_id: int) -> Ticket:
    """For staff actions: 404 for a ticket the caller cannot see, then 403 for a contact."""
    ticket = ticket_for(request.user, ticket_id)
    if not request.user.is_msp_staff:
        raise PermissionDenied("only the MSP's staff may do this")
    return ticket


def _with_timeline(request, ticket: Ticket) -> Ticket:
    """Set `ticket.timeline` for the caller: every entry for staff, public ones for
    contacts."""
    if request.user.is_msp_staff:
        ticket.timeline = list(selectors.ticket_timeline(ticket))
    else:
        ticket.timeline = list(selectors.public_timeline(ticket))
    return ticket


def _detail(request, ticket: Ticket) -> Ticket:
    """Re-read `ticket` for the caller (after a write: related rows may have changed)."""
    return _with_timeline(request, ticket_for(request.user, ticket.pk))


@router.get("/tickets", response=list[TicketOut])
@paginate(LimitOffsetPagination)
def list_tickets(request, client: int | None = None, status: str | None = None,
                 priority: str | None = None, assignee: str | None = None,
                 breached: bool | None = None, outside_entitlement: bool | None = None,
                 ordering: str = "urgency"):
    """Tickets. Filters: `client` id; `status` and `priority` (comma-separated for several);
    `assignee` (a user id, `me`, or `none`; staff only); `breached` (any target breached);
    `outside_entitlement`. `ordering`: `urgency` (the queue's: earliest pending due time
    first, tickets without one last), `opened` or `-opened`."""
    user = request.user
    tickets = visible_tickets(user)
    if client is not None:
        tickets = tickets.filter(client_id=client)
    if statuses := _csv(status):
        tickets = tickets.filter(status__in=statuses)
    if priorities := _csv(priority):
        tickets = tickets.filter(priority__in=priorities)
    if assignee and user.is_msp_staff:
        if assignee == "none":
            tickets = tickets.filter(assignee__isnull=True)
        elif assignee == "me":
            tickets = tickets.filter(assignee=user)
        elif assignee.isdigit():
            tickets = tickets.filter(assignee_id=int(assignee))
        else:
            raise ValidationError({"assignee": 'a user id, "me" or "none"'})
    any_breach = (Q(first_response_breached=True) | Q(onsite_breached=True)
                  | Q(resolution_breached=True))
    if breached is True:
        tickets = tickets.filter(any_breach)
    elif breached is False:
        tickets = tickets.exclude(any_breach)
    if outside_entitlement is not None:
        tickets = tickets.filter(outside_entitlement=outside_entitlement)
    orderings = {
        "urgency": ("urgency_due_at", "opened_at", "id"),
        "opened": ("opened_at", "id"),
        "-opened": ("-opened_at", "-id"),
    }
    if ordering not in orderings:
        raise ValidationError({"ordering": f"one of {', '.join(orderings)}"})
    keys = list(orderings[ordering])
    if ordering == "urgency":
        # NULL sorts first on PostgreSQL and last on SQLite by default: say which.
        keys[0] = F("urgency_due_at").asc(nulls_last=True)
    return tickets.order_by(*keys)


@router.get("/tickets/{int:ticket_id}", response=TicketDetailOut)
def get_ticket(request, ticket_id: int):
    """One ticket with its SLA snapshot, due times, breach flags and timeline (public
    entries only for client contacts)."""
    return _with_timeline(request, ticket_for(request.user, ticket_id))


def _open_as_contact(request, payload: TicketIn) -> Ticket:
    # The contact, its client and the site in one query; a site of another client comes
    # back as None and is looked up again below for its error.
    contact, site = contact_with_site_for_contact(request.user, payload.site_id)
    client = contact.client
    errors = {}
    if payload.client_id is not None and payload.client_id != client.pk:
        errors["client_id"] = f"no such client: {payload.client_id}"
    if payload.channel not in (None, IntakeChannel.PORTAL):
        errors["channel"] = 'client contacts open tickets through the "portal" channel'
    if payload.priority not in CONTACT_PRIORITIES:
        errors["priority"] = ("choose p3 or p4; the dispatcher raises a ticket to p1/p2 "
                              "after triage")
    if payload.contact_id is not None and payload.contact_id != contact.pk:
        errors["contact_id"] = "client contacts open tickets as themselves"
    if errors:
        raise ValidationError(errors)
    if payload.site_id is not None and site is None:
        site = lookup(Site.objects.filter(client=client), payload.site_id, "site_id")
    return services.ticket_open(
        client=client, channel=IntakeChannel.PORTAL, subject=payload.subject,
        body=payload.body, contact=contact, site=site, priority=payload.priority,
        type=payload.type, needs_onsite=payload.needs_onsite, by=None,
    )


def _open_as_staff(request, payload: TicketIn) -> Ticket:
    if not access.can_work(request.user):
        raise PermissionDenied("your role cannot open tickets")
    errors = {}
    if payload.client_id is None:
        errors["client_id"] = "this field is required"
    if payload.channel is None:
        errors["channel"] = "this field is required: how the request reached you"
    if errors:
        raise ValidationError(errors)
    contact = site = None
    if payload.contact_id is not None:
        # The usual request names its contact: one query for the contact, its client and
        # the site (None when the site is not given or not that client's).
        contact, site = contact_with_site(client_id=payload.client_id,
                                          contact_id=payload.contact_id,
                                          site_id=payload.site_id)
    if contact is not None:
        client = contact.client
    else:  # the slow path, for its errors: client first, then a contact of that client
        client = lookup(Client.objects.all(), payload.client_id, "client_id")
        contact = (lookup(Contact.objects.filter(client=client), payload.contact_id,
                          "contact_id") if payload.contact_id is not None else None)
    if payload.site_id is not None and site is None:
        site = lookup(Site.objects.filter(client=client), payload.site_id, "site_id")
    return services.ticket_open(
        client=client, channel=payload.channel, subject=payload.subject, body=payload.body,
        contact=contact, site=site, priority=payload.priority, type=payload.type,
        requester=payload.requester, needs_onsite=payload.needs_onsite, by=request.user,
    )


@router.post("/tickets", response={201: TicketDetailOut})
def create_ticket(request, payload: TicketIn):
    """Open a ticket; its SLA clocks start from the client's current agreement.

    Staff (owner, dispatcher, technician) give `client_id` and the `channel` the request
    came through. A client contact opens tickets for its own client through the portal
    (`client_id` and `channel` may be omitted), at p3 or p4. A channel the client's tier
    does not include still opens the ticket, with `outside_entitlement: true`; the
    requester is told which channels are theirs.
    """
    if request.user.is_msp_staff:
        ticket = _open_as_staff(request, payload)
    elif request.user.is_client_contact:
        ticket = _open_as_contact(request, payload)
    else:
        raise PermissionDenied
    # ticket_open returns the ticket with the client, contact and site it was given, no
    # assignee, and the entries it wrote: nothing to re-read (the re-read of the ticket
    # was a quarter of the cost, the timeline's another tenth).
    entries = getattr(ticket, "opening_entries", None)
    if entries is None:
        return Status(201, _with_timeline(request, ticket))
    ticket.timeline = (entries if request.user.is_msp_staff
                       else [e for e in entries if e.is_public])
    return Status(201, ticket)


@router.post("/tickets/{int:ticket_id}/replies", response={201: EntryOut})
def reply(request, ticket_id: int, payload: MessageIn):
    """Staff: a public reply, e-mailed to the requester (the first is the first response).
    Client contact: a message on its own ticket (resumes a ticket waiting on the client,
    reopens a resolved one)."""
    user = request.user
    ticket = ticket_for(user, ticket_id)
    if user.is_msp_staff:
        entry = services.ticket_reply(ticket=ticket, body=payload.body, by=user)
    else:
        entry = services.ticket_client_message(ticket=ticket, body=payload.body,
                                               channel=IntakeChannel.PORTAL,
                                               contact=user.contact)
    return Status(201, _entry(entry))


@router.post("/tickets/{int:ticket_id}/notes", response={201: EntryOut})
def note(request, ticket_id: int, payload: MessageIn):
    """An internal note (staff who work tickets). Notes do not exist for client contacts:
    404."""
    require_staff(request)
    ticket = access.ticket_for_staff(request.user, ticket_id)
    entry = services.ticket_note(ticket=ticket, body=payload.body, by=request.user)
    return Status(201, _entry(entry))


@router.post("/tickets/{int:ticket_id}/transitions", response=TicketDetailOut)
def transition(request, ticket_id: int, payload: TransitionIn):
    """Move the ticket to status `to` (the allowed-transitions map; a move it does not
    allow is 422 on `to`) with an optional internal `reason`. Waiting on the client pauses
    the resolution clock; leaving it resumes the clock."""
    ticket = _staff_ticket(request, ticket_id)
    services.ticket_transition(ticket=ticket, to=payload.to, by=request.user,
                               reason=payload.reason)
    return _detail(request, ticket)


@router.post("/tickets/{int:ticket_id}/assignment", response=TicketDetailOut)
def assign(request, ticket_id: int, payload: AssignmentIn):
    """Assign to a staff user (`assignee_id`), or unassign with null. Owners and
    dispatchers assign anyone; a technician may take an unassigned ticket for themself."""
    ticket = _staff_ticket(request, ticket_id)
    assignee = (lookup(User.objects.all(), payload.assignee_id, "assignee_id")
                if payload.assignee_id is not None else None)
    try:
        services.ticket_assign(ticket=ticket, assignee=assignee, by=request.user)
    except ValidationError as exc:
        # The service names its argument; the API's field is `assignee_id`.
        if hasattr(exc, "error_dict") and "assignee" in exc.error_dict:
            raise ValidationError({"assignee_id": exc.error_dict["assignee"]}) from None
        raise
    return _detail(request, ticket)


@router.patch("/tickets/{int:ticket_id}", response=TicketDetailOut)
def set_priority(request, ticket_id: int, payload: PriorityPatch):
    """Change the priority (owners, dispatchers): due times are recomputed from the
    opening time with the ticket's snapshot tier and calendar, keeping paused time."""
    ticket = _staff_ticket(request, ticket_id)
    services.ticket_set_priority(ticket=ticket, priority=payload.priority, by=request.user)
    return _detail(request, ticket)


def _entry(entry: TicketEntry) -> TicketEntry:
    return (TicketEntry.objects.select_related("author_user", "author_contact")
            .get(pk=entry.pk))
