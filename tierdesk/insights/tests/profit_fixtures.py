# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""Shared fixtures of the profitability, guardrail and price-designer tests (import them by
name).

The cost model: anyone $45.00/h by default; technicians $50.00/h as a role, and the
`technician` persona $60.00/h personally ($1.00 a minute); mileage $0.50 a drive minute.
Tools: "Anti-virus" $2.00 a device on every tier; "Backup seat" $3.00 a device where the
tier covers Backups (Silver does, monitored only).

acme (New York) is on Silver from 2026-01-01 with 5 users and 10 devices at $100 + $10 a
user + $5 a device = $200.00 a month. `acme_march` fills its March 2026:

=====================  ==============================================  =========
revenue                March's invoice fee line                          200.00
                       a help-desk session over the allowance             35.00
                       billable on-site break-fix                        225.00
                       a router sold (2 × $115.00)                       230.00
                       total                                             690.00
cost                   sessions 30 + 15 + 60 + 90 min at $1.00/min       195.00
                       a work order with no session, 30 min × $0.75       22.50
                       travel 40 min × $1.00                              40.00
                       mileage 40 min × $0.50                             20.00
                       tools 10 devices × ($2 + $3)                       50.00
                       outsourced help desk                               12.50
                       the router's cost (2 × $100.00)                   200.00
                       total                                             540.00
margin                 150.00 = 21.7 %; 225 minutes worked → $184.00/h
=====================  ==============================================  =========

April has no invoice and no work: the fee is estimated (200.00), tools cost 50.00.
"""

import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest

from tierdesk.billing.models import BillableItem, Invoice, InvoiceLine, WorkSession
from tierdesk.billing.tests.test_sessions_fixtures import (  # noqa: F401
    make_tier,
    ny,
    platinum,
    services,
    silver,
)
from tierdesk.clients.factories import AgreementFactory
from tierdesk.insights.costs import cost_model_save, outsourced_cost_record, tool_cost_save
from tierdesk.maintenance.models import WorkOrder

MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)


@pytest.fixture
def costs(personas, services):
    cost_model_save(by=personas.owner, default_hourly_cost="45.00",
                    mileage_cost_per_drive_minute="0.50",
                    role_rates={"technician": "50.00"},
                    person_rates={personas.technician.pk: "60.00"})
    tool_cost_save(by=personas.owner, name="Anti-virus", monthly_cost_per_device="2.00")
    tool_cost_save(by=personas.owner, name="Backup seat", monthly_cost_per_device="3.00",
                   services=[services["backups"]])
    return personas


@pytest.fixture
def acme_silver(acme, silver):  # noqa: F811
    return AgreementFactory(client=acme, plan_version=silver, status="active",
                            start_date=dt.date(2026, 1, 1), users_count=5, devices_count=10,
                            base_fee=Decimal("100.00"), price_per_user=Decimal("10.00"),
                            price_per_device=Decimal("5.00"))


def session(agreement, tech, start, minutes, *, classification, amount="0.00",
            work_type="helpdesk", mode="remote", travel=0, work_order=None) -> WorkSession:
    local = start.astimezone(ny(2026, 1, 1).tzinfo).date()
    return WorkSession.objects.create(
        client=agreement.client, agreement=agreement, technician=tech, started_at=start,
        ended_at=start + timedelta(minutes=minutes), mode=mode, work_type=work_type,
        travel_minutes=travel, classification=classification, reason=f"{classification}: test",
        amount=Decimal(amount), period_start=local.replace(day=1), classified_at=start,
        work_order=work_order)


def work_order(agreement, due_on, *, minutes=30, completed_by=None, status="done",
               delivery="remote", title="Patch servers") -> WorkOrder:
    at = dt.datetime.combine(due_on, dt.time(14, 0), tzinfo=dt.UTC)
    return WorkOrder.objects.create(
        agreement=agreement, client=agreement.client, kind="maintenance",
        key=f"t:{title}:{due_on}", title=title, occurrence_on=due_on, due_on=due_on,
        scheduled_at=at, due_at=at + timedelta(hours=8), estimated_minutes=minutes,
        delivery=delivery, status=status, completed_by=completed_by,
        completed_at=at if status == "done" else None)


def invoice(agreement, month, lines, *, status="issued", number=None) -> Invoice:
    last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    inv = Invoice.objects.create(
        number=number or f"T-{agreement.pk}-{month:%Y%m}", client=agreement.client,
        agreement=agreement, period_start=month, period_end=last, status=status,
        currency="USD")
    for position, (kind, amount) in enumerate(lines, start=1):
        InvoiceLine.objects.create(invoice=inv, position=position, kind=kind,
                                   description=kind, quantity=1, unit_price=Decimal(amount),
                                   amount=Decimal(amount))
    return inv


@pytest.fixture
def acme_march(costs, acme_silver):
    tech, dispatcher = costs.technician, costs.dispatcher
    invoice(acme_silver, MARCH, [("recurring", "200.00"), ("overage", "35.00")])
    session(acme_silver, tech, ny(2026, 3, 2, 10), 30, classification="allowance")
    session(acme_silver, tech, ny(2026, 3, 3, 10), 15, classification="overage",
            amount="35.00")
    session(acme_silver, tech, ny(2026, 3, 4, 10), 60, classification="billable",
            amount="225.00", work_type="break_fix", mode="onsite", travel=40)
    session(acme_silver, tech, ny(2026, 3, 5, 10), 90, classification="included",
            work_type="break_fix")
    session(acme_silver, tech, ny(2026, 3, 6, 10), 20, classification="internal",
            work_type="internal")
    # February's work is not March's.
    session(acme_silver, tech, ny(2026, 2, 20, 10), 45, classification="billable",
            amount="150.00", work_type="break_fix")
    work_order(acme_silver, dt.date(2026, 3, 9), completed_by=dispatcher)
    logged = work_order(acme_silver, dt.date(2026, 3, 10), title="Verify backups",
                        completed_by=tech)
    session(acme_silver, tech, ny(2026, 3, 10, 15), 0, classification="included",
            work_type="maintenance", work_order=logged)
    work_order(acme_silver, dt.date(2026, 3, 11), title="Scheduled only", status="scheduled")
    BillableItem.objects.create(
        client=acme_silver.client, agreement=acme_silver, kind="hardware",
        description="Router", quantity=Decimal("2"), unit_cost=Decimal("100.00"),
        unit_price=Decimal("115.00"), starts_on=dt.date(2026, 3, 10))
    BillableItem.objects.create(
        client=acme_silver.client, agreement=acme_silver, kind="hardware",
        description="Declined switch", quantity=Decimal("1"), unit_cost=Decimal("300.00"),
        unit_price=Decimal("345.00"), starts_on=dt.date(2026, 3, 12), approval="declined")
    outsourced_cost_record(client=acme_silver.client, month=MARCH, amount="12.50", tickets=1,
                           partner="HelpCo")
    return acme_silver
