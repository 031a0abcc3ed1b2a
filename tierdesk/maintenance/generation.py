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
  two runs at once — leaves exactly one work order per occurrence. A GenerationMark per
  agreement records how far it was generated and from what (a fingerprint of its term,
  plan version, segment, calendar and the catalog's tasks), so the daily rerun skips
  agreements nothing changed for without reading their schedules; a staff edit of a
  schedule regenerates its agreement at once.
* **Tier change and end.** Future open work orders of agreements that ended (or no longer
  cover the date), and of schedules that no longer apply, are cancelled; done work orders
  are never touched. A tier change is a new agreement, which gets its own schedules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from tierdesk.catalog.models import Delivery, MaintenanceTask
from tierdesk.clients.models import Agreement, AgreementStatus, Site
from tierdesk.core.bulk import flat, insert_ignoring_conflicts, insert_with_ids, relax_commit
from tierdesk.maintenance.calendars import client_calendar_dict, client_days
from tierdesk.maintenance.models import (
    GenerationMark,
    Schedule,
    ScheduleKind,
    WorkOrder,
    WorkOrderStatus,
)
from tierdesk.maintenance.occurrences import (
    LOOKBEHIND_DAYS,
    WORK_ORDER_COLUMNS,
    AgreementWindow,
    plan,
    planned_schedule,
    row_key,
)
from tierdesk.plans.models import AuditFrequency, CoverageLevel, CoveredService, PlanVersion

#: The longest horizon generation accepts: a year ahead is planning, ten years is a typo.
HORIZON_MAX_DAYS = 366
DEFAULT_HORIZON_DAYS = 30
AUDIT_RRULES = {AuditFrequency.YEARLY: "FREQ=YEARLY",
                AuditFrequency.QUARTERLY: "FREQ=MONTHLY;INTERVAL=3"}
MAINTAINED_LEVELS = frozenset({CoverageLevel.MAINTAINED, CoverageLevel.SUPPORTED})
GENERATING_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.ACTIVE)
CHUNK = 1000
SCHEDULE_COLUMNS = ("agreement_id", "kind", "task_id", "key", "title", "rrule", "local_time",
                    "estimated_minutes", "delivery", "checklist", "is_daily", "is_active",
                    "created_at", "updated_at")
_SCHEDULE_FIELDS = ("pk", "agreement_id", "kind", "key", "title", "rrule", "local_time",
                    "estimated_minutes", "delivery", "checklist", "is_daily", "is_active",
                    "updated_at")


@dataclass
class GenerationResult:
    """What one run did: counts for the job log and the API."""

    agreements: int = 0
    skipped: int = 0
    schedules_created: int = 0
    schedules_deactivated: int = 0
    created: int = 0
    cancelled: int = 0
    window: tuple[dt.date, dt.date] | None = None


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
                        agreement_ids: Iterable[int] | None = None,
                        force: bool = False) -> GenerationResult:
    """Sync schedules and create the work orders due in [today, today + horizon] for every
    signed or active agreement (or those in `agreement_ids`), and cancel future open work
    orders nothing asks for any more. Safe to run any number of times, and concurrently;
    `force` ignores the generation marks (after an edit the fingerprint cannot see)."""
    days = horizon_days_checked(horizon_days)
    today = today or timezone.localdate()
    end = today + dt.timedelta(days=days)
    result = GenerationResult(window=(today, end))

    agreements = Agreement.objects.filter(status__in=GENERATING_STATUSES,
                                          start_date__lte=end)
    agreements = agreements.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    if agreement_ids is not None:
        agreement_ids = list(agreement_ids)
        agreements = agreements.filter(pk__in=agreement_ids)
    ids = list(agreements.order_by("pk").values_list("pk", flat=True))
    catalog = _Catalog.load()
    with _writer(result, pipelined=len(ids) > CHUNK) as write:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            writes = _plan_chunk(chunk, today, end, catalog, result, force=force)
            if writes is not None:
                write(writes)
            result.agreements += len(chunk)
    result.cancelled += _cancel_orphans(today, agreement_ids)
    return result


