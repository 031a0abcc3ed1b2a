# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""The cost model: who costs what, tool costs by tier and coverage, floors, partner fees —
and bad input refused naming the field, with nothing written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.core.models import AuditEvent
from tierdesk.insights.costs import (
    cost_model_get,
    cost_model_save,
    cost_rates_load,
    margin_floor_for,
    margin_floors_save,
    outsourced_cost_record,
    tool_cost_per_device,
    tool_cost_save,
)
from tierdesk.insights.models import CostRate, MarginFloor, ToolCost
from tierdesk.insights.profit_figures import Period
from tierdesk.insights.profitability import compute
from tierdesk.insights.tests.profit_fixtures import (  # noqa: F401
    MARCH,
    acme_silver,
    costs,
    make_tier,
    ny,
    platinum,
    services,
    silver,
)


def test_a_persons_rate_beats_the_role_rate_which_beats_the_default(costs):
    rates = cost_rates_load()
    assert rates.hourly(costs.technician.pk) == Decimal("60.00")  # personal
    assert rates.hourly(costs.dispatcher.pk) == Decimal("45.00")  # no role rate: default
    assert rates.hourly(None) == Decimal("45.00")
    assert rates.mileage_per_minute == Decimal("0.5000")


def test_the_average_hourly_cost_is_that_of_the_active_technicians(costs):
    from tierdesk.core.factories import UserFactory

    UserFactory(username="second-tech", role="technician")  # the role's $50.00
    assert cost_rates_load().average_hourly == Decimal("55.00")


def test_an_empty_rate_removes_the_override(costs):
    cost_model_save(by=costs.owner, default_hourly_cost="45", mileage_cost_per_drive_minute="0.5",
                    person_rates={costs.technician.pk: ""})
    assert cost_rates_load().hourly(costs.technician.pk) == Decimal("50.00")
    assert not CostRate.objects.filter(technician=costs.technician).exists()


def test_bad_rates_are_refused_naming_each_field_and_nothing_is_written(costs):
    with pytest.raises(ValidationError) as caught:
        cost_model_save(by=costs.owner, default_hourly_cost="-1",
                        mileage_cost_per_drive_minute="a lot",
                        outsourced_fee_per_ticket="1.234",
                        role_rates={"technician": "-5", "contact": "10"},
                        person_rates={costs.technician.pk: "x", costs.contact.pk: "10"})
    assert set(caught.value.message_dict) == {
        "default_hourly_cost", "mileage_cost_per_drive_minute", "outsourced_fee_per_ticket",
        "role_technician", "role_contact", f"person_{costs.technician.pk}",
        f"person_{costs.contact.pk}"}
    assert cost_model_get().default_hourly_cost == Decimal("45.00")
    assert cost_rates_load().hourly(costs.technician.pk) == Decimal("60.00")


def test_changes_are_audited(costs):
    event = AuditEvent.objects.filter(action="cost_model.changed").latest("id")
    assert "person_" in event.message and event.actor == costs.owner


def test_tool_costs_apply_by_tier_and_by_what_the_tier_covers(costs, silver, platinum,
                                                            services):
    from tierdesk.plans.models import CoveredService

    # Platinum covers Backups too; a tool only for Silver; one where Patching is covered.
    tool_cost_save(by=costs.owner, name="Silver-only agent", monthly_cost_per_device="1.00",
                   plans=[silver.plan_id])
    CoveredService.objects.filter(version=platinum, service=services["patching"]).delete()
    tool_cost_save(by=costs.owner, name="Patch agent", monthly_cost_per_device="0.50",
                   services=[services["patching"].pk])
    rates = tool_cost_per_device([silver.pk, platinum.pk])
    assert rates == {silver.pk: Decimal("6.50"), platinum.pk: Decimal("5.00")}


def test_a_tool_cost_needs_a_name_an_amount_and_known_tiers(costs):
    with pytest.raises(ValidationError) as caught:
        tool_cost_save(by=costs.owner, name="  ", monthly_cost_per_device="-2",
                       plans=[999999], services=["nope"])
    assert set(caught.value.message_dict) == {"name", "monthly_cost_per_device", "plans",
                                              "services"}
    with pytest.raises(ValidationError) as caught:
        tool_cost_save(by=costs.owner, name="anti-virus", monthly_cost_per_device="1")
    assert "exists already" in caught.value.message_dict["name"][0]
    assert ToolCost.objects.count() == 2


def test_margin_floors_default_to_the_setting_and_refuse_100_or_more(costs, silver, settings):
    settings.TIERDESK_MARGIN_FLOOR_PERCENT = 30
    assert margin_floor_for(silver.plan_id) == Decimal("30")
    margin_floors_save(floors={silver.plan_id: "12.5"}, by=costs.owner)
    assert margin_floor_for(silver.plan_id) == Decimal("12.50")
    with pytest.raises(ValidationError) as caught:
        margin_floors_save(floors={silver.plan_id: "100"}, by=costs.owner)
    assert list(caught.value.message_dict) == [f"floor_{silver.plan_id}"]
    assert MarginFloor.objects.get().floor_percent == Decimal("12.50")


def test_partner_fees_count_as_the_clients_outsourced_cost(costs, acme_silver):
    from tierdesk.desk.models import OutsourcedTicket, OutsourcingPartner, Ticket

    partner = OutsourcingPartner.objects.create(
        name="HelpCo", email="desk@helpco.example", fee_per_ticket=Decimal("9.00"),
        fee_per_month=Decimal("500.00"), contract_start=dt.date(2026, 1, 1))
    for n, day in enumerate((3, 17)):
        ticket = Ticket.objects.create(reference=f"TD-OUT{n}", client=acme_silver.client,
                                       agreement=acme_silver, channel="email",
                                       subject="Password", opened_at=ny(2026, 3, day, 9))
        OutsourcedTicket.objects.create(ticket=ticket, partner=partner,
                                        routed_at=ny(2026, 3, day, 9), partner_calendar={},
                                        fee=Decimal("9.00"), notified_by="email")
    outsourced_cost_record(client=acme_silver.client, month=MARCH, amount="4.50",
                           partner="Other desk")
    row = compute([Period.month(MARCH)]).rows("client")[0]
    # Two tickets at $9.00, all of the partner's $500.00 month (acme had all its tickets),
    # and the $4.50 recorded by hand.
    assert row.figures.parts()["outsourced"] == Decimal("522.50")
    trailing = compute([Period.trailing(dt.date(2026, 3, 31), days=20)]).rows("client")[0]
    # 12–31 March: 20 of March's 31 days.
    assert trailing.figures.parts()["outsourced"] == (
        Decimal("522.50") * 20 / 31).quantize(Decimal("0.01"))


def test_recording_a_partner_charge_checks_its_month_and_amount(acme):
    with pytest.raises(ValidationError) as caught:
        outsourced_cost_record(client=acme, month=dt.date(2026, 3, 5), amount="-1",
                               tickets=-2)
    assert set(caught.value.message_dict) == {"month", "amount", "tickets"}


@pytest.mark.parametrize("value", ["100", "-1", "lots"])
def test_a_bad_default_floor_setting_stops_the_start_naming_the_variable(tmp_path, value):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    env.update(TIERDESK_DATA_DIR=str(tmp_path), SECRET_KEY="x",
               TIERDESK_MARGIN_FLOOR_PERCENT=value)
    result = subprocess.run([sys.executable, "-c", "import tierdesk.settings"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "TIERDESK_MARGIN_FLOOR_PERCENT" in result.stderr
