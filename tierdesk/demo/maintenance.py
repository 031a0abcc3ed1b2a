"""Demo maintenance: work orders for the demo clients from five weeks ago to the horizon,
the past ones mostly done (every item ticked by a demo technician), a few missed — so the
technician's week, overdue flags and the monthly value report have something to show."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from tierdesk.core.models import Role, User
from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import GenerationMark, Schedule, WorkOrder, WorkOrderStatus

HISTORY_DAYS = 35


def demo_maintenance_generate(*, clients: list, seed: int, today: dt.date | None = None
                              ) -> dict:
    """Generate the demo clients' work orders (history and horizon) and close the past
    ones: 90% done on their day, the rest missed. Returns counts."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=HISTORY_DAYS)
    agreement_ids = [a.pk for c in clients for a in c.agreements.all()]
    result = workorders_generate(today=start, horizon_days=HISTORY_DAYS + 30,
                                 agreement_ids=agreement_ids)
    rng = random.Random(seed)
    techs = list(User.objects.filter(role=Role.TECHNICIAN, is_active=True).order_by("pk"))
    done = missed = 0
    past = WorkOrder.objects.filter(agreement_id__in=agreement_ids, due_on__lt=today,
                                    status=WorkOrderStatus.SCHEDULED)
    with transaction.atomic():
        for order in past.order_by("pk"):
            if rng.random() < 0.1:
                order.status = WorkOrderStatus.MISSED
                missed += 1
            else:
                tech = rng.choice(techs) if techs else None
                finished = order.scheduled_at + dt.timedelta(minutes=order.estimated_minutes)
                for item in order.checklist:
                    item.update(done=True, done_at=finished.isoformat(),
                                done_by=tech.pk if tech else None)
                order.status = WorkOrderStatus.DONE
                order.completed_at = finished
                order.completed_by = tech
                order.assigned_to = tech
                if order.kind == "audit":
                    order.findings = ("No critical findings. Two workstations were behind on "
                                      "patches and were updated during the audit.")
                done += 1
            order.save(update_fields=["status", "checklist", "completed_at", "completed_by",
                                      "assigned_to", "findings", "updated_at"])
    return {"work orders": result.created, "done": done, "missed": missed}


def demo_maintenance_delete(clients) -> int:
    """Delete the work orders and schedules of `clients` (a queryset); the count."""
    orders = WorkOrder.objects.filter(client__in=clients)
    count = orders.count()
    orders.delete()
    Schedule.objects.filter(agreement__client__in=clients).delete()
    GenerationMark.objects.filter(agreement__client__in=clients).delete()
    return count
