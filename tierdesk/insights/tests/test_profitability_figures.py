# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""The figures of profitability, one example each, from acme's March 2026 (see
profit_fixtures.py for the hand-computed table)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tierdesk.clients.factories import AgreementFactory, ClientFactory
from tierdesk.insights.profit_figures import Period
from tierdesk.insights.profitability import compute
from tierdesk.insights.tests.profit_fixtures import (  # noqa: F401
    APRIL,
    MARCH,
    acme_march,
    acme_silver,
    costs,
    invoice,
    make_tier,
    ny,
    platinum,
    services,
    session,
    silver,
)


def client_row(period, client_id):
    rows = [r for r in compute([period]).rows("client") if r.client_id == client_id]
    assert len(rows) == 1
    return rows[0]


@pytest.fixture
def march_row(acme_march):
    return client_row(Period.month(MARCH), acme_march.client_id)


def test_revenue_counts_the_invoiced_fee_the_months_charged_work_and_items(march_row):
    parts = march_row.figures.parts()
    assert (parts["fees"], parts["overage"], parts["billable"], parts["items"]) == (
        Decimal("200.00"), Decimal("35.00"), Decimal("225.00"), Decimal("230.00"))
    assert march_row.figures.revenue == Decimal("690.00")
    assert not march_row.figures.estimated


def test_cost_counts_time_at_each_persons_rate_travel_mileage_tools_partners_and_items(
        march_row):
    parts = march_row.figures.parts()
    assert parts["labour"] == Decimal("217.50")  # 195 min × $1.00 + 30 min × $0.75
    assert (parts["travel"], parts["mileage"]) == (Decimal("40.00"), Decimal("20.00"))
    assert parts["tools"] == Decimal("50.00")
    assert parts["outsourced"] == Decimal("12.50")
    assert parts["items_cost"] == Decimal("200.00")
    assert march_row.figures.cost == Decimal("540.00")


def test_margin_margin_percent_and_effective_hourly_rate(march_row):
    f = march_row.figures
    assert f.margin == Decimal("150.00")
    assert f.margin_pct == Decimal("21.7")
    assert f.minutes == 225 and f.hours == Decimal("3.75")
    assert f.effective_hourly == Decimal("184.00")


def test_internal_work_declined_items_and_other_months_are_left_out(march_row):
    f = march_row.figures
    assert f.sessions == 5  # internal and February's session left out; 0-minute one in
    assert f.items_cost == Decimal("200.00")  # not the declined switch


def test_a_month_without_an_invoice_estimates_the_fee_the_run_will_bill(acme_march):
    row = client_row(Period.month(APRIL), acme_march.client_id)
    assert row.figures.estimated
    assert row.figures.revenue == Decimal("200.00")
    assert row.figures.cost == Decimal("50.00")
    assert row.figures.margin_pct == Decimal("75.0")


def test_a_quarterly_invoice_spreads_its_fee_over_its_three_months(costs, acme, silver):
    agreement = AgreementFactory(client=acme, plan_version=silver, status="active",
                                 start_date=dt.date(2026, 1, 1), billing_cycle="quarterly",
                                 users_count=0, devices_count=0, base_fee=Decimal("100.00"),
                                 price_per_user=0, price_per_device=0)
    inv = invoice(agreement, dt.date(2026, 1, 1), [("recurring", "300.00"),
                                                   ("discount", "-30.00")])
    inv.period_end = dt.date(2026, 3, 31)
    inv.save()
    rows = compute([Period.month(dt.date(2026, m, 1)) for m in (1, 2, 3)]).rows("agreement")
    assert [r.figures.revenue for r in rows] == [Decimal("90.00")] * 3


def test_a_proration_line_counts_in_the_period_it_reconciles(costs, acme_silver):
    invoice(acme_silver, APRIL, [("recurring", "200.00"), ("proration", "-20.00")])
    invoice(acme_silver, MARCH, [("recurring", "200.00")], number="T-march")
    march = client_row(Period.month(MARCH), acme_silver.client_id)
    april = client_row(Period.month(APRIL), acme_silver.client_id)
    assert (march.figures.parts()["fees"], april.figures.parts()["fees"]) == (
        Decimal("180.00"), Decimal("200.00"))


def test_a_voided_invoice_counts_nothing_and_the_fee_is_estimated_again(costs, acme_silver):
    invoice(acme_silver, MARCH, [("recurring", "999.00")], status="void")
    row = client_row(Period.month(MARCH), acme_silver.client_id)
    assert row.figures.parts()["fees"] == Decimal("200.00") and row.figures.estimated