@contextmanager
def _writer(result: GenerationResult, *, pipelined: bool):
    """A function that writes a chunk's planned work orders (_write_chunk).

    On PostgreSQL, outside a caller's transaction and for more than one chunk, the writes
    run on a second thread (its own connection) while this one plans the next chunk: the
    server inserts chunk n while Python plans chunk n + 1, a third off a first run. At
    most one chunk waits, and an error of the writer is raised here at the next chunk or
    at the end. Elsewhere — SQLite, which has one writer; a caller's transaction, which
    a second connection could not see; one chunk — chunks are written in turn."""
    if not pipelined or connection.vendor != "postgresql" or connection.in_atomic_block:
        yield lambda writes: _write_chunk(writes, result)
        return
    pending: list[Future] = []

    def written(writes: _ChunkWrites) -> None:
        try:
            _write_chunk(writes, result)  # only this thread counts `cancelled` meanwhile
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="workorders") as pool:
        def write(writes: _ChunkWrites) -> None:
            if pending:
                pending.pop().result()
            pending.append(pool.submit(written, writes))

        yield write
        if pending:
            pending.pop().result()


# -- schedules ---------------------------------------------------------------------------------

@dataclass
class _Catalog:
    """The active catalog tasks and each plan version's maintained services, read once; the
    schedules a (plan version, segment) asks for, computed once."""

    tasks_by_service: dict[int, list[MaintenanceTask]]
    task_segments: dict[int, frozenset[int]]
    audit_tasks: list[MaintenanceTask]
    tasks: dict[int, MaintenanceTask] = field(default_factory=dict)
    digest: str = ""  # of everything above that schedules follow from
    wanted: dict[tuple[int, int], dict[str, tuple]] = field(default_factory=dict)
    task_checklists: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Catalog:
        tasks = list(MaintenanceTask.objects.filter(is_active=True)
                     .prefetch_related("segments").order_by("service_id", "title"))
        by_service: dict[int, list[MaintenanceTask]] = defaultdict(list)
        for task in tasks:
            if not task.is_audit:
                by_service[task.service_id].append(task)
        segments = {t.pk: frozenset(s.pk for s in t.segments.all()) for t in tasks}
        described = [(t.pk, t.service_id, t.is_audit, sorted(segments[t.pk]), t.title, t.rrule,
                      t.estimated_minutes, t.delivery, t.frequency, t.checklist)
                     for t in tasks]
        return cls(
            tasks_by_service=by_service,
            task_segments=segments,
            audit_tasks=[t for t in tasks if t.is_audit],
            # Inactive tasks too: a schedule of a task deactivated today still plans.
            tasks={t.pk: t for t in MaintenanceTask.objects.all()},
            digest=hashlib.sha256(json.dumps(described).encode()).hexdigest(),
        )

    def checklist_text(self, schedule: dict) -> str:
        """The schedule's checklist as JSON text: its own, else its task's."""
        text = schedule["checklist"]
        if text and text != "[]" or not schedule["key"].startswith("task:"):
            return text
        task_id = int(schedule["key"].removeprefix("task:"))
        if task_id not in self.task_checklists:
            task = self.tasks.get(task_id)
            self.task_checklists[task_id] = json.dumps(
                [{"section": task.title, "label": item} for item in task.checklist]
                if task else [])
        return self.task_checklists[task_id]

    def applies(self, task: MaintenanceTask, segment_id: int) -> bool:
        segments = self.task_segments[task.pk]
        return not segments or segment_id in segments

    def schedules_for(self, version_id: int, segment_id: int) -> dict[str, tuple]:
        """{key: (kind, task_id, title, rrule, minutes, delivery, checklist, is_daily)}."""
        if (version_id, segment_id) not in self.wanted:
            version = PlanVersion.objects.get(pk=version_id)
            maintained = set(CoveredService.objects.filter(
                version_id=version_id, level__in=MAINTAINED_LEVELS)
                .values_list("service_id", flat=True))
            self.wanted[version_id, segment_id] = self._desired(version, maintained,
                                                                segment_id)
        return self.wanted[version_id, segment_id]

    def _desired(self, version, maintained: set[int], segment_id: int) -> dict[str, tuple]:
        wanted: dict[str, tuple] = {}
        if version.scheduled_maintenance:
            for service_id in sorted(maintained):
                for task in self.tasks_by_service.get(service_id, ()):
                    if self.applies(task, segment_id):
                        # No copy of the checklist: the schedule follows its task's.
                        wanted[f"task:{task.pk}"] = (
                            ScheduleKind.MAINTENANCE, task.pk, task.title, task.rrule,
                            task.estimated_minutes, task.delivery, [],
                            task.frequency == "DAILY")
        audit_tasks = [t for t in self.audit_tasks if self.applies(t, segment_id)]
        if version.network_audits in AUDIT_RRULES and audit_tasks:
            onsite = any(t.delivery == Delivery.ONSITE for t in audit_tasks)
            wanted["audit"] = (
                ScheduleKind.AUDIT, None,
                f"Network audit ({version.get_network_audits_display().lower()})",
                AUDIT_RRULES[version.network_audits],
                sum(t.estimated_minutes for t in audit_tasks),
                Delivery.ONSITE if onsite else Delivery.REMOTE,
                [{"section": t.title, "label": item}
                 for t in audit_tasks for item in (t.checklist or [t.title])],
                False)
        return wanted


