"""A ticket's clocks: first response, pauses, reopening, priority changes, breaches."""
# ruff: noqa: F811  (pytest fixtures are imported by name and then requested as arguments)

import datetime as dt

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierdesk.clients.factories import AgreementFactory
from tierdesk.desk import clocks
from tierdesk.desk.models import TicketPause
from tierdesk.desk.services import (
    ticket_client_message,
    ticket_log_call,
    ticket_note,
    ticket_reply,
    ticket_set_priority,
    ticket_transition,
)
from tierdesk.desk.tests.desk_fixtures import (  # noqa: F401
    acme_on_gold,
    gold,
    make_version,
    ny,
    open_ticket,
)

pytestmark = pytest.mark.django_db


def test_the_first_public_reply_is_the_first_response(open_ticket, personas):
    ticket_note(ticket=open_ticket, body="looking", by=personas.technician,
                at=ny(2026, 3, 2, 9, 5))
    ticket_transition(ticket=open_ticket, to="open", by=personas.technician,
                      at=ny(2026, 3, 2, 9, 6))
    open_ticket.refresh_from_db()
    assert open_ticket.first_responded_at is None
    ticket_reply(ticket=open_ticket, body="On it", by=personas.technician,
                 at=ny(2026, 3, 2, 9, 30))
    ticket_reply(ticket=open_ticket, body="Again", by=personas.technician,
                 at=ny(2026, 3, 2, 9, 40))
    open_ticket.refresh_from_db()
    assert open_ticket.first_responded_at == ny(2026, 3, 2, 9, 30)
    assert not open_ticket.first_response_breached


def test_a_logged_call_is_a_response_and_a_late_one_is_a_breach(open_ticket, personas):
    ticket_log_call(ticket=open_ticket, body="Called back", by=personas.technician,
                    at=ny(2026, 3, 2, 10, 1))
    open_ticket.refresh_from_db()
    assert open_ticket.first_responded_at == ny(2026, 3, 2, 10, 1)
    assert open_ticket.first_response_breached
    assert open_ticket.status == "open"


def test_a_reply_exactly_at_the_due_time_is_in_time(open_ticket, personas):
    ticket_reply(ticket=open_ticket, body="x", by=personas.owner, at=ny(2026, 3, 2, 10, 0))
    assert not open_ticket.first_response_breached


def test_waiting_on_client_pauses_resolution_and_resuming_extends_it(open_ticket, personas):
    assert open_ticket.resolution_due_at == ny(2026, 3, 2, 17, 0)
    ticket_transition(ticket=open_ticket, to="waiting_client", by=personas.technician,
                      at=ny(2026, 3, 2, 10, 0))
    assert open_ticket.paused_at == ny(2026, 3, 2, 10, 0)
    assert open_ticket.urgency_due_at == open_ticket.first_response_due_at
    ticket_transition(ticket=open_ticket, to="open", by=personas.technician,
                      at=ny(2026, 3, 2, 12, 0))
    assert open_ticket.paused_at is None
    pause = TicketPause.objects.get(ticket=open_ticket)
    assert (pause.started_at, pause.ended_at) == (ny(2026, 3, 2, 10), ny(2026, 3, 2, 12))
    # 2 hours paused: 17:00 + 2h = 19:00, past closing -> next day 09:00.
    assert open_ticket.resolution_due_at == ny(2026, 3, 3, 9, 0)


def test_a_pause_over_the_night_changes_nothing(open_ticket, personas):
    ticket_transition(ticket=open_ticket, to="waiting_client", by=personas.technician,
                      at=ny(2026, 3, 2, 18, 0))
    ticket_transition(ticket=open_ticket, to="open", by=personas.technician,
                      at=ny(2026, 3, 3, 8, 0))
    assert open_ticket.resolution_due_at == ny(2026, 3, 2, 17, 0)


def test_the_client_answering_resumes_the_clock(open_ticket, personas):
    ticket_transition(ticket=open_ticket, to="waiting_client", by=personas.technician,
                      at=ny(2026, 3, 2, 10, 0))
    ticket_client_message(ticket=open_ticket, body="here you go", channel="email",
                          at=ny(2026, 3, 2, 11, 0))
    assert open_ticket.status == "open" and open_ticket.paused_at is None
    assert open_ticket.resolution_due_at == ny(2026, 3, 2, 18, 0)


