# ruff: noqa: F811  (pytest fixtures imported by name and used as arguments)
"""Correcting an invoiced session: the session and its invoice line stay as they were, and
the difference becomes an adjustment that the agreement's next invoice bills."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tierdesk.billing.corrections import session_correct
from tierdesk.billing.invoicing import invoice_build
from tierdesk.billing.items import item_create
from tierdesk.billing.models import (
    AllowanceLedger,
    BillableItem,
    InvoiceLine,
    ItemKind,
    WorkSession,
)
from tierdesk.billing.sessions import session_log
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


def _today(monkeypatch, *args):
    moment = dt.datetime(*args, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def invoiced(ticket, personas, acme_on_silver):
    """A 60-minute break-fix session on Monday 2 March 2026, 10:00 New York (in the MSP's
    hours): billable at Silver's $150/h, invoiced by the April invoice."""
    session = session_log(ticket=ticket, technician=personas.technician,
                          started_at=ny(2026, 3, 2, 10), ended_at=ny(2026, 3, 2, 11),
                          work_type="break_fix")
    assert (session.classification, session.amount) == ("billable", Decimal("150.00"))
    invoice = invoice_build(agreement=acme_on_silver, period_start=APRIL)
    session.refresh_from_db()
    assert session.invoiced_line.invoice == invoice
    return session


def _frozen(session):
    line = InvoiceLine.objects.get(pk=session.invoiced_line_id)
    fresh = WorkSession.objects.get(pk=session.pk)
    return ([getattr(fresh, f) for f in ("started_at", "ended_at", "mode", "work_type",
                                          "classification", "reason", "amount",
                                          "invoiced_line_id")],
            (line.amount, line.quantity, line.reason),
            list(AllowanceLedger.objects.values_list("sessions_used", flat=True)))


def test_correcting_to_90_minutes_adds_half_the_hourly_rate_and_changes_no_history(
        invoiced, personas, monkeypatch):
    _today(monkeypatch, 2026, 4, 15, 14)
    before = _frozen(invoiced)
    item = session_correct(session=invoiced, by=personas.dispatcher,
                           ended_at=ny(2026, 3, 2, 11, 30))
    assert (item.kind, item.quantity, item.unit_price) == (
        ItemKind.ADJUSTMENT, Decimal("1"), Decimal("75.00"))
    number = invoiced.invoiced_line.invoice.number
    assert item.description == (f"Correction of 2 Mar 2026 session on "
                                f"{invoiced.ticket.reference} (invoiced on {number})")
    assert (item.client, item.agreement, item.ticket) == (
        invoiced.client, invoiced.agreement, invoiced.ticket)
    assert (item.approval, item.starts_on, item.invoiced_line) == (
        "not_needed", dt.date(2026, 4, 15), None)
    assert _frozen(invoiced) == before
    event = AuditEvent.objects.get(action="billing.session_corrected")
    assert event.changes["amount"] == ["150.00", "225.00"]
    assert event.changes["ended_at"][1].startswith("2026-03-02T16:30")
    assert event.changes["adjustment"] == [None, item.pk]


def test_correcting_to_30_minutes_leaves_a_credit(invoiced, personas, monkeypatch):
    _today(monkeypatch, 2026, 4, 15, 14)
    before = _frozen(invoiced)
    item = session_correct(session=invoiced, by=personas.technician,
                           ended_at=ny(2026, 3, 2, 10, 30))
    assert (item.kind, item.unit_price) == (ItemKind.ADJUSTMENT, Decimal("-75.00"))
    assert _frozen(invoiced) == before


def test_a_correction_that_changes_no_money_creates_nothing(invoiced, personas):
    assert session_correct(session=invoiced, by=personas.technician) is None
    # Different words, same charge: notes are not a correction, the same times are none.
    assert session_correct(session=invoiced, by=personas.technician,
                           ended_at=invoiced.ended_at, work_type="break_fix") is None
    assert not BillableItem.objects.exists()
    assert not AuditEvent.objects.filter(action="billing.session_corrected").exists()


