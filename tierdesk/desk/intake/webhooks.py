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

from django.db import IntegrityError, transaction

from tierdesk.desk.models import InboundMessage, InboundStatus


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
