"""Work sessions: the timer, manual logs, edits and deletion. Every write classifies.

A session is for a ticket (its client) or for a client directly (e.g. a work order). Bad
input — end before start, negative travel, overlapping time of one technician, a period
already invoiced, an invoiced session — raises ValidationError naming the field, and
nothing changes (one transaction per call). Out-of-scope work whose expected charge is
above the tier's approval threshold is refused until the ticket has an approved estimate.

Once invoiced a session is locked (`session_update`/`session_delete` refuse it): its invoice
line is history. A correction goes through `session_correct`, which leaves the session and
its line untouched and leaves the money difference as an adjustment item for the next
invoice of the agreement.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from tierdesk.billing import events
from tierdesk.billing.classification import (
    classification_preview,
    correction_result,
    session_classify,
)
from tierdesk.billing.items import adjustment_create
from tierdesk.billing.ledger import agreement_in_effect
from tierdesk.billing.models import (
    ApprovalRequest,
    ApprovalState,
    BillableItem,
    SessionMode,
    SessionWorkType,
    WorkSession,
)
from tierdesk.core import clock
from tierdesk.core.events import diff

EDITABLE = ("started_at", "ended_at", "mode", "work_type", "service_id", "travel_minutes",
            "notes")


def _snapshot(session: WorkSession) -> dict:
    return {name: getattr(session, name) for name in EDITABLE}


def _validate(session: WorkSession) -> None:
    errors = {}
    if session.started_at is None:
        errors["started_at"] = "a start time is required"
    if session.ended_at is not None and session.started_at is not None \
            and session.ended_at <= session.started_at:
        errors["ended_at"] = "the session must end after it starts"
    if session.travel_minutes is None or session.travel_minutes < 0:
        errors["travel_minutes"] = "travel minutes cannot be negative"
    if session.mode not in SessionMode.values:
        errors["mode"] = f"unknown mode {session.mode!r}"
    if session.work_type not in SessionWorkType.values:
        errors["work_type"] = f"unknown work type {session.work_type!r}"
    if errors:
        raise ValidationError(errors)
    # Another session of the same technician that overlaps [start, end); a running timer
    # overlaps everything after its start.
    end = session.ended_at or datetime.max.replace(tzinfo=session.started_at.tzinfo)
    clash = (WorkSession.objects.select_for_update()
             .filter(technician=session.technician, started_at__lt=end)
             .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=session.started_at))
             .exclude(pk=session.pk).first())
    if clash is not None:
        field = "started_at" if clash.started_at <= session.started_at else "ended_at"
        what = "a running timer" if clash.ended_at is None else "another session"
        raise ValidationError({field: f"overlaps {what} of {session.technician} "
                                      f"from {clash.started_at:%Y-%m-%d %H:%M} UTC"})


def _require_approval(session: WorkSession, minutes: int) -> None:
    """Refuse out-of-scope work above the tier's threshold without an approved estimate."""
    if session.work_type == SessionWorkType.INTERNAL:
        return
    preview = classification_preview(
        ticket=session.ticket, client=session.client, technician=session.technician,
        started_at=session.started_at, minutes=minutes, mode=session.mode,
        work_type=session.work_type, service=session.service_id,
        travel_minutes=session.travel_minutes)
    if not preview.needs_approval:
        return
    approved = session.ticket_id and ApprovalRequest.objects.filter(
        ticket_id=session.ticket_id, state=ApprovalState.APPROVED).exists()
    if not approved:
        raise ValidationError({"ticket": f"expected charge {preview.expected_charge} is above "
                                         "the tier's approval threshold: request the client's "
                                         "approval of an estimate first"})