def test_waiting_on_vendor_pauses_only_when_configured(open_ticket, personas):
    ticket_transition(ticket=open_ticket, to="waiting_vendor", by=personas.technician,
                      at=ny(2026, 3, 2, 10, 0))
    assert open_ticket.paused_at is None
    with override_settings(TIERDESK_VENDOR_WAIT_PAUSES=True):
        ticket_transition(ticket=open_ticket, to="open", by=personas.technician,
                          at=ny(2026, 3, 2, 10, 30))
        ticket_transition(ticket=open_ticket, to="waiting_vendor", by=personas.technician,
                          at=ny(2026, 3, 2, 11, 0))
        assert open_ticket.paused_at == ny(2026, 3, 2, 11, 0)


def test_reopening_counts_the_time_resolved_as_paused_and_keeps_the_first_response(
        open_ticket, personas):
    ticket_reply(ticket=open_ticket, body="fixed?", by=personas.technician,
                 at=ny(2026, 3, 2, 9, 30))
    ticket_transition(ticket=open_ticket, to="resolved", by=personas.technician,
                      at=ny(2026, 3, 2, 11, 0))
    assert open_ticket.resolved_at == ny(2026, 3, 2, 11, 0)
    assert open_ticket.urgency_due_at is None and open_ticket.sla_check_at is None
    ticket_transition(ticket=open_ticket, to="open", by=personas.dispatcher,
                      at=ny(2026, 3, 2, 14, 0))
    assert open_ticket.resolved_at is None
    assert open_ticket.first_responded_at == ny(2026, 3, 2, 9, 30)
    assert TicketPause.objects.get(ticket=open_ticket).reason == "resolved"
    assert open_ticket.resolution_due_at == ny(2026, 3, 3, 10, 0)  # 17:00 + 3h


def test_resolving_late_is_a_breach_and_it_stays_a_breach_after_a_pause(open_ticket, personas):
    ticket_transition(ticket=open_ticket, to="waiting_client", by=personas.technician,
                      at=ny(2026, 3, 2, 17, 30))
    assert open_ticket.resolution_breached
    ticket_transition(ticket=open_ticket, to="open", by=personas.technician,
                      at=ny(2026, 3, 3, 9, 0))
    assert open_ticket.resolution_breached


def test_a_priority_change_uses_the_snapshot_version_not_the_current_tier(open_ticket, personas):
    # The client moves to another tier after the ticket opened.
    acme = open_ticket.client
    acme.agreements.update(status="ended")
    platinum = make_version("Platinum", 3)
    platinum.targets.filter(priority="p2").update(first_response_minutes=15)
    AgreementFactory(client=acme, plan_version=platinum, status="active")
    ticket_transition(ticket=open_ticket, to="waiting_client", by=personas.technician,
                      at=ny(2026, 3, 2, 10, 0))
    ticket_transition(ticket=open_ticket, to="open", by=personas.technician,
                      at=ny(2026, 3, 2, 11, 0))
    ticket_set_priority(ticket=open_ticket, priority="p2", by=personas.dispatcher,
                        at=ny(2026, 3, 2, 11, 30))
    assert open_ticket.sla_targets["first_response"]["minutes"] == 120  # Gold's p2
    assert open_ticket.first_response_due_at == ny(2026, 3, 2, 11, 0)
    # 960 business minutes from Monday 09:00 = 9h Monday + 7h Tuesday -> Tuesday 15:00,
    # plus the hour paused.
    assert open_ticket.resolution_due_at == ny(2026, 3, 3, 16, 0)
    assert open_ticket.plan_version == open_ticket.agreement.plan_version


def test_a_later_tier_change_does_not_move_open_tickets(open_ticket):
    due = open_ticket.first_response_due_at
    open_ticket.plan_version.targets.filter(priority="p1").update(first_response_minutes=5)
    open_ticket.refresh_from_db()
    assert open_ticket.first_response_due_at == due
    assert open_ticket.sla_targets["first_response"]["minutes"] == 60


def test_warnings_fall_at_fractions_of_the_business_target(open_ticket):
    state = clocks.compute(calendar=open_ticket.sla_calendar, targets=open_ticket.sla_targets,
                           opened_at=open_ticket.opened_at, paused=[])
    at = {(t.target, t.label): t.at for t in state.thresholds}
    assert at["first_response", "0.75"] == ny(2026, 3, 2, 9, 45)
    assert at["first_response", "0.9"] == ny(2026, 3, 2, 9, 54)
    assert at["resolution", "0.75"] == ny(2026, 3, 2, 15, 0)
    assert open_ticket.sla_check_at == ny(2026, 3, 2, 9, 45)
    assert open_ticket.urgency_due_at == ny(2026, 3, 2, 10, 0)