def _sync_schedules(agreements: list[Agreement], catalog: _Catalog, now: dt.datetime,
                    result: GenerationResult) -> dict[int, list[dict]]:
    """Create missing schedules, (de)activate the rest; every schedule per agreement, as
    dicts of _SCHEDULE_FIELDS."""
    def read() -> dict[int, dict[str, dict]]:
        found: dict[int, dict[str, dict]] = defaultdict(dict)
        # The checklist as its stored text: planning caches the work-order items by it.
        rows = (Schedule.objects.filter(agreement__in=[a.pk for a in agreements])
                .annotate(checklist_text=Cast("checklist", TextField()))
                .values_list(*_SCHEDULE_FIELDS[:9], "checklist_text", *_SCHEDULE_FIELDS[10:]))
        for row in rows:
            found[row[1]][row[3]] = dict(zip(_SCHEDULE_FIELDS, row, strict=True))
        return found

    existing = read()
    to_create, activate, deactivate = [], [], []
    for agreement in agreements:
        wanted = catalog.schedules_for(agreement.plan_version_id,
                                       agreement.client.segment_id)
        have = existing[agreement.pk]
        for key, (kind, task_id, title, rrule, minutes, delivery, checklist,
                  is_daily) in wanted.items():
            if key not in have:
                to_create.append((agreement.pk, kind, task_id, key, title, rrule,
                                  dt.time(9, 0), minutes, delivery,
                                  json.dumps(checklist) if checklist else "[]",
                                  is_daily, True, now, now))
            elif not have[key]["is_active"]:
                activate.append(have[key]["pk"])
        deactivate.extend(s["pk"] for key, s in have.items()
                          if key not in wanted and s["is_active"])
    ids = insert_with_ids(Schedule._meta.db_table, SCHEDULE_COLUMNS, to_create)
    result.schedules_created += len(to_create)
    if activate:
        Schedule.objects.filter(pk__in=activate).update(is_active=True, updated_at=now)
    if deactivate:
        Schedule.objects.filter(pk__in=deactivate).update(is_active=False, updated_at=now)
        result.schedules_deactivated += len(deactivate)
    if ids is None or activate or deactivate:
        return read()
    # The rows just written, as read() would give them (~200,000 on a first run).
    for pk, row in zip(ids, to_create, strict=True):
        schedule = dict(zip(SCHEDULE_COLUMNS, row, strict=True))
        existing[schedule["agreement_id"]][schedule["key"]] = {
            name: pk if name == "pk" else schedule[name] for name in _SCHEDULE_FIELDS}
    return existing


