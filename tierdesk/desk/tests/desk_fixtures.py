"""Shared fixtures of the desk-core tests: a tier with known targets and acme on it.

Import the fixtures a test module needs by name (pytest finds imported fixtures).

Tier "Gold" v1, hours Mon–Fri 08:00–18:00 America/New_York, channels e-mail/portal/attendant:
  p1 business: first response 60, on-site 240, resolution 480
  p2 business: first response 120, resolution 960
  p3 same day, cut-off 15:00 (resolution 2400 business minutes)
  p4 wall clock: first response 1440
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tierdesk.clients.factories import AgreementFactory
from tierdesk.plans.factories import PlanFactory, PlanVersionFactory
from tierdesk.plans.models import ResponseTarget

NY = ZoneInfo("America/New_York")


def ny(*args) -> dt.datetime:
    """A New York local time, as an aware datetime."""
    return dt.datetime(*args, tzinfo=NY)


def make_version(name="Gold", rank=2, channels=("email", "portal", "phone_attendant"),
                 instructions="E-mail help@msp.example or use the portal."):
    version = PlanVersionFactory(plan=PlanFactory(slug=name.lower(), name=name, rank=rank),
                                 channels=list(channels), channel_instructions=instructions,
                                 with_targets=False)
    ResponseTarget.objects.create(version=version, priority="p1", kind="business",
                                  first_response_minutes=60, onsite_minutes=240,
                                  resolution_minutes=480)
    ResponseTarget.objects.create(version=version, priority="p2", kind="business",
                                  first_response_minutes=120, resolution_minutes=960)
    ResponseTarget.objects.create(version=version, priority="p3", kind="same_day",
                                  same_day_cutoff=dt.time(15, 0), resolution_minutes=2400)
    ResponseTarget.objects.create(version=version, priority="p4", kind="wall",
                                  first_response_minutes=1440)
    return version


@pytest.fixture
def gold(db):
    return make_version()


@pytest.fixture
def acme_on_gold(acme, gold):
    return AgreementFactory(client=acme, plan_version=gold, status="active",
                            start_date=dt.date(2025, 1, 1))


@pytest.fixture
def open_ticket(acme_on_gold, personas):
    """A P1 e-mail ticket of acme opened Monday 2026-03-02 09:00 New York."""
    from tierdesk.desk.services import ticket_open

    contact = acme_on_gold.client.contacts.get(user=personas.contact)
    return ticket_open(client=acme_on_gold.client, channel="email", subject="Server down",
                       body="Nothing works", contact=contact, priority="p1",
                       opened_at=ny(2026, 3, 2, 9, 0))
