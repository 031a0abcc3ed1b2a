"""E-mail intake: store each message raw, then ticket, thread, hold or record it.

One entry point for every way mail arrives (the SMTP/LMTP listener, the MTA pipe command,
tests): `email_receive`. It stores the message first, in its own transaction, as an
InboundMessage (source "email", dedupe key = the Message-ID, or "sha256:<hash of the raw
bytes>" when there is none), then processes it with `email_process` in a second
transaction. A redelivery finds the stored row and creates nothing; a crash between the two
leaves a RECEIVED row that `email_retry_pending` (periodic, or `manage.py
tierdesk_mail_retry`) processes later.

What processing decides, in this order (each outcome records its reason on the row):

1. RECORDED, never answered, never a ticket — automatic mail: RFC 3834 `Auto-Submitted`
   other than "no", `Precedence: bulk/junk/list`, `X-Autoreply`/`X-Autorespond`, an empty
   return path (SMTP `MAIL FROM:<>` or `Return-Path: <>`), a `multipart/report` (bounce,
   read receipt), or mail from MAILER-DAEMON/postmaster. So no mail loop can start here.
2. HELD for triage — no sender address; more than TIERDESK_MAIL_LOOP_LIMIT messages from one
   sender within TIERDESK_MAIL_LOOP_MINUTES (a loop we did not recognise); an unknown
   sender; an address shared by contacts of several clients (unless the thread tells which
   client); a reply into a ticket of a client the sender is not a contact of (a contact of
   one client can never write into another client's ticket).
3. THREADED — In-Reply-To / References name a TicketEntry.message_id (our outgoing mail
   from desk/notify.py, or an earlier message of the thread), else a "[TD-XXXXXX]" token in
   the subject names a Ticket.reference: the message is added with ticket_client_message.
   A reply to a CLOSED ticket opens a new ticket instead (a closed ticket takes no more
   work), which says which ticket it follows.
4. TICKETED — otherwise a new ticket through ticket_open (channel "email"; entitlement
   gating and the acknowledgement are the desk's).

The timeline entry gets the text without quoted reply history ("On ... wrote:",
"-----Original Message-----", ...); the sanitised HTML and the raw message are kept whole.
Attachments up to TIERDESK_ATTACHMENT_MAX_BYTES are stored as desk.Attachment files; a
larger one is not stored and the entry says which file was dropped and why.

The envelope (return path, recipients) is kept by prepending `Return-Path:` and
`Delivered-To:` trace headers to the stored raw message, as every delivery agent does, so a
retry decides exactly as the first attempt would have.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.text import get_valid_filename

from tierdesk.clients.models import Client, Contact
from tierdesk.core import clock
from tierdesk.core.events import record
from tierdesk.desk.intake import mailparse, webhooks
from tierdesk.desk.models import (
    Attachment,
    InboundMessage,
    InboundSource,
    InboundStatus,
    IntakeChannel,
    Ticket,
    TicketEntry,
    TicketStatus,
)
from tierdesk.desk.services import ticket_client_message, ticket_open

log = logging.getLogger(__name__)

ST = InboundStatus

# One transitions map for every source (webhooks.py); the old names stay for callers.
INBOUND_TRANSITIONS = webhooks.INBOUND_TRANSITIONS
_check_inbound_transition = webhooks.inbound_check_transition


# --- settings (read at call time so tests can override them) ---------------------------

def attachment_max_bytes() -> int:
    return int(getattr(settings, "TIERDESK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def loop_limit() -> tuple[int, int]:
    """(messages, minutes): more than `messages` from one sender within `minutes` is held."""
    return (int(getattr(settings, "TIERDESK_MAIL_LOOP_LIMIT", 20)),
            int(getattr(settings, "TIERDESK_MAIL_LOOP_MINUTES", 10)))


# --- storing ----------------------------------------------------------------------------

def _trace_headers(envelope_from: str | None, recipients) -> bytes:
    lines = []
    if envelope_from is not None:
        addr = envelope_from.strip().strip("<>")
        lines.append(f"Return-Path: <{addr}>")
    for rcpt in recipients or ():
        lines.append(f"Delivered-To: {rcpt}")
    # Addresses come from the SMTP envelope; a CR/LF inside one must not forge headers.
    text = "".join(line.replace("\r", " ").replace("\n", " ") + "\r\n" for line in lines)
    return text.encode("utf-8", "replace")


def email_store(*, raw: bytes, envelope_from: str | None = None,
                recipients=()) -> tuple[InboundMessage, bool]:
    """Store one message raw, exactly once. Returns (row, created): a redelivery (same
    Message-ID, or same bytes when it has none) returns the stored row with created=False.
    Raises only when the database itself fails: the caller must then ask the sender to
    retry (SMTP 451, pipe exit 75)."""
    envelope = mailparse.read_envelope(raw)
    key = envelope.dedupe_key(raw)
    existing = InboundMessage.objects.filter(source=InboundSource.EMAIL, dedupe_key=key).first()
    if existing is not None:
        return existing, False
    sender = envelope.sender
    if not sender and envelope_from:
        sender = mailparse.address_of(envelope_from)
    stored = _trace_headers(envelope_from, recipients) + raw
    try:
        with transaction.atomic():
            row = InboundMessage.objects.create(
                source=InboundSource.EMAIL, dedupe_key=key, raw=stored, size=len(raw),
                sender=sender[:300], summary=envelope.subject[:300],
                status=ST.RECEIVED, received_at=clock.now(),
            )
    except IntegrityError:
        # Two deliveries of one message at once: the other one stored it.
        return InboundMessage.objects.get(source=InboundSource.EMAIL, dedupe_key=key), False
    return row, True


def email_receive(*, raw: bytes, envelope_from: str | None = None,
                  recipients=()) -> InboundMessage:
    """Store a message (first, in its own transaction) and process it. Never raises for bad
    mail: every outcome is a status and reason on the returned row. Raises only when the
    message could not be stored.

    `envelope_from` is the SMTP reverse path: "" (or "<>") is the empty return path of a
    bounce; None means unknown (a pipe without the sender), and a `Return-Path:` header in
    the message is used instead.
    """
    row, _created = email_store(raw=raw, envelope_from=envelope_from, recipients=recipients)
    if row.status == ST.RECEIVED:
        try:
            row = email_process(row)
        except Exception:  # stored safely: a later retry processes it
            log.exception("e-mail %s stored but not processed; it will be retried", row.pk)
            row.refresh_from_db()
    return row


def email_retry_pending(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Process stored messages still RECEIVED (a crash or a database error after storing).
    Messages younger than `older_than_seconds` are left to the process that is handling
    them now. Idempotent; returns how many were processed now."""
    cutoff = clock.now() - timedelta(seconds=older_than_seconds)
    ids = list(InboundMessage.objects.filter(
        source=InboundSource.EMAIL, status=ST.RECEIVED, received_at__lte=cutoff,
    ).order_by("received_at", "id").values_list("id", flat=True)[:limit])
    done = 0
    for pk in ids:
        row = InboundMessage.objects.get(pk=pk)
        try:
            if email_process(row).status != ST.RECEIVED:
                done += 1
        except Exception:
            log.exception("e-mail %s still not processed", pk)
    return done


