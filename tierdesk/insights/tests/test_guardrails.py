# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""Low-profit clients, their reasons and actions, the renewal price, and the warning
before covered-but-costly work.

`losing` puts acme on Gold (2 help-desk sessions a month, on-site visits and break-fix
included, $200.00 a month, 10 devices × $5.00 of tools) and fills January–March 2026 — the
trailing 90 days to 31 March — with 27 help-desk sessions of 20 minutes (9 a month) and 4
on-site trips of 60 minutes at 19:00, after the MSP's hours, with 110 minutes' drive each.
At $1.00 a minute and $0.50 a drive minute:

revenue 3 × 200.00 = 600.00 (estimated: nothing invoiced)
cost    help desk 540.00 + visits 240.00 + travel 440.00 + mileage 220.00 + tools 150.00
        = 1,590.00 → margin −990.00, −165.0 % against Gold's 25 % floor.
The fee reaching the floor: 200 + (1,590 / 0.75 − 600) / 3 = 706.67 (rounded up).
"""

import datetime as dt
from decimal import Decimal

import pytest

from tierdesk.clients.factories import AgreementFactory
from tierdesk.core import clock
from tierdesk.insights.costs import margin_floors_save
from tierdesk.insights.guardrails import (
    client_margin,
    low_profit_clients,
    renewal_fee,
    renewal_proposal,
    work_warning,
)
from tierdesk.insights.tests.profit_fixtures import (  # noqa: F401
    costs,
    make_tier,
    ny,
    platinum,
    services,
    session,
    silver,
)
from tierdesk.plans.models import WorkType

TODAY = dt.date(2026, 3, 31)
NOW = dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)


HOLIDAYS = {dt.date(2026, 1, 1), dt.date(2026, 1, 19), dt.date(2026, 2, 16)}


def business_days(year, month):
    """The MSP's open days of a month (its hours: Mon–Fri, US holidays closed)."""
    days = [dt.date(year, month, d) for d in range(1, 29)]
    return [d.day for d in days if d.weekday() < 5 and d not in HOLIDAYS]


@pytest.fixture
def gold(services):
    return make_tier("Gold", 2, sessions=2, rate="125.00",
                     billable={"project", "hardware", "software", "after_hours"},
                     levels={"backups": "supported", "patching": "supported"},
                     services=services.values())


@pytest.fixture
def losing(costs, acme, gold, platinum):
    agreement = AgreementFactory(client=acme, plan_version=gold, status="active",
                                 start_date=dt.date(2025, 6, 1), end_date=dt.date(2026, 5, 31),
                                 users_count=5, devices_count=10, base_fee=Decimal("100.00"),
                                 price_per_user=Decimal("10.00"),
                                 price_per_device=Decimal("5.00"))
    margin_floors_save(floors={gold.plan_id: "25"}, by=costs.owner)
    tech = costs.technician
    for month in (1, 2, 3):
        for day in business_days(2026, month)[:9]:
            session(agreement, tech, ny(2026, month, day, 10), 20, classification="allowance")
    for month, day in ((1, 20), (2, 12), (3, 5), (3, 25)):
        session(agreement, tech, ny(2026, month, day, 19), 60, classification="included",
                work_type="break_fix", mode="onsite", travel=110)
    return agreement


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


def test_the_trailing_figures_of_the_losing_client(losing):
    margin = client_margin(losing.client_id, today=TODAY)
    f = margin.figures
    assert (f.revenue, f.cost, f.margin) == (Decimal("600.00"), Decimal("1590.00"),
                                             Decimal("-990.00"))
    assert f.margin_pct == Decimal("-165.0") and margin.floor == Decimal("25")
    assert margin.under


def test_a_client_under_its_floor_is_listed_with_the_reasons_that_drive_it(losing):
    result = low_profit_clients(today=TODAY)
    assert (result.total, result.checked) == (1, 1)
    item = result.clients[0]
    assert [r.text for r in item.reasons] == [
        "4 on-site trips, 110 minutes' drive each (included in the tier)",
        "9 help-desk sessions a month on a 2-session tier",
        "31% of time after hours",
        "4 hours of included break-fix",
        "tool costs 25% of the fee",
    ]


def test_each_client_gets_the_actions_that_fit_with_prices(losing):
    item = low_profit_clients(today=TODAY).clients[0]
    assert item.renewal_fee == Decimal("706.67")
    assert [a.code for a in item.actions] == ["move_up", "reprice", "approve_onsite"]
    move_up, reprice, _ = item.actions
    # Platinum for 5 users and 10 devices: $99 + 5 × $10 + 10 × $5.
    assert move_up.text == ("Move up to Platinum at $199.00 a month (still under the floor: "
                            "$706.67 would reach it)")
    assert reprice.text == ("Reprice at renewal (2026-05-31): $706.67 a month (now $200.00) "
                            "brings the margin to 25%")


def test_the_renewal_fee_reaches_the_floor_over_the_same_window(losing):
    margin = client_margin(losing.client_id, today=TODAY)
    fee = renewal_fee(margin, losing.monthly_fee)
    revenue = margin.figures.revenue + (fee - losing.monthly_fee) * 3
    assert (revenue - margin.figures.cost) / revenue >= Decimal("0.25")
    less = revenue - Decimal("0.03")
    assert (less - margin.figures.cost) / less < Decimal("0.25")  # the cent matters


def test_a_client_at_or_above_its_floor_is_not_listed(losing, costs):
    margin_floors_save(floors={losing.plan_version.plan_id: "0"}, by=costs.owner)
    PlanFloor = low_profit_clients(today=TODAY)  # noqa: N806
    assert PlanFloor.total == 1  # −165% is under 0% too
    session(losing, costs.technician, ny(2026, 3, 30, 10), 1, classification="billable",
            amount="5000.00", work_type="project")
    assert low_profit_clients(today=TODAY).total == 0


