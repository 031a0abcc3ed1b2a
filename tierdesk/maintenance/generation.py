"""Schedules from the tier, and work orders generated ahead from the schedules.

Rules (README "Maintenance"):

* **Which schedules.** An agreement whose plan version includes scheduled maintenance gets
  one schedule per active, non-audit catalog task of every service the version covers at
  "maintained" or "fully supported", when the task applies to the client's segment (a task
  with no segments applies to all). A version with network audits gets one audit schedule
  (yearly or quarterly) whose checklist gathers every audit task of the client's segment.
  Syncing creates what is missing, deactivates what no longer applies and keeps staff edits
  (rule, local time, estimate) of the rest.
* **Which occurrences.** Each schedule's RRULE, anchored at the agreement's start date, in
  the client's local dates. An occurrence on a closed day (weekend, holiday, any day the
  client's calendar has no open time) moves to the next business day. Work is planned at
  the schedule's local time on that day (the day's opening when the client is closed at
  that time) and due at the day's close.
* **Daily tasks** roll up: one "Daily checklist" per agreement and business day gathers
  every daily task landing on it (weekend occurrences fold into Monday's list once).
* **The horizon.** Occurrences due from today (local) to today + horizon days, within the
  agreement's term; signed agreements that start within the horizon are included.
* **Idempotent.** Each occurrence has a key unique within its agreement; existing keys are
  skipped and inserts ignore conflicts, so a rerun — or a run killed halfway and rerun, or
  two runs at once — leaves exactly one work order per occurrence.
* **Tier change and end.** Future open work orders of agreements that ended (or no longer
  cover the date), and of schedules that no longer apply, are cancelled; done work orders
  are never touched. A tier change is a new agreement, which gets its own schedules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tierdesk.catalog.models import Delivery, MaintenanceTask
from tierdesk.clients.models import Agreement, AgreementStatus, Site
from tierdesk.maintenance.calendars import BusinessDays, client_days, closes_at
from tierdesk.maintenance.models import (
    Schedule,
    ScheduleKind,
    WorkOrder,
    WorkOrderKind,
    WorkOrderStatus,
)
from tierdesk.plans.models import AuditFrequency, CoverageLevel

#: The longest horizon generation accepts: a year ahead is planning, ten years is a typo.
HORIZON_MAX_DAYS = 366
DEFAULT_HORIZON_DAYS = 30
#: Occurrences up to this many days before the window may land inside it (a long closure).
LOOKBEHIND_DAYS = 14
AUDIT_RRULES = {AuditFrequency.YEARLY: "FREQ=YEARLY",
                AuditFrequency.QUARTERLY: "FREQ=MONTHLY;INTERVAL=3"}
MAINTAINED_LEVELS = frozenset({CoverageLevel.MAINTAINED, CoverageLevel.SUPPORTED})
GENERATING_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
CHUNK = 500


@dataclass
class GenerationResult:
    """What one run did: counts for the job log and the API."""

    agreements: int = 0
    schedules_created: int = 0
    schedules_deactivated: int = 0
    created: int = 0
    cancelled: int = 0
    window: tuple[dt.date, dt.date] | None = None
    errors: list[str] = field(default_factory=list)


def horizon_days_checked(value) -> int:
    """The horizon in days, or a ValidationError naming the field."""
    if value is None:
        value = getattr(settings, "TIERDESK_MAINTENANCE_HORIZON_DAYS", DEFAULT_HORIZON_DAYS)
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"horizon_days": f'"{value}" is not a whole number of days'}) \
            from None
    if not 1 <= days <= HORIZON_MAX_DAYS:
        raise ValidationError({"horizon_days": f"must be between 1 and {HORIZON_MAX_DAYS} "
                                               f"days (got {days})"})
    return days


def workorders_generate(*, today: dt.date | None = None, horizon_days: int | None = None,
                        agreement_ids: Iterable[int] | None = None) -> GenerationResult:
    """Sync schedules and create the work orders due in [today, today + horizon] for every
    signed or active agreement (or those in `agreement_ids`), and cancel future open work
    orders nothing asks for any more. Safe to run any number of times, and concurrently."""
    days = horizon_days_checked(horizon_days)
    today = today or timezone.localdate()
    end = today + dt.timedelta(days=days)
    result = GenerationResult(window=(today, end))

    agreements = Agreement.objects.filter(status__in=GENERATING_STATUSES,
                                          start_date__lte=end)
    agreements = agreements.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    if agreement_ids is not None:
        agreements = agreements.filter(pk__in=list(agreement_ids))
    ids = list(agreements.order_by("pk").values_list("pk", flat=True))
    catalog = _Catalog.load()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        # One transaction per chunk: a run killed halfway keeps whole chunks, and the rerun
        # finds their keys and goes on with the rest.
        with transaction.atomic():
            _generate_chunk(chunk, today, end, catalog, result)
        result.agreements += len(chunk)
    result.cancelled += _cancel_orphans(today, agreement_ids)
    return result


# -- schedules ---------------------------------------------------------------------------------

@dataclass
class _Catalog:
    """The active catalog tasks and each plan version's maintained services, read once."""

    tasks_by_service: dict[int, list[MaintenanceTask]]
    task_segments: dict[int, frozenset[int]]
    audit_tasks: list[MaintenanceTask]
    coverage: dict[int, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Catalog:
        tasks = list(MaintenanceTask.objects.filter(is_active=True)
                     .prefetch_related("segments").order_by("service_id", "title"))
        by_service: dict[int, list[MaintenanceTask]] = defaultdict(list)
        for task in tasks:
            if not task.is_audit:
                by_service[task.service_id].append(task)
        return cls(
            tasks_by_service=by_service,
            task_segments={t.pk: frozenset(s.pk for s in t.segments.all()) for t in tasks},
            audit_tasks=[t for t in tasks if t.is_audit],
        )

    def applies(self, task: MaintenanceTask, segment_id: int) -> bool:
        segments = self.task_segments[task.pk]
        return not segments or segment_id in segments

    def maintained_services(self, version) -> frozenset[int]:
        if version.pk not in self.coverage:
            self.coverage[version.pk] = frozenset(
                c.service_id for c in version.coverage.all() if c.level in MAINTAINED_LEVELS)
        return self.coverage[version.pk]


def desired_schedules(agreement: Agreement, catalog: _Catalog) -> dict[str, Schedule]:
    """The schedules the agreement's tier asks for, keyed by Schedule.key (unsaved)."""
    version = agreement.plan_version
    segment_id = agreement.client.segment_id
    wanted: dict[str, Schedule] = {}
    if version.scheduled_maintenance:
        for service_id in sorted(catalog.maintained_services(version)):
            for task in catalog.tasks_by_service.get(service_id, ()):
                if catalog.applies(task, segment_id):
                    wanted[f"task:{task.pk}"] = Schedule(
                        agreement=agreement, kind=ScheduleKind.MAINTENANCE, task=task,
                        key=f"task:{task.pk}", title=task.title, rrule=task.rrule,
                        estimated_minutes=task.estimated_minutes, delivery=task.delivery,
                        checklist=[{"section": task.title, "label": item}
                                   for item in task.checklist],
                        is_daily=task.frequency == "DAILY",
                    )
    if version.network_audits in AUDIT_RRULES:
        audit_tasks = [t for t in catalog.audit_tasks if catalog.applies(t, segment_id)]
        if audit_tasks:
            frequency = version.get_network_audits_display().lower()
            wanted["audit"] = Schedule(
                agreement=agreement, kind=ScheduleKind.AUDIT, key="audit",
                title=f"Network audit ({frequency})", rrule=AUDIT_RRULES[version.network_audits],
                estimated_minutes=sum(t.estimated_minutes for t in audit_tasks),
                delivery=(Delivery.ONSITE if any(t.delivery == Delivery.ONSITE
                                                  for t in audit_tasks) else Delivery.REMOTE),
                checklist=[{"section": t.title, "label": item}
                           for t in audit_tasks for item in (t.checklist or [t.title])],
            )
    return wanted


def _sync_schedules(agreements: list[Agreement], catalog: _Catalog,
                    result: GenerationResult) -> dict[int, list[Schedule]]:
    """Create missing schedules, (de)activate the rest; the active ones per agreement."""
    existing: dict[int, dict[str, Schedule]] = defaultdict(dict)
    for schedule in Schedule.objects.filter(agreement__in=agreements):
        existing[schedule.agreement_id][schedule.key] = schedule
    to_create, activate, deactivate = [], [], []
    for agreement in agreements:
        wanted = desired_schedules(agreement, catalog)
        have = existing[agreement.pk]
        for key, schedule in wanted.items():
            if key not in have:
                to_create.append(schedule)
            elif not have[key].is_active:
                activate.append(have[key].pk)
                have[key].is_active = True
        for key, schedule in have.items():
            if key not in wanted and schedule.is_active:
                deactivate.append(schedule.pk)
                schedule.is_active = False
    if to_create:
        Schedule.objects.bulk_create(to_create, ignore_conflicts=True)
        result.schedules_created += len(to_create)
        # ignore_conflicts leaves no primary keys: read the rows back.
        for schedule in Schedule.objects.filter(
                agreement__in=agreements, key__in={s.key for s in to_create}):
            existing[schedule.agreement_id][schedule.key] = schedule
    if activate:
        Schedule.objects.filter(pk__in=activate).update(is_active=True,
                                                        updated_at=timezone.now())
    if deactivate:
        Schedule.objects.filter(pk__in=deactivate).update(is_active=False,
                                                          updated_at=timezone.now())
        result.schedules_deactivated += len(deactivate)
    return {a.pk: [s for s in existing[a.pk].values() if s.is_active] for a in agreements}


# -- occurrences -------------------------------------------------------------------------------

@lru_cache(maxsize=65_536)
def occurrence_dates(rrule: str, anchor: dt.date, first: dt.date, last: dt.date
                     ) -> tuple[dt.date, ...]:
    """The local dates in [first, last] on which `rrule`, anchored at `anchor`, fires.

    Cached: agreements share rules and many share a start date, so a run over 10,000
    agreements evaluates a few thousand distinct rules, not hundreds of thousands.
    """
    rule = rrulestr(rrule, dtstart=dt.datetime.combine(anchor, dt.time()), ignoretz=True,
                    cache=False)
    lo = dt.datetime.combine(max(first, anchor), dt.time())
    hi = dt.datetime.combine(last, dt.time())
    return tuple(d.date() for d in rule.between(lo, hi, inc=True))


def _window(agreement: Agreement, today: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    last = min(end, agreement.end_date) if agreement.end_date else end
    return max(today, agreement.start_date), last


def planned_work_orders(agreement: Agreement, schedules: list[Schedule], days: BusinessDays,
                        site_id: int | None, today: dt.date, end: dt.date
                        ) -> dict[str, WorkOrder]:
    """Every work order the schedules ask for in the window, keyed by WorkOrder.key."""
    first, last = _window(agreement, today, end)
    planned: dict[str, WorkOrder] = {}
    if first > last:
        return planned
    daily: dict[dt.date, list[Schedule]] = defaultdict(list)
    for schedule in schedules:
        dates = occurrence_dates(schedule.rrule, agreement.start_date,
                                 first - dt.timedelta(days=LOOKBEHIND_DAYS), last)
        for occurrence in dates:
            bday = days.on_or_after(occurrence)
            if not first <= bday.day <= last:
                continue
            if schedule.is_daily:
                if schedule not in daily[bday.day]:
                    daily[bday.day].append(schedule)
                continue
            key = f"s{schedule.pk}:{occurrence.isoformat()}"
            planned[key] = _work_order(
                agreement, key=key, kind=(WorkOrderKind.AUDIT if schedule.kind == "audit"
                                          else WorkOrderKind.MAINTENANCE),
                schedule=schedule, title=schedule.title, occurrence=occurrence, bday=bday,
                days=days, at=schedule.local_time, site_id=site_id,
                minutes=schedule.estimated_minutes, delivery=schedule.delivery,
                checklist=_items(schedule))
    for day, group in daily.items():
        key = f"daily:{day.isoformat()}"
        bday = days.get(day)
        planned[key] = _work_order(
            agreement, key=key, kind=WorkOrderKind.DAILY, schedule=None,
            title="Daily checklist", occurrence=day, bday=bday, days=days,
            at=min(s.local_time for s in group), site_id=site_id,
            minutes=sum(s.estimated_minutes for s in group),
            delivery=(Delivery.ONSITE if any(s.delivery == Delivery.ONSITE for s in group)
                      else Delivery.REMOTE),
            checklist=[item for s in group for item in _items(s)])
    return planned


def _items(schedule: Schedule) -> list[dict]:
    entries = schedule.checklist or [{"section": schedule.title, "label": schedule.title}]
    return [{"key": f"s{schedule.pk}-{i}", "section": e["section"], "label": e["label"],
             "done": False, "done_at": None, "done_by": None, "note": ""}
            for i, e in enumerate(entries)]


def _work_order(agreement, *, key, kind, schedule, title, occurrence, bday, days, at,
                site_id, minutes, delivery, checklist) -> WorkOrder:
    return WorkOrder(
        agreement_id=agreement.pk, client_id=agreement.client_id, site_id=site_id,
        schedule=schedule, kind=kind, key=key, title=title, occurrence_on=occurrence,
        due_on=bday.day, scheduled_at=days.planned_at(bday, at), due_at=closes_at(bday),
        estimated_minutes=minutes, delivery=delivery, checklist=checklist,
    )


# -- one chunk ---------------------------------------------------------------------------------

def _generate_chunk(ids: list[int], today: dt.date, end: dt.date, catalog: _Catalog,
                    result: GenerationResult) -> None:
    agreements = list(Agreement.objects.filter(pk__in=ids)
                      .select_related("client", "plan_version")
                      .prefetch_related("plan_version__coverage"))
    schedules = _sync_schedules(agreements, catalog, result)
    sites = _first_sites({a.client_id for a in agreements})
    existing: dict[int, dict[str, tuple]] = defaultdict(dict)
    rows = (WorkOrder.objects
            .filter(agreement_id__in=ids, due_on__gte=today - dt.timedelta(days=LOOKBEHIND_DAYS))
            .values_list("agreement_id", "key", "status", "due_on", "pk"))
    for agreement_id, key, status, due_on, pk in rows:
        existing[agreement_id][key] = (status, due_on, pk)

    to_create: list[WorkOrder] = []
    stale: list[int] = []
    revive: list[int] = []
    for agreement in agreements:
        planned = planned_work_orders(agreement, schedules[agreement.pk],
                                      client_days(agreement.client),
                                      sites.get(agreement.client_id), today, end)
        have = existing[agreement.pk]
        for key, order in planned.items():
            if key not in have:
                to_create.append(order)
            elif have[key][0] == WorkOrderStatus.CANCELLED and have[key][1] >= today:
                revive.append(have[key][2])
        for key, (status, due_on, pk) in have.items():
            if (key not in planned and status == WorkOrderStatus.SCHEDULED
                    and today <= due_on <= end):
                stale.append(pk)
    if to_create:
        WorkOrder.objects.bulk_create(to_create, batch_size=2000, ignore_conflicts=True)
        result.created += len(to_create)
    now = timezone.now()
    if stale:
        result.cancelled += WorkOrder.objects.filter(
            pk__in=stale, status=WorkOrderStatus.SCHEDULED,
        ).update(status=WorkOrderStatus.CANCELLED, updated_at=now)
    if revive:
        WorkOrder.objects.filter(pk__in=revive, status=WorkOrderStatus.CANCELLED).update(
            status=WorkOrderStatus.SCHEDULED, updated_at=now)


def _first_sites(client_ids: set[int]) -> dict[int, int]:
    sites: dict[int, int] = {}
    for client_id, site_id in (Site.objects.filter(client_id__in=client_ids)
                               .order_by("client_id", "pk").values_list("client_id", "pk")):
        sites.setdefault(client_id, site_id)
    return sites


def _cancel_orphans(today: dt.date, agreement_ids: Iterable[int] | None) -> int:
    """Cancel future open work orders of agreements that no longer generate them: ended,
    suspended or cancelled ones, and dates past a (new) end date."""
    orders = WorkOrder.objects.filter(status=WorkOrderStatus.SCHEDULED, due_on__gte=today)
    if agreement_ids is not None:
        orders = orders.filter(agreement_id__in=list(agreement_ids))
    gone = orders.filter(~Q(agreement__status__in=GENERATING_STATUSES)
                         | Q(agreement__end_date__lt=today)
                         | Q(agreement__end_date__isnull=False,
                             due_on__gt=F("agreement__end_date")))
    return gone.update(status=WorkOrderStatus.CANCELLED, updated_at=timezone.now())
