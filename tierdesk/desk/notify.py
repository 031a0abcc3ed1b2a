"""Outgoing ticket mail: acknowledgements, staff replies, "outside entitlement" notices and
SLA warnings/breaches.

Each message is first written as a TicketEntry (inside the caller's transaction) carrying
its Message-ID and its envelope in `data["mail"]`; on commit its id joins this process's
batch, and one task per batch (tasks.send_entries_mail_task) sends the batch's mail, at
most TIERDESK_MAIL_BATCH_MS (1 s) after the first of them: a rolled-back change never sends
mail, and a busy desk queues a task a second per web process rather than one per message
(the queue's own commit was a twentieth of an API ticket opening). A batch or task lost
after commit (a web process killed within that second, the queue lost in a power loss, the
SMTP server down) is queued again from the stored entries by `entries_resend_unsent`, every
ten minutes. The subject always
carries "[TD-XXXXXX]" and replies to the client set In-Reply-To/References to the client's
last message, so the e-mail intake threads answers back to the ticket.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tierdesk.core import clock
from tierdesk.core.models import Role, User
from tierdesk.desk.clocks import TARGET_LABELS
from tierdesk.desk.models import EntryKind, IntakeChannel, Ticket, TicketEntry

logger = logging.getLogger(__name__)


def subject_for(ticket: Ticket, prefix: str = "") -> str:
    return f"{prefix}[{ticket.reference}] {ticket.subject}"


def new_message_id() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "tierdesk.local"
    return make_msgid(domain=domain)


def requester_address(ticket: Ticket) -> str:
    """Where mail to the requester goes: the contact's e-mail, else the address the request
    came from; "" for a caller known only by phone number."""
    if ticket.contact_id and ticket.contact.email:
        return ticket.contact.email
    return ticket.requester if "@" in ticket.requester else ""


def _thread_headers(ticket: Ticket, ids: list[str] | None = None) -> dict:
    """In-Reply-To/References from the ticket's stored Message-IDs, or from `ids` when the
    caller knows them (a ticket being opened has only its request's)."""
    if ids is None:
        ids = list(ticket.entries.exclude(message_id="").order_by("created_at", "id")
                   .values_list("message_id", flat=True)[:20])
    if not ids:
        return {}
    return {"In-Reply-To": ids[-1], "References": " ".join(ids)}


def entry_queue_mail(entry: TicketEntry) -> None:
    """Send the saved `entry`'s mail soon after the current transaction commits (nothing
    when it has no recipient, or when the transaction rolls back)."""
    if (entry.data.get("mail") or {}).get("to"):
        transaction.on_commit(lambda: _batch.add(entry.pk))


class _MailBatch:
    """The ids of this process's committed entries whose mail is not yet queued. The first
    id starts a timer; when it fires, the ids go to the queue in one task. With no delay
    configured (the tests), each id is queued at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ids: list[int] = []

    def add(self, entry_id: int) -> None:
        delay = settings.TIERDESK_MAIL_BATCH_MS / 1000
        if not delay:
            self.send([entry_id])
            return
        with self.lock:
            self.ids.append(entry_id)
            if len(self.ids) > 1:
                return  # the timer the first one started takes this one too
        timer = threading.Timer(delay, self.flush)
        timer.daemon = True  # a process stopping does not wait; the sweep resends
        timer.start()

    def flush(self) -> None:
        with self.lock:
            ids, self.ids = self.ids, []
        if ids:
            self.send(ids)

    @staticmethod
    def send(ids: list[int]) -> None:
        from tierdesk.desk.tasks import send_entries_mail_task

        send_entries_mail_task(ids)


_batch = _MailBatch()
# A process that ends within the delay (the MTA's pipe command, a management command)
# queues what it gathered on the way out; daemon timers would otherwise die with it.
atexit.register(_batch.flush)


def _entry(*, ticket, kind, body, to, subject, at, by=None, data=None, headers=None,
           save: bool = True) -> TicketEntry:
    mail = {"to": to, "subject": subject, "headers": headers or {}}
    entry = TicketEntry(
        ticket=ticket, kind=kind, body=body, author_user=by, channel=IntakeChannel.EMAIL
        if to and kind == EntryKind.REPLY else "", message_id=new_message_id() if to else "",
        data={**(data or {}), "mail": mail}, created_at=at,
    )
    if save:
        entry.save(force_insert=True)
        entry_queue_mail(entry)
    return entry


def acknowledgement_entry(*, ticket: Ticket, at, instructions: str = "",
                          thread: list[str] | None = None) -> TicketEntry:
    """The acknowledgement of ticket_acknowledged, NOT saved: the caller saves it (e.g.
    with other rows in one INSERT) and then calls entry_queue_mail."""
    body = render_to_string("desk/mail/acknowledgement.txt", {
        "ticket": ticket, "targets": target_lines(ticket), "instructions": instructions,
    })
    to = requester_address(ticket)
    kind = "outside_entitlement" if ticket.outside_entitlement else "acknowledgement"
    return _entry(ticket=ticket, kind=EntryKind.SYSTEM, body=body, to=[to] if to else [],
                  subject=subject_for(ticket), at=at, data={"notice": kind},
                  headers=_thread_headers(ticket, thread), save=False)


def ticket_acknowledged(*, ticket: Ticket, at, instructions: str = "",
                        thread: list[str] | None = None) -> TicketEntry:
    """Tell the requester the ticket exists, with the tier's targets; when the request came
    through a channel the tier does not include, also which channels are theirs. `thread`:
    the Message-IDs to answer, when the caller knows them (else they are read)."""
    entry = acknowledgement_entry(ticket=ticket, at=at, instructions=instructions,
                                  thread=thread)
    entry.save(force_insert=True)
    entry_queue_mail(entry)
    return entry


def ticket_replied(*, ticket: Ticket, body: str, by, at) -> TicketEntry:
    """A staff reply to the client: stored as a REPLY entry and e-mailed to the requester."""
    to = requester_address(ticket)
    return _entry(ticket=ticket, kind=EntryKind.REPLY, body=body, by=by,
                  to=[to] if to else [], subject=subject_for(ticket, "Re: "), at=at,
                  headers=_thread_headers(ticket))


def sla_notice(*, ticket: Ticket, target: str, threshold: str, at) -> TicketEntry:
    """Tell the assignee and the dispatchers that a threshold of a target has passed."""
    to = staff_recipients(ticket)
    label = TARGET_LABELS.get(target, target)
    if threshold == "breach":
        what = f"SLA breached: {label.lower()} was due {_fmt(ticket, target)}"
        prefix = "SLA BREACH "
    elif threshold == "drive":
        what = (f"On-site arrival due {_fmt(ticket, target)} cannot be met: the drive to "
                f"{ticket.site.name if ticket.site_id else 'the site'} alone takes longer")
        prefix = "SLA DRIVE "
    else:
        what = f"SLA warning: {float(threshold):.0%} of the {label.lower()} target has elapsed"
        prefix = "SLA WARNING "
    body = render_to_string("desk/mail/sla_notice.txt", {"ticket": ticket, "what": what})
    return _entry(ticket=ticket, kind=EntryKind.SYSTEM, body=body, to=to,
                  subject=subject_for(ticket, prefix), at=at,
                  data={"notice": "sla", "target": target, "threshold": threshold,
                        "internal": True})


def staff_recipients(ticket: Ticket) -> list[str]:
    emails = set(User.objects.filter(role=Role.DISPATCHER, is_active=True)
                 .exclude(email="").values_list("email", flat=True))
    if ticket.assignee_id and ticket.assignee.email:
        emails.add(ticket.assignee.email)
    return sorted(emails)


def target_lines(ticket: Ticket) -> list[str]:
    lines = []
    for name in ("first_response", "onsite", "resolution"):
        if due := getattr(ticket, f"{name}_due_at"):
            lines.append(f"{TARGET_LABELS[name]}: by {_fmt(ticket, name, due)}")
    return lines


def _fmt(ticket: Ticket, target: str, due=None) -> str:
    from zoneinfo import ZoneInfo

    due = due or getattr(ticket, f"{target}_due_at")
    if due is None:
        return "-"
    return due.astimezone(ZoneInfo(ticket.client.timezone)).strftime("%a %d %b %Y %H:%M %Z")


def entries_send(entry_ids: list[int]) -> int:
    """Send the mail of each entry in `entry_ids` (once, as entry_send); a message that
    fails is logged and left to the resend sweep, and the others still go. Returns how
    many were sent."""
    sent = 0
    for entry_id in entry_ids:
        try:
            sent += entry_send(entry_id)
        except Exception:
            logger.exception("mail of ticket entry %s not sent; the resend sweep retries it",
                             entry_id)
    return sent


def entry_send(entry_id: int) -> bool:
    """Send the mail stored on an entry, once: returns False when there is nothing to send or
    it was sent already (a retried task must not mail twice)."""
    entry = TicketEntry.objects.select_related("ticket").filter(pk=entry_id).first()
    if entry is None:
        return False
    mail = entry.data.get("mail") or {}
    if not mail.get("to") or entry.data.get("sent_at"):
        return False
    headers = {"Message-ID": entry.message_id, "Auto-Submitted": "auto-generated"
               if entry.kind == EntryKind.SYSTEM else "no", **mail.get("headers", {})}
    headers = {k: v for k, v in headers.items() if v and not (k == "Auto-Submitted" and v == "no")}
    EmailMessage(subject=mail["subject"], body=entry.body, to=mail["to"],
                 headers=headers).send()
    # Marked after sending: a crash in between resends once rather than losing the mail.
    data = {**entry.data, "sent_at": timezone.now().isoformat()}
    TicketEntry.objects.filter(pk=entry.pk).update(data=data)
    return True


#: An entry's own task gets this long before a sweep queues its mail again...
RESEND_AFTER = dt.timedelta(minutes=10)
#: ...and mail older than this is given up: a two-day-old acknowledgement helps nobody.
RESEND_WITHIN = dt.timedelta(days=2)
#: Queued again at most this many times (an address the server refuses stays refused).
RESEND_ATTEMPTS = 5


def entries_resend_unsent(*, now: dt.datetime | None = None) -> int:
    """Queue again the mail of entries that should have been sent and were not: stored with
    recipients, no `sent_at`, older than RESEND_AFTER and younger than RESEND_WITHIN, and
    queued again fewer than RESEND_ATTEMPTS times (counted in `data["resends"]`). Returns
    how many were queued. Sending twice is prevented by entry_send, which checks `sent_at`
    before it sends."""
    from tierdesk.desk.tasks import send_entry_mail_task

    now = now or clock.now()
    rows = (TicketEntry.objects.filter(created_at__gte=now - RESEND_WITHIN,
                                       created_at__lte=now - RESEND_AFTER,
                                       data__has_key="mail")
            .exclude(data__has_key="sent_at").values_list("pk", "data"))
    queued = 0
    for pk, data in rows:
        resends = data.get("resends", 0)
        if not (data.get("mail") or {}).get("to") or resends >= RESEND_ATTEMPTS:
            continue
        # Counted before queueing, so a send that keeps failing is not queued forever; and
        # only if still unsent, in the same statement: a late task that sent it meanwhile
        # wins (its `sent_at` is not overwritten).
        if (TicketEntry.objects.filter(pk=pk).exclude(data__has_key="sent_at")
                .update(data={**data, "resends": resends + 1})):
            send_entry_mail_task(pk)
            queued += 1
    return queued
