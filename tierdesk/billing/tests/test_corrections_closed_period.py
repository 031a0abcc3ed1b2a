# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""Correcting a session of a closed (invoiced) period that no invoice line bills (allowance,
included or internal work): it is re-classified in place, the period's ledger moves with
it, and the money difference is an adjustment on the next invoice — never arrears."""

import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tierdesk.billing.corrections import session_correct, session_edit_preview
from tierdesk.billing.invoicing import invoice_build
from tierdesk.billing.models import AllowanceLedger, BillableItem, WorkSession
from tierdesk.billing.sessions import session_delete, session_log, session_update
from tierdesk.billing.tests.test_invoice_links import assert_links_consistent
from tierdesk.billing.tests.test_sessions_fixtures import (  # noqa: F401
    acme_on_silver,
    ny,
    services,
    silver,
    ticket,
)
from tierdesk.core.models import AuditEvent

APRIL = dt.date(2026, 4, 1)
MAY = dt.date(2026, 5, 1)
MARCH = dt.date(2026, 3, 1)


def _today(monkeypatch, *args):
    moment = dt.datetime(*args, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def march(ticket, personas, acme_on_silver, monkeypatch):
    """Silver's March (2 sessions of 15 min, $35 a session over): A and B take the two
    allowance sessions, C goes over and is invoiced in April. Today is 15 April."""
    def log(day):
        return session_log(ticket=ticket, technician=personas.technician,
                           started_at=ny(2026, 3, day, 10), ended_at=ny(2026, 3, day, 10, 10))

    a, b, c = log(2), log(3), log(4)
    assert [s.classification for s in (a, b, c)] == ["allowance", "allowance", "overage"]
    invoice = invoice_build(agreement=acme_on_silver, period_start=APRIL)
    _today(monkeypatch, 2026, 4, 15, 14)
    sessions = {k: WorkSession.objects.get(pk=s.pk)
                for k, s in zip("abc", (a, b, c), strict=True)}
    assert sessions["c"].invoiced_line.invoice == invoice
    return sessions


def _ledger():
    return AllowanceLedger.objects.get(period_start=MARCH)


def _assert_ledger_consistent():
    ledger = _ledger()
    units = sum(WorkSession.objects.filter(period_start=MARCH)
                .values_list("allowance_units", flat=True))
    assert ledger.sessions_used == units <= ledger.sessions_included


def test_a_never_invoiced_session_corrected_to_25_minutes_bills_the_unit_over(
        march, personas):
    a = march["a"]
    item = session_correct(session=a, by=personas.dispatcher, ended_at=ny(2026, 3, 2, 10, 25))
    assert (item.kind, item.quantity, item.unit_price) == ("adjustment", 1, Decimal("35.00"))
    assert item.description == (f"Correction of 2 Mar 2026 session on {a.ticket.reference} "
                                "(March 2026 closed by INV-000001)")
    assert (item.starts_on, item.agreement_id) == (dt.date(2026, 4, 15), a.agreement_id)
    a = WorkSession.objects.get(pk=a.pk)
    # Re-classified in place: 25 min = 2 units, 1 left in March (B holds the other).
    assert (a.minutes, a.classification, a.allowance_units, a.overage_units, a.amount) == (
        25, "overage", 1, 1, Decimal("35.00"))
    assert "25 min counts as 2" in a.reason
    assert (a.period_start, a.invoiced_line_id) == (MARCH, None)
    _assert_ledger_consistent()
    assert _ledger().sessions_used == 2
    event = AuditEvent.objects.get(action="billing.session_corrected")
    assert event.changes["amount"] == ["0.00", "35.00"]
    assert event.changes["adjustment"] == [None, item.pk]


def test_the_next_invoice_bills_the_adjustment_once_and_not_the_session_again(
        march, personas, acme_on_silver, monkeypatch):
    session_correct(session=march["a"], by=personas.dispatcher,
                    ended_at=ny(2026, 3, 2, 10, 25))
    _today(monkeypatch, 2026, 5, 1, 12)
    invoice = invoice_build(agreement=acme_on_silver, period_start=MAY)
    lines = list(invoice.lines.all())
    assert [(line.kind, line.amount) for line in lines] == [
        ("recurring", lines[0].amount), ("adjustment", Decimal("35.00"))]
    assert sum(line.amount for line in lines) == invoice.subtotal
    assert WorkSession.objects.get(pk=march["a"].pk).invoiced_line_id is None
    assert BillableItem.objects.get().invoiced_line.invoice == invoice
    assert_links_consistent()


def test_included_work_corrected_into_break_fix_bills_it_and_frees_its_unit(march, personas):
    b = march["b"]
    item = session_correct(session=b, by=personas.dispatcher, work_type="break_fix",
                           ended_at=ny(2026, 3, 3, 11))
    assert item.unit_price == Decimal("150.00")  # an hour at Silver's $150/h
    b = WorkSession.objects.get(pk=b.pk)
    assert (b.classification, b.allowance_units, b.amount) == ("billable", 0,
                                                               Decimal("150.00"))
    _assert_ledger_consistent()
    assert _ledger().sessions_used == 1
    # C keeps the class it was invoiced by: a closed period's history is not re-ranked.
    assert WorkSession.objects.get(pk=march["c"].pk).classification == "overage"


def test_corrections_back_and_forth_keep_the_ledger_and_the_money_straight(march, personas):
    a = march["a"]
    for minutes in (25, 40, 5, 15, 50, 10):
        session_correct(session=a, by=personas.technician,
                        ended_at=ny(2026, 3, 2, 10) + timedelta(minutes=minutes))
        _assert_ledger_consistent()
    a = WorkSession.objects.get(pk=a.pk)
    adjustments = BillableItem.objects.filter(kind="adjustment")
    # What the adjustments billed, added up, is what the session is now charged.
    assert sum(i.unit_price for i in adjustments) == a.amount == Decimal("0.00")
    assert (a.minutes, a.classification, a.allowance_units) == (10, "allowance", 1)
    assert [i.unit_price for i in adjustments.order_by("id")] == [
        Decimal("35.00"), Decimal("35.00"), Decimal("-70.00"), Decimal("105.00"),
        Decimal("-105.00")]


def test_a_correction_stays_in_its_month(march, personas):
    a = march["a"]
    with pytest.raises(ValidationError) as exc:
        session_correct(session=a, by=personas.technician, started_at=ny(2026, 4, 2, 10),
                        ended_at=ny(2026, 4, 2, 10, 30))
    assert "March 2026" in exc.value.message_dict["started_at"][0]
    assert WorkSession.objects.get(pk=a.pk).started_at == a.started_at
    assert not BillableItem.objects.exists()


def test_new_times_without_new_money_are_stored_and_audited_without_an_adjustment(
        march, personas):
    a = march["a"]
    assert session_correct(session=a, by=personas.technician) is None  # nothing changed
    assert not AuditEvent.objects.filter(action="billing.session_corrected").exists()
    assert session_correct(session=a, by=personas.technician,
                           ended_at=ny(2026, 3, 2, 10, 12)) is None
    assert WorkSession.objects.get(pk=a.pk).minutes == 12
    assert not BillableItem.objects.exists()
    event = AuditEvent.objects.get(action="billing.session_corrected")
    assert "adjustment" not in event.changes and "ended_at" in event.changes


def test_a_bad_correction_names_the_field_and_stores_nothing(march, personas):
    a = march["a"]
    with pytest.raises(ValidationError) as exc:
        session_correct(session=a, by=personas.technician, ended_at=ny(2026, 3, 2, 9))
    assert "ended_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # over B's time
        session_correct(session=a, by=personas.technician, ended_at=ny(2026, 3, 3, 10, 5))
    assert "ended_at" in exc.value.message_dict
    assert WorkSession.objects.get(pk=a.pk).minutes == 10
    assert _ledger().sessions_used == 2


def test_edits_and_deletion_of_a_closed_periods_session_stay_refused(march, personas):
    for call in (lambda s: session_update(session=s, by=personas.technician, notes="x"),
                 lambda s: session_delete(session=s, by=personas.technician)):
        with pytest.raises(ValidationError, match="closed"):
            call(march["a"])
    assert WorkSession.objects.filter(pk=march["a"].pk, notes="").exists()


def test_the_preview_shows_the_adjustment_the_correction_would_leave(march):
    preview = session_edit_preview(session=march["a"], ended_at=ny(2026, 3, 2, 10, 25))
    assert (preview.classification, preview.amount, preview.difference) == (
        "overage", Decimal("35.00"), Decimal("35.00"))
    assert "allowance is used up" in preview.warning


def _form(end="2026-03-02T10:25"):
    return {"edit-started_at": "2026-03-02T10:00", "edit-ended_at": end,
            "edit-mode": "remote", "edit-work_type": "helpdesk", "edit-travel_minutes": "0"}


def test_the_panel_corrects_a_closed_periods_session(march, personas, login, ticket):
    c = login(personas.technician)
    panel = c.get(f"/billing/tickets/{ticket.pk}/sessions/").content.decode()
    assert panel.count("Correct (closed period)") == 2  # A and B; C is invoiced
    assert "Correct (invoiced)" in panel
    assert panel.count("Delete this session?") == 0
    url = f"/billing/tickets/{ticket.pk}/sessions/?edit={march['a'].pk}"
    page = c.get(url).content.decode()
    assert "March 2026 is already invoiced" in page and 'name="edit-notes"' not in page
    assert "Adjustment on the next invoice: 35.00" in c.post(
        url, {**_form(), "preview": "1"}).content.decode()
    body = c.post(url, _form(), HTTP_HX_REQUEST="true").content.decode()
    assert "an adjustment of 35.00 goes on the next invoice" in body
    assert WorkSession.objects.get(pk=march["a"].pk).minutes == 25
    # Into April: refused, the field named.
    response = c.post(url, {**_form(), "edit-started_at": "2026-04-01T10:00",
                            "edit-ended_at": "2026-04-01T10:20"})
    assert response.status_code == 400
    assert "a correction stays in its billing period (March 2026)" in response.content.decode()
