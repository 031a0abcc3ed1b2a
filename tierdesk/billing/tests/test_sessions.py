# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""Work sessions: the timer, bad input, locks, and the staff panel's permissions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.billing.models import AllowanceLedger, Invoice, InvoiceLine, WorkSession
from tierdesk.billing.sessions import (
    session_delete,
    session_log,
    session_start,
    session_stop,
    session_update,
)
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


def _nothing_changed():
    return (WorkSession.objects.count(),
            list(AllowanceLedger.objects.values_list("sessions_used", flat=True)))


def test_a_timer_classifies_when_it_stops(ticket, personas):
    s = session_start(technician=personas.technician, ticket=ticket, at=ny(2026, 3, 2, 10))
    assert (s.ended_at, s.classification, s.allowance_units) == (None, "", 0)
    s = session_stop(session=s, by=personas.technician, at=ny(2026, 3, 2, 10, 12))
    assert (s.minutes, s.classification, s.allowance_units) == (12, "allowance", 1)


@pytest.mark.parametrize("field,kwargs", [
    ("ended_at", {"minutes": -5}),
    ("travel_minutes", {"travel_minutes": -1}),
])
def test_bad_input_names_the_field_and_stores_nothing(ticket, personas, field, kwargs):
    minutes = kwargs.pop("minutes", 10)
    with pytest.raises(ValidationError) as exc:
        log(ticket, personas.technician, ny(2026, 3, 2, 10), minutes, **kwargs)
    assert field in exc.value.message_dict
    assert _nothing_changed() == (0, [])


def test_overlapping_sessions_of_one_technician_are_refused(ticket, personas):
    log(ticket, personas.technician, ny(2026, 3, 2, 10), 30)
    before = _nothing_changed()
    with pytest.raises(ValidationError) as exc:
        log(ticket, personas.technician, ny(2026, 3, 2, 10, 20), 30)
    assert "started_at" in exc.value.message_dict
    assert _nothing_changed() == before
    # Another technician at the same time is fine.
    log(ticket, personas.dispatcher, ny(2026, 3, 2, 10, 20), 30)


def test_a_running_timer_blocks_another_start(ticket, personas):
    session_start(technician=personas.technician, ticket=ticket, at=ny(2026, 3, 2, 10))
    with pytest.raises(ValidationError, match="running timer"):
        session_start(technician=personas.technician, ticket=ticket, at=ny(2026, 3, 2, 11))


def _invoice(agreement, period_start):
    return Invoice.objects.create(number=f"T-{period_start:%Y%m}", client=agreement.client,
                                  agreement=agreement, period_start=period_start,
                                  period_end=period_start.replace(day=28), currency="USD")


def test_a_session_in_an_invoiced_period_is_refused(ticket, personas, acme_on_silver):
    # March's own invoice (its fee in advance) leaves March open for work ...
    _invoice(acme_on_silver, date(2026, 3, 1))
    s = log(ticket, personas.technician, ny(2026, 3, 2, 9), 10)
    assert s.classification == "allowance"
    before = _nothing_changed()
    # ... April's invoice billed March's work in arrears: March is closed.
    _invoice(acme_on_silver, date(2026, 4, 1))
    with pytest.raises(ValidationError) as exc:
        log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    assert "closed" in exc.value.message_dict["started_at"][0]
    assert _nothing_changed() == before


def test_an_invoiced_session_is_locked_for_edits_and_deletion(ticket, personas,
                                                               acme_on_silver):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    invoice = _invoice(acme_on_silver, date(2026, 4, 1))
    line = InvoiceLine.objects.create(invoice=invoice, position=1, kind="labour",
                                      description="x", quantity=1, unit_price=0, amount=0)
    WorkSession.objects.filter(pk=s.pk).update(invoiced_line=line)
    s.refresh_from_db()
    with pytest.raises(ValidationError, match="invoiced and locked"):
        session_update(session=s, by=personas.technician, notes="fix")
    with pytest.raises(ValidationError, match="invoiced and locked"):
        session_delete(session=s, by=personas.technician)
    assert WorkSession.objects.get(pk=s.pk).notes == ""