def test_warning_fractions_are_configurable(open_ticket):
    with override_settings(TIERDESK_SLA_WARN_FRACTIONS=(0.5,)):
        state = clocks.compute(calendar=open_ticket.sla_calendar,
                               targets=open_ticket.sla_targets,
                               opened_at=open_ticket.opened_at, paused=[])
    labels = {t.label for t in state.thresholds}
    assert labels == {"0.5", "breach"}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minutes=st.integers(min_value=1, max_value=5000),
       start=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 1, 1)),
       fraction=st.floats(min_value=0.01, max_value=0.99))
def test_a_warning_never_comes_after_the_due_time(minutes, start, fraction, gold):
    from tierdesk.sla import Calendar

    opened = start.replace(tzinfo=dt.UTC)
    spec = {"kind": "business", "minutes": minutes, "cutoff": None}
    cal = Calendar.from_dict(gold.hours)
    warn = clocks.fraction_at(cal, opened, spec, fraction)
    due = clocks.due_at(cal, opened, spec)
    assert opened <= warn <= due
    assert cal.business_time(opened, warn) <= cal.business_time(opened, due)


@pytest.mark.parametrize("spec", [
    {"kind": "business", "minutes": 240, "cutoff": None},
    {"kind": "wall", "minutes": 120, "cutoff": None},
    {"kind": "same_day", "minutes": None, "cutoff": "15:00"},
])
def test_compute_gives_the_due_time_and_warnings_of_due_at_and_fraction_at(spec, gold):
    # compute() shares one budget between a target's due time and its warnings.
    from tierdesk.sla import Calendar

    cal = Calendar.from_dict(gold.hours)
    opened = dt.datetime(2026, 3, 6, 15, 30, tzinfo=dt.UTC)  # a Friday, 10:30 in New York
    state = clocks.compute(calendar=gold.hours, targets={"resolution": spec},
                           opened_at=opened, paused=[])
    assert state.resolution_due_at == clocks.due_at(cal, opened, spec)
    warnings = {th.label: th.at for th in state.thresholds if th.label != "breach"}
    assert warnings == {clocks.fraction_label(f): clocks.fraction_at(cal, opened, spec, f)
                        for f in clocks.warn_fractions()}
    assert len(warnings) == 2


def test_the_countdown_shows_business_time_left_on_the_snapshot_calendar(open_ticket):
    # Friday 17:00 with the due time Monday 09:00: one business hour left, not a weekend.
    text = clocks.countdown(calendar=open_ticket.sla_calendar,
                            spec={"kind": "business", "minutes": 60},
                            due=ny(2026, 3, 9, 9, 0), now=ny(2026, 3, 6, 17, 0))
    assert text == "2h 00m business left"
    assert clocks.countdown(calendar=open_ticket.sla_calendar, spec={"kind": "business"},
                            due=ny(2026, 3, 2, 9, 0), now=ny(2026, 3, 2, 9, 35)) == "overdue 35m"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset=st.integers(min_value=0, max_value=60 * 24 * 14),
       pause_start=st.integers(min_value=0, max_value=60 * 24 * 14),
       pause_minutes=st.integers(min_value=1, max_value=60 * 24 * 3))
def test_a_pause_never_brings_the_resolution_due_time_forward(gold, offset, pause_start,
                                                              pause_minutes):
    opened = ny(2026, 3, 2, 0, 0) + dt.timedelta(minutes=offset)
    start = opened + dt.timedelta(minutes=pause_start)
    pause = [(start, start + dt.timedelta(minutes=pause_minutes))]
    targets = {"resolution": {"kind": "business", "minutes": 480, "cutoff": None}}
    plain = clocks.compute(calendar=gold.hours, targets=targets, opened_at=opened, paused=[])
    paused = clocks.compute(calendar=gold.hours, targets=targets, opened_at=opened,
                            paused=pause)
    assert paused.resolution_due_at >= plain.resolution_due_at
    if start >= plain.resolution_due_at:  # a pause after the due time changes nothing
        assert paused.resolution_due_at == plain.resolution_due_at


def test_a_weekend_pause_changes_nothing(gold):
    targets = {"resolution": {"kind": "business", "minutes": 480, "cutoff": None}}
    opened = ny(2026, 3, 6, 15, 0)  # Friday
    weekend = [(ny(2026, 3, 7, 0, 0), ny(2026, 3, 9, 0, 0))]
    plain = clocks.compute(calendar=gold.hours, targets=targets, opened_at=opened, paused=[])
    paused = clocks.compute(calendar=gold.hours, targets=targets, opened_at=opened,
                            paused=weekend)
    assert paused.resolution_due_at == plain.resolution_due_at == ny(2026, 3, 9, 13, 0)
