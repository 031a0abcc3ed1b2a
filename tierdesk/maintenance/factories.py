"""Factories and builders for maintenance tests: agreements on the built-in tiers."""

import datetime as dt
from zoneinfo import ZoneInfo

from tierdesk.catalog.models import MaintenanceTask, Segment
from tierdesk.catalog.seed import catalog_load_defaults
from tierdesk.clients.factories import AgreementFactory
from tierdesk.clients.models import AgreementStatus
from tierdesk.maintenance.models import Schedule, ScheduleKind, WorkOrder, WorkOrderKind
from tierdesk.maintenance.occurrences import schedule_items
from tierdesk.plans.models import PlanVersion
from tierdesk.plans.seed import tiers_load_defaults


def load_tiers() -> dict[str, PlanVersion]:
    """The default catalog and Silver/Gold/Platinum; {"silver": version, ...}."""
    catalog_load_defaults()
    tiers_load_defaults()
    return {v.plan.slug: v for v in PlanVersion.objects.select_related("plan")}


def active_agreement(*, client, version: PlanVersion, start: dt.date,
                     end: dt.date | None = None, segment_slug: str | None = None):
    """An active agreement of `client` on `version` from `start` (and the client's segment
    set to `segment_slug` when given)."""
    if segment_slug:
        client.segment = Segment.objects.get(slug=segment_slug)
        client.save(update_fields=["segment"])
    return AgreementFactory(client=client, plan_version=version, start_date=start,
                            end_date=end, status=AgreementStatus.ACTIVE)


def schedule_for(agreement, *, task_title: str) -> Schedule:
    """The maintenance schedule of `agreement` for the catalog task `task_title`, as
    generation makes it (same key, so a later generation run keeps it)."""
    task = MaintenanceTask.objects.get(title=task_title)
    schedule, _ = Schedule.objects.get_or_create(
        agreement=agreement, key=f"task:{task.pk}",
        defaults={"kind": ScheduleKind.MAINTENANCE, "task": task, "title": task.title,
                  "rrule": task.rrule, "estimated_minutes": task.estimated_minutes,
                  "delivery": task.delivery, "is_daily": task.frequency == "DAILY",
                  "checklist": [{"section": task.title, "label": item}
                                for item in task.checklist]})
    return schedule


def work_order_for(schedule: Schedule, *, due_on: dt.date, status: str = "scheduled",
                   assigned_to=None, closes: dt.time = dt.time(18, 0)) -> WorkOrder:
    """One work order of `schedule` due on the client's local `due_on`, planned at the
    schedule's local time and due at `closes` that day, with the schedule's checklist."""
    agreement = schedule.agreement
    zone = ZoneInfo(agreement.client.timezone)
    prefix = "audit" if schedule.key == "audit" else "t" + schedule.key.removeprefix("task:")
    return WorkOrder.objects.create(
        agreement=agreement, client=agreement.client, site=agreement.client.sites.first(),
        schedule=schedule,
        kind=WorkOrderKind.AUDIT if schedule.kind == ScheduleKind.AUDIT
        else WorkOrderKind.MAINTENANCE,
        key=f"{schedule.key}:{due_on.isoformat()}", title=schedule.title,
        occurrence_on=due_on, due_on=due_on,
        scheduled_at=dt.datetime.combine(due_on, schedule.local_time, zone),
        due_at=dt.datetime.combine(due_on, closes, zone),
        estimated_minutes=schedule.estimated_minutes, delivery=schedule.delivery,
        status=status, assigned_to=assigned_to,
        checklist=schedule_items(prefix, schedule.title, schedule.checklist))
