# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""A running timer's start can be moved from the sessions panel: not into the future, not
over another session, not into a closed period, at most 24 hours back."""

import datetime as dt
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tierdesk.billing.invoicing import invoice_build
from tierdesk.billing.models import WorkSession
from tierdesk.billing.sessions import session_log, session_start, session_update
from tierdesk.billing.tests.test_sessions_fixtures import (  # noqa: F401
    acme_on_silver,
    ny,
    services,
    silver,
    ticket,
)
from tierdesk.core.factories import UserFactory

LABEL = "Started (client&#x27;s local time)"


def _now(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))


@pytest.fixture
def running(ticket, personas, monkeypatch):
    """The technician's timer on the ticket, started 11:30 New York; it is now 12:00."""
    _now(monkeypatch, ny(2026, 3, 2, 12))
    return session_start(technician=personas.technician, ticket=ticket,
                         at=ny(2026, 3, 2, 11, 30))


def _move(client, session, value, **extra):
    return client.post(f"/billing/sessions/{session.pk}/timer-start/",
                       {"timer-started_at": value}, **extra)


def _start(session):
    return WorkSession.objects.get(pk=session.pk).started_at


def test_the_panel_shows_the_running_timers_start_in_the_clients_time(running, personas,
                                                                      login, ticket):
    body = login(personas.technician).get(f"/billing/tickets/{ticket.pk}/sessions/"
                                          ).content.decode()
    assert 'name="timer-started_at"' in body and 'value="2026-03-02T11:30"' in body
    assert "Change start" in body


def test_moving_the_start_back_half_an_hour_is_stored(running, personas, login):
    response = _move(login(personas.technician), running, "2026-03-02T11:00",
                     HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Timer start changed." in body and 'value="2026-03-02T11:00"' in body
    assert _start(running) == ny(2026, 3, 2, 11)
    assert WorkSession.objects.get(pk=running.pk).ended_at is None  # still running


@pytest.mark.parametrize("value,message", [
    ("2026-03-02T12:30", "a running timer cannot start in the future"),
    ("2026-03-01T11:00", "a running timer can start at most 24 hours ago; log longer work "
                         "by hand"),
    ("2026-03-02T10:20", "overlaps another session of"),
    ("", "This field is required."),
    ("yesterday", "Enter a valid date/time."),
])
def test_a_bad_start_names_the_field_and_changes_nothing(running, personas, login, ticket,
                                                        value, message):
    session_log(ticket=ticket, technician=personas.technician, started_at=ny(2026, 3, 2, 10),
                ended_at=ny(2026, 3, 2, 10, 30))
    response = _move(login(personas.technician), running, value)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"{LABEL}: {message}" in body
    assert _start(running) == ny(2026, 3, 2, 11, 30)


def test_a_timer_cannot_be_moved_into_a_closed_period(ticket, personas, login, monkeypatch,
                                                      acme_on_silver):
    _now(monkeypatch, ny(2026, 4, 1, 0, 30))
    invoice_build(agreement=acme_on_silver, period_start=dt.date(2026, 4, 1))  # closes March
    timer = session_start(technician=personas.technician, ticket=ticket,
                          at=ny(2026, 4, 1, 0, 10))
    response = _move(login(personas.technician), timer, "2026-03-31T23:50")
    assert response.status_code == 400
    assert (f"{LABEL}: the billing period March 2026 is already invoiced (closed)"
            in response.content.decode())
    assert _start(timer) == ny(2026, 4, 1, 0, 10)


def test_only_the_timers_technician_or_a_manager_moves_it(running, personas, login):
    other = UserFactory(username="tech2", role="technician")
    assert _move(login(other), running, "2026-03-02T11:00").status_code == 404
    assert _move(login(personas.billing), running, "2026-03-02T11:00").status_code == 403
    assert _start(running) == ny(2026, 3, 2, 11, 30)
    assert _move(login(personas.dispatcher), running, "2026-03-02T11:10").status_code == 302
    assert _start(running) == ny(2026, 3, 2, 11, 10)


def test_a_stopped_timer_is_not_moved_here(running, personas, login):
    WorkSession.objects.filter(pk=running.pk).update(ended_at=ny(2026, 3, 2, 11, 50))
    response = _move(login(personas.technician), running, "2026-03-02T11:00")
    assert response.status_code == 400
    assert "already stopped" in response.content.decode()
    assert _start(running) == ny(2026, 3, 2, 11, 30)


def test_the_service_applies_the_same_rules(running, personas, ticket):
    with pytest.raises(ValidationError) as exc:
        session_update(session=running, by=personas.technician,
                       started_at=ny(2026, 3, 2, 12) + timedelta(minutes=5))
    assert "future" in exc.value.message_dict["started_at"][0]
    running.refresh_from_db()
    running.ended_at = None
    with pytest.raises(ValidationError) as exc:
        session_start(technician=UserFactory(username="tech3", role="technician"),
                      ticket=ticket, at=ny(2026, 3, 2, 13))
    assert "future" in exc.value.message_dict["started_at"][0]
    # Editing something else of a timer that has run over a day is not refused.
    session_update(session=running, by=personas.technician, notes="still on it")
    assert WorkSession.objects.get(pk=running.pk).notes == "still on it"
