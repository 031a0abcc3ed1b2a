# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""An edit follows logging's rule: out-of-scope work the edit makes billable above the
tier's approval threshold (Silver: $250) is refused until the client approved an
estimate, and the edit form warns before saving."""

import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tierdesk.billing.approvals import approval_decide, approval_request
from tierdesk.billing.corrections import session_correct
from tierdesk.billing.invoicing import invoice_build
from tierdesk.billing.models import BillableItem, WorkSession
from tierdesk.billing.sessions import session_log, session_start, session_stop, session_update
from tierdesk.billing.tests.test_sessions_fixtures import (  # noqa: F401
    acme_on_silver,
    ny,
    services,
    silver,
    ticket,
)
from tierdesk.clients.models import Contact


def log(ticket, tech, start, minutes, **kw):
    return session_log(ticket=ticket, technician=tech, started_at=start,
                       ended_at=start + timedelta(minutes=minutes), **kw)


def approve(ticket, personas, amount="500"):
    signer = Contact.objects.get(user=personas.contact)
    signer.can_sign = True
    signer.save()
    request = approval_request(ticket=ticket, description="More work",
                               estimate_amount=Decimal(amount), by=personas.technician)
    approval_decide(request=request, approve=True, contact=signer, note="ok")


def _stored(session):
    fresh = WorkSession.objects.get(pk=session.pk)
    return fresh.work_type, fresh.ended_at, fresh.classification, fresh.amount


def test_editing_help_desk_into_three_hours_of_break_fix_needs_an_approved_estimate(
        ticket, personas):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    before = _stored(s)
    with pytest.raises(ValidationError) as exc:
        session_update(session=s, by=personas.technician, work_type="break_fix",
                       ended_at=ny(2026, 3, 2, 13))
    assert exc.value.message_dict["ticket"] == [
        "expected charge 450.00 is above the tier's approval threshold: request the "
        "client's approval of an estimate first"]
    assert _stored(s) == before
    approve(ticket, personas)
    s = session_update(session=s, by=personas.technician, work_type="break_fix",
                       ended_at=ny(2026, 3, 2, 13))
    assert (s.classification, s.amount) == ("billable", Decimal("450.00"))


def test_lengthening_billable_work_past_the_threshold_needs_approval(ticket, personas):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 60, work_type="break_fix")
    assert s.amount == Decimal("150.00")  # below $250: logged without approval
    with pytest.raises(ValidationError) as exc:
        session_update(session=s, by=personas.technician, ended_at=ny(2026, 3, 2, 12))
    assert "approval" in exc.value.message_dict["ticket"][0]
    # Within the threshold it is an ordinary edit.
    s = session_update(session=s, by=personas.technician, ended_at=ny(2026, 3, 2, 11, 30))
    assert s.amount == Decimal("225.00")


def test_a_stopped_timer_is_never_refused_but_a_later_edit_may_not_raise_its_charge(
        ticket, personas):
    # Started as 60 expected minutes of break-fix ($150, no approval needed) ...
    running = session_start(technician=personas.technician, ticket=ticket,
                            at=ny(2026, 3, 2, 10), work_type="break_fix", expected_minutes=60)
    # ... it ran three hours: the work is done, stopping it is not refused.
    s = session_stop(session=running, by=personas.technician, at=ny(2026, 3, 2, 13))
    assert (s.classification, s.amount) == ("billable", Decimal("450.00"))
    # Edits that do not raise the charge go through; raising it needs the estimate.
    s = session_update(session=s, by=personas.technician, notes="replaced the disk")
    s = session_update(session=s, by=personas.technician, ended_at=ny(2026, 3, 2, 12, 30))
    assert s.amount == Decimal("375.00")
    with pytest.raises(ValidationError) as exc:
        session_update(session=s, by=personas.technician, ended_at=ny(2026, 3, 2, 14))
    assert "ticket" in exc.value.message_dict
    assert WorkSession.objects.get(pk=s.pk).amount == Decimal("375.00")


def test_a_running_timer_edited_into_out_of_scope_work_is_checked_on_the_time_run_so_far(
        ticket, personas, monkeypatch):
    moment = ny(2026, 3, 2, 13)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    running = session_start(technician=personas.technician, ticket=ticket,
                            at=ny(2026, 3, 2, 10))  # help desk, three hours so far
    with pytest.raises(ValidationError) as exc:
        session_update(session=running, by=personas.technician, work_type="project")
    assert "approval" in exc.value.message_dict["ticket"][0]
    assert WorkSession.objects.get(pk=running.pk).work_type == "helpdesk"


def test_internal_work_and_work_below_the_threshold_are_never_held(ticket, personas):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    s = session_update(session=s, by=personas.technician, work_type="internal",
                       ended_at=ny(2026, 3, 2, 18))
    assert s.classification == "internal"
    s = session_update(session=s, by=personas.technician, work_type="project",
                       ended_at=ny(2026, 3, 2, 11, 30))
    assert s.amount == Decimal("225.00")


def test_correcting_invoiced_work_past_the_threshold_needs_approval_too(
        ticket, personas, acme_on_silver):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 60, work_type="break_fix")
    invoice_build(agreement=acme_on_silver, period_start=dt.date(2026, 4, 1))
    s.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        session_correct(session=s, by=personas.technician, ended_at=ny(2026, 3, 2, 13))
    assert "approval" in exc.value.message_dict["ticket"][0]
    assert not BillableItem.objects.exists()
    approve(ticket, personas)
    item = session_correct(session=s, by=personas.technician, ended_at=ny(2026, 3, 2, 13))
    assert item.unit_price == Decimal("300.00")


def _form(start="2026-03-02T10:00", end="2026-03-02T13:00", **extra):
    data = {"edit-started_at": start, "edit-ended_at": end, "edit-mode": "remote",
            "edit-work_type": "break_fix", "edit-travel_minutes": "0", "edit-notes": ""}
    data.update({f"edit-{k}": v for k, v in extra.items()})
    return data


def test_the_edit_form_warns_before_and_refuses_on_save_naming_the_approval(
        ticket, personas, login):
    s = log(ticket, personas.technician, ny(2026, 3, 2, 10), 10)
    url = f"/billing/tickets/{ticket.pk}/sessions/?edit={s.pk}"
    c = login(personas.technician)
    preview = c.post(url, {**_form(), "preview": "1"}).content.decode()
    assert "charge $450.00" in preview
    assert ("Out of scope: this work is billable. Above $250.00: the client must approve an "
            "estimate first.") in preview
    response = c.post(url, _form())
    assert response.status_code == 400
    assert "ticket: expected charge 450.00 is above the tier&#x27;s approval threshold" in \
        response.content.decode()
    assert WorkSession.objects.get(pk=s.pk).minutes == 10
    # Work within the threshold: the preview only says it is billable.
    preview = c.post(url, {**_form(end="2026-03-02T11:00"), "preview": "1"}).content.decode()
    assert "Out of scope: this work is billable." in preview and "Above $250" not in preview
