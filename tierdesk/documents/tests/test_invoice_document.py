"""The invoice document and issuing it: lines with their reasons, totals, credit notes,
the PDF stored once with its hash and e-mailed to the billing contacts."""

import hashlib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tierdesk.billing.models import Invoice
from tierdesk.clients.factories import ContactFactory
from tierdesk.core import pdf as core_pdf
from tierdesk.core.models import AuditEvent
from tierdesk.documents import invoice_services
from tierdesk.documents.invoice_document import invoice_pdf
from tierdesk.documents.tests import invoice_fixtures
from tierdesk.documents.tests.fixtures import pdf_text as raw_pdf_text
from tierdesk.documents.tests.invoice_fixtures import make_invoice

acme_agreement = invoice_fixtures.acme_agreement
draft_invoice = invoice_fixtures.draft_invoice
issued_invoice = invoice_fixtures.issued_invoice
invoice_transition_standin = invoice_fixtures.invoice_transition_standin


def pdf_text(data: bytes) -> str:
    """The PDF's text with line wrapping undone."""
    return " ".join(raw_pdf_text(data).split())


def test_the_pdf_shows_letterhead_lines_with_reasons_and_totals(draft_invoice):
    text = pdf_text(invoice_pdf(draft_invoice))
    assert "Northwind IT Services" in text
    assert "Invoice INV-000042" in text
    assert "Acme Dental" in text
    assert "billable: Silver covers monitoring only; break-fix at $125.00/h" in text
    assert "hardware: cost $999.99 + 20% markup" in text
    assert "$2,399.98" in text
    assert "Subtotal" in text and "$2,986.48" in text
    assert "Tax (8.875%)" in text and "$52.05" in text
    assert "$3,038.53" in text


def test_a_credit_note_is_titled_so_and_names_the_invoice_it_credits(acme_agreement,
                                                                      issued_invoice):
    note = make_invoice(acme_agreement, number="INV-000043", kind="credit_note",
                        credits=issued_invoice,
                        lines=[("adjustment", "Printer driver time not billable", "goodwill",
                                "1", "-187.50", "-187.50", True)])
    text = pdf_text(invoice_pdf(note))
    assert "Credit note INV-000043" in text
    assert "Credits invoice INV-000041" in text
    assert "Invoice INV-" not in text.replace("Credits invoice", "")


@pytest.fixture
def billing_contact(acme):
    return ContactFactory(client=acme, name="Bea Books", email="books@acme.example",
                          is_billing=True)


def test_issuing_stores_the_pdf_once_with_its_hash_and_mails_it(draft_invoice, personas,
                                                                 billing_contact):
    invoice = invoice_services.invoice_issue(invoice=draft_invoice, by=personas.billing)
    assert invoice.status == "issued"
    stored = invoice.pdf.open("rb").read()
    assert invoice.pdf_sha256 == hashlib.sha256(stored).hexdigest()
    assert "Due" in pdf_text(stored) and f"{invoice.due_on:%d %b %Y}" in pdf_text(stored)
    [message] = mail.outbox
    assert message.to == ["books@acme.example"]
    assert "INV-000042" in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("invoice-INV-000042.pdf", "application/pdf")
    assert content == stored
    assert AuditEvent.objects.filter(action="invoice.issued_document",
                                     object_id=str(invoice.pk)).exists()
    # Issuing again changes nothing: the stored document is final.
    with pytest.raises(ValidationError) as exc:
        invoice_services.invoice_issue(invoice=invoice, by=personas.billing)
    assert "status" in exc.value.message_dict
    invoice.refresh_from_db()
    assert invoice.pdf.open("rb").read() == stored
    assert invoice_services.invoice_pdf_bytes(invoice) == stored
    assert len(mail.outbox) == 1


def test_without_billing_contacts_the_clients_billing_email_gets_it(draft_invoice, personas):
    draft_invoice.client.billing_email = "ap@acme.example"
    draft_invoice.client.save()
    invoice_services.invoice_issue(invoice=draft_invoice, by=personas.billing)
    assert mail.outbox[0].to == ["ap@acme.example"]


def test_a_pdf_that_cannot_render_leaves_the_draft_untouched(draft_invoice, personas,
                                                            billing_contact, monkeypatch):
    def broken(*a, **k):
        raise core_pdf.PdfRenderError("no fonts")

    monkeypatch.setattr(core_pdf, "render_pdf", broken)
    with pytest.raises(core_pdf.PdfRenderError):
        invoice_services.invoice_issue(invoice=draft_invoice, by=personas.billing)
    draft_invoice.refresh_from_db()
    assert (draft_invoice.status, draft_invoice.pdf_sha256) == ("draft", "")
    assert mail.outbox == []


# Staff views ------------------------------------------------------------------------------


@pytest.mark.parametrize("role,status", [("owner", 200), ("billing", 200),
                                         ("dispatcher", 403), ("technician", 403),
                                         ("contact", 403), ("outsider", 403)])
def test_only_owner_and_billing_see_the_staff_invoice_pages(draft_invoice, personas, login,
                                                            role, status):
    client = login(getattr(personas, role))
    assert client.get(reverse("documents:invoice_document", args=[draft_invoice.pk])
                      ).status_code == status
    response = client.get(reverse("documents:invoice_pdf", args=[draft_invoice.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"


def test_the_staff_page_renders_the_lines_and_issues_on_post(draft_invoice, personas, login,
                                                             billing_contact):
    client = login(personas.billing)
    page = client.get(reverse("documents:invoice_document", args=[draft_invoice.pk]))
    assert b"break-fix at $125.00/h" in page.content
    assert client.get(reverse("documents:invoice_issue", args=[draft_invoice.pk])
                      ).status_code == 405
    response = client.post(reverse("documents:invoice_issue", args=[draft_invoice.pk]))
    assert response.status_code == 302
    assert Invoice.objects.get(pk=draft_invoice.pk).status == "issued"
    assert len(mail.outbox) == 1


def test_a_dispatcher_cannot_issue(draft_invoice, personas, login):
    response = login(personas.dispatcher).post(
        reverse("documents:invoice_issue", args=[draft_invoice.pk]))
    assert response.status_code == 403
    assert Invoice.objects.get(pk=draft_invoice.pk).status == "draft"
