"""Shared fixtures of the capacity tests: Gold (business hours, desk_fixtures) and a 24x7
Platinum tier, acme on Gold, two technicians, and a known history of 24 Gold tickets.

Import the fixtures a test module needs by name (pytest finds imported fixtures).

The history (12 weeks before NOW, Monday 2026-03-30 00:00 New York):
  every Monday 10:00   a P2 help-desk ticket, worked 30 minutes, remote
  every Tuesday 14:00  a P2 break-fix ticket needing a visit, worked 90 minutes
so Gold P2 arrives at 1 ticket an hour in those two hours of the week and never otherwise.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tierdesk.billing.models import WorkSession
from tierdesk.clients.factories import AgreementFactory
from tierdesk.core.factories import UserFactory
from tierdesk.core.models import Role
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, make_version  # noqa: F401
from tierdesk.plans.factories import PlanFactory, PlanVersionFactory
from tierdesk.plans.models import ResponseTarget

NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 3, 30, 0, 0, tzinfo=NY)
FIRST_MONDAY = dt.date(2026, 1, 5)
ALWAYS_NY = {"tz": "America/New_York",
             "hours": {d: [["00:00", "24:00"]]
                       for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), NY)


@pytest.fixture
def techs(personas):
    """The roster: the `technician` persona and a second technician, Bob."""
    bob = UserFactory(username="bob", role=Role.TECHNICIAN, first_name="Bob",
                      last_name="Builder")
    personas.technician.first_name, personas.technician.last_name = "Tess", "Tech"
    personas.technician.save()
    return personas.technician, bob


@pytest.fixture
def platinum(db):
    """A 24x7 tier: 2-hour first response around the clock for P1, 8 hours for P3."""
    version = PlanVersionFactory(plan=PlanFactory(slug="platinum", name="Platinum", rank=3),
                                 hours=ALWAYS_NY, hours_label="24x7", with_targets=False,
                                 channels=["email", "portal", "hotline"])
    ResponseTarget.objects.create(version=version, priority="p1", kind="wall",
                                  first_response_minutes=120, resolution_minutes=480)
    ResponseTarget.objects.create(version=version, priority="p3", kind="wall",
                                  first_response_minutes=480)
    return version


@pytest.fixture
def history(acme_on_gold, techs):  # noqa: F811
    from tierdesk.desk.services import ticket_open

    client = acme_on_gold.client
    site = client.sites.first()
    tess = techs[0]
    for week in range(12):
        monday = FIRST_MONDAY + dt.timedelta(weeks=week)
        for day, hour, kind, onsite, minutes in (
                (monday, 10, "helpdesk", False, 30),
                (monday + dt.timedelta(days=1), 14, "break_fix", True, 90)):
            opened = at(day, hour)
            ticket = ticket_open(client=client, channel="email", subject=f"{kind} {day}",
                                 type=kind, priority="p2", needs_onsite=onsite, site=site,
                                 opened_at=opened)
            WorkSession.objects.create(
                ticket=ticket, client=client, agreement=acme_on_gold, technician=tess,
                started_at=opened + dt.timedelta(minutes=20),
                ended_at=opened + dt.timedelta(minutes=20 + minutes),
                mode="onsite" if onsite else "remote", work_type=kind)
    return acme_on_gold


@pytest.fixture
def second_gold_client(gold, globex):  # noqa: F811
    return AgreementFactory(client=globex, plan_version=gold, status="active",
                            start_date=dt.date(2025, 1, 1))
