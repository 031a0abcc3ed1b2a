"""Every write to tickets: opening, the timeline, status, assignment, priority, SLA clocks.

The intake channels (e-mail, phone, monitoring), the portal, the API and the staff views all
call these functions and nothing else to change a ticket. Each runs in one transaction,
records its audit event (desk/events.py) and raises ValidationError naming the field on
bad input. Clock rules are documented in desk/clocks.py; in short:

* opening snapshots the current agreement's plan version (hours + the priority's target);
  no current agreement -> no targets (the queue shows "no agreement");
* a channel the tier does not include still opens the ticket, with the tier's standard
  targets, flagged `outside_entitlement`; the requester is told which channels are theirs;
* first response = the first public staff reply or logged call; notes and status changes
  are not responses; its breach is decided at the time of the reply;
* pausing statuses (statuses.py) pause the resolution clock; resuming recomputes the due
  time from `opened_at` with every pause; reopening counts the time spent resolved as
  paused; first response is not re-armed;
* a priority change takes the new priority's target from the ticket's SNAPSHOT plan version
  (never the client's current tier) and recomputes from `opened_at`, keeping pauses;
* breach flags are never cleared.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from tierdesk.clients.models import Agreement, AgreementStatus, Client, Contact, Site
from tierdesk.core import clock
from tierdesk.core.rows import Columns, Insert, fetch_one
from tierdesk.desk import clocks, events, notify, outsourcing
from tierdesk.desk.access import can_manage, can_work, require_work
from tierdesk.desk.entitlements_cache import VersionTerms, version_terms
from tierdesk.desk.models import (
    EntryKind,
    InboundMessage,
    IntakeChannel,
    SlaNotice,
    Ticket,
    TicketEntry,
    TicketPause,
    TicketStatus,
    TicketType,
)
from tierdesk.desk.statuses import OPEN_STATUSES, check_transition, pauses_clock
from tierdesk.desk.sweeps import announce_due_thresholds
from tierdesk.plans.models import Channel, PlanVersion, Priority, ResponseTarget

S = TicketStatus

#: Channels a tier may include or not (plans.Channel); monitoring and walk-ins are never
#: gated — an alert is the MSP's own tool talking, a walk-in is already at the door.
GATED_CHANNELS = frozenset(Channel.values)
#: No 0/O, 1/I/L: references are read out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: 31**6 ≈ 887 million references: a collision is rare; ten in a row means something else.
REFERENCE_ATTEMPTS = 10
#: The choices' values, once: `Choices.values` builds a new list on every call.
INTAKE_CHANNELS = frozenset(IntakeChannel.values)
PRIORITIES = frozenset(Priority.values)
TICKET_TYPES = frozenset(TicketType.values)


# Reads used by the writes -----------------------------------------------------------------

def _current_agreements(client: Client):
    return (Agreement.objects.filter(client=client, status__in=[AgreementStatus.ACTIVE,
                                                                AgreementStatus.SUSPENDED])
            .order_by("-start_date", "-id"))


def current_agreement(client: Client) -> Agreement | None:
    """The agreement that governs new tickets: active or suspended, latest start."""
    return _current_agreements(client).select_related("plan_version").first()


_AGREEMENT_KEYS = Columns(Agreement, "a", names=("id", "plan_version_id"))
_VERSION_STAMP = Columns(PlanVersion, "v", names=("updated_at",))


def _current_terms(client: Client) -> tuple[int | None, VersionTerms | None, bool]:
    """The current agreement's id, its plan version's terms (from entitlements_cache; see
    there why a version in use cannot go stale), and whether its tier has an outsourcing
    route to an active partner — in one small query.

    Every opening runs it: hand-written SQL (core/rows.py says why) for what
    `_current_agreements(client).values_list("id", "plan_version_id",
    "plan_version__updated_at").first()` reads, plus the route's existence, which spares
    the tiers that are not routed (almost all openings) outsourcing's own query."""
    row = fetch_one(
        f"SELECT {_AGREEMENT_KEYS.sql()}, {_VERSION_STAMP.sql()}, "
        f"{outsourcing.routed_sql('v.plan_id')} "
        f"FROM {Agreement._meta.db_table} a "
        f"INNER JOIN {PlanVersion._meta.db_table} v ON v.id = a.plan_version_id "
        f"WHERE a.client_id = %s AND a.status IN (%s, %s) "
        f"ORDER BY a.start_date DESC, a.id DESC LIMIT 1",
        [True, client.pk, AgreementStatus.ACTIVE.value, AgreementStatus.SUSPENDED.value],
    )
    if row is None:
        return None, None, False
    agreement_id, version_id = _AGREEMENT_KEYS.values(row)
    (updated_at,) = _VERSION_STAMP.values(row, len(_AGREEMENT_KEYS))
    return agreement_id, version_terms(version_id, updated_at), bool(row[-1])


