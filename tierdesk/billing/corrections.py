"""Corrections: editing a session whose billing period is closed.

A period is closed once an invoice of the agreement for a later period exists
(`classification.period_closed`): that invoice billed the period's work, and
`session_update` refuses its sessions. They are corrected with `session_correct`
instead, and the money difference becomes an adjustment item (billing/items.py
`adjustment_create`) that the agreement's next invoice bills — a charge, or a negative
credit. Two kinds of sessions live in a closed period:

* An **invoiced** session (overage or billable work on an invoice line) stays exactly as
  invoiced, and so do its line and the period's allowance ledger: the adjustment is the
  difference between what the corrected session would have been charged and what was
  invoiced (`session.amount`).
* A session **never invoiced** (included, allowance or internal work: no line bills it)
  is re-classified and stored with its new times and class. Its units in the period's
  ledger change with it, so `sessions_used` stays the sum of the period's sessions'
  units (and never above what is included); the other sessions of the period keep the
  class they were billed by. The adjustment is the difference between its new charge and
  its stored one (what the client was billed for it: nothing, or earlier adjustments).
  It stays in its period (a correction cannot move it to another month) and is never
  billed in arrears: the invoice run reads only open periods.

Both are priced on the session's own terms: its agreement's plan version and its period's
allowance snapshot, with the units the period's other sessions hold
(`classification.correction_result`). Work that a correction makes billable above the
tier's approval threshold needs the client's approved estimate first, as when it is
logged. Bad input (end before start, negative travel, an overlap with another session of
the technician) raises ValidationError naming the field, and nothing is stored.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from tierdesk.billing import events
from tierdesk.billing.classification import (
    Result,
    correction_result,
    period_closed,
    preview_warning,
    terms_for,
)
from tierdesk.billing.items import adjustment_create
from tierdesk.billing.ledger import ledger_lock, period_start_for
from tierdesk.billing.models import BillableItem, Invoice, InvoiceKind, WorkSession
from tierdesk.billing.sessions import (
    _lock_session,
    _require_approval,
    _snapshot,
    _validate,
    charge_preview,
)
from tierdesk.core import clock
from tierdesk.core.events import diff

#: What a correction may change: what decides the class and the charge.
CORRECTABLE = ("started_at", "ended_at", "mode", "work_type", "service", "service_id",
               "travel_minutes")
_TIMES = ("started_at", "ended_at", "mode", "work_type", "service_id", "travel_minutes")
_PRICED = ("classification", "reason", "allowance_units", "overage_units", "billable_minutes",
           "after_hours_minutes", "rate", "amount")


def session_in_closed_period(session: WorkSession) -> bool:
    """A finished session, never invoiced, whose billing period is closed: corrected (not
    edited), re-classified in place."""
    return bool(not session.invoiced_line_id and session.ended_at is not None
                and session.agreement_id and session.period_start
                and period_closed(session.agreement_id, session.period_start))


def session_needs_correction(session: WorkSession) -> bool:
    """Whether an edit of `session` goes through `session_correct`."""
    return bool(session.invoiced_line_id) or session_in_closed_period(session)


def _closing_invoice(session: WorkSession) -> Invoice | None:
    """The invoice that closed the session's period (the first for a later period)."""
    return (Invoice.objects.filter(agreement_id=session.agreement_id, kind=InvoiceKind.INVOICE,
                                   period_start__gt=session.period_start)
            .order_by("period_start", "id").first())


def _description(session: WorkSession) -> str:
    day = session.started_at.astimezone(ZoneInfo(session.client.timezone)).date()
    on = session.ticket.reference if session.ticket_id else str(session.client)
    if session.invoiced_line_id:
        where = f"invoiced on {session.invoiced_line.invoice.number}"
    else:
        closing = _closing_invoice(session)
        where = (f"{session.period_start:%B %Y} closed by {closing.number}" if closing
                 else f"{session.period_start:%B %Y} closed")
    return f"Correction of {day.day} {day:%b %Y} session on {on} ({where})"


def _corrected(session: WorkSession, changes: dict) -> WorkSession:
    """An unsaved copy of `session` with `changes` applied."""
    corrected = copy.copy(session)
    changes = dict(changes)
    if "service" in changes:
        changes["service_id"] = getattr(changes.pop("service"), "pk", None)
    for name, value in changes.items():
        setattr(corrected, name, value)
    corrected.started_at = clock.require_aware(corrected.started_at, "started_at")
    if corrected.ended_at is None:
        raise ValidationError({"ended_at": "a corrected session needs an end"})
    corrected.ended_at = clock.require_aware(corrected.ended_at, "ended_at")
    if corrected.ended_at <= corrected.started_at:
        raise ValidationError({"ended_at": "the session must end after it starts"})
    return corrected


