"""Fixtures of the clients tests: a priced tier version and agreements of acme on it."""

import datetime as dt
from decimal import Decimal

import pytest

from tierdesk.clients.factories import AgreementFactory
from tierdesk.clients.services import client_today
from tierdesk.plans.factories import PlanFactory, PlanVersionFactory


@pytest.fixture
def silver(db):
    return PlanVersionFactory(plan=PlanFactory(slug="silver", name="Silver", rank=1),
                              base_fee=Decimal("99.00"), price_per_user=Decimal("10.00"),
                              price_per_device=Decimal("5.00"))


@pytest.fixture
def gold(db):
    return PlanVersionFactory(plan=PlanFactory(slug="gold", name="Gold", rank=2),
                              base_fee=Decimal("199.00"), price_per_user=Decimal("20.00"),
                              price_per_device=Decimal("8.00"))


@pytest.fixture
def today(acme):
    """Today where acme is (agreements start on the client's calendar)."""
    return client_today(acme)


@pytest.fixture
def draft(acme, silver, today):
    return AgreementFactory(client=acme, plan_version=silver, start_date=today)


@pytest.fixture
def active(acme, silver, today):
    return AgreementFactory(client=acme, plan_version=silver, status="active",
                            start_date=today - dt.timedelta(days=60))
