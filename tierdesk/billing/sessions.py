"""Work sessions: the timer, manual logs, edits and deletion. Every write classifies.

A session is for a ticket (its client), a maintenance work order (its client; always
maintenance of the work order's services) or a client directly. Bad
input — end before start, negative travel, overlapping time of one technician, a period
already invoiced, an invoiced session — raises ValidationError naming the field, and
nothing changes (one transaction per call). Out-of-scope work whose expected charge is
above the tier's approval threshold is refused until the ticket has an approved estimate:
when it is logged, when its timer starts (on the expected minutes), and when an edit makes
it so or raises its charge (stopping a timer is never refused for it: the work is done).

A running timer's start is not in the future, nor in a closed period; an edit may move it
back at most 24 hours (a longer timer was forgotten: log that work by hand).

Once its billing period is closed (invoiced) a session is locked (`session_update`/
`session_delete` refuse it); a correction goes through billing/corrections.py
`session_correct`, which leaves the money difference as an adjustment item for the next
invoice of the agreement.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from tierdesk.billing import events
from tierdesk.billing.classification import (
    Preview,
    classification_preview,
    session_classify,
)
from tierdesk.billing.ledger import agreement_in_effect, agreements_lock
from tierdesk.billing.models import (
    ApprovalRequest,
    ApprovalState,
    SessionMode,
    SessionWorkType,
    WorkSession,
)
from tierdesk.core import clock
from tierdesk.core.events import diff
from tierdesk.maintenance.models import WorkOrderStatus
from tierdesk.maintenance.selectors import workorder_services

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


def _preview(session: WorkSession, minutes: int) -> Preview:
    return classification_preview(
        ticket=session.ticket, client=session.client, technician=session.technician,
        started_at=session.started_at, minutes=minutes, mode=session.mode,
        work_type=session.work_type, service=session.service_id,
        travel_minutes=session.travel_minutes)


def _minutes(session: WorkSession) -> int:
    """The session's minutes; for a running timer, those it has run so far (at least 1)."""
    if session.ended_at is not None:
        return session.minutes
    return max(1, int((clock.now() - session.started_at).total_seconds() // 60))


def charge_preview(session: WorkSession, minutes: int) -> Preview | None:
    """What logging `session` (as stored) would be told before the work, or None when it
    cannot be classified (internal work, no agreement in effect)."""
    if session.work_type == SessionWorkType.INTERNAL:
        return None
    try:
        return _preview(session, minutes)
    except ValidationError:
        return None


def _require_approval(session: WorkSession, minutes: int, *,
                      before: Preview | None = None) -> None:
    """Refuse out-of-scope work above the tier's threshold without an approved estimate.
    For an edit, `before` is what the session was: an edit is refused only when it makes
    the work need approval, or raises the charge of work that needed it."""
    if session.work_type == SessionWorkType.INTERNAL:
        return
    preview = _preview(session, minutes)
    if not preview.needs_approval:
        return
    if (before is not None and before.needs_approval
            and preview.expected_charge <= before.expected_charge):
        return
    approved = session.ticket_id and ApprovalRequest.objects.filter(
        ticket_id=session.ticket_id, state=ApprovalState.APPROVED).exists()
    if not approved:
        raise ValidationError({"ticket": f"expected charge {preview.expected_charge} is above "
                                         "the tier's approval threshold: request the client's "
                                         "approval of an estimate first"})


def _validate_timer_start(session: WorkSession, *, moved: bool) -> None:
    """A running timer's start: not in the future (a minute of clock skew aside); moved by
    an edit, at most 24 hours back."""
    now = clock.now()
    if session.started_at > now + timedelta(minutes=1):
        raise ValidationError({"started_at": "a running timer cannot start in the future"})
    if moved and session.started_at < now - timedelta(hours=24):
        raise ValidationError({"started_at": "a running timer can start at most 24 hours "
                                             "ago; log longer work by hand"})


def _lock_session(pk: int, *related: str, also: tuple = ()) -> WorkSession:
    """The session FOR UPDATE, its agreement's row (and the agreements `also`, e.g. the one
    an edit moves it to) locked first, in id order: the order in which the invoice run
    takes them (ledger.agreements_lock), so the two never deadlock."""
    agreements_lock(ids=[*WorkSession.objects.filter(pk=pk).values_list("agreement_id",
                                                                         flat=True), *also])
    return (WorkSession.objects.select_for_update(of=("self",)).select_related(*related)
            .get(pk=pk))


def _moves_to(session: WorkSession, changes: dict) -> tuple:
    """The agreement an edit of `session` to a new start would classify it by (read
    before any lock, so it can be locked in order with the session's own)."""
    if "started_at" not in changes or changes["started_at"] is None:
        return ()
    current = WorkSession.objects.select_related("client", "ticket", "work_order").get(
        pk=session.pk)
    moved = agreement_in_effect(client=current.client, ticket=current.ticket,
                                on=changes["started_at"], work_order=current.work_order)
    return (moved.pk,) if moved is not None else ()


def _for_work_order(*, work_order, ticket, client, work_type, service) -> tuple:
    """A session on a maintenance work order is maintenance of one of the work order's
    services (its task's; the first one unless another of them is named), for its client.
    Returns (client, work_type, service id)."""
    if ticket is not None:
        raise ValidationError({"work_order": "a session is for a ticket or a work order, "
                                             "not both"})
    if client is not None and client.pk != work_order.client_id:
        raise ValidationError({"work_order": "the work order belongs to another client"})
    if work_order.status == WorkOrderStatus.CANCELLED:
        raise ValidationError({"work_order": f"{work_order.reference} is cancelled"})
    if work_type not in (None, SessionWorkType.MAINTENANCE):
        raise ValidationError({"work_type": "time on a work order is maintenance"})
    services = workorder_services(work_order)
    service_id = getattr(service, "pk", service)
    if service_id is None:
        service_id = services[0].pk if services else None
    elif service_id not in {s.pk for s in services}:
        names = ", ".join(s.name for s in services) or "none"
        raise ValidationError({"service": f"not a service of {work_order.reference} "
                                          f"(its services: {names})"})
    return work_order.client, SessionWorkType.MAINTENANCE, service_id


def _new(*, ticket, client, technician, started_at, ended_at, mode, work_type, service,
         travel_minutes, notes, work_order=None) -> WorkSession:
    if work_order is not None:
        client, work_type, service = _for_work_order(
            work_order=work_order, ticket=ticket, client=client, work_type=work_type,
            service=service)
    elif work_type is None:
        work_type = SessionWorkType.HELPDESK
    if ticket is None and client is None:
        raise ValidationError({"ticket": "a session is for a ticket or a client"})
    client = client or ticket.client
    if ticket is not None and ticket.client_id != client.pk:
        raise ValidationError({"ticket": "the ticket belongs to another client"})
    started_at = clock.require_aware(started_at, "started_at")
    if ended_at is not None:
        ended_at = clock.require_aware(ended_at, "ended_at")
    session = WorkSession(
        ticket=ticket, work_order=work_order, client=client, technician=technician,
        started_at=started_at, ended_at=ended_at, mode=mode, work_type=work_type,
        service_id=getattr(service, "pk", service), travel_minutes=travel_minutes,
        notes=notes)
    session.agreement = agreement_in_effect(client=client, ticket=ticket, on=started_at,
                                            work_order=work_order)
    return session


def session_log(*, technician, started_at: datetime, ended_at: datetime, ticket=None,
                client=None, work_order=None, mode: str = SessionMode.REMOTE,
                work_type: str | None = None, service=None,
                travel_minutes: int = 0, notes: str = "") -> WorkSession:
    """Log a finished session (entered by hand) and classify it. `work_type` defaults to
    help desk, and is maintenance on a work order (see `_for_work_order`)."""
    with transaction.atomic():
        session = _new(ticket=ticket, client=client, technician=technician,
                       started_at=started_at, ended_at=ended_at, mode=mode,
                       work_type=work_type, service=service, travel_minutes=travel_minutes,
                       notes=notes, work_order=work_order)
        _validate(session)
        _require_approval(session, session.minutes)
        session_classify(session=session)
        events.session_logged_event(session=session, by=technician)
    return session


def session_start(*, technician, ticket=None, client=None, work_order=None,
                  at: datetime | None = None, mode: str = SessionMode.REMOTE,
                  work_type: str | None = None, service=None, expected_minutes: int = 30,
                  notes: str = "") -> WorkSession:
    """Start a timer. Refused while the technician has one running (overlap), or when the
    expected work needs an approved estimate first. `work_type` as in `session_log`."""
    with transaction.atomic():
        session = _new(ticket=ticket, client=client, technician=technician,
                       started_at=at or clock.now(), ended_at=None, mode=mode,
                       work_type=work_type, service=service, travel_minutes=0, notes=notes,
                       work_order=work_order)
        _validate_timer_start(session, moved=False)
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
    return _update(session=session, by=by, check_approval=False, **changes)


def session_update(*, session: WorkSession, by, **changes) -> WorkSession:
    """Edit a session (any of EDITABLE) and re-classify it, with the rules of logging it:
    an edit that makes out-of-scope work need the client's approval (or raises the charge
    of work that needed it) is refused without an approved estimate. Sessions of a closed
    period are locked (billing/corrections.py corrects them)."""
    return _update(session=session, by=by, check_approval=True, **changes)


def _update(*, session: WorkSession, by, check_approval: bool, **changes) -> WorkSession:
    unknown = set(changes) - set(EDITABLE) - {"service"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "cannot be changed"})
    with transaction.atomic():
        fresh = _lock_session(session.pk, "client", "ticket", "agreement__plan_version__plan",
                              "technician", "work_order", also=_moves_to(session, changes))
        if fresh.invoiced_line_id:
            raise ValidationError({"started_at": "this session is invoiced and locked; a "
                                                 "correction becomes an adjustment on the "
                                                 "next invoice"})
        before = _snapshot(fresh)
        if "service" in changes:
            changes["service_id"] = getattr(changes.pop("service"), "pk", None)
        for name, value in changes.items():
            setattr(fresh, name, value)
        if fresh.work_order_id and (fresh.work_type != before["work_type"]
                                    or fresh.service_id != before["service_id"]):
            _for_work_order(work_order=fresh.work_order, ticket=None, client=fresh.client,
                            work_type=fresh.work_type, service=fresh.service_id)
        fresh.started_at = clock.require_aware(fresh.started_at, "started_at")
        if fresh.ended_at is not None:
            fresh.ended_at = clock.require_aware(fresh.ended_at, "ended_at")
        fresh.agreement = agreement_in_effect(client=fresh.client, ticket=fresh.ticket,
                                              on=fresh.started_at,
                                              work_order=fresh.work_order)
        if fresh.ended_at is None:
            _validate_timer_start(fresh, moved=fresh.started_at != before["started_at"])
        _validate(fresh)
        if check_approval:
            stored = WorkSession.objects.select_related("client", "ticket").get(pk=fresh.pk)
            _require_approval(fresh, _minutes(fresh),
                              before=charge_preview(stored, _minutes(stored)))
        session_classify(session=fresh)
        events.session_updated_event(session=fresh, by=by, changes=diff(before,
                                                                        _snapshot(fresh)))
    return fresh


def session_delete(*, session: WorkSession, by) -> None:
    """Delete a session, giving its allowance units back. Invoiced sessions are locked."""
    with transaction.atomic():
        fresh = _lock_session(session.pk, "client")
        if fresh.invoiced_line_id:
            raise ValidationError({"started_at": "this session is invoiced and locked; a "
                                                 "correction becomes an adjustment on the "
                                                 "next invoice"})
        # Re-classifying as a running timer gives the units back through the one path.
        fresh.ended_at = None
        session_classify(session=fresh)
        events.session_deleted_event(session=session, by=by)
        fresh.delete()