def _version_entitlement(version: PlanVersion | VersionTerms | None, channel: str
                         ) -> tuple[bool, str]:
    if channel not in GATED_CHANNELS:
        return True, version.channel_instructions if version else ""
    if version is None:
        return False, ""
    return channel in (version.channels or []), version.channel_instructions


def channel_entitlement(*, client: Client, channel: str) -> tuple[bool, str]:
    """Whether `client`'s current tier includes `channel`, and the tier's text telling the
    client which channels are theirs. Monitoring and walk-in are always allowed; a client
    without a current agreement is entitled to no gated channel."""
    return _version_entitlement(_current_terms(client)[1], channel)


def _new_reference() -> str:
    return "TD-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _paused_intervals(ticket: Ticket) -> list[tuple[dt.datetime, dt.datetime]]:
    if ticket.pk is None:
        return []
    return list(TicketPause.objects.filter(ticket=ticket)
                .values_list("started_at", "ended_at"))


def _recompute(ticket: Ticket) -> clocks.ClockState:
    """Write due times, `sla_check_at` and `urgency_due_at` onto `ticket` (not saved)."""
    state = clocks.compute(
        calendar=ticket.sla_calendar, targets=ticket.sla_targets or {},
        opened_at=ticket.opened_at, paused=_paused_intervals(ticket),
        drive_minutes=ticket.site.drive_minutes if ticket.site_id else None,
    )
    ticket.first_response_due_at = state.first_response_due_at
    ticket.onsite_due_at = state.onsite_due_at
    ticket.resolution_due_at = state.resolution_due_at
    # Thresholds already passed stay in: the sweep announces each exactly once (SlaNotice).
    ticket.sla_check_at = clocks.next_check(ticket, state.thresholds)
    ticket.urgency_due_at = clocks.urgency(ticket)
    return state


def _at(value: dt.datetime | None, name: str = "at") -> dt.datetime:
    if value is None:
        return clock.now()
    try:
        return clock.require_aware(value, name)
    except ValueError as exc:
        raise ValidationError({name: str(exc)}) from None


def _locked(ticket: Ticket) -> Ticket:
    return (Ticket.objects.select_for_update(of=("self",))
            .select_related("client", "site", "contact", "assignee").get(pk=ticket.pk))


def _sync(target: Ticket, source: Ticket) -> Ticket:
    """Copy the saved state back onto the caller's instance, so callers keep using it."""
    for field in Ticket._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return source


# Opening ----------------------------------------------------------------------------------

