"""The portal's invoices and approvals: a contact sees its own client's issued invoices and
their PDFs, never drafts; the outsider gets 404 on every invoice URL."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tierdesk.billing.models import ApprovalRequest
from tierdesk.documents import invoice_services
from tierdesk.documents.tests import invoice_fixtures
from tierdesk.documents.tests.invoice_fixtures import make_invoice

acme_agreement = invoice_fixtures.acme_agreement
draft_invoice = invoice_fixtures.draft_invoice
invoice_transition_standin = invoice_fixtures.invoice_transition_standin


@pytest.fixture
def issued(draft_invoice, personas):
    return invoice_services.invoice_issue(invoice=draft_invoice, by=personas.billing)


@pytest.fixture
def february_draft(acme_agreement):
    return make_invoice(acme_agreement, number="INV-000077", period_start=dt.date(2026, 2, 1),
                        period_end=dt.date(2026, 2, 28))


def test_a_contact_lists_issued_invoices_but_not_drafts(issued, february_draft, personas,
                                                        login):
    page = login(personas.contact).get(reverse("portal:invoice_list"))
    assert page.status_code == 200
    assert issued.number.encode() in page.content
    assert b"INV-000077" not in page.content


def test_a_contact_reads_the_invoice_with_reasons_and_downloads_the_stored_pdf(
        issued, personas, login):
    client = login(personas.contact)
    page = client.get(reverse("portal:invoice_detail", args=[issued.pk]))
    assert b"break-fix at $125.00/h" in page.content
    response = client.get(reverse("portal:invoice_pdf", args=[issued.pk]))
    assert response.status_code == 200
    assert response.content == issued.pdf.open("rb").read()


@pytest.mark.parametrize("name", ["portal:invoice_detail", "portal:invoice_pdf"])
def test_a_draft_is_404_for_its_own_clients_contact(february_draft, personas, login, name):
    assert login(personas.contact).get(reverse(name, args=[february_draft.pk])
                                       ).status_code == 404


@pytest.mark.parametrize("name", ["portal:invoice_detail", "portal:invoice_pdf"])
def test_the_outsider_gets_404_on_every_invoice_url(issued, personas, login, name):
    client = login(personas.outsider)
    assert client.get(reverse(name, args=[issued.pk])).status_code == 404
    assert issued.number.encode() not in client.get(reverse("portal:invoice_list")).content


def test_staff_are_not_contacts(issued, personas, login):
    assert login(personas.billing).get(reverse("portal:invoice_list")).status_code == 403


def test_pending_approvals_of_the_own_client_are_listed(acme, globex, personas, login):
    for client, text in ((acme, "Replace the server PSU"), (globex, "Globex firewall")):
        ApprovalRequest.objects.create(client=client, description=text,
                                       estimate_amount=Decimal("640.00"),
                                       token_sha256=text[:10].ljust(64, "0"),
                                       requested_at=timezone.now())
    page = login(personas.contact).get(reverse("portal:approval_list"))
    assert b"Replace the server PSU" in page.content
    assert b"Globex firewall" not in page.content
