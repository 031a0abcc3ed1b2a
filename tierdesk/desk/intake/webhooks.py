"""Raw storage shared by the voice and monitoring webhooks.

The order is always: store the exact request body (committed on its own, before anything is
parsed), then process it in one transaction that first re-reads the stored row under a
lock. A delivery whose `(source, dedupe_key)` is stored already is a replay: it finds the
row, sees that it is processed, and gets the stored outcome back — nothing is created twice.
A row still RECEIVED (a crash halfway through processing) is processed by the next delivery.

Requests that fail authentication are stored too, REJECTED, but never under the real dedupe
key (a forger could otherwise "use up" a genuine CallSid or alert id): their key is a hash
of the body and the credentials presented, so a flood of identical forgeries is one row.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tierdesk.core import clock
from tierdesk.core.events import record
from tierdesk.desk.models import InboundMessage, InboundStatus

ST = InboundStatus

#: How a stored request may move, whatever its source. RECEIVED is decided once by
#: processing (or by the retry after a crash); a HELD one is resolved by staff in triage:
#: ticketed for a client they pick (an alert may fold into the client's open alert ticket, or
#: be a "resolved" alert that is only recorded), or rejected. Nothing else moves.
INBOUND_TRANSITIONS: dict[str, frozenset[str]] = {
    ST.RECEIVED: frozenset({ST.TICKETED, ST.THREADED, ST.FOLDED, ST.HELD, ST.RECORDED,
                            ST.REJECTED}),
    ST.HELD: frozenset({ST.TICKETED, ST.FOLDED, ST.RECORDED, ST.REJECTED}),
}

#: Appended to the reason of a row that the periodic retry processed after a crash.
RECOVERED = "recovered by the retry after a failed first processing"


def inbound_check_transition(old: str, new: str) -> None:
    """The one place the allowed moves of an InboundMessage are enforced."""
    if new not in INBOUND_TRANSITIONS.get(old, frozenset()):
        raise ValidationError({"status": f"a {old} message cannot become {new}"})


def body_hash(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def inbound_store(*, source: str, dedupe_key: str, raw: bytes, at: datetime, sender: str = "",
                  summary: str = "", status: str = InboundStatus.RECEIVED,
                  reason: str = "") -> tuple[InboundMessage, bool]:
    """Store one request as received; returns (row, created). An existing row with the same
    key is returned unchanged (created False)."""
    fields = {
        "raw": bytes(raw), "size": len(raw), "sender": sender[:300], "summary": summary[:300],
        "status": status, "reason": reason, "received_at": at,
        "processed_at": at if status != InboundStatus.RECEIVED else None,
    }
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(source=source, dedupe_key=dedupe_key[:300],
                                                 **fields), True
    except IntegrityError:
        return InboundMessage.objects.get(source=source, dedupe_key=dedupe_key[:300]), False


def inbound_lock(inbound: InboundMessage) -> InboundMessage:
    """Re-read the row under a lock (inside the processing transaction), so two deliveries
    of the same request never both process it."""
    return InboundMessage.objects.select_for_update().get(pk=inbound.pk)


def inbound_finish(inbound: InboundMessage, *, status: str, reason: str, at: datetime,
                   ticket=None) -> InboundMessage:
    """Record what processing did with the row."""
    inbound_check_transition(inbound.status, status)
    inbound.status = status
    inbound.reason = reason
    inbound.processed_at = at
    if ticket is not None:
        inbound.ticket = ticket
    inbound.save(update_fields=["status", "reason", "processed_at", "ticket"])
    return inbound


def inbound_fail(inbound: InboundMessage, *, exc: Exception, at: datetime) -> InboundMessage:
    """Processing raised: keep the row and hold it for triage with the error as the reason
    (the processing transaction rolled back, so nothing half-written remains)."""
    reason = f"processing failed: {type(exc).__name__}: {exc}"[:2000]
    InboundMessage.objects.filter(pk=inbound.pk).update(
        status=InboundStatus.HELD, reason=reason, processed_at=at)
    inbound.status, inbound.reason, inbound.processed_at = InboundStatus.HELD, reason, at
    return inbound


def inbound_reject(*, inbound: InboundMessage, by, reason: str) -> tuple[InboundMessage, bool]:
    """Staff decide a HELD request (of any source) needs no ticket — spam, a wrong number, an
    alert of a device nobody manages: it stays stored, REJECTED with their reason, and the
    decision is audited. Returns (row, changed): a row no longer held (a second click, or a
    colleague was faster) is returned unchanged with changed=False. Error: empty `reason`."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "say why this needs no ticket"})
    with transaction.atomic():
        row = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
        if row.status != ST.HELD:
            return row, False
        inbound_check_transition(row.status, ST.REJECTED)
        row.status = ST.REJECTED
        row.reason = f"rejected by {by}: {reason.strip()} (was held: {row.reason})"[:4000]
        row.processed_at = clock.now()
        row.save(update_fields=["status", "reason", "processed_at"])
        record(action="inbound.rejected", obj=row, by=by, message=reason.strip()[:200])
    return row, True