@dataclass(frozen=True)
class EditPreview:
    """What an edited session would be: its class, reason and charge, the warning the
    technician gets before logging such work (allowance used up, out of scope, approval
    needed), and for a session of a closed period the adjustment a correction would leave
    (`difference`)."""

    classification: str
    reason: str
    amount: Decimal
    difference: Decimal | None
    warning: str = ""
    needs_approval: bool = False


def session_edit_preview(*, session: WorkSession, **changes) -> EditPreview:
    """Classify `session` with `changes` (any of CORRECTABLE) without storing anything: the
    live preview of the edit form. Priced like a correction (the session's own terms and
    period, its own allowance units given back), so it is what `session_update` stores for
    an edit within the period and exactly what `session_correct` bills for a correction."""
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "cannot be previewed"})
    corrected = _corrected(session, changes)
    result = correction_result(original=session, corrected=corrected)
    needs, warning = preview_warning(result, terms_for(session.agreement))
    return EditPreview(result.classification, result.reason, result.amount,
                       result.amount - session.amount if session_needs_correction(session)
                       else None, warning, needs)


def _reclassify_closed(session: WorkSession, corrected: WorkSession) -> Result:
    """Store `corrected` over `session` (never invoiced, in a closed period), re-classified
    on its own terms, and move its allowance units in the period's ledger (locked)."""
    if period_start_for(session.client, corrected.started_at) != session.period_start:
        raise ValidationError({"started_at": f"a correction stays in its billing period "
                                             f"({session.period_start:%B %Y}); log work of "
                                             "another month as a new session"})
    ledger = ledger_lock(agreement_id=session.agreement_id, period_start=session.period_start,
                         agreement=session.agreement)
    result = correction_result(original=session, corrected=corrected)
    ledger.sessions_used = (max(0, ledger.sessions_used - session.allowance_units)
                            + result.allowance_units)
    ledger.save(update_fields=["sessions_used"])
    for name in _TIMES:
        setattr(session, name, getattr(corrected, name))
    for name in _PRICED:
        setattr(session, name, getattr(result, name))
    session.classified_at = clock.now()
    session.save(update_fields=[*_TIMES, *_PRICED, "classified_at", "updated_at"])
    return result


def session_correct(*, session: WorkSession, by, **changes) -> BillableItem | None:
    """Correct a session of a closed period (any of CORRECTABLE; see the module docstring):
    an invoiced one stays as invoiced, one never invoiced is re-classified in place; the
    money difference becomes an adjustment item for the agreement's next invoice, returned
    (None when the charge does not change). The audit event holds the before/after
    values. A session whose period is still open is refused (edit it with
    `session_update`)."""
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "cannot be corrected"})
    with transaction.atomic():
        fresh = _lock_session(session.pk, "client", "ticket", "agreement__plan_version__plan",
                              "technician", "invoiced_line__invoice")
        invoiced = bool(fresh.invoiced_line_id)
        if not invoiced and not session_in_closed_period(fresh):
            raise ValidationError({"started_at": "this session's period is still open: edit "
                                                 "it instead"})
        corrected = _corrected(fresh, changes)
        if _snapshot(corrected) == _snapshot(fresh):
            return None  # the same times and work: nothing to correct
        _validate(corrected)
        _require_approval(corrected, corrected.minutes,
                          before=charge_preview(fresh, fresh.minutes))
        before = {**_snapshot(fresh), **{k: getattr(fresh, k) for k in _PRICED}}
        charged = fresh.amount
        description = _description(fresh)
        if invoiced:
            result = correction_result(original=fresh, corrected=corrected)
        else:
            result = _reclassify_closed(fresh, corrected)
        difference = result.amount - charged
        after = {**_snapshot(corrected), **{k: getattr(result, k) for k in _PRICED}}
        if difference == 0 and (invoiced or before == after):
            return None
        item = None
        if difference:
            item = adjustment_create(
                client=fresh.client, agreement=fresh.agreement, ticket=fresh.ticket,
                description=description, amount=difference,
                starts_on=clock.now().astimezone(ZoneInfo(fresh.client.timezone)).date(),
                by=by)
        label = item.description if item else description
        events.session_corrected_event(
            session=fresh, item=item, by=by, changes=diff(before, after),
            message=f"{label}: {difference:+} ({result.reason})")
    return item