def ticket_open(*, client: Client, channel: str, subject: str, body: str = "",
                body_html: str = "", contact: Contact | None = None, site: Site | None = None,
                priority: str = "p3", type: str = "helpdesk", requester: str = "",
                needs_onsite: bool = False, opened_at: dt.datetime | None = None, by=None,
                inbound: InboundMessage | None = None, message_id: str = "",
                alert_key: str = "") -> Ticket:
    """Open a ticket and start its SLA clocks from the client's current agreement.

    The request's text becomes the first timeline entry (INBOUND). The requester gets an
    acknowledgement with the tier's targets (and, when `channel` is outside the tier, the
    tier's channel instructions). A ticket is opened even without an agreement (no targets)
    or through a channel the tier excludes (flagged, standard targets): nothing is lost.
    Errors: `channel`, `priority`, `type`, `contact`/`site` of another client, naive
    `opened_at`, `alert_key` already open for this client.

    The returned ticket carries `opening_entries`: the timeline entries just written,
    oldest first, with their authors, so a caller answering with the timeline need not
    read it back (None when the opening wrote more entries — an SLA notice, a hand-over to
    an outsourcing partner: read it then).
    """
    errors = {}
    if channel not in INTAKE_CHANNELS:
        errors["channel"] = f'"{channel}" is not an intake channel'
    if priority not in PRIORITIES:
        errors["priority"] = f'"{priority}" is not a priority'
    if type not in TICKET_TYPES:
        errors["type"] = f'"{type}" is not a ticket type'
    if contact is not None and contact.client_id != client.pk:
        errors["contact"] = "the contact belongs to another client"
    if site is not None and site.client_id != client.pk:
        errors["site"] = "the site belongs to another client"
    if errors:
        raise ValidationError(errors)
    at = _at(opened_at, "opened_at")
    agreement_id, terms, routed = _current_terms(client)
    allowed, instructions = _version_entitlement(terms, channel)
    target = terms.target(priority) if terms else None
    if not requester and contact is not None:
        requester = contact.email or contact.phone
    ticket = Ticket(
        client=client, agreement_id=agreement_id,
        plan_version_id=terms.version_id if terms else None, contact=contact, site=site,
        requester=requester[:200], channel=channel, type=type, priority=priority,
        # Mail subjects can be anything; the ticket keeps what fits rather than refusing.
        subject=(subject or "").strip()[:250] or "(no subject)", needs_onsite=needs_onsite,
        outside_entitlement=agreement_id is not None and not allowed,
        alert_key=alert_key[:200], alert_count=1 if alert_key else 0,
        opened_at=at, sla_calendar=terms.hours if terms else None,
        sla_targets=clocks.target_snapshot(target, needs_onsite=needs_onsite),
    )
    state = _recompute(ticket)
    # End-user help desk of a tier routed to a partner goes there (desk/outsourcing.py).
    route = outsourcing.route_for_ticket(ticket=ticket, at=at) if routed else None
    # A reference is random: on the rare collision the whole opening is rolled back and
    # tried again with another one (cheaper than a savepoint around every insert).
    for _ in range(REFERENCE_ATTEMPTS):
        ticket.reference = _new_reference()
        # What needs no new primary key is built and prepared before the transaction: on
        # SQLite the writer holds the database's write lock until it commits, and the
        # other web workers wait for it (bench/bench_api_tickets.py --server).
        ticket_row = Insert([ticket])  # ticket.save(force_insert=True), without the compiler
        entries = _opening_entries(ticket, at=at, body=body, body_html=body_html, by=by,
                                   inbound=inbound, message_id=message_id[:300],
                                   instructions=instructions)
        entry_rows = Insert(entries)  # the request and its acknowledgement, in one INSERT
        inserted = False
        try:
            with transaction.atomic():
                ticket_row.execute()
                inserted = True
                entry_rows.fill("ticket_id", ticket.pk)
                entry_rows.execute()
                ticket.opening_entries = _opened(ticket, entries, state=state, at=at, by=by)
                if route is not None:
                    # The hand-over writes an entry: callers read the timeline.
                    outsourcing.ticket_outsource(ticket=ticket, at=at, route=route)
                    ticket.opening_entries = None
            return ticket
        except IntegrityError:
            if inserted:
                raise  # not the ticket row: nothing a new reference would fix
            ticket.pk = None
            ticket._state.adding = True
            if ticket.alert_key and Ticket.objects.filter(
                    client=ticket.client, alert_key=ticket.alert_key,
                    status__in=OPEN_STATUSES).exists():
                raise ValidationError(
                    {"alert_key": "an open ticket for this alert exists; fold into it"}
                ) from None
    raise ValidationError({"reference": "could not find a free ticket reference"})


