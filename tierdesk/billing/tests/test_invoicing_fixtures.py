"""Builders shared by the invoice tests: agreements and already-classified sessions.

Sessions are created with their classification fields set directly: the invoice engine only
reads what billing/classification.py wrote, so the tests simulate classified history.
"""

import datetime as dt
from decimal import Decimal

from tierdesk.billing.models import WorkSession
from tierdesk.clients.factories import AgreementFactory, ClientFactory
from tierdesk.core.factories import UserFactory
from tierdesk.plans.factories import PlanFactory, PlanVersionFactory

OCT = dt.date(2026, 10, 1)
SEP = dt.date(2026, 9, 1)
NOV = dt.date(2026, 11, 1)


def agreement(*, fee="300.00", start=dt.date(2026, 1, 1), cycle="monthly", tax="0",
              tier="Gold", client=None, **kw):
    """An active agreement whose monthly fee is exactly `fee` (all in the base fee)."""
    plan = PlanFactory(slug=tier.lower(), name=tier)
    version = PlanVersionFactory(plan=plan, number=kw.pop("number", 1),
                                 base_fee=Decimal(fee), price_per_user=Decimal("0"),
                                 price_per_device=Decimal("0"))
    client = client or ClientFactory(tax_rate_percent=Decimal(tax))
    return AgreementFactory(client=client, plan_version=version, start_date=start,
                            status=kw.pop("status", "active"), billing_cycle=cycle,
                            base_fee=Decimal(fee), price_per_user=Decimal("0"),
                            price_per_device=Decimal("0"), **kw)


def session(agreement, *, period_start, classification, amount="0.00", rate=None,
            units=0, minutes=30, reason="", day=5):
    tech = UserFactory(username="tech-inv")
    start = dt.datetime(period_start.year, period_start.month, day, 14, 0, tzinfo=dt.UTC)
    return WorkSession.objects.create(
        client=agreement.client, agreement=agreement, technician=tech, started_at=start,
        ended_at=start + dt.timedelta(minutes=minutes), classification=classification,
        reason=reason or f"{classification}: test", overage_units=units,
        billable_minutes=minutes if classification == "billable" else 0,
        rate=Decimal(rate) if rate else None, amount=Decimal(amount),
        period_start=period_start, classified_at=start)