# --- processing -------------------------------------------------------------------------

@dataclass
class _Outcome:
    status: str
    reason: str = ""
    ticket: Ticket | None = None
    notes: list[str] = field(default_factory=list)


def email_process(inbound: InboundMessage) -> InboundMessage:
    """Decide what a stored message is (see the module docstring) and act on it, in one
    transaction, once: a message no longer RECEIVED is returned unchanged. Bad input ends
    as a status with a reason; a database error leaves the row RECEIVED for a retry and is
    raised; any other failure holds the message with the error as its reason."""
    try:
        with transaction.atomic():
            row = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
            if row.status != ST.RECEIVED:
                return row
            parsed = mailparse.parse_mail(bytes(row.raw))
            outcome = _decide(row, parsed)
            _finish(row, outcome)
            return row
    except DatabaseError:
        raise
    except Exception as exc:
        log.exception("e-mail %s could not be processed", inbound.pk)
        with transaction.atomic():
            row = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
            if row.status == ST.RECEIVED:
                _finish(row, _Outcome(ST.HELD, f"processing error: {type(exc).__name__}: "
                                               f"{exc}"[:1000]))
            return row


def _finish(row: InboundMessage, outcome: _Outcome) -> None:
    _check_inbound_transition(row.status, outcome.status)
    row.status = outcome.status
    row.reason = "; ".join([outcome.reason, *outcome.notes] if outcome.reason
                           else outcome.notes)[:4000]
    if outcome.ticket is not None:
        row.ticket = outcome.ticket
    row.processed_at = clock.now()
    row.save(update_fields=["status", "reason", "ticket", "processed_at"])