def test_work_above_the_threshold_needs_an_approved_estimate(ticket, personas, silver):
    from tierdesk.billing.approvals import approval_decide, approval_request
    from tierdesk.clients.models import Contact

    # 2 hours of project work at $150/h = $300 > Silver's $250.
    with pytest.raises(ValidationError) as exc:
        log(ticket, personas.technician, ny(2026, 3, 2, 10), 120, work_type="project")
    assert "approval" in exc.value.message_dict["ticket"][0]
    signer = Contact.objects.get(user=personas.contact)
    signer.can_sign = True
    signer.save()
    request = approval_request(ticket=ticket, description="Server move",
                               estimate_amount=Decimal("300"), by=personas.technician)
    approval_decide(request=request, approve=True, contact=signer, note="go")
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 120, work_type="project")
    assert (s.classification, s.amount) == ("billable", Decimal("300.00"))


# -- the panel ----------------------------------------------------------------------------


def test_the_panel_shows_sessions_with_class_and_reason(ticket, personas, login):
    log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    response = login(personas.billing).get(f"/billing/tickets/{ticket.pk}/sessions/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "allowance: 1 of 2 Silver help-desk sessions (15 min) a month" in body
    assert "Start timer" not in body  # billing staff read, they do not log time


def test_the_preview_says_what_the_work_would_be(ticket, personas, login, services, silver):
    # The preview is for work starting now; keep the after-hours multiplier out of it.
    silver.billing.filter(work_type="after_hours").update(billable=False)
    c = login(personas.technician)
    url = f"/billing/tickets/{ticket.pk}/sessions/preview/"
    body = c.post(url, {"kind-mode": "remote", "kind-work_type": "helpdesk",
                        "kind-minutes": 10}).content.decode()
    assert "2 of 2 sessions left" in body
    body = c.post(url, {"kind-mode": "remote", "kind-work_type": "break_fix",
                        "kind-service": services["backups"].pk,
                        "kind-minutes": 60}).content.decode()
    assert "expected charge $150.00" in body and "Out of scope" in body
    body = c.post(url, {"kind-mode": "remote", "kind-work_type": "break_fix",
                        "kind-service": services["patching"].pk,
                        "kind-minutes": 60}).content.decode()
    assert "covered" in body
    body = c.post(url, {"kind-mode": "remote", "kind-work_type": "project",
                        "kind-minutes": 180}).content.decode()
    assert "must approve an estimate" in body


def test_a_technician_starts_and_stops_their_own_timer(ticket, personas, login):
    c = login(personas.technician)
    response = c.post(f"/billing/tickets/{ticket.pk}/sessions/start/",
                      {"kind-mode": "remote", "kind-work_type": "helpdesk",
                       "kind-minutes": 15}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Stop timer" in response.content.decode()
    running = WorkSession.objects.get()
    other = UserFactory(username="tech2", role="technician")
    assert login(other).post(f"/billing/sessions/{running.pk}/stop/").status_code == 404
    c = login(personas.technician)
    assert c.post(f"/billing/sessions/{running.pk}/stop/",
                  {"stop-travel_minutes": ""}).status_code == 302
    running.refresh_from_db()
    assert running.ended_at is not None and running.classification == "allowance"


def test_manual_log_errors_name_the_field(ticket, personas, login):
    c = login(personas.technician)
    response = c.post(f"/billing/tickets/{ticket.pk}/sessions/log/", {
        "log-mode": "remote", "log-work_type": "helpdesk", "log-minutes": 10,
        "log-started_at": "2026-03-02T10:00", "log-travel_minutes": -3})
    assert response.status_code == 400
    assert "Travel minutes" in response.content.decode()
    assert WorkSession.objects.count() == 0
    response = c.post(f"/billing/tickets/{ticket.pk}/sessions/log/", {
        "log-mode": "remote", "log-work_type": "helpdesk", "log-minutes": 10,
        "log-started_at": "2026-03-02T10:00"})
    assert response.status_code == 302
    assert WorkSession.objects.get().started_at == ny(2026, 3, 2, 10)


@pytest.mark.parametrize("persona,status", [("contact", 403), ("outsider", 403),
                                            ("billing", 403)])
def test_only_workers_log_time(ticket, personas, login, persona, status):
    response = login(getattr(personas, persona)).post(
        f"/billing/tickets/{ticket.pk}/sessions/log/", {})
    assert response.status_code == status


def test_the_panel_is_staff_only(ticket, personas, login):
    url = f"/billing/tickets/{ticket.pk}/sessions/"
    assert login(personas.outsider).get(url).status_code == 403
    assert login(personas.contact).get(url).status_code == 403
    assert login(personas.technician).get("/billing/tickets/999999/sessions/").status_code == 404