def _new(*, ticket, client, technician, started_at, ended_at, mode, work_type, service,
         travel_minutes, notes) -> WorkSession:
    if ticket is None and client is None:
        raise ValidationError({"ticket": "a session is for a ticket or a client"})
    client = client or ticket.client
    if ticket is not None and ticket.client_id != client.pk:
        raise ValidationError({"ticket": "the ticket belongs to another client"})
    started_at = clock.require_aware(started_at, "started_at")
    if ended_at is not None:
        ended_at = clock.require_aware(ended_at, "ended_at")
    session = WorkSession(
        ticket=ticket, client=client, technician=technician, started_at=started_at,
        ended_at=ended_at, mode=mode, work_type=work_type,
        service_id=getattr(service, "pk", service), travel_minutes=travel_minutes,
        notes=notes)
    session.agreement = agreement_in_effect(client=client, ticket=ticket, on=started_at)
    return session


def session_log(*, technician, started_at: datetime, ended_at: datetime, ticket=None,
                client=None, mode: str = SessionMode.REMOTE,
                work_type: str = SessionWorkType.HELPDESK, service=None,
                travel_minutes: int = 0, notes: str = "") -> WorkSession:
    """Log a finished session (entered by hand) and classify it."""
    with transaction.atomic():
        session = _new(ticket=ticket, client=client, technician=technician,
                       started_at=started_at, ended_at=ended_at, mode=mode,
                       work_type=work_type, service=service, travel_minutes=travel_minutes,
                       notes=notes)
        _validate(session)
        _require_approval(session, session.minutes)
        session_classify(session=session)
        events.session_logged_event(session=session, by=technician)
    return session


def session_start(*, technician, ticket=None, client=None, at: datetime | None = None,
                  mode: str = SessionMode.REMOTE, work_type: str = SessionWorkType.HELPDESK,
                  service=None, expected_minutes: int = 30, notes: str = "") -> WorkSession:
    """Start a timer. Refused while the technician has one running (overlap), or when the
    expected work needs an approved estimate first."""
    with transaction.atomic():
        session = _new(ticket=ticket, client=client, technician=technician,
                       started_at=at or clock.now(), ended_at=None, mode=mode,
                       work_type=work_type, service=service, travel_minutes=0, notes=notes)
        _validate(session)
        _require_approval(session, expected_minutes)
        session_classify(session=session)
        events.session_started_event(session=session, by=technician)
    return session


def session_stop(*, session: WorkSession, by, at: datetime | None = None,
                 travel_minutes: int | None = None, notes: str | None = None) -> WorkSession:
    """Stop a running timer and classify the session."""
    if session.ended_at is not None:
        raise ValidationError({"ended_at": "this timer is already stopped"})
    changes = {"ended_at": at or clock.now()}
    if travel_minutes is not None:
        changes["travel_minutes"] = travel_minutes
    if notes is not None:
        changes["notes"] = notes
    # A session shorter than a minute still ran: round it up to one.
    if changes["ended_at"] - session.started_at < timedelta(minutes=1):
        changes["ended_at"] = session.started_at + timedelta(minutes=1)
    return session_update(session=session, by=by, **changes)


def session_update(*, session: WorkSession, by, **changes) -> WorkSession:
    """Edit a session (any of EDITABLE) and re-classify it. Invoiced sessions are locked."""
    unknown = set(changes) - set(EDITABLE) - {"service"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "cannot be changed"})
    with transaction.atomic():
        fresh = WorkSession.objects.select_for_update(of=("self",)).select_related(
            "client", "ticket", "agreement__plan_version__plan", "technician"
        ).get(pk=session.pk)
        if fresh.invoiced_line_id:
            raise ValidationError({"started_at": "this session is invoiced and locked; a "
                                                 "correction becomes an adjustment on the "
                                                 "next invoice"})
        before = _snapshot(fresh)
        if "service" in changes:
            changes["service_id"] = getattr(changes.pop("service"), "pk", None)
        for name, value in changes.items():
            setattr(fresh, name, value)
        fresh.started_at = clock.require_aware(fresh.started_at, "started_at")
        if fresh.ended_at is not None:
            fresh.ended_at = clock.require_aware(fresh.ended_at, "ended_at")
        fresh.agreement = agreement_in_effect(client=fresh.client, ticket=fresh.ticket,
                                              on=fresh.started_at)
        _validate(fresh)
        session_classify(session=fresh)
        events.session_updated_event(session=fresh, by=by, changes=diff(before,
                                                                        _snapshot(fresh)))
    return fresh