def test_a_correction_on_another_work_type_is_priced_on_the_original_terms(
        invoiced, personas, services):
    # Patching is fully supported by Silver: the work would have been included → a credit.
    item = session_correct(session=invoiced, by=personas.technician,
                           service=services["patching"])
    assert item.unit_price == Decimal("-150.00")


def test_bad_corrections_name_the_field_and_store_nothing(invoiced, personas):
    with pytest.raises(ValidationError) as exc:
        session_correct(session=invoiced, by=personas.technician,
                        ended_at=ny(2026, 3, 2, 9))
    assert "ended_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        session_correct(session=invoiced, by=personas.technician, travel_minutes=-4)
    assert "travel_minutes" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        session_correct(session=invoiced, by=personas.technician, notes="x")
    assert "notes" in exc.value.message_dict
    assert not BillableItem.objects.exists()


def test_a_session_not_yet_invoiced_is_edited_not_corrected(ticket, personas):
    s = session_log(ticket=ticket, technician=personas.technician,
                    started_at=ny(2026, 3, 2, 10), ended_at=ny(2026, 3, 2, 11),
                    work_type="break_fix")
    with pytest.raises(ValidationError, match="still open"):
        session_correct(session=s, by=personas.technician, ended_at=ny(2026, 3, 2, 12))


def test_the_next_invoice_bills_the_adjustment_and_its_lines_sum_to_the_total(
        invoiced, personas, acme_on_silver, monkeypatch):
    _today(monkeypatch, 2026, 4, 15, 14)
    item = session_correct(session=invoiced, by=personas.dispatcher,
                           ended_at=ny(2026, 3, 2, 11, 30))
    _today(monkeypatch, 2026, 5, 1, 12)
    invoice = invoice_build(agreement=acme_on_silver, period_start=MAY)
    item.refresh_from_db()
    line = item.invoiced_line
    assert line.invoice == invoice
    assert (line.amount, line.description) == (Decimal("75.00"), item.description)
    lines = list(invoice.lines.all())
    assert sum(x.amount for x in lines) == invoice.subtotal
    assert invoice.subtotal + invoice.tax == invoice.total
    # Billed once: the session's own line is still the April one.
    assert WorkSession.objects.get(pk=invoiced.pk).invoiced_line.invoice.period_start == APRIL


def test_the_next_invoice_credits_a_negative_adjustment(invoiced, personas, acme_on_silver,
                                                        monkeypatch):
    _today(monkeypatch, 2026, 4, 15, 14)
    item = session_correct(session=invoiced, by=personas.dispatcher,
                           ended_at=ny(2026, 3, 2, 10, 30))
    _today(monkeypatch, 2026, 5, 1, 12)
    invoice = invoice_build(agreement=acme_on_silver, period_start=MAY)
    item.refresh_from_db()
    assert item.invoiced_line.invoice == invoice
    assert item.invoiced_line.amount == Decimal("-75.00")
    assert item.invoiced_line.kind == "adjustment"
    assert sum(x.amount for x in invoice.lines.all()) == invoice.subtotal


def test_only_an_adjustment_may_have_a_negative_price(acme_on_silver, personas):
    item = BillableItem(client=acme_on_silver.client, kind="hardware", description="Disk",
                        quantity=Decimal("1"), unit_price=Decimal("-1.00"),
                        starts_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError) as exc:
        item.full_clean()
    assert "unit_price" in exc.value.message_dict
    item.kind = ItemKind.ADJUSTMENT
    item.full_clean()
    with pytest.raises(ValidationError) as exc:
        item_create(client=acme_on_silver.client, kind="adjustment", description="x",
                    quantity=1, unit_price="-5", by=personas.billing)
    assert "kind" in exc.value.message_dict