def _decide(row: InboundMessage, parsed: mailparse.ParsedMail) -> _Outcome:
    notes = list(dict.fromkeys(parsed.notes))  # repairs, in order, once each
    if parsed.auto_reason:
        return _Outcome(ST.RECORDED, parsed.auto_reason, notes=notes)
    if parsed.return_path == "":
        return _Outcome(ST.RECORDED, "automatic message (empty return path)", notes=notes)
    sender = parsed.sender or (parsed.return_path or "")
    if not sender:
        return _Outcome(ST.HELD, "no sender address", notes=notes)
    limit, minutes = loop_limit()
    recent = InboundMessage.objects.filter(
        source=InboundSource.EMAIL, sender=sender,
        received_at__gte=row.received_at - timedelta(minutes=minutes),
        received_at__lte=row.received_at,
    ).count()
    if recent > limit:
        return _Outcome(ST.HELD, f"mail loop suspected: {recent} messages from {sender} "
                                 f"within {minutes} minutes (limit {limit})", notes=notes)

    contacts = list(Contact.objects.filter(email__iexact=sender)
                    .select_related("client").order_by("id"))
    ticket, found_by = _thread_target(parsed)
    if not contacts:
        hint = f" (reply to {ticket.reference})" if ticket else ""
        return _Outcome(ST.HELD, f"unknown sender {sender}{hint}", notes=notes)
    if ticket is not None:
        own = [c for c in contacts if c.client_id == ticket.client_id]
        if not own:
            clients = ", ".join(sorted({c.client.name for c in contacts}))
            return _Outcome(ST.HELD, f"sender {sender} ({clients}) is not a contact of the "
                                     f"client of {ticket.reference}, named by {found_by}",
                            notes=notes)
        return _deliver(row, parsed, own[0], ticket=ticket, found_by=found_by, notes=notes)
    clients = {c.client_id: c.client.name for c in contacts}
    if len(clients) > 1:
        return _Outcome(ST.HELD, f"several contacts with the address {sender}, of "
                                 f"{', '.join(sorted(clients.values()))}", notes=notes)
    return _deliver(row, parsed, contacts[0], ticket=None, found_by="", notes=notes)


def _thread_target(parsed: mailparse.ParsedMail) -> tuple[Ticket | None, str]:
    """The ticket this message answers: by Message-ID (In-Reply-To first, then References
    newest first), else by the first ticket token in the subject that exists."""
    if parsed.thread_ids:
        # Both forms: our own ids are stored "<...>", an odd sender may store a bare one.
        ids = parsed.thread_ids + [i.strip("<>") for i in parsed.thread_ids]
        found = dict(TicketEntry.objects.filter(message_id__in=ids)
                     .values_list("message_id", "ticket_id"))
        for mid in parsed.thread_ids:
            ticket_id = found.get(mid) or found.get(mid.strip("<>"))
            if ticket_id:
                return Ticket.objects.select_related("client").get(pk=ticket_id), "In-Reply-To"
    refs = mailparse.ticket_references(parsed.subject)
    if refs:
        by_ref = {t.reference: t for t in Ticket.objects.filter(reference__in=refs)
                  .select_related("client")}
        for ref in refs:
            if ref in by_ref:
                return by_ref[ref], "subject token"
    return None, ""


def _deliver(row, parsed, contact: Contact, *, ticket: Ticket | None, found_by: str,
             notes: list[str]) -> _Outcome:
    kept, dropped = _split_attachments(parsed.attachments)
    body = mailparse.strip_quoted(parsed.text) if parsed.text else ""
    lines = [body] if body else []
    lines += [f"[Attachment not stored: {text}]" for text in dropped]
    if not lines and not kept:
        lines = ["(no text)"]
    follows = ""
    if ticket is not None and ticket.status == TicketStatus.CLOSED:
        follows, ticket = ticket.reference, None
        lines.insert(0, f"(A reply to the closed ticket {follows}.)")
    text = "\n\n".join(lines)
    if ticket is not None:
        entry = ticket_client_message(
            ticket=ticket, body=text, channel=IntakeChannel.EMAIL, contact=contact,
            body_html=parsed.html, at=row.received_at, inbound=row,
            message_id=parsed.message_id,
        )
        status, reason = ST.THREADED, f"added to {ticket.reference} (by {found_by})"
    else:
        ticket = ticket_open(
            client=contact.client, channel=IntakeChannel.EMAIL, subject=parsed.subject,
            body=text, body_html=parsed.html, contact=contact, requester=contact.email,
            opened_at=row.received_at, inbound=row, message_id=parsed.message_id,
        )
        entry = TicketEntry.objects.filter(ticket=ticket, inbound=row).order_by("id").first()
        status = ST.TICKETED
        reason = f"opened {ticket.reference}" + (f" (follows {follows})" if follows else "")
    _store_attachments(ticket, entry, kept)
    notes = notes + [f"attachment not stored: {text}" for text in dropped]
    return _Outcome(status, reason, ticket=ticket, notes=notes)