def test_without_a_floor_of_its_own_a_tier_uses_the_default(losing, costs, settings):
    margin_floors_save(floors={losing.plan_version.plan_id: ""}, by=costs.owner)
    settings.TIERDESK_MARGIN_FLOOR_PERCENT = 40
    margin = client_margin(losing.client_id, today=TODAY)
    assert margin.floor == Decimal("40") and margin.floor_is_default


def test_the_warning_before_an_included_visit_names_margin_floor_and_cost(losing, acme):
    site = acme.sites.get()
    warning = work_warning(client=acme, work="onsite", site=site, today=TODAY)
    # 60 minutes' work + a 2 × 25-minute round trip at $1.00, mileage 50 × $0.50.
    assert warning.cost == Decimal("135.00")
    assert warning.text == ("Acme Dental's trailing margin is -165% against Gold's 25% floor; "
                            "this included on-site visit costs about $135.00.")


def test_no_warning_for_work_the_tier_bills(losing, acme, gold):
    gold.billing.filter(work_type=WorkType.ONSITE).update(billable=True)
    assert work_warning(client=acme, work="onsite", today=TODAY) is None
    assert work_warning(client=acme, work="helpdesk", today=TODAY) is not None


def test_no_warning_above_the_floor(losing, acme, costs):
    session(losing, costs.technician, ny(2026, 3, 30, 10), 1, classification="billable",
            amount="5000.00", work_type="project")
    assert work_warning(client=acme, work="onsite", today=TODAY) is None


def test_the_renewal_proposal_of_the_agreement_page(losing):
    proposal = renewal_proposal(losing, today=TODAY)
    assert proposal.proposed_fee == Decimal("706.67")
    assert proposal.text == ("The trailing 90-day margin is -165%, under Gold's 25% floor. A "
                             "monthly fee of $706.67 (now $200.00) brings it to the floor.")


# The fragments ---------------------------------------------------------------------------

def test_the_technician_sees_the_banner_on_the_ticket_page_fragment(losing, acme, costs,
                                                                   login, frozen):
    site = acme.sites.get()
    page = login(costs.technician).get(
        f"/insights/guardrails/client/{acme.pk}/?work=onsite&site={site.pk}")
    assert page.status_code == 200
    assert "this included on-site visit costs about $135.00" in page.content.decode()


def test_the_fragment_is_empty_when_the_client_is_above_its_floor(losing, acme, costs,
                                                                  login, frozen):
    session(losing, costs.technician, ny(2026, 3, 30, 10), 1, classification="billable",
            amount="5000.00", work_type="project")
    page = login(costs.technician).get(f"/insights/guardrails/client/{acme.pk}/?work=onsite")
    assert page.status_code == 200 and page.content.decode().strip() == ""


def test_the_work_order_fragment_counts_the_visit_of_on_site_maintenance(losing, acme, costs,
                                                                         login, frozen, gold):
    from tierdesk.plans.models import PlanVersion

    PlanVersion.objects.filter(pk=gold.pk).update(scheduled_maintenance=True)
    page = login(costs.dispatcher).get(
        f"/insights/guardrails/client/{acme.pk}/?work=maintenance&minutes=45&visit=1")
    # 45 minutes + the 50-minute round trip to acme's only site: 45 + 75.
    assert "this included on-site maintenance costs about $120.00" in page.content.decode()


def test_the_dispatcher_sees_waiting_covered_visits_of_clients_under_the_floor(
        losing, acme, costs, login, frozen):
    from tierdesk.desk.models import Ticket

    Ticket.objects.create(reference="TD-9001", client=acme, agreement=losing,
                          plan_version=losing.plan_version, channel="email", subject="Printer",
                          opened_at=NOW, needs_onsite=True, status="open")
    page = login(costs.dispatcher).get("/insights/guardrails/dispatch/").content.decode()
    assert "TD-9001" in page and "costs about $135.00" in page  # no site: acme's 25 minutes


def test_the_renewal_fragment_is_for_owner_and_billing_only(losing, costs, login, frozen):
    url = f"/insights/guardrails/agreements/{losing.pk}/renewal/"
    page = login(costs.billing).get(url)
    assert "A monthly fee of $706.67" in page.content.decode()
    for persona in (costs.technician, costs.dispatcher, costs.contact):
        assert login(persona).get(url).status_code == 403


def test_pages_include_the_guardrail_fragments(losing, acme, costs, login, frozen):
    from tierdesk.desk.models import Ticket

    ticket = Ticket.objects.create(reference="TD-9002", client=acme, agreement=losing,
                                   plan_version=losing.plan_version, channel="email",
                                   subject="Server down", opened_at=NOW, needs_onsite=True,
                                   status="open", site=acme.sites.get())
    ticket_page = login(costs.technician).get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert (f'/insights/guardrails/client/{acme.pk}/?work=onsite&amp;site={ticket.site_id}'
            in ticket_page or f'/insights/guardrails/client/{acme.pk}/?work=onsite&site='
            f'{ticket.site_id}' in ticket_page)
    agreement_page = login(costs.billing).get(f"/clients/agreements/{losing.pk}/")
    assert f"/insights/guardrails/agreements/{losing.pk}/renewal/" in (
        agreement_page.content.decode())
    tech_agreement_page = login(costs.technician).get(f"/clients/agreements/{losing.pk}/")
    assert "/renewal/" not in tech_agreement_page.content.decode()
    dispatch = login(costs.dispatcher).get("/desk/dispatch/").content.decode()
    assert "/insights/guardrails/dispatch/" in dispatch
