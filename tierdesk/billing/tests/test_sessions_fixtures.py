"""Shared fixtures of the session/classification tests (import them by name).

Silver: 2 help-desk sessions of 15 min a month ("blocks"), $35.00 a session over; $150/h;
after-hours × 2 (billable); on-site billable, $75 trip fee; approval above $250; covers
"Backups" monitored only and "Patching" fully supported; every work type billable.
Platinum: unlimited help desk, $125/h, travel included, everything fully supported, only
projects billed. acme (America/New_York) is on Silver from 2026-01-01.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tierdesk.catalog.factories import ServiceFactory
from tierdesk.clients.factories import AgreementFactory
from tierdesk.plans.factories import PlanFactory, PlanVersionFactory
from tierdesk.plans.models import BillingRule, CoveredService, WorkType

NY = ZoneInfo("America/New_York")


def ny(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)


def make_tier(name, rank, *, sessions, rate, billable, levels, services, **extra):
    version = PlanVersionFactory(
        plan=PlanFactory(slug=name.lower(), name=name, rank=rank), helpdesk_sessions=sessions,
        hourly_rate=Decimal(rate), with_targets=False, **extra)
    for work_type in WorkType.values:
        BillingRule.objects.create(version=version, work_type=work_type,
                                   billable=work_type in billable)
    for service in services:
        CoveredService.objects.create(version=version, service=service,
                                      level=levels[service.slug])
    return version


@pytest.fixture
def services(db):
    return {"backups": ServiceFactory(slug="backups", name="Backups and disaster recovery"),
            "patching": ServiceFactory(slug="patching", name="Patch management and upgrades")}


@pytest.fixture
def silver(services):
    return make_tier("Silver", 1, sessions=2, rate="150.00", billable=set(WorkType.values),
                     levels={"backups": "monitored", "patching": "supported"},
                     services=services.values(), overage_session_price=Decimal("35.00"),
                     after_hours_multiplier=Decimal("2.00"), onsite_trip_fee=Decimal("75.00"),
                     travel_billing="trip_fee", approval_threshold=Decimal("250.00"))


@pytest.fixture
def platinum(services):
    return make_tier("Platinum", 3, sessions=None, rate="125.00",
                     billable={"project", "hardware", "software"},
                     levels={"backups": "supported", "patching": "supported"},
                     services=services.values(), after_hours_multiplier=Decimal("1.00"),
                     travel_billing="included", approval_threshold=None)


@pytest.fixture
def acme_on_silver(acme, silver):
    return AgreementFactory(client=acme, plan_version=silver, status="active",
                            start_date=dt.date(2026, 1, 1))


@pytest.fixture
def ticket(acme_on_silver, personas):
    from tierdesk.desk.services import ticket_open

    return ticket_open(client=acme_on_silver.client, channel="email", subject="Printer",
                       opened_at=ny(2026, 3, 2, 9, 0))