def test_an_agreement_starting_mid_month_pays_and_costs_by_the_day(costs, acme, silver):
    AgreementFactory(client=acme, plan_version=silver, status="active",
                     start_date=dt.date(2026, 4, 16), users_count=0, devices_count=10,
                     base_fee=Decimal("300.00"), price_per_user=0, price_per_device=0)
    row = client_row(Period.month(APRIL), acme.pk)
    # 15 of April's 30 days: half of the $300 fee and of 10 devices × $5 of tools.
    assert (row.figures.revenue, row.figures.cost) == (Decimal("150.00"), Decimal("25.00"))
    assert row.figures.fee_months == Decimal("0.5")


def test_trailing_window_weighs_monthly_amounts_by_the_days_inside_it(acme_march):
    # 16 March – 14 April: 16 of March's 31 days invoiced, 14 of April's 30 estimated;
    # no session or item of the window (they are all before the 16th).
    period = Period.trailing(dt.date(2026, 4, 14), days=30)
    row = client_row(period, acme_march.client_id)
    fees = Decimal("200.00") * 16 / 31 + Decimal("200.00") * 14 / 30
    assert row.figures.parts()["fees"] == (fees).quantize(Decimal("0.01"))
    assert row.figures.sessions == 0 and row.figures.items == 0


def test_trailing_window_counts_sessions_by_the_day_they_started(acme_march, costs):
    session(acme_march, costs.technician, ny(2026, 4, 10, 9), 60, classification="included",
            work_type="break_fix")
    row = client_row(Period.trailing(dt.date(2026, 4, 14), days=30), acme_march.client_id)
    assert row.figures.minutes == 60 and row.figures.parts()["labour"] == Decimal("60.00")


def test_tier_and_segment_rows_sum_their_clients(acme_march, costs, platinum, globex):
    AgreementFactory(client=globex, plan_version=platinum, status="active",
                     start_date=dt.date(2026, 1, 1), users_count=0, devices_count=0,
                     base_fee=Decimal("500.00"), price_per_user=0, price_per_device=0)
    other = ClientFactory(name="Initech", segment=globex.segment)
    AgreementFactory(client=other, plan_version=platinum, status="active",
                     start_date=dt.date(2026, 1, 1), users_count=0, devices_count=0,
                     base_fee=Decimal("250.00"), price_per_user=0, price_per_device=0)
    computation = compute([Period.month(MARCH)])
    tiers = {r.label: (r.figures.revenue, r.clients) for r in computation.rows("tier")}
    assert tiers == {"Silver": (Decimal("690.00"), 1), "Platinum": (Decimal("750.00"), 2)}
    segments = {r.label: r.figures.revenue for r in computation.rows("segment")}
    assert segments[globex.segment.name] == Decimal("750.00")
    assert segments[acme_march.client.segment.name] == Decimal("690.00")


def test_the_computation_runs_a_fixed_number_of_queries_whatever_the_clients(acme_march,
                                                                            costs, platinum):
    periods = Period.last_months(dt.date(2026, 4, 30), 4) + [
        Period.trailing(dt.date(2026, 4, 30))]
    with CaptureQueriesContext(connection) as few:
        compute(periods).rows("client")
    for i in range(15):
        client = ClientFactory(name=f"Extra {i}")
        agreement = AgreementFactory(client=client, plan_version=platinum, status="active",
                                     start_date=dt.date(2026, 1, 1))
        session(agreement, costs.technician, ny(2026, 3, 2, 10), 30,
                classification="included", work_type="break_fix")
    with CaptureQueriesContext(connection) as many:
        compute(periods).rows("client")
    assert len(many) == len(few)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgresql_reads_the_sessions_on_a_second_connection(
        acme_march):
    """The figures are the same whether the sessions' aggregate runs alongside the other
    reads (PostgreSQL, outside a transaction) or in turn."""
    if connection.vendor != "postgresql":
        pytest.skip("the second connection is used on PostgreSQL only")
    from django.db import transaction

    assert not connection.in_atomic_block
    alongside = client_row(Period.month(MARCH), acme_march.client_id)
    with transaction.atomic():
        in_turn = client_row(Period.month(MARCH), acme_march.client_id)
    assert alongside.figures == in_turn.figures
    assert alongside.figures.revenue == Decimal("690.00")
