"""The partners' fees as profitability reads them: per ticket in the month of the hand-over,
the monthly fee split over the month's clients by tickets, to the cent."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.clients.factories import AgreementFactory
from tierdesk.desk import outsourcing
from tierdesk.desk.tests.desk_fixtures import acme_on_gold, gold, ny  # noqa: F401
from tierdesk.desk.tests.outsourcing_fixtures import (  # noqa: F401
    gold_routed,
    open_helpdesk,
    partner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(gold_routed, acme_on_gold, globex):
    globex_on_gold = AgreementFactory(client=globex, plan_version=gold_routed, status="active",
                                      start_date=dt.date(2025, 1, 1))
    for day in (2, 3, 4):
        open_helpdesk(acme_on_gold, at=ny(2026, 3, day, 10, 0))
    open_helpdesk(globex_on_gold, at=ny(2026, 3, 5, 10, 0))
    open_helpdesk(acme_on_gold, at=ny(2026, 4, 6, 10, 0))
    open_helpdesk(acme_on_gold, type="break_fix", at=ny(2026, 4, 7, 10, 0))  # in house
    return acme_on_gold, globex_on_gold


def test_fees_per_client_and_month_with_the_monthly_fee_split_by_tickets(history):
    acme_deal, globex_deal = history
    fees = outsourcing.outsourcing_fees(start=dt.date(2026, 3, 1), end=dt.date(2026, 5, 1))
    rows = {(f.month, f.client_id): f for f in fees}
    march_acme = rows[(dt.date(2026, 3, 1), acme_deal.client_id)]
    assert (march_acme.tickets, march_acme.ticket_fees, march_acme.monthly_fee) == (
        3, Decimal("19.50"), Decimal("75.00"))
    assert march_acme.agreement_id == acme_deal.pk
    march_globex = rows[(dt.date(2026, 3, 1), globex_deal.client_id)]
    assert (march_globex.ticket_fees, march_globex.monthly_fee) == (Decimal("6.50"),
                                                                    Decimal("25.00"))
    april = rows[(dt.date(2026, 4, 1), acme_deal.client_id)]
    assert (april.tickets, april.total) == (1, Decimal("106.50"))
    assert sum(f.total for f in fees) == Decimal("6.50") * 5 + Decimal("200.00")


def test_a_contract_month_without_tickets_is_a_line_without_client(history):
    fees = outsourcing.outsourcing_fees(start=dt.date(2026, 5, 1), end=dt.date(2026, 7, 1))
    assert [(f.month, f.client_id, f.monthly_fee) for f in fees] == [
        (dt.date(2026, 5, 1), None, Decimal("100.00")),
        (dt.date(2026, 6, 1), None, Decimal("100.00"))]


def test_months_outside_the_contract_cost_nothing(history, partner, personas):
    outsourcing.partner_update(partner=partner, by=personas.owner,
                               contract_end=dt.date(2026, 4, 15))
    fees = outsourcing.outsourcing_fees(start=dt.date(2026, 5, 1), end=dt.date(2026, 7, 1))
    assert fees == []


def test_the_monthly_split_adds_up_to_the_cent():
    assert outsourcing._split(Decimal("100.00"), [1, 1, 1]) == [
        Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(outsourcing._split(Decimal("99.99"), [7, 3, 5, 1])) == Decimal("99.99")


def test_an_empty_range_names_the_field(db):
    with pytest.raises(ValidationError) as exc:
        outsourcing.outsourcing_fees(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 1))
    assert "end" in exc.value.message_dict
