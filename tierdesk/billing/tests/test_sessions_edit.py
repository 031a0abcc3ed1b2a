# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""Editing a session re-classifies it; an invoiced one is corrected instead (the panel)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tierdesk.billing.invoicing import invoice_build
from tierdesk.billing.models import AllowanceLedger, BillableItem, WorkSession
from tierdesk.billing.sessions import session_log, session_update
from tierdesk.billing.tests.test_sessions_fixtures import (  # noqa: F401
    acme_on_silver,
    ny,
    services,
    silver,
    ticket,
)
from tierdesk.core.factories import UserFactory


def log(ticket, tech, start, minutes, **kw):
    return session_log(ticket=ticket, technician=tech, started_at=start,
                       ended_at=start + timedelta(minutes=minutes), **kw)


def _form(start="2026-03-02T10:00", end="2026-03-02T10:25", **extra):
    data = {"edit-started_at": start, "edit-ended_at": end, "edit-mode": "remote",
            "edit-work_type": "helpdesk", "edit-travel_minutes": "0", "edit-notes": ""}
    data.update({f"edit-{k}": v for k, v in extra.items()})
    return data


def _url(session):
    return f"/billing/tickets/{session.ticket_id}/sessions/?edit={session.pk}"


def test_editing_a_10_minute_help_desk_session_to_25_minutes_takes_two_units(ticket,
                                                                             personas):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    assert (s.allowance_units, AllowanceLedger.objects.get().sessions_used) == (1, 1)
    s = session_update(session=s, by=personas.technician, ended_at=ny(2026, 3, 2, 10, 25))
    assert (s.classification, s.allowance_units) == ("allowance", 2)
    assert "25 min counts as 2" in s.reason
    assert AllowanceLedger.objects.get().sessions_used == 2


def test_the_edit_form_saves_and_shows_the_new_class_and_reason(ticket, personas, login):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    c = login(personas.technician)
    page = c.get(_url(s)).content.decode()
    assert "Edit session" in page and 'value="2026-03-02T10:10"' in page
    response = c.post(_url(s), _form(**{"notes": "found the cause"}), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Re-classified: Counted against the allowance" in body
    assert "25 min counts as 2" in body
    s.refresh_from_db()
    assert (s.minutes, s.allowance_units, s.notes) == (25, 2, "found the cause")


def test_the_edit_preview_shows_what_the_edit_would_be_and_stores_nothing(ticket, personas,
                                                                         login):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    body = login(personas.technician).post(_url(s), {**_form(), "preview": "1"}
                                           ).content.decode()
    assert "25 min counts as 2" in body and "no charge" in body
    body = login(personas.technician).post(
        _url(s), {**_form(end="2026-03-02T11:00", work_type="break_fix"), "preview": "1"}
    ).content.decode()
    assert "charge $150.00" in body
    s.refresh_from_db()
    assert (s.minutes, s.allowance_units) == (10, 1)


def test_edit_errors_name_the_field_and_change_nothing(ticket, personas, login):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    response = login(personas.technician).post(_url(s), _form(end="2026-03-02T09:00"))
    assert response.status_code == 400
    assert "Ended (client&#x27;s local time): the session must end after it starts" in \
        response.content.decode()
    assert WorkSession.objects.get().minutes == 10


def test_a_technician_cannot_edit_another_technicians_session(ticket, personas, login):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    other = UserFactory(username="tech2", role="technician")
    assert login(other).get(_url(s)).status_code == 404
    assert login(other).post(_url(s), _form()).status_code == 404
    assert WorkSession.objects.get().minutes == 10
    # Owners and dispatchers edit anyone's.
    for manager in (personas.dispatcher, personas.owner):
        response = login(manager).post(_url(s), _form(), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    assert WorkSession.objects.get().minutes == 25


@pytest.mark.parametrize("persona,status", [("billing", 403), ("contact", 403),
                                            ("outsider", 403)])
def test_only_workers_edit_sessions(ticket, personas, login, persona, status):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    assert login(getattr(personas, persona)).post(_url(s), _form()).status_code == status
    assert WorkSession.objects.get().minutes == 10


def test_a_session_is_edited_only_through_its_own_ticket(ticket, personas, login):
    from tierdesk.desk.services import ticket_open

    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    other = ticket_open(client=ticket.client, channel="email", subject="Other")
    url = f"/billing/tickets/{other.pk}/sessions/?edit={s.pk}"
    assert login(personas.owner).get(url).status_code == 404


def test_an_invoiced_session_is_corrected_from_the_panel(ticket, personas, login,
                                                         acme_on_silver):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 60, work_type="break_fix")
    invoice_build(agreement=acme_on_silver, period_start=date(2026, 4, 1))
    c = login(personas.technician)
    panel = c.get(f"/billing/tickets/{ticket.pk}/sessions/").content.decode()
    assert "Correct (invoiced)" in panel
    page = c.get(_url(s)).content.decode()
    assert "stays as invoiced" in page and 'name="edit-notes"' not in page
    data = _form(end="2026-03-02T11:30", work_type="break_fix")
    preview = c.post(_url(s), {**data, "preview": "1"}).content.decode()
    assert "Adjustment on the next invoice: 75.00" in preview
    body = c.post(_url(s), data, HTTP_HX_REQUEST="true").content.decode()
    assert "an adjustment of 75.00 goes on the next invoice" in body
    assert BillableItem.objects.get().unit_price == Decimal("75.00")
    s.refresh_from_db()
    assert (s.minutes, s.amount) == (60, Decimal("150.00"))
    # The same times again: nothing to adjust, and it says so.
    body = c.post(_url(s), _form(end="2026-03-02T11:00", work_type="break_fix"),
                  HTTP_HX_REQUEST="true").content.decode()
    assert "nothing to adjust" in body
    assert BillableItem.objects.count() == 1