def _opening_entries(ticket: Ticket, *, at, body, body_html, by, inbound, message_id,
                     instructions) -> list[TicketEntry]:
    """The timeline entries an opening writes, not saved: the request (INBOUND) and, unless
    an alert opened the ticket, the acknowledgement to the requester."""
    entries = [TicketEntry(
        ticket=ticket, kind=EntryKind.INBOUND, channel=ticket.channel, body=body,
        body_html=body_html, author_contact=ticket.contact, inbound=inbound,
        message_id=message_id, created_at=at,
        data={"logged_by": by.pk} if by is not None and getattr(by, "pk", None) else {},
    )]
    if ticket.channel != IntakeChannel.MONITORING:
        # A new ticket's thread is the request alone: answer its Message-ID, if any.
        entries.append(notify.acknowledgement_entry(
            ticket=ticket, at=at, instructions=instructions,
            thread=[message_id] if message_id else []))
    return entries


def _opened(ticket: Ticket, entries: list[TicketEntry], *, state: clocks.ClockState, at,
            by) -> list[TicketEntry] | None:
    """The rest of an opening, inside its transaction once the ticket and `entries` are
    saved; returns the timeline entries, oldest first (None when the sweep's notice wrote
    more)."""
    for entry in entries[1:]:
        notify.entry_queue_mail(entry)
    events.ticket_opened_event(ticket=ticket, by=by)
    # An on-site promise the drive alone cannot keep is told to the dispatcher now.
    if announce_due_thresholds(ticket=ticket, thresholds=state.thresholds, now=at,
                               only=("drive",)):
        return None  # it wrote entries of its own: callers read the timeline instead
    return entries


# The timeline -----------------------------------------------------------------------------

def ticket_client_message(*, ticket: Ticket, body: str, channel: str,
                          contact: Contact | None = None, body_html: str = "",
                          at: dt.datetime | None = None, inbound: InboundMessage | None = None,
                          message_id: str = "") -> TicketEntry:
    """The client wrote again. A ticket waiting on the client goes back to "open" (the
    client has answered, so the resolution clock resumes); a resolved ticket is reopened.
    A closed ticket keeps the message but stays closed."""
    if channel not in INTAKE_CHANNELS:
        raise ValidationError({"channel": f'"{channel}" is not an intake channel'})
    if contact is not None and contact.client_id != ticket.client_id:
        raise ValidationError({"contact": "the contact belongs to another client"})
    at = _at(at)
    with transaction.atomic():
        locked = _locked(ticket)
        entry = TicketEntry.objects.create(
            ticket=locked, kind=EntryKind.INBOUND, channel=channel, body=body,
            body_html=body_html, author_contact=contact, inbound=inbound,
            message_id=message_id[:300], created_at=at,
        )
        if locked.status in (S.WAITING_CLIENT, S.RESOLVED):
            _move(locked, S.OPEN, at=at, by=None, reason="the client wrote")
        _sync(ticket, locked)
    return entry


def _respond(ticket: Ticket, at: dt.datetime) -> None:
    if ticket.first_responded_at is None:
        ticket.first_responded_at = at
        if ticket.first_response_due_at and at > ticket.first_response_due_at:
            ticket.first_response_breached = True
            events.ticket_breached_event(ticket=ticket, target="first_response")
    if ticket.status == S.NEW:
        ticket.status = S.OPEN


def ticket_reply(*, ticket: Ticket, body: str, by, at: dt.datetime | None = None
                 ) -> TicketEntry:
    """A public staff reply, e-mailed to the requester. The first one is the first
    response (breached when later than its due time); a new ticket becomes "open"."""
    return _public_response(ticket=ticket, body=body, by=by, at=at, call=False)


