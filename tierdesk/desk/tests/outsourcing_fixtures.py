"""Shared fixtures of the outsourcing tests: a partner in London on business hours, and the
Gold tier (desk_fixtures) routing its end-user help desk to it.

Import the fixtures a test module needs by name (pytest finds imported fixtures).
"""

import datetime as dt
from decimal import Decimal

import pytest

from tierdesk.desk import outsourcing
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny  # noqa: F401

LONDON_WEEKDAYS = {"tz": "Europe/London",
                   "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}}
SECRET_HEX_LENGTH = 64


def make_partner(owner, **overrides):
    fields = dict(name="HelpCo", email="desk@helpco.example",
                  webhook_url="https://hooks.helpco.example/tierdesk", hours=LONDON_WEEKDAYS,
                  first_response_minutes=120, resolution_minutes=480,
                  fee_per_ticket=Decimal("6.50"), fee_per_month=Decimal("100.00"),
                  contract_start=dt.date(2026, 1, 1))
    fields.update(overrides)
    return outsourcing.partner_create(by=owner, **fields)


@pytest.fixture
def partner(personas):
    return make_partner(personas.owner)


@pytest.fixture
def gold_routed(gold, partner, personas):  # noqa: F811
    outsourcing.helpdesk_route_set(plan=gold.plan, partner=partner, by=personas.owner)
    return gold


def open_helpdesk(agreement, *, type="helpdesk", at=None, subject="Outlook keeps crashing"):
    """Open a ticket of `agreement`'s client from its portal contact."""
    from tierdesk.desk.services import ticket_open

    client = agreement.client
    contact = client.contacts.filter(user__isnull=False).first()
    return ticket_open(client=client, channel="email", subject=subject, type=type,
                       body="Since this morning Outlook closes on start.", contact=contact,
                       priority="p2", opened_at=at or ny(2026, 3, 2, 9, 0))
