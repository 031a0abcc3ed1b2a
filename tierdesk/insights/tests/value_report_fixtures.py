"""Shared fixtures of the value-report tests (import them by name).

acme (America/New_York) is on Silver from 2026-01-01 (billing's session fixtures: 2
help-desk sessions of 15 min, $35 a session over, $150/h, "Backups" monitored only,
"Patching" fully supported, every work type billable; here with scheduled maintenance).
Gold, the next tier up, covers both services fully, has unlimited help desk and bills only
projects and hardware.
`march` fills acme's March 2026 with work of every kind the report counts.
"""

import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest

from tierdesk.billing.models import Invoice, InvoiceLine
from tierdesk.billing.sessions import session_log
from tierdesk.billing.tests.test_sessions_fixtures import (  # noqa: F401
    acme_on_silver,
    make_tier,
    ny,
    services,
    silver,
)
from tierdesk.clients.models import Agreement
from tierdesk.desk.models import EntryKind, Ticket, TicketEntry, TicketType
from tierdesk.maintenance.models import WorkOrder
from tierdesk.plans.models import PlanVersion

MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def gold(services):  # noqa: F811
    return make_tier("Gold", 2, sessions=None, rate="125.00",
                     billable={"project", "hardware", "software"},
                     levels={"backups": "supported", "patching": "supported"},
                     services=services.values(), base_fee=Decimal("199.00"),
                     after_hours_multiplier=Decimal("1.00"), travel_billing="included",
                     approval_threshold=None)


_refs = iter(range(100_000))


def ticket(client, opened_at, **fields) -> Ticket:
    agreement = Agreement.objects.filter(client=client).order_by("-start_date").first()
    fields.setdefault("channel", "email")
    return Ticket.objects.create(
        reference=f"TD-T{next(_refs):05d}", client=client, agreement=agreement,
        plan_version=agreement.plan_version if agreement else None, subject="Test",
        opened_at=opened_at, **fields)


def work_order(agreement, due_on, *, title="Patch servers", kind="maintenance",
               status="done", checklist=None) -> WorkOrder:
    at = dt.datetime.combine(due_on, dt.time(14, 0), tzinfo=dt.UTC)
    return WorkOrder.objects.create(
        agreement=agreement, client=agreement.client, kind=kind,
        key=f"{kind}:{title}:{due_on}", title=title, occurrence_on=due_on, due_on=due_on,
        scheduled_at=at, due_at=at + timedelta(hours=8), estimated_minutes=30,
        checklist=checklist or [], status=status,
        completed_at=at if status == "done" else None)


def log(client, tech, start, minutes, **kw):
    return session_log(client=client, technician=tech, started_at=start,
                       ended_at=start + timedelta(minutes=minutes), **kw)


@pytest.fixture
def march(acme_on_silver, gold, services, personas):  # noqa: F811
    """acme's March 2026 (Silver; Gold above it)."""
    acme, tech = acme_on_silver.client, personas.technician
    # This Silver includes scheduled maintenance, so maintenance on Patching is included.
    PlanVersion.objects.filter(pk=acme_on_silver.plan_version_id).update(
        scheduled_maintenance=True)
    # Help desk: two sessions in the allowance, the third is overage ($35).
    for day in (2, 3, 4):
        log(acme, tech, ny(2026, 3, day, 10), 10)
    # Break-fix on Backups, monitored only on Silver: billable 60 min at $150/h.
    log(acme, tech, ny(2026, 3, 5, 10), 60, work_type="break_fix",
        service=services["backups"])
    # Maintenance on Patching, fully supported: included (30 min).
    log(acme, tech, ny(2026, 3, 6, 10), 30, work_type="maintenance",
        service=services["patching"])
    # February's work does not count.
    log(acme, tech, ny(2026, 2, 20, 10), 45, work_type="break_fix",
        service=services["backups"])

    due = dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC)
    ticket(acme, ny(2026, 3, 9, 9), first_response_due_at=due,
           first_responded_at=due - timedelta(hours=1))
    ticket(acme, ny(2026, 3, 10, 9), first_response_due_at=due + timedelta(days=1),
           first_response_breached=True)
    ticket(acme, ny(2026, 3, 11, 9), resolution_due_at=due + timedelta(days=3),
           resolved_at=due + timedelta(days=2), status="resolved")
    # 23:30 on 31 March in New York is already April in UTC: still acme's March.
    ticket(acme, ny(2026, 3, 31, 23, 30))
    ticket(acme, ny(2026, 2, 27, 9))  # February: not counted
    alert = ticket(acme, ny(2026, 3, 12, 3), type=TicketType.MONITORING_ALERT,
                   channel="monitoring", alert_key="dc01|disk", alert_count=5,
                   status="resolved", resolved_at=ny(2026, 3, 12, 5))
    TicketEntry.objects.create(ticket=alert, kind=EntryKind.STATUS, author_user=None,
                               body="Monitoring: disk resolved",
                               data={"from": "new", "to": "resolved"},
                               created_at=ny(2026, 3, 12, 5))
    ticket(acme, ny(2026, 3, 20, 3), type=TicketType.MONITORING_ALERT, channel="monitoring",
           alert_key="dc01|cpu", alert_count=2)

    items = [{"key": "a", "label": "Apply patches", "done": True},
             {"key": "b", "label": "Reboot", "done": True},
             {"key": "c", "label": "Check logs", "done": False}]
    work_order(acme_on_silver, dt.date(2026, 3, 3), checklist=items)
    work_order(acme_on_silver, dt.date(2026, 3, 10), checklist=items)
    work_order(acme_on_silver, dt.date(2026, 3, 17), status="missed", checklist=items)
    work_order(acme_on_silver, dt.date(2026, 3, 18), title="Verify backups")
    work_order(acme_on_silver, dt.date(2026, 3, 2), kind="daily", title="Daily checklist",
               checklist=[{"key": "d", "label": "Review alerts", "done": True}])
    work_order(acme_on_silver, dt.date(2026, 3, 24), status="scheduled")
    work_order(acme_on_silver, dt.date(2026, 4, 1))  # April: not counted

    invoice = Invoice.objects.create(
        number="INV-0007", client=acme, agreement=acme_on_silver, period_start=MARCH,
        period_end=dt.date(2026, 3, 31), status="issued", currency="USD",
        subtotal=Decimal("259.00"), total=Decimal("259.00"))
    InvoiceLine.objects.create(invoice=invoice, position=1, kind="recurring",
                               description="Silver — monthly fee, March 2026",
                               reason="recurring: Silver fee, billed in advance",
                               quantity=1, unit_price=Decimal("259.00"),
                               amount=Decimal("259.00"))
    return acme_on_silver
