# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""The price designer: a hand-computed case, history against assumptions, bad input, and
saving the price as the tier's next version.

The hand-computed case (technicians cost $60.00/h = $1.00 a minute; mileage $0.50 a
minute; Silver with scheduled maintenance covers Patching fully and Backups monitored
only; 10 users, 20 devices, a 30-minute drive, a 20% margin, 0.5 help-desk sessions per
user, 3 break-fix minutes per device, one visit a month):

==========================================================  =======
weekly patching, 30 min × 52/12 a month                      130.00
monthly UPS check on site, 60 min + 60 min round trip × 1.5  150.00
help desk, 10 × 0.5 × 15 min                                  75.00
break-fix, 20 × 3 min                                         60.00
one visit's round trip, 60 min × ($1.00 + $0.50)              90.00
tools, 20 × ($2.00 + $3.00)                                  100.00
cost                                                         605.00
price at 20%: 605.00 / 0.8                                   756.25
==========================================================  =======
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierdesk.catalog.factories import MaintenanceTaskFactory
from tierdesk.clients.factories import AgreementFactory, ClientFactory
from tierdesk.core.models import AuditEvent
from tierdesk.insights.pricing import (
    design_inputs,
    occurrences_per_month,
    price_design,
    price_design_save,
)
from tierdesk.insights.tests.profit_fixtures import (  # noqa: F401
    acme_silver,
    costs,
    make_tier,
    ny,
    platinum,
    services,
    session,
    silver,
)
from tierdesk.plans.models import PlanVersion

TODAY = dt.date(2026, 4, 30)


@pytest.fixture
def tier(costs, silver, services):
    PlanVersion.objects.filter(pk=silver.pk).update(scheduled_maintenance=True)
    MaintenanceTaskFactory(service=services["patching"], title="Patch workstations",
                           rrule="FREQ=WEEKLY;BYDAY=MO", estimated_minutes=30)
    MaintenanceTaskFactory(service=services["patching"], title="Check the UPS on site",
                           rrule="FREQ=MONTHLY;BYMONTHDAY=1", estimated_minutes=60,
                           delivery="onsite")
    # Backups are monitored only on Silver: their maintenance is not scheduled.
    MaintenanceTaskFactory(service=services["backups"], title="Test a restore",
                           rrule="FREQ=MONTHLY", estimated_minutes=45)
    MaintenanceTaskFactory(service=services["patching"], title="Retired task",
                           rrule="FREQ=DAILY", estimated_minutes=5, is_active=False)
    return PlanVersion.objects.get(pk=silver.pk)


def inputs(tier, **changes):
    values = dict(plan_version=tier, segment=changes.pop("segment", None) or
                  ClientFactory(name="Sizing client").segment,
                  users="10", devices="20", drive_minutes="30", margin_target="20",
                  helpdesk_sessions_per_user="0.5", breakfix_minutes_per_device="3",
                  onsite_visits_per_month="1")
    values.update(changes)
    return design_inputs(**values)


def test_an_rrule_fires_its_occurrences_of_a_year_divided_by_twelve():
    assert occurrences_per_month("FREQ=WEEKLY;BYDAY=MO") * 12 == 52
    assert occurrences_per_month("FREQ=DAILY") * 12 == 365
    assert occurrences_per_month("FREQ=MONTHLY;INTERVAL=3") * 12 == 4


def test_the_hand_computed_case(tier):
    design = price_design(inputs(tier), today=TODAY)
    amounts = {line.key: line.amount.quantize(Decimal("0.01")) for line in design.lines}
    assert amounts == {"maintenance": Decimal("280.00"), "helpdesk": Decimal("75.00"),
                       "break_fix": Decimal("60.00"), "travel": Decimal("90.00"),
                       "tools": Decimal("100.00")}
    assert [t.title for t in design.tasks] == ["Check the UPS on site", "Patch workstations"]
    assert design.cost == Decimal("605.00")
    assert design.price == Decimal("756.25")
    assert design.margin_at_price == Decimal("20.0")


def test_it_compares_with_the_current_price_of_the_tier_for_the_segment(tier):
    design = price_design(inputs(tier), today=TODAY)
    # Silver: $99 + 10 users × $10 + 20 devices × $5.
    assert design.current_price == Decimal("299.00")
    assert design.current_margin == Decimal("-102.3")
    assert design.difference == Decimal("457.25")


def test_proposed_prices_charge_each_cost_where_it_arises(tier):
    design = price_design(inputs(tier), today=TODAY)
    # Per client 370 / 0.8; per user 75 / 10 / 0.8; per device 160 / 20 / 0.8.
    assert design.proposed.as_dict() == {"base_fee": Decimal("462.50"),
                                         "price_per_user": Decimal("9.38"),
                                         "price_per_device": Decimal("10.00")}
    assert design.proposed_for_client == Decimal("756.30")


def test_empty_history_uses_the_assumptions_and_says_so(tier):
    design = price_design(inputs(tier), today=TODAY)
    assert not design.used_history
    assert "Not enough history for Silver" in design.notes[0]
    assert {line.basis for line in design.lines if line.key in ("helpdesk", "travel")} == {
        "assumption"}


