"""Tier-building helpers for the plans tests: a proper Silver < Gold < Platinum ladder built
with the factories (not the seed data, which is tested on its own)."""

from dataclasses import replace
from decimal import Decimal

import pytest

from tierdesk.catalog.factories import ServiceFactory
from tierdesk.plans.entitlements import Billing, Entitlements, Target
from tierdesk.plans.factories import (
    BUSINESS_HOURS,
    BillingRuleFactory,
    CoveredServiceFactory,
    PlanFactory,
    PlanVersionFactory,
)
from tierdesk.plans.models import ResponseTarget
from tierdesk.sla import Calendar

ALWAYS = Calendar.always("America/New_York").to_dict()


def tier(name, rank, *, services=(), billing=(), targets=None, **fields):
    """A plan with version 1. `services` is [(service, level)], `billing` [(type, billable)],
    `targets` {priority: (kind, first_response_minutes)} replacing the factory's."""
    version = PlanVersionFactory(
        plan=PlanFactory(slug=name.lower(), name=name, rank=rank),
        with_targets=targets is None, **fields,
    )
    for service, level in services:
        CoveredServiceFactory(version=version, service=service, level=level)
    for work_type, billable in billing:
        BillingRuleFactory(version=version, work_type=work_type, billable=billable)
    for priority, (kind, minutes) in (targets or {}).items():
        ResponseTarget.objects.create(version=version, priority=priority, kind=kind,
                                      first_response_minutes=minutes)
    return version


@pytest.fixture
def services(db):
    return {
        "backup": ServiceFactory(slug="backup", name="Backups and disaster recovery", position=1),
        "patch": ServiceFactory(slug="patch", name="Patch management", position=2),
        "av": ServiceFactory(slug="av", name="Virus definition updates", position=3),
    }


@pytest.fixture
def ladder(services):
    """Silver < Gold < Platinum, each offering at least what the tier below offers."""
    s = services
    silver = tier(
        "Silver", 1, services=[(s["backup"], "monitored")],
        billing=[("break_fix", True), ("onsite", True)],
        targets={"p1": ("business", 240), "p2": ("same_day", None)},
        channels=["email", "portal"], helpdesk_sessions=2,
    )
    gold = tier(
        "Gold", 2, services=[(s["backup"], "maintained"), (s["patch"], "maintained")],
        billing=[("break_fix", False), ("onsite", True)],
        targets={"p1": ("business", 120), "p2": ("business", 240)},
        channels=["email", "portal", "phone_attendant"], helpdesk_sessions=10,
        scheduled_maintenance=True, network_audits="yearly", base_fee=Decimal("299.00"),
    )
    platinum = tier(
        "Platinum", 3,
        services=[(s["backup"], "supported"), (s["patch"], "supported"), (s["av"], "supported")],
        billing=[("break_fix", False), ("onsite", False)],
        targets={"p1": ("wall", 60), "p2": ("wall", 120)},
        channels=["email", "portal", "phone_attendant", "hotline"], helpdesk_sessions=None,
        scheduled_maintenance=True, network_audits="quarterly", hours=ALWAYS,
        hours_label="24x7", base_fee=Decimal("799.00"),
    )
    return [silver, gold, platinum]


def entitlements(version, **changes) -> Entitlements:
    """The entitlements of `version`, with `changes` applied."""
    return replace(Entitlements.from_version(version), **changes)


__all__ = ["ALWAYS", "BUSINESS_HOURS", "Billing", "Target", "entitlements", "tier"]