def ticket_log_call(*, ticket: Ticket, body: str, by, at: dt.datetime | None = None
                    ) -> TicketEntry:
    """A phone conversation with the client, logged by staff: a public response like a
    reply, but nothing is e-mailed."""
    return _public_response(ticket=ticket, body=body, by=by, at=at, call=True)


def _public_response(*, ticket, body, by, at, call: bool) -> TicketEntry:
    require_work(by)
    if not (body or "").strip():
        raise ValidationError({"body": "write something"})
    at = _at(at)
    with transaction.atomic():
        locked = _locked(ticket)
        if call:
            entry = TicketEntry.objects.create(ticket=locked, kind=EntryKind.CALL, body=body,
                                               author_user=by, created_at=at)
        else:
            entry = notify.ticket_replied(ticket=locked, body=body, by=by, at=at)
        _respond(locked, at)
        _recompute(locked)
        locked.save()
        _sync(ticket, locked)
    return entry


def ticket_note(*, ticket: Ticket, body: str, by, at: dt.datetime | None = None
                ) -> TicketEntry:
    """An internal note: never shown to the client, never a response."""
    require_work(by)
    if not (body or "").strip():
        raise ValidationError({"body": "write something"})
    return TicketEntry.objects.create(ticket=ticket, kind=EntryKind.NOTE, body=body,
                                      author_user=by, created_at=_at(at))


# Status -----------------------------------------------------------------------------------

def ticket_transition(*, ticket: Ticket, to: str, by, at: dt.datetime | None = None,
                      reason: str = "") -> Ticket:
    """Move a ticket to status `to` through statuses.TRANSITIONS (error on `to`), pausing or
    resuming the resolution clock, and deciding a resolution breach at the time of the
    change. Returns the updated ticket."""
    require_work(by)
    at = _at(at)
    with transaction.atomic():
        locked = _locked(ticket)
        _move(locked, to, at=at, by=by, reason=reason)
        return _sync(ticket, locked)


def _move(ticket: Ticket, to: str, *, at, by, reason: str) -> None:
    old = ticket.status
    check_transition(old, to)
    running = old in OPEN_STATUSES and ticket.paused_at is None
    # The resolution breach is decided now, from the stored due time and this instant.
    if running and ticket.resolution_due_at and at > ticket.resolution_due_at and (
            pauses_clock(to) or to not in OPEN_STATUSES) and not ticket.resolution_breached:
        ticket.resolution_breached = True
        events.ticket_breached_event(ticket=ticket, target="resolution")
    if to not in OPEN_STATUSES and ticket.first_responded_at is None and (
            ticket.first_response_due_at and at > ticket.first_response_due_at):
        ticket.first_response_breached = True
    if ticket.paused_at is not None and not pauses_clock(to):
        TicketPause.objects.create(ticket=ticket, started_at=ticket.paused_at, ended_at=at,
                                   reason=old)
        ticket.paused_at = None
    if old == S.RESOLVED and to in OPEN_STATUSES:
        # Reopened: the time spent resolved is paused time; first response stays answered.
        TicketPause.objects.create(ticket=ticket, started_at=ticket.resolved_at or at,
                                   ended_at=at, reason="resolved")
        ticket.resolved_at = None
    if to in OPEN_STATUSES and pauses_clock(to) and ticket.paused_at is None:
        ticket.paused_at = at
    if to == S.RESOLVED or (to == S.CLOSED and ticket.resolved_at is None):
        ticket.resolved_at = at
    if to == S.CLOSED:
        ticket.closed_at = at
    ticket.status = to
    _recompute(ticket)
    ticket.save()
    TicketEntry.objects.create(ticket=ticket, kind=EntryKind.STATUS, author_user=by,
                               body=reason, data={"from": old, "to": to}, created_at=at)
    events.ticket_transitioned_event(ticket=ticket, old=old, new=to, by=by, reason=reason)


# Assignment, priority, on-site ------------------------------------------------------------