def test_enough_history_replaces_the_assumptions(tier, costs):
    segment = ClientFactory(name="Sizing client").segment
    for n in range(2):
        client = ClientFactory(name=f"History {n}", segment=segment)
        agreement = AgreementFactory(client=client, plan_version=tier, status="active",
                                     start_date=dt.date(2025, 1, 1), users_count=5,
                                     devices_count=10)
        for day in (3, 10, 17):
            session(agreement, costs.technician, ny(2026, 4, day, 10), 20,
                    classification="allowance")
        session(agreement, costs.technician, ny(2026, 4, 20, 10), 90,
                classification="billable", amount="150.00", work_type="break_fix",
                mode="onsite", travel=30)
    design = price_design(inputs(tier, segment=segment), today=TODAY)
    past = design.history
    assert design.used_history and past.client_months == Decimal(180) / (
        Decimal("365.25") / 12)
    assert (past.helpdesk_sessions, past.helpdesk_minutes, past.breakfix_minutes,
            past.onsite_visits) == (6, 120, 180, 2)
    helpdesk = next(line for line in design.lines if line.key == "helpdesk")
    # 10 users × (6 sessions / 5 users / client-month each) × 20 min at $1.00.
    expected = Decimal(10) * (Decimal(6) / (past.client_months * 5)) * 20
    assert helpdesk.basis == "history"
    assert helpdesk.amount.quantize(Decimal("0.01")) == expected.quantize(Decimal("0.01"))
    assert "last 90 days" in design.notes[0]


def test_asking_for_the_assumptions_ignores_the_history(tier):
    design = price_design(inputs(tier, use_assumptions=True), today=TODAY)
    assert not design.used_history and design.notes == ["Using your assumptions, as asked."]


@pytest.mark.parametrize("value, message", [
    ("100", "below 100%"), ("150", "below 100%"), ("-5", "0% or more"),
    ("lots", "not a number")])
def test_a_margin_target_of_100_or_more_or_negative_is_refused_naming_the_field(
        tier, value, message):
    with pytest.raises(ValidationError) as caught:
        inputs(tier, margin_target=value)
    assert list(caught.value.message_dict) == ["margin_target"]
    assert message in caught.value.message_dict["margin_target"][0]


def test_other_bad_inputs_name_their_fields(tier):
    with pytest.raises(ValidationError) as caught:
        inputs(tier, users="-1", devices="2.5", drive_minutes="9999",
               helpdesk_sessions_per_user="-0.1")
    assert set(caught.value.message_dict) == {"users", "devices", "drive_minutes",
                                              "helpdesk_sessions_per_user"}


def test_saving_creates_the_next_version_through_the_tier_designer(tier, acme_silver, costs):
    design = price_design(inputs(tier), today=TODAY)
    saved = price_design_save(design=design, by=costs.owner, change_note="Reprice 2027")
    assert saved.number == 2 and saved.plan_id == tier.plan_id
    assert (saved.base_fee, saved.price_per_user, saved.price_per_device) == (
        Decimal("462.50"), Decimal("9.38"), Decimal("10.00"))
    assert saved.change_note == "Reprice 2027"
    # Everything else is the tier's as it was; acme keeps the version it signed.
    assert saved.helpdesk_sessions == tier.helpdesk_sessions and saved.scheduled_maintenance
    acme_silver.refresh_from_db()
    assert acme_silver.plan_version_id == tier.pk
    assert AuditEvent.objects.filter(action="price_design.saved",
                                     object_id=str(saved.pk)).exists()


def test_saving_a_design_of_an_old_version_is_refused(tier, acme_silver, costs):
    design = price_design(inputs(tier), today=TODAY)
    price_design_save(design=design, by=costs.owner)
    with pytest.raises(ValidationError) as caught:
        price_design_save(design=design, by=costs.owner)
    assert "plan_version" in caught.value.message_dict
    assert PlanVersion.objects.filter(plan_id=tier.plan_id).count() == 2


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(users=st.integers(0, 500), devices=st.integers(0, 800), drive=st.integers(0, 240),
       margin=st.decimals(min_value=0, max_value="99.9", places=1),
       per_user=st.decimals(min_value=0, max_value=5, places=2),
       per_device=st.decimals(min_value=0, max_value=60, places=1),
       visits=st.decimals(min_value=0, max_value=8, places=2))
def test_the_designed_price_reaches_the_target_margin_on_its_own_cost(
        tier, users, devices, drive, margin, per_user, per_device, visits):
    design = price_design(inputs(tier, users=users, devices=devices, drive_minutes=drive,
                                 margin_target=margin, helpdesk_sessions_per_user=per_user,
                                 breakfix_minutes_per_device=per_device,
                                 onsite_visits_per_month=visits), today=TODAY)
    kept = design.price * (1 - margin / 100)
    assert abs(kept - design.cost) <= Decimal("0.005")
    assert design.cost == sum((line.amount for line in design.lines),
                              Decimal(0)).quantize(Decimal("0.01"))