def session_delete(*, session: WorkSession, by) -> None:
    """Delete a session, giving its allowance units back. Invoiced sessions are locked."""
    with transaction.atomic():
        fresh = WorkSession.objects.select_for_update(of=("self",)).select_related("client").get(
            pk=session.pk)
        if fresh.invoiced_line_id:
            raise ValidationError({"started_at": "this session is invoiced and locked; a "
                                                 "correction becomes an adjustment on the "
                                                 "next invoice"})
        # Re-classifying as a running timer gives the units back through the one path.
        fresh.ended_at = None
        session_classify(session=fresh)
        events.session_deleted_event(session=session, by=by)
        fresh.delete()


#: What a correction may change: what decides the class and the charge.
CORRECTABLE = ("started_at", "ended_at", "mode", "work_type", "service", "service_id",
               "travel_minutes")
_PRICED = ("classification", "reason", "allowance_units", "overage_units", "billable_minutes",
           "after_hours_minutes", "rate", "amount")


def _correction_description(session: WorkSession) -> str:
    day = session.started_at.astimezone(ZoneInfo(session.client.timezone)).date()
    on = session.ticket.reference if session.ticket_id else str(session.client)
    return (f"Correction of {day.day} {day:%b %Y} session on {on} "
            f"(invoiced on {session.invoiced_line.invoice.number})")


def _corrected(session: WorkSession, changes: dict) -> WorkSession:
    """An unsaved copy of `session` with `changes` applied (never saved: only priced)."""
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
    """What an edited session would be: its class, reason and charge, and for an invoiced
    session the adjustment a correction would leave (`difference`)."""

    classification: str
    reason: str
    amount: Decimal
    difference: Decimal | None


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
    invoiced = bool(session.invoiced_line_id)
    return EditPreview(result.classification, result.reason, result.amount,
                       result.amount - session.amount if invoiced else None)


def session_correct(*, session: WorkSession, by, **changes) -> BillableItem | None:
    """Correct an invoiced session (any of CORRECTABLE): the session and its invoice line
    stay as they are, and the difference between what the corrected session would have
    been charged and what was invoiced (`session.amount`) becomes an adjustment item — a
    charge, or a negative credit — that the next invoice of the agreement bills.

    The corrected charge is classified on the original's terms (its agreement's plan
    version and its period's allowance, `classification.correction_result`), even if the
    new times fall on another day. Allowance units are NOT re-counted: the period is
    invoiced and its ledger is history the client has been billed by; the adjustment
    carries the money instead. A difference of zero creates nothing and returns None.
    Bad input (end before start, negative travel, overlapping another session of the
    technician) raises ValidationError naming the field; a session that is not invoiced is
    refused (edit it with `session_update`). The audit event holds the before/after values.
    """
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "cannot be corrected"})
    with transaction.atomic():
        fresh = WorkSession.objects.select_for_update(of=("self",)).select_related(
            "client", "ticket", "agreement__plan_version__plan", "technician",
            "invoiced_line__invoice").get(pk=session.pk)
        if not fresh.invoiced_line_id:
            raise ValidationError({"started_at": "this session is not invoiced: edit it "
                                                 "instead"})
        corrected = _corrected(fresh, changes)
        _validate(corrected)
        result = correction_result(original=fresh, corrected=corrected)
        difference = result.amount - fresh.amount
        if difference == 0:
            return None
        item = adjustment_create(
            client=fresh.client, agreement=fresh.agreement, ticket=fresh.ticket,
            description=_correction_description(fresh), amount=difference,
            starts_on=clock.now().astimezone(ZoneInfo(fresh.client.timezone)).date(), by=by)
        before = {**_snapshot(fresh), **{k: getattr(fresh, k) for k in _PRICED}}
        after = {**_snapshot(corrected), **{k: getattr(result, k) for k in _PRICED}}
        events.session_corrected_event(
            session=fresh, item=item, by=by, changes=diff(before, after),
            message=f"{item.description}: {difference:+} ({result.reason})")
    return item