def ticket_assign(*, ticket: Ticket, assignee, by) -> Ticket:
    """Assign (or, with None, unassign) a ticket. Owners and dispatchers assign anyone who
    works tickets; a technician may only take an unassigned ticket for themself."""
    if by is not None and not can_manage(by):
        taking = can_work(by) and assignee is not None and assignee.pk == by.pk
        if not taking or ticket.assignee_id not in (None, by.pk):
            raise PermissionDenied("technicians may only take unassigned tickets")
    if assignee is not None and not can_work(assignee):
        raise ValidationError({"assignee": f"{assignee} does not work on tickets"})
    with transaction.atomic():
        locked = _locked(ticket)
        if by is not None and not can_manage(by) and locked.assignee_id not in (None, by.pk):
            raise PermissionDenied("someone took this ticket first")
        old = locked.assignee
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        events.ticket_assigned_event(ticket=locked, old=old, new=assignee, by=by)
        return _sync(ticket, locked)


def ticket_set_priority(*, ticket: Ticket, priority: str, by, at: dt.datetime | None = None
                        ) -> Ticket:
    """Change the priority: targets of the new priority from the ticket's snapshot plan
    version, due times recomputed from `opened_at` with the same calendar and pauses.
    Warnings of the steps still owed are re-armed for the new due times; breaches stay."""
    if by is not None and not can_manage(by):
        raise PermissionDenied("only owners and dispatchers change priorities")
    if priority not in PRIORITIES:
        raise ValidationError({"priority": f'"{priority}" is not a priority'})
    at = _at(at)
    with transaction.atomic():
        locked = _locked(ticket)
        old = locked.priority
        if old == priority:
            return _sync(ticket, locked)
        target = (ResponseTarget.objects.filter(version_id=locked.plan_version_id,
                                                priority=priority).first()
                  if locked.plan_version_id else None)
        locked.priority = priority
        locked.sla_targets = clocks.target_snapshot(target, needs_onsite=locked.needs_onsite)
        SlaNotice.objects.filter(ticket=locked, target__in=clocks.pending_targets(locked)) \
            .exclude(threshold="breach").delete()
        state = _recompute(locked)
        locked.save()
        events.ticket_priority_changed_event(ticket=locked, old=old, new=priority, by=by)
        announce_due_thresholds(ticket=locked, thresholds=state.thresholds, now=at,
                                only=("drive",))
        return _sync(ticket, locked)


def ticket_onsite_arrive(*, ticket: Ticket, by, at: dt.datetime | None = None) -> Ticket:
    """A technician arrived on site: stops the on-site clock (breached if late)."""
    require_work(by)
    at = _at(at)
    with transaction.atomic():
        locked = _locked(ticket)
        if not locked.needs_onsite:
            raise ValidationError({"needs_onsite": "this ticket does not need on-site work"})
        if locked.onsite_arrived_at is None:
            locked.onsite_arrived_at = at
            if locked.onsite_due_at and at > locked.onsite_due_at:
                locked.onsite_breached = True
                events.ticket_breached_event(ticket=locked, target="onsite")
            _recompute(locked)
            locked.save()
            TicketEntry.objects.create(ticket=locked, kind=EntryKind.SYSTEM, author_user=by,
                                       body="Arrived on site.", created_at=at)
            events.ticket_onsite_arrived_event(ticket=locked, by=by)
        return _sync(ticket, locked)


def ticket_alert_fold(*, ticket: Ticket, at: dt.datetime, summary: str = "") -> Ticket:
    """A repeated monitoring alert for an open alert ticket: count it (one UPDATE, so many
    alerts a minute stay cheap) and keep its summary on the timeline when given."""
    at = _at(at)
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(alert_count=F("alert_count") + 1)
        if summary:
            TicketEntry.objects.create(ticket_id=ticket.pk, kind=EntryKind.SYSTEM,
                                       channel=IntakeChannel.MONITORING, body=summary,
                                       data={"alert": "repeat"}, created_at=at)
    ticket.refresh_from_db(fields=["alert_count", "updated_at"])
    return ticket
