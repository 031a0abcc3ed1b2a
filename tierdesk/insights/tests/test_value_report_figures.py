# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""The figures of the monthly value report, one example each, from acme's March 2026."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tierdesk.clients.factories import AgreementFactory, ClientFactory
from tierdesk.insights.models import ValueReport
from tierdesk.insights.selectors import value_report_figures
from tierdesk.insights.services import value_reports_generate
from tierdesk.insights.tests.value_report_fixtures import (  # noqa: F401
    MARCH,
    acme_on_silver,
    gold,
    log,
    march,
    ny,
    services,
    silver,
)


@pytest.fixture
def figures(march):
    return value_report_figures(month=MARCH)[march.client_id]


def test_maintenance_counts_work_orders_due_in_the_month_by_kind_and_status(figures):
    m = figures["maintenance"]
    assert (m["done"], m["missed"], m["total"]) == (4, 1, 6)
    assert m["by_kind"]["maintenance"] == {"label": "Maintenance", "done": 3, "missed": 1,
                                           "scheduled": 1, "cancelled": 0, "total": 5}
    assert m["by_kind"]["daily"]["done"] == 1
    # 3 patch work orders × 2 ticked of 3, the daily checklist's 1 of 1; none on the others.
    assert (m["items_ticked"], m["items_total"]) == (7, 10)


def test_top_tasks_are_the_most_frequent_work_done_leaving_out_daily_checklists(figures):
    assert figures["maintenance"]["top_tasks"] == [
        {"title": "Patch servers", "count": 2}, {"title": "Verify backups", "count": 1}]


def test_alerts_handled_count_folded_repeats_and_auto_resolved_alerts(figures):
    assert figures["alerts"] == {"tickets": 2, "alerts": 7, "folded": 5, "auto_resolved": 1}


def test_tickets_are_counted_in_the_clients_own_month(figures):
    # Six opened in March in New York (the one at 23:30 on 31 March included), February's
    # left out; two resolved in March.
    assert figures["tickets"] == {"opened": 6, "resolved": 2}


def test_sla_attainment_per_target_uses_the_desks_decided_and_met_rule(figures):
    sla = {row["target"]: (row["decided"], row["met"], row["pct"]) for row in figures["sla"]}
    assert sla == {"first_response": (2, 1, 50.0), "onsite": (0, 0, None),
                   "resolution": (1, 1, 100.0)}


def test_time_is_split_by_classification_against_the_fee(figures, march):
    time = figures["time"]
    assert time["minutes"] == {"included": 30, "allowance": 20, "overage": 10,
                               "billable": 60}
    assert time["sessions"] == {"included": 1, "allowance": 2, "overage": 1, "billable": 1}
    assert figures["fee"] == "259.00" == str(march.monthly_fee)
    # $259 for the 50 minutes the fee covered (included + allowance).
    assert time["effective_hourly"] == "310.80"


def test_billing_shows_the_months_invoice_lines_and_the_reasons_of_charged_work(figures):
    billing = figures["billing"]
    assert [(i["number"], [line["reason"] for line in i["lines"]])
            for i in billing["invoices"]] == [
        ("INV-0007", ["recurring: Silver fee, billed in advance"])]
    work = {row["classification"]: row for row in billing["work"]}
    assert work["billable"]["amount"] == "150.00"
    assert work["billable"]["reason"].startswith(
        "billable: Silver covers Backups and disaster recovery monitored only")
    assert work["overage"]["amount"] == "35.00"
    assert work["overage"]["invoiced"] == 0
    assert (billing["work_total"], billing["work_pending"]) == ("185.00", True)


def test_a_draft_invoice_is_not_shown_the_session_reasons_are(figures, march):
    from tierdesk.billing.models import Invoice

    Invoice.objects.filter(client=march.client).update(status="draft")
    again = value_report_figures(month=MARCH)[march.client_id]
    assert again["billing"]["invoices"] == []
    assert again["billing"]["work_total"] == "185.00"