# --- attachments ------------------------------------------------------------------------

def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _split_attachments(attachments) -> tuple[list, list[str]]:
    """(attachments to store, descriptions of the ones dropped and why)."""
    limit = attachment_max_bytes()
    kept, dropped = [], []
    for item in attachments:
        if len(item.payload) > limit:
            dropped.append(f"{item.filename} ({_megabytes(len(item.payload))}) is larger "
                           f"than the {_megabytes(limit)} limit")
        else:
            kept.append(item)
    return kept, dropped


def _safe_name(name: str) -> str:
    try:
        return get_valid_filename(name.replace("/", "_").replace("\\", "_"))[:150]
    except SuspiciousFileOperation:
        return "attachment"


def _store_attachments(ticket: Ticket, entry: TicketEntry | None, items) -> None:
    # The files are written inside the processing transaction; if it rolls back they are
    # orphans on disk, never rows without files.
    for item in items:
        attachment = Attachment(
            ticket=ticket, entry=entry, filename=item.filename[:255],
            content_type=item.content_type[:120], size=len(item.payload),
            sha256=hashlib.sha256(item.payload).hexdigest(),
        )
        attachment.file.save(_safe_name(item.filename), ContentFile(item.payload), save=False)
        attachment.save()


# --- triage -----------------------------------------------------------------------------

def email_triage_assign(*, inbound: InboundMessage, client: Client,
                        contact: Contact | None = None, by) -> InboundMessage:
    """Staff decide who a HELD message is from: a ticket is opened for `client` (as
    `contact` when given, which must be the client's) with the message's text and files.
    Errors: `inbound` not held, `contact` of another client."""
    if contact is not None and contact.client_id != client.pk:
        raise ValidationError({"contact": "the contact belongs to another client"})
    with transaction.atomic():
        row = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
        if row.source != InboundSource.EMAIL or row.status != ST.HELD:
            raise ValidationError({"inbound": "only a held e-mail can be assigned"})
        parsed = mailparse.parse_mail(bytes(row.raw))
        kept, dropped = _split_attachments(parsed.attachments)
        lines = [mailparse.strip_quoted(parsed.text)] if parsed.text else []
        lines += [f"[Attachment not stored: {text}]" for text in dropped]
        ticket = ticket_open(
            client=client, channel=IntakeChannel.EMAIL, subject=parsed.subject,
            body="\n\n".join(lines) or "(no text)", body_html=parsed.html, contact=contact,
            requester=parsed.sender or row.sender, opened_at=row.received_at, by=by,
            inbound=row, message_id=parsed.message_id,
        )
        entry = TicketEntry.objects.filter(ticket=ticket, inbound=row).order_by("id").first()
        _store_attachments(ticket, entry, kept)
        held_for = row.reason
        _check_inbound_transition(row.status, ST.TICKETED)
        row.status = ST.TICKETED
        row.ticket = ticket
        row.reason = f"assigned to {client.name} by {by} (was held: {held_for})"[:4000]
        row.processed_at = clock.now()
        row.save(update_fields=["status", "ticket", "reason", "processed_at"])
        record(action="inbound.assigned", obj=row, by=by,
               message=f"{ticket.reference} for {client.name}")
    return row


def email_triage_reject(*, inbound: InboundMessage, by, reason: str) -> InboundMessage:
    """Staff decide a HELD message needs no ticket (spam, a loop): it stays stored, REJECTED
    with their reason. Errors: `inbound` not a held e-mail, empty `reason`. (The triage page
    uses webhooks.inbound_reject, which treats a second click as a no-op.)"""
    if inbound.source != InboundSource.EMAIL:
        raise ValidationError({"inbound": "only a held e-mail can be rejected"})
    row, changed = webhooks.inbound_reject(inbound=inbound, by=by, reason=reason)
    if not changed:
        raise ValidationError({"inbound": "only a held e-mail can be rejected"})
    return row
