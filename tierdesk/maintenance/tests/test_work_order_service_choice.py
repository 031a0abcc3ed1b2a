"""Which catalog services the time on a generated work order is logged against."""

import datetime as dt

from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import WorkOrder
from tierdesk.maintenance.selectors import workorder_services


def names(order) -> list[str]:
    return [s.name for s in workorder_services(order)]


def test_a_task_work_order_is_logged_against_its_tasks_service(platinum_acme):
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    order = WorkOrder.objects.filter(title="Verify offsite backup replication").first()
    assert names(order) == ["Backups and disaster recovery"]


def test_a_daily_checklist_offers_the_service_of_every_task_in_it(platinum_acme):
    workorders_generate(today=dt.date(2026, 2, 2), horizon_days=7)
    daily = WorkOrder.objects.filter(kind="daily").first()
    offered = names(daily)
    assert "Backups and disaster recovery" in offered and len(offered) >= 3
    assert offered == sorted(offered)


def test_an_audit_offers_the_services_of_its_audit_tasks(platinum_acme):
    # Quarterly from the 5 January start: 5 April 2026 is a Sunday, so Monday the 6th.
    workorders_generate(today=dt.date(2026, 4, 1), horizon_days=10)
    audit = WorkOrder.objects.get(kind="audit")
    assert audit.due_on == dt.date(2026, 4, 6)
    assert names(audit)  # e.g. network optimisation, security monitoring