def _fingerprint(agreement: Agreement, calendar: dict, catalog_digest: str) -> str:
    """A digest of everything the agreement's schedules and plan follow from: its term,
    client, plan version (immutable once used) and segment, the client's calendar and
    the catalog's tasks. Not the schedules themselves — reading 200,000 of them was most
    of a rerun — so a staff edit of a schedule regenerates with `force`
    (services.schedule_update does; the admin drops the agreement's mark)."""
    parts = [str(agreement.start_date), str(agreement.end_date), str(agreement.client_id),
             str(agreement.plan_version_id), str(agreement.client.segment_id),
             json.dumps(calendar, sort_keys=True), catalog_digest]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# -- one chunk ---------------------------------------------------------------------------------

@dataclass
class _ChunkWrites:
    """What planning one chunk asks the database to do, in one transaction."""

    now: dt.datetime
    end: dt.date
    rows: list[tuple]  # new work orders (WORK_ORDER_COLUMNS)
    stale: list[int]  # scheduled work orders nothing asks for any more
    revive: list[tuple[int, tuple]]  # cancelled ones asked for again, with their new row
    marks: dict[int, str]  # agreement id -> fingerprint planned from


def _plan_chunk(ids: list[int], today: dt.date, end: dt.date, catalog: _Catalog,
                result: GenerationResult, *, force: bool) -> _ChunkWrites | None:
    """Sync the chunk's schedules and plan its work orders; None when nothing changed."""
    now = timezone.now()
    agreements = list(Agreement.objects.filter(pk__in=ids).select_related("client")
                      .only("pk", "client_id", "plan_version_id", "start_date", "end_date",
                            "client__segment_id", "client__timezone",
                            "client__business_hours"))
    marks = {} if force else {
        pk: (through, fingerprint) for pk, through, fingerprint in
        GenerationMark.objects.filter(agreement_id__in=ids)
        .values_list("agreement_id", "through", "fingerprint")}
    todo, prints = [], {}
    for agreement in agreements:
        prints[agreement.pk] = _fingerprint(agreement, client_calendar_dict(agreement.client),
                                            catalog.digest)
        last = min(end, agreement.end_date) if agreement.end_date else end
        mark = marks.get(agreement.pk)
        if mark and mark[1] == prints[agreement.pk] and mark[0] >= last:
            result.skipped += 1
        else:
            todo.append(agreement)
    if not todo:
        return None
    # Schedules commit on their own: a run killed before the chunk's work orders are
    # written leaves them without a generation mark, so the rerun plans the chunk again.
    with transaction.atomic():
        relax_commit()
        schedules = _sync_schedules(todo, catalog, now, result)

    sites = _first_sites({a.client_id for a in todo})
    existing: dict[int, dict[str, tuple]] = defaultdict(dict)
    for agreement_id, key, status, due_on, pk in (
            WorkOrder.objects.filter(agreement_id__in=[a.pk for a in todo],
                                     due_on__gte=today - dt.timedelta(days=LOOKBEHIND_DAYS))
            .values_list("agreement_id", "key", "status", "due_on", "pk")):
        existing[agreement_id][key] = (status, due_on, pk)

    rows: list[tuple] = []
    stale: list[int] = []
    revive: list[tuple[int, tuple]] = []
    for agreement in todo:
        # In creation order, whichever way the rows were read: a daily list's items keep
        # the same order when it is planned again.
        active = [planned_schedule(s["pk"], s["kind"], s["key"], s["title"], s["rrule"],
                                   s["local_time"],
                                   s["estimated_minutes"], s["delivery"],
                                   catalog.checklist_text(s),
                                   s["is_daily"])
                  for s in sorted(schedules[agreement.pk].values(), key=itemgetter("pk"))
                  if s["is_active"]]
        last = min(end, agreement.end_date) if agreement.end_date else end
        window = AgreementWindow(agreement.pk, agreement.client_id,
                                 sites.get(agreement.client_id), agreement.start_date,
                                 max(today, agreement.start_date), last)
        planned = plan(window, active, client_days(agreement.client), now)
        have = existing[agreement.pk]
        keys = set()
        for row in planned:
            key = row_key(row)
            keys.add(key)
            state = have.get(key)
            if state is None:
                rows.append(row)
            elif state[0] == WorkOrderStatus.CANCELLED and state[1] >= today:
                revive.append((state[2], row))
        stale.extend(pk for key, (status, due_on, pk) in have.items()
                     if key not in keys and status == WorkOrderStatus.SCHEDULED
                     and today <= due_on <= end)
    result.created += len(rows)
    return _ChunkWrites(now, end, rows, stale, revive,
                        {a.pk: prints[a.pk] for a in todo})


