"""Invoice lifecycle: one transition map, immutable once issued, credit notes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tierdesk.billing.invoice_lifecycle import (
    credit_note_create,
    invoice_assert_mutable,
    invoice_attach_pdf,
    invoice_transition,
)
from tierdesk.billing.invoicing import invoice_build
from tierdesk.billing.models import Invoice
from tierdesk.billing.tests.test_invoicing_fixtures import OCT, agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return invoice_build(agreement=agreement(fee="200.00", tax="10"), period_start=OCT)


def test_issue_then_pay_sets_the_dates(draft):
    issued = invoice_transition(invoice=draft, to="issued")
    assert issued.issued_at is not None and issued.due_on is not None
    paid = invoice_transition(invoice=issued, to="paid")
    assert paid.status == "paid" and paid.paid_at is not None


def test_transitions_outside_the_map_are_refused(draft):
    with pytest.raises(ValidationError) as exc:
        invoice_transition(invoice=draft, to="paid")
    assert "status" in exc.value.message_dict
    issued = invoice_transition(invoice=draft, to="issued")
    with pytest.raises(ValidationError):
        invoice_transition(invoice=issued, to="draft")


def test_a_stale_copy_cannot_transition_twice(draft):
    stale = Invoice.objects.get(pk=draft.pk)
    invoice_transition(invoice=draft, to="issued")
    with pytest.raises(ValidationError):
        invoice_transition(invoice=stale, to="issued")


def test_an_issued_invoice_never_changes_and_its_pdf_is_stored_once(draft):
    issued = invoice_transition(invoice=draft, to="issued")
    with pytest.raises(ValidationError):
        invoice_assert_mutable(issued)
    stored = invoice_attach_pdf(invoice=issued, content=b"%PDF-1.7 test")
    assert len(stored.pdf_sha256) == 64 and stored.pdf.name.endswith(".pdf")
    with pytest.raises(ValidationError) as exc:
        invoice_attach_pdf(invoice=stored, content=b"%PDF-1.7 other")
    assert "pdf" in exc.value.message_dict


def test_voiding_a_draft_needs_no_credit_note(draft):
    assert invoice_transition(invoice=draft, to="void").status == "void"
    assert Invoice.objects.filter(kind="credit_note").count() == 0


def test_voiding_an_issued_invoice_issues_a_full_credit_note(draft):
    issued = invoice_transition(invoice=draft, to="issued")
    invoice_transition(invoice=issued, to="void", reason="billed the wrong client")
    note = Invoice.objects.get(kind="credit_note")
    assert note.total == -issued.total == Decimal("-220.00")
    assert note.number == "INV-000002"  # same gapless sequence
    assert note.credits_id == issued.pk


def test_a_partial_credit_note_has_negative_lines_and_cannot_over_credit(draft):
    issued = invoice_transition(invoice=draft, to="issued")
    note = credit_note_create(invoice=issued, reason="outage goodwill", lines=[
        {"description": "Outage credit", "quantity": "1", "unit_price": "50.00"}])
    line = note.lines.get()
    assert (line.quantity, line.unit_price, line.amount) == (1, Decimal("-50.00"),
                                                            Decimal("-50.00"))
    assert note.total == Decimal("-55.00")
    with pytest.raises(ValidationError) as exc:
        credit_note_create(invoice=issued, reason="too much", lines=[
            {"description": "Everything", "quantity": "1", "unit_price": "200.00"}])
    assert "lines" in exc.value.message_dict


def test_credit_notes_refuse_drafts_and_negative_quantities(draft):
    with pytest.raises(ValidationError):
        credit_note_create(invoice=draft, lines=None, reason="x")
    issued = invoice_transition(invoice=draft, to="issued")
    with pytest.raises(ValidationError) as exc:
        credit_note_create(invoice=issued, reason="x", lines=[
            {"description": "Bad", "quantity": "-1", "unit_price": "5"}])
    assert "quantity" in exc.value.message_dict