def test_the_next_tier_would_have_included_the_break_fix_and_the_overage(figures):
    nxt = figures["next_tier"]
    assert nxt["tier"] == "Gold"
    texts = [line["text"] for line in nxt["lines"]]
    assert texts == ["You paid $150.00 for break-fix; Gold would have included it.",
                     "You paid $35.00 for help desk; Gold would have included it."]
    assert (nxt["paid"], nxt["would_pay"], nxt["saving"]) == ("185.00", "0.00", "185.00")
    # Gold's list price for acme: $199 + 10 users × $10 + 12 devices × $5.
    assert (nxt["fee"], nxt["fee_difference"]) == ("359.00", "100.00")
    assert nxt["summary"] == ("On Gold you would have paid $185.00 less for this month's "
                              "work, for a fee $100.00 a month higher.")


def test_the_next_tier_replays_its_allowance_in_order(acme_on_silver, services, personas):
    # Over a 3-session Gold-like tier, 4 help-desk sessions leave one overage there too.
    from tierdesk.billing.tests.test_sessions_fixtures import make_tier

    make_tier("Bronze plus", 2, sessions=3, rate="125.00", billable={"project"},
              levels={"backups": "supported", "patching": "supported"},
              services=services.values(), overage_session_price=Decimal("20.00"))
    for day in (2, 3, 4, 5):
        log(acme_on_silver.client, personas.technician, ny(2026, 3, day, 10), 10)
    nxt = value_report_figures(month=MARCH)[acme_on_silver.client_id]["next_tier"]
    # Silver: 2 overage sessions at $35; the next tier: 1 at $20.
    assert (nxt["paid"], nxt["would_pay"]) == ("70.00", "20.00")
    assert nxt["lines"][0]["text"] == ("You paid $70.00 for help desk; Bronze plus would "
                                       "have billed $20.00.")


def test_the_top_tier_has_no_next_tier(acme_on_silver, gold):
    from tierdesk.clients.models import Agreement

    Agreement.objects.filter(pk=acme_on_silver.pk).update(plan_version=gold)
    assert value_report_figures(month=MARCH)[acme_on_silver.client_id]["next_tier"] is None


def test_only_clients_with_an_agreement_in_force_in_the_month_are_reported(
        acme_on_silver, silver, globex):
    ended = ClientFactory(name="Ended Co")
    AgreementFactory(client=ended, plan_version=silver, status="ended",
                     start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 2, 28))
    AgreementFactory(client=globex, plan_version=silver, status="draft",
                     start_date=dt.date(2026, 1, 1))
    assert set(value_report_figures(month=MARCH)) == {acme_on_silver.client_id}


def test_a_tier_change_in_the_month_prorates_both_fees_and_reports_the_new_tier(
        acme_on_silver, gold):
    from tierdesk.clients.models import Agreement

    Agreement.objects.filter(pk=acme_on_silver.pk).update(
        status="ended", end_date=dt.date(2026, 3, 15))
    AgreementFactory(client=acme_on_silver.client, plan_version=gold, status="active",
                     start_date=dt.date(2026, 3, 16), replaces=acme_on_silver)
    figures = value_report_figures(month=MARCH)[acme_on_silver.client_id]
    assert figures["tier"]["name"] == "Gold"
    # $259 × 15/31 + $359 × 16/31, rounded once.
    assert figures["fee"] == "310.61"
    assert figures["next_tier"] is None


def test_the_figures_take_a_fixed_number_of_queries_whatever_the_number_of_clients(
        march, silver):
    for i in range(5):
        AgreementFactory(client=ClientFactory(name=f"Extra {i}"), plan_version=silver,
                         status="active", start_date=dt.date(2026, 1, 1))
    with CaptureQueriesContext(connection) as few:
        value_report_figures(month=MARCH)
    for i in range(5, 25):
        AgreementFactory(client=ClientFactory(name=f"Extra {i}"), plan_version=silver,
                         status="active", start_date=dt.date(2026, 1, 1))
    with CaptureQueriesContext(connection) as many:
        figures = value_report_figures(month=MARCH)
    assert len(figures) == 26
    assert len(many.captured_queries) == len(few.captured_queries)


def test_generating_stores_the_same_figures(march):
    value_reports_generate(month=MARCH)
    report = ValueReport.objects.get(client=march.client, month=MARCH)
    assert report.data == value_report_figures(month=MARCH)[march.client_id]