def _write_chunk(writes: _ChunkWrites, result: GenerationResult) -> None:
    """Write one chunk's plan in one transaction: a run killed halfway keeps whole chunks
    (work orders and marks together), and the rerun finds them and goes on with the rest."""
    now = writes.now
    with transaction.atomic():
        # Chunks are idempotent: one lost in a database crash is rebuilt by the rerun.
        relax_commit()
        insert_ignoring_conflicts(WorkOrder._meta.db_table, WORK_ORDER_COLUMNS, writes.rows)
        if writes.stale:
            result.cancelled += WorkOrder.objects.filter(
                pk__in=writes.stale, status=WorkOrderStatus.SCHEDULED,
            ).update(status=WorkOrderStatus.CANCELLED, updated_at=now)
        # A cancelled occurrence asked for again (a schedule re-enabled or its rule changed
        # back) comes back as planned now; rare, so one UPDATE each.
        for pk, row in writes.revive:
            planned = dict(zip(WORK_ORDER_COLUMNS, flat(row), strict=True))
            WorkOrder.objects.filter(pk=pk, status=WorkOrderStatus.CANCELLED).update(
                status=WorkOrderStatus.SCHEDULED, updated_at=now,
                checklist=json.loads(planned["checklist"]),
                **{name: planned[name] for name in ("due_on", "scheduled_at", "due_at",
                                                    "estimated_minutes", "title",
                                                    "items_total", "items_done")})
        GenerationMark.objects.bulk_create(
            [GenerationMark(agreement_id=pk, through=writes.end, fingerprint=fingerprint,
                            updated_at=now) for pk, fingerprint in writes.marks.items()],
            update_conflicts=True, unique_fields=["agreement"],
            update_fields=["through", "fingerprint", "updated_at"])


def _first_sites(client_ids: set[int]) -> dict[int, int]:
    sites: dict[int, int] = {}
    for client_id, site_id in (Site.objects.filter(client_id__in=client_ids)
                               .order_by("client_id", "pk").values_list("client_id", "pk")):
        sites.setdefault(client_id, site_id)
    return sites


def _cancel_orphans(today: dt.date, agreement_ids: list[int] | None) -> int:
    """Cancel future open work orders of agreements that no longer generate them: ended,
    suspended or cancelled ones, and dates past a (new) end date."""
    orders = WorkOrder.objects.filter(status=WorkOrderStatus.SCHEDULED, due_on__gte=today)
    if agreement_ids is not None:
        orders = orders.filter(agreement_id__in=agreement_ids)
    gone = orders.filter(~Q(agreement__status__in=GENERATING_STATUSES)
                         | Q(agreement__end_date__lt=today)
                         | Q(agreement__end_date__isnull=False,
                             due_on__gt=F("agreement__end_date")))
    return gone.update(status=WorkOrderStatus.CANCELLED, updated_at=timezone.now())
