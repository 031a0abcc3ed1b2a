"""Every write to schedules and work orders. Views, the API and tasks call these.

Generation (the daily job) lives in generation.py; everything a person does to a work
order — tick an item, attach evidence, complete, assign, mark missed — is here, each in one
transaction with its audit event, with a row lock so two technicians ticking items of the
same daily checklist at once both count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tierdesk.catalog.models import validate_rrule
from tierdesk.maintenance import events
from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import (
    WORK_ORDER_TRANSITIONS,
    CalendarFeed,
    Schedule,
    WorkOrder,
    WorkOrderEvidence,
    WorkOrderKind,
    WorkOrderStatus,
)
from tierdesk.maintenance.occurrences import occurrence_dates


def _locked(work_order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().get(pk=work_order.pk)


def _require_open(order: WorkOrder) -> None:
    if not order.is_open:
        who = f" by {order.completed_by}" if order.completed_by_id else ""
        when = f" at {timezone.localtime(order.completed_at):%Y-%m-%d %H:%M}" \
            if order.completed_at else ""
        raise ValidationError({"status": f"{order.reference} is already "
                                         f"{order.get_status_display().lower()}{who}{when}"})


def workorder_item_set(*, work_order: WorkOrder, item_key: str, done: bool, by,
                       note: str = "") -> WorkOrder:
    """Tick (or untick) one checklist item. An item key the work order does not have —
    e.g. from a page opened before the checklist changed — is refused, naming it."""
    with transaction.atomic():
        order = _locked(work_order)
        _require_open(order)
        for item in order.checklist:
            if item["key"] == item_key:
                break
        else:
            raise ValidationError({"item": f'checklist item "{item_key}" no longer exists on '
                                           f"{order.reference}"})
        item["done"] = bool(done)
        item["done_at"] = timezone.now().isoformat() if done else None
        item["done_by"] = by.pk if done and by is not None else None
        item["note"] = note.strip()[:300]
        order.save(update_fields=["checklist", "updated_at"])
        events.workorder_item_event(work_order=order, by=by, item=item)
    return order


def workorder_complete(*, work_order: WorkOrder, by, note: str = "",
                       findings: str = "") -> WorkOrder:
    """Mark a work order done. Unticked items need a note saying why; completing twice is
    refused with who completed it and when."""
    with transaction.atomic():
        order = _locked(work_order)
        _require_open(order)
        open_items = [i["label"] for i in order.checklist if not i.get("done")]
        errors = {}
        if open_items and not note.strip():
            errors["note"] = (f"{len(open_items)} checklist item(s) are not ticked "
                              f"({open_items[0]}…); say why in the note")
        # An audit's findings are what its report exists for: no report without them.
        if order.kind == WorkOrderKind.AUDIT and not findings.strip():
            errors["findings"] = ("an audit cannot be completed without its findings: what "
                                  "was found and what you recommend")
        if errors:
            raise ValidationError(errors)
        old = order.status
        order.status = WorkOrderStatus.DONE
        order.completed_at = timezone.now()
        order.completed_by = by
        order.completion_note = note.strip()
        order.findings = findings.strip()
        order.save(update_fields=["status", "completed_at", "completed_by", "completion_note",
                                  "findings", "updated_at"])
        events.workorder_completed_event(work_order=order, by=by)
        events.workorder_status_event(work_order=order, by=by, old=old, new=order.status)
    return order


def workorder_transition(*, work_order: WorkOrder, to: str, by, reason: str = "") -> WorkOrder:
    """Move a work order along WORK_ORDER_TRANSITIONS (missed, cancelled); "done" goes
    through workorder_complete."""
    if to == WorkOrderStatus.DONE:
        return workorder_complete(work_order=work_order, by=by, note=reason)
    with transaction.atomic():
        order = _locked(work_order)
        if to not in WORK_ORDER_TRANSITIONS.get(order.status, set()):
            raise ValidationError({"status": f"{order.reference} cannot go from "
                                             f"{order.status} to {to}"})
        old = order.status
        WorkOrder.objects.filter(pk=order.pk, status=old).update(
            status=to, updated_at=timezone.now())
        order.status = to
        events.workorder_status_event(work_order=order, by=by, old=old, new=to, reason=reason)
    return order


def workorder_assign(*, work_order: WorkOrder, technician, by) -> WorkOrder:
    """Give the work order to a technician (or to nobody)."""
    if technician is not None and not technician.is_msp_staff:
        raise ValidationError({"assigned_to": f"{technician} is not one of the MSP's staff"})
    with transaction.atomic():
        order = _locked(work_order)
        _require_open(order)
        old = order.assigned_to
        order.assigned_to = technician
        order.save(update_fields=["assigned_to", "updated_at"])
        events.workorder_assigned_event(work_order=order, by=by, old=old, new=technician)
    return order


def workorder_attach(*, work_order: WorkOrder, name: str, content: bytes, by,
                     content_type: str = "", note: str = "") -> WorkOrderEvidence:
    """Store a file as evidence of the work, with its size and SHA-256."""
    limit = settings.TIERDESK_EVIDENCE_MAX_BYTES
    if not content:
        raise ValidationError({"file": "the file is empty"})
    if len(content) > limit:
        raise ValidationError({"file": f"{name} is {len(content):,} bytes; the limit is "
                                       f"{limit:,} bytes"})
    safe_name = (name or "evidence").replace("/", "_").replace("\\", "_")[-200:]
    with transaction.atomic():
        order = _locked(work_order)
        if order.status == WorkOrderStatus.CANCELLED:
            raise ValidationError({"status": f"{order.reference} is cancelled"})
        evidence = WorkOrderEvidence(
            work_order=order, original_name=safe_name, content_type=content_type[:100],
            size=len(content), sha256=hashlib.sha256(content).hexdigest(),
            note=note.strip()[:300], uploaded_by=by)
        evidence.file.save(safe_name, ContentFile(content), save=False)
        evidence.save()
        events.workorder_evidence_event(work_order=order, by=by, evidence=evidence)
    return evidence


def schedule_update(*, schedule: Schedule, by, rrule: str | None = None,
                    local_time: dt.time | None = None,
                    estimated_minutes: int | None = None) -> Schedule:
    """Change a schedule's recurrence, local time or estimate, then regenerate its future
    work orders (open ones that no longer fit are cancelled; done ones are kept)."""
    errors = {}
    if rrule is not None:
        rrule = rrule.strip()
        try:
            validate_rrule(rrule)
            _require_fires(rrule, schedule)
        except ValidationError as exc:
            errors["rrule"] = exc.messages
    if estimated_minutes is not None and (not isinstance(estimated_minutes, int)
                                          or estimated_minutes < 1):
        errors["estimated_minutes"] = f"must be a whole number of minutes, at least 1 " \
                                      f"(got {estimated_minutes})"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Schedule.objects.select_for_update().get(pk=schedule.pk)
        changes = {}
        for name, value in (("rrule", rrule), ("local_time", local_time),
                            ("estimated_minutes", estimated_minutes)):
            if value is not None and getattr(locked, name) != value:
                changes[name] = (getattr(locked, name), value)
                setattr(locked, name, value)
        if not changes:
            return locked
        locked.save()
        events.schedule_updated_event(schedule=locked, by=by, changes=changes)
        # Future open work orders of the old rule no longer fit: cancel them; the
        # regeneration below creates the new rule's occurrences.
        today = timezone.localdate()
        (WorkOrder.objects.filter(schedule=locked, status=WorkOrderStatus.SCHEDULED,
                                  due_on__gte=today)
         .update(status=WorkOrderStatus.CANCELLED, updated_at=timezone.now()))
    if locked.is_daily:
        # Daily checklists gather several schedules: regenerate from a clean slate.
        WorkOrder.objects.filter(agreement_id=locked.agreement_id, kind="daily",
                                 status=WorkOrderStatus.SCHEDULED,
                                 due_on__gte=timezone.localdate()).update(
            status=WorkOrderStatus.CANCELLED, updated_at=timezone.now())
    workorders_generate(agreement_ids=[locked.agreement_id], force=True)
    return locked


def _require_fires(rrule: str, schedule: Schedule) -> None:
    """A rule that never fires in the next two years would silently plan nothing."""
    start = schedule.agreement.start_date
    today = max(timezone.localdate(), start)
    if not occurrence_dates(rrule, start, today, today + dt.timedelta(days=2 * 366)):
        raise ValidationError(f'"{rrule}" never fires in the next two years')


def calendar_feed_rotate(*, by, user=None, client=None) -> tuple[CalendarFeed, str]:
    """Create or rotate the secret feed of a technician (`user`) or a client; returns the
    feed and the new secret (shown once: only its hash is stored)."""
    if (user is None) == (client is None):
        raise ValidationError({"owner": "a feed belongs to exactly one technician or client"})
    secret = secrets.token_urlsafe(32)
    digest = hashlib.sha256(secret.encode()).hexdigest()
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user, client=client, defaults={"token_hash": digest})
        if not created:
            feed.token_hash = digest
            feed.rotated_at = timezone.now()
            feed.save(update_fields=["token_hash", "rotated_at", "updated_at"])
        events.calendar_feed_rotated_event(feed=feed, by=by)
    return feed, secret


def calendar_feed_for_secret(secret: str) -> CalendarFeed | None:
    """The feed a secret opens, or None; constant work whatever the secret."""
    digest = hashlib.sha256((secret or "").encode()).hexdigest()
    return CalendarFeed.objects.select_related("user", "client").filter(
        token_hash=digest).first()


#: A feed's last_used_at is refreshed at most this often: calendar apps poll every few
#: minutes, and the page only needs to say roughly when the URL was last fetched.
FEED_USE_RESOLUTION = dt.timedelta(hours=1)


def calendar_feed_mark_used(*, feed: CalendarFeed, now: dt.datetime | None = None) -> None:
    """Note that the feed's URL was fetched (no audit event: it is not a change anyone
    made)."""
    now = now or timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= FEED_USE_RESOLUTION:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
        feed.last_used_at = now


def workorders_flag_overdue(*, now: dt.datetime | None = None) -> list[WorkOrder]:
    """Mark open work orders past their due time as notified, once each; returns the ones
    this call marked (the caller tells the dispatcher). Safe with several workers: the
    conditional UPDATE lets only one of them mark a row."""
    now = now or timezone.now()
    due = list(WorkOrder.objects.filter(
        status__in=(WorkOrderStatus.SCHEDULED, WorkOrderStatus.MISSED), due_at__lt=now,
        overdue_notified_at__isnull=True).values_list("pk", flat=True)[:5000])
    marked = []
    for pk in due:
        if WorkOrder.objects.filter(pk=pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now):
            marked.append(pk)
    return list(WorkOrder.objects.filter(pk__in=marked).select_related("client", "site"))
