"""Intake triage and recovery over every source (e-mail, voice, monitoring).

Triage: a request that processing could not place (an unknown sender, caller or client; a
mail loop; a processing failure) is HELD. Staff resolve it on the triage page through
`inbound_triage_assign` (the source decides what opens: the e-mail's ticket, a callback for
a call, the alert ticket through the monitoring path) or `inbound_triage_reject` (kept,
REJECTED with the reason). Both are idempotent: a row that is no longer held — a second
click, a colleague who was faster — is returned unchanged with changed=False, and nothing
else happens. Both are audited ("inbound.assigned" / "inbound.rejected").

Recovery: a row still RECEIVED means its first processing died before it could record any
outcome (a killed worker, a lost database connection). `inbound_retry_pending` processes
those of every source, oldest first, each under a row lock and only while still RECEIVED,
so running it twice or concurrently processes each row once. It is scheduled every minute
in tierdesk/schedules/tasks.py.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from tierdesk.clients.models import Client, Contact
from tierdesk.core import clock
from tierdesk.desk.intake import email, rmm, voice
from tierdesk.desk.intake.webhooks import inbound_lock, inbound_reject
from tierdesk.desk.models import InboundMessage, InboundSource, InboundStatus

log = logging.getLogger(__name__)

SOURCES = tuple(InboundSource.values)


# --- selectors -------------------------------------------------------------------------------

def inbound_held_list(*, source: str = "") -> QuerySet[InboundMessage]:
    """Held requests, newest first, without their raw bodies; `source` ("" for all)."""
    rows = InboundMessage.objects.filter(status=InboundStatus.HELD)
    if source:
        rows = rows.filter(source=source)
    return rows.defer("raw").order_by("-received_at", "-id")


def inbound_held_count() -> int:
    """How many requests wait in triage (an indexed count on status)."""
    return InboundMessage.objects.filter(status=InboundStatus.HELD).count()


# --- triage ----------------------------------------------------------------------------------

def inbound_triage_assign(*, inbound: InboundMessage, client: Client,
                          contact: Contact | None = None, by) -> tuple[InboundMessage, bool]:
    """Staff say who a HELD request is from. E-mail: its ticket opens for `client` (as
    `contact`) with its text and files. Voice: a callback ticket opens on the channel the
    call came in on. Monitoring: the alert is processed as the webhook would, for `client`.
    Returns (row, changed); the row records status, reason and ticket. Errors: `contact` of
    another client, an inactive client, and whatever the source's service refuses."""
    if contact is not None and contact.client_id != client.pk:
        raise ValidationError({"contact": "the contact belongs to another client"})
    if not client.is_active:
        raise ValidationError({"client": "the client is not active"})
    with transaction.atomic():
        row = inbound_lock(inbound)
        if row.status != InboundStatus.HELD:
            return row, False
        if row.source == InboundSource.EMAIL:
            row = email.email_triage_assign(inbound=row, client=client, contact=contact, by=by)
        elif row.source == InboundSource.VOICE:
            row = voice.voice_triage_callback(inbound=row, client=client, contact=contact,
                                              by=by)
        else:
            row = rmm.rmm_triage_assign(inbound=row, client=client, by=by)
    return row, True


def inbound_triage_reject(*, inbound: InboundMessage, by,
                          reason: str) -> tuple[InboundMessage, bool]:
    """Staff decide a HELD request needs no ticket: kept, REJECTED with `reason`, audited.
    Returns (row, changed). Error: empty `reason`."""
    return inbound_reject(inbound=inbound, by=by, reason=reason)


# --- recovery --------------------------------------------------------------------------------

def inbound_process_stored(inbound: InboundMessage) -> InboundMessage:
    """Process one stored RECEIVED row with its source's processing (idempotent)."""
    if inbound.source == InboundSource.EMAIL:
        return email.email_process(inbound)
    if inbound.source == InboundSource.VOICE:
        return voice.voice_recover(inbound=inbound)
    return rmm.rmm_recover(inbound=inbound)


def inbound_retry_pending(*, older_than_seconds: int = 60, limit: int = 500) -> int:
    """Process stored requests of every source still RECEIVED after `older_than_seconds`
    (younger ones belong to the process handling them now), oldest first, at most `limit`.
    Idempotent and safe with several workers; returns how many were processed now. A row
    that fails again is held for triage with the error (voice, monitoring) or left for the
    next run when the database itself failed (e-mail, as email_process decides)."""
    cutoff = clock.now() - timedelta(seconds=older_than_seconds)
    ids = list(InboundMessage.objects.filter(
        status=InboundStatus.RECEIVED, received_at__lte=cutoff,
    ).order_by("received_at", "id").values_list("id", flat=True)[:limit])
    done = 0
    for pk in ids:
        row = InboundMessage.objects.filter(pk=pk).first()
        if row is None:
            continue
        try:
            if inbound_process_stored(row).status != InboundStatus.RECEIVED:
                done += 1
        except Exception:  # one bad row must not stop the others
            log.exception("inbound %s still not processed", pk)
    return done
