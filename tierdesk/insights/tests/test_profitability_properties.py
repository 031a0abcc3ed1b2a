# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""Properties of profitability over generated months of work: every row's margin is its
revenue minus its cost, exactly; revenue and cost are the sums of what was generated; and
the roll-ups (client, tier, segment) add up to the same totals."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierdesk.billing.models import BillableItem
from tierdesk.clients.factories import AgreementFactory, ClientFactory
from tierdesk.insights.profit_figures import Period
from tierdesk.insights.profitability import compute
from tierdesk.insights.tests.profit_fixtures import (  # noqa: F401
    MARCH,
    costs,
    invoice,
    make_tier,
    ny,
    platinum,
    services,
    session,
    silver,
)

CENT = Decimal("0.01")
money = st.decimals(min_value=0, max_value=2000, places=2)
work = st.tuples(st.integers(0, 2), st.integers(0, 240), st.integers(0, 120),
                 st.sampled_from(["allowance", "overage", "billable", "included"]), money)
client_month = st.fixed_dictionaries({
    "invoiced": st.booleans(), "fee": money, "devices": st.integers(0, 40),
    "sessions": st.lists(work, max_size=5),
    "items": st.lists(st.tuples(money, money), max_size=2),
})


class Rollback(Exception):
    pass


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(months=st.lists(client_month, min_size=1, max_size=4))
def test_margin_is_revenue_minus_cost_for_every_row(costs, silver, platinum, months):
    techs = [costs.technician, costs.dispatcher, costs.owner]  # $60, $45, $45 an hour
    expected_revenue = Decimal(0)
    expected_cost = Decimal(0)
    try:
        with transaction.atomic():
            for n, data in enumerate(months):
                client = ClientFactory(name=f"Generated {n}")
                agreement = AgreementFactory(
                    client=client, plan_version=(silver, platinum)[n % 2], status="active",
                    start_date=dt.date(2026, 1, 1), users_count=0,
                    devices_count=data["devices"], base_fee=data["fee"], price_per_user=0,
                    price_per_device=0)
                if data["invoiced"]:
                    invoice(agreement, MARCH, [("recurring", str(data["fee"]))])
                expected_revenue += data["fee"]
                # Anti-virus everywhere; the backup seat where Backups are covered (both).
                expected_cost += Decimal(5) * data["devices"]
                for i, (tech, minutes, travel, cls, amount) in enumerate(data["sessions"]):
                    charged = amount if cls in ("overage", "billable") else Decimal("0.00")
                    session(agreement, techs[tech], ny(2026, 3, 2 + i, 10), minutes,
                            classification=cls, amount=str(charged), travel=travel)
                    rate = (Decimal(60), Decimal(45), Decimal(45))[tech] / 60
                    expected_revenue += charged
                    expected_cost += (minutes + travel) * rate + travel * Decimal("0.5")
                for price, cost in data["items"]:
                    BillableItem.objects.create(client=client, agreement=agreement,
                                                kind="hardware", description="Part",
                                                quantity=1, unit_cost=cost, unit_price=price,
                                                starts_on=dt.date(2026, 3, 9))
                    expected_revenue += price
                    expected_cost += cost
            computation = compute([Period.month(MARCH)])
            for level in ("agreement", "client", "tier", "segment"):
                rows = computation.rows(level)
                for row in rows:
                    f = row.figures
                    assert f.margin == f.revenue - f.cost
                    assert f.revenue == f.revenue.quantize(CENT)
                total_revenue = sum((r.figures.revenue for r in rows), Decimal(0))
                total_cost = sum((r.figures.cost for r in rows), Decimal(0))
                # Each row rounds once: the rows' sum is within half a cent a row.
                assert abs(total_revenue - expected_revenue) <= CENT * len(rows) / 2
                assert abs(total_cost - expected_cost) <= CENT * len(rows) / 2
            raise Rollback
    except Rollback:
        pass
