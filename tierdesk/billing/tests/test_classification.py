# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""The classification rules, one example each (see classification.py's docstring)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.billing.classification import Row, Terms, classify_row, session_units
from tierdesk.billing.sessions import session_log
from tierdesk.billing.tests.test_sessions_fixtures import (  # noqa: F401
    acme_on_silver,
    ny,
    platinum,
    services,
    silver,
    ticket,
)
from tierdesk.clients.factories import AgreementFactory


def log(ticket, tech, start, minutes, **kw):
    return session_log(ticket=ticket, technician=tech, started_at=start,
                       ended_at=start + timedelta(minutes=minutes), **kw)


def test_a_short_help_desk_session_counts_one_of_silvers_two(ticket, personas):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    assert (s.classification, s.allowance_units, s.amount) == ("allowance", 1, Decimal("0"))
    assert s.reason == "allowance: 1 of 2 Silver help-desk sessions (15 min) a month"


def test_25_minutes_against_15_minute_sessions_counts_as_two(ticket, personas):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 25)
    assert s.allowance_units == 2
    assert s.reason.startswith("allowance: 2 of 2 Silver help-desk sessions (15 min)")


def test_help_desk_beyond_the_allowance_is_overage_at_the_session_price(ticket, personas):
    log(ticket, personas.technician, ny(2026, 3, 2, 10), 30)
    s = log(ticket, personas.technician, ny(2026, 3, 2, 11), 10)
    assert (s.classification, s.overage_units, s.amount) == ("overage", 1, Decimal("35.00"))
    assert s.rate == Decimal("35.00")  # the invoice line's unit price
    assert s.reason == "overage: Silver's 2 sessions are used; $35.00 a session"


def test_a_session_straddling_the_allowance_splits_its_units(ticket, personas):
    log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    s = log(ticket, personas.technician, ny(2026, 3, 2, 11), 40)
    assert (s.allowance_units, s.overage_units, s.amount) == (1, 2, Decimal("70.00"))


def test_calls_counting_makes_any_length_one_session(ticket, personas, silver):
    silver.session_counting = "calls"
    silver.save()
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 55)
    assert s.allowance_units == 1


def test_unlimited_help_desk_is_always_allowance(acme, platinum, personas):
    AgreementFactory(client=acme, plan_version=platinum, status="active",
                     start_date=ny(2026, 1, 1).date())
    s = session_log(client=acme, technician=personas.technician,
                    started_at=ny(2026, 3, 2, 10), ended_at=ny(2026, 3, 2, 12))
    assert (s.classification, s.reason) == ("allowance", "allowance: unlimited help desk")


def test_break_fix_on_a_monitored_only_service_is_billable_naming_the_entitlement(
        ticket, personas, services):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 60, work_type="break_fix",
            service=services["backups"])
    assert (s.classification, s.amount, s.rate) == ("billable", Decimal("150.00"),
                                                    Decimal("150.00"))
    assert s.reason == ("billable: Silver covers Backups and disaster recovery monitored "
                        "only; break-fix at $150.00/h")


def test_break_fix_on_a_fully_supported_service_is_included(ticket, personas, services):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 60, work_type="break_fix",
            service=services["patching"])
    assert (s.classification, s.amount) == ("included", Decimal("0"))
    assert s.reason == "included: Silver fully supports Patch management and upgrades"


def test_a_work_type_the_tier_does_not_bill_is_included(acme, platinum, personas):
    AgreementFactory(client=acme, plan_version=platinum, status="active",
                     start_date=ny(2026, 1, 1).date())
    s = session_log(client=acme, technician=personas.technician, work_type="maintenance",
                    started_at=ny(2026, 3, 2, 10), ended_at=ny(2026, 3, 2, 11))
    assert s.classification == "included"
    assert s.reason == "included: Platinum includes maintenance"


def test_after_hours_minutes_are_multiplied_when_after_hours_work_is_billable(
        ticket, personas):
    # 17:30–18:30 New York: 30 min inside the MSP's 08–18 hours, 30 after.
    s = log(ticket, personas.technician, ny(2026, 3, 2, 17, 30), 60, work_type="project")
    assert s.after_hours_minutes == 30
    assert s.amount == Decimal("225.00")  # 30 min × $150/h + 30 min × $150/h × 2


def test_onsite_visit_bills_the_trip_fee_when_travel_is_per_trip(ticket, personas, silver):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 60, mode="onsite",
            travel_minutes=40)
    assert s.classification == "billable"
    assert s.amount == Decimal("225.00")
    assert "$75.00 trip fee" in s.reason


def test_onsite_travel_billed_hourly_adds_the_travel_minutes(ticket, personas, silver):
    silver.travel_billing = "hourly"
    silver.save()
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 60, mode="onsite",
            travel_minutes=30)
    assert s.amount == Decimal("225.00")


def test_internal_work_is_internal_even_without_an_agreement(acme, personas):
    s = session_log(client=acme, technician=personas.technician, work_type="internal",
                    started_at=ny(2026, 3, 2, 10), ended_at=ny(2026, 3, 2, 11))
    assert (s.classification, s.agreement) == ("internal", None)


def test_client_work_without_an_agreement_must_be_flagged_internal(acme, personas):
    with pytest.raises(ValidationError) as exc:
        session_log(client=acme, technician=personas.technician,
                    started_at=ny(2026, 3, 2, 10), ended_at=ny(2026, 3, 2, 11))
    assert "work_type" in exc.value.message_dict


def test_pure_rules_need_no_database():
    terms = Terms(tier="Silver", sessions_included=2, session_minutes=15, counting="blocks",
                  overage_price=Decimal("35"), hourly_rate=Decimal("150"),
                  after_hours_multiplier=Decimal("2"), trip_fee=Decimal("75"),
                  travel_billing="trip_fee", approval_threshold=None)
    result = classify_row(terms, Row(work_type="helpdesk", mode="remote", minutes=16,
                                     used_before=1))
    assert (result.allowance_units, result.overage_units) == (1, 1)
    assert session_units(25, 15, "blocks") == 2
    assert session_units(25, 15, "calls") == 1
