"""The billing API as a contract: sessions, classification preview, allowance ledger,
billable items, invoice runs, invoices and credit notes — shapes, roles and isolation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from tierdesk.billing.models import BillableItem, Invoice
from tierdesk.clients.factories import AgreementFactory, ContactFactory
from tierdesk.documents.tests import invoice_fixtures
from tierdesk.documents.tests.fixtures import msp_settings  # noqa: F401 (autouse)
from tierdesk.documents.tests.invoice_fixtures import make_invoice

acme_agreement = invoice_fixtures.acme_agreement
issued_invoice = invoice_fixtures.issued_invoice
invoice_transition_standin = invoice_fixtures.invoice_transition_standin


# Billable items ---------------------------------------------------------------------------


def test_billing_creates_an_item_priced_with_the_tiers_markup(acme_agreement, personas,
                                                              bearer):
    api = bearer(personas.billing)
    response = api.post("/items", {"client_id": acme_agreement.client_id, "kind": "hardware",
                                   "description": "Switch", "quantity": "1",
                                   "unit_cost": "200.00"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["agreement_id"] == acme_agreement.pk
    assert Decimal(body["unit_price"]) == Decimal("230.00")  # factory tier: 15 % markup
    assert body["approval"] == "not_needed" and body["invoiced"] is False
    item_id = body["id"]
    patched = api.patch(f"/items/{item_id}", {"quantity": "3"}).json()
    assert Decimal(patched["quantity"]) == 3
    assert api.get("/items", {"client": acme_agreement.client_id}).json()["count"] == 1
    assert api.delete(f"/items/{item_id}").status_code == 204
    assert not BillableItem.objects.exists()


def test_a_negative_quantity_is_a_422_naming_the_field(acme_agreement, personas, bearer):
    response = bearer(personas.owner).post("/items", {
        "client_id": acme_agreement.client_id, "kind": "software", "description": "x",
        "quantity": "-1", "unit_price": "5"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "quantity"


def test_technicians_cannot_write_items_and_contacts_cannot_see_them(acme_agreement,
                                                                     personas, bearer):
    body = {"client_id": acme_agreement.client_id, "kind": "other", "description": "x",
            "quantity": "1", "unit_price": "5"}
    assert bearer(personas.technician).post("/items", body).status_code == 403
    assert bearer(personas.contact).get("/items").status_code == 404


# Invoices ---------------------------------------------------------------------------------


def test_the_invoice_detail_has_lines_with_reasons(issued_invoice, personas, bearer):
    body = bearer(personas.billing).get(f"/invoices/{issued_invoice.pk}").json()
    assert body["number"] == "INV-000041" and body["total"] == "3038.53"
    assert body["lines"][1]["reason"].startswith("billable: Silver covers monitoring only")
    assert [line["amount"] for line in body["lines"]] == ["399.00", "187.50", "2399.98"]


def test_a_contact_sees_only_its_own_issued_invoices(acme_agreement, issued_invoice, personas,
                                                     bearer):
    draft_invoice = make_invoice(acme_agreement, number="INV-000070",
                                 period_start=dt.date(2026, 2, 1),
                                 period_end=dt.date(2026, 2, 28))
    contact = bearer(personas.contact)
    assert [i["number"] for i in contact.get("/invoices").json()["items"]] == ["INV-000041"]
    assert contact.get(f"/invoices/{draft_invoice.pk}").status_code == 404
    outsider = bearer(personas.outsider)
    assert outsider.get("/invoices").json()["count"] == 0
    assert outsider.get(f"/invoices/{issued_invoice.pk}").status_code == 404
    assert contact.post(f"/invoices/{issued_invoice.pk}/pay", {}).status_code == 404


@pytest.fixture
def draft_only(acme_agreement):
    return make_invoice(acme_agreement, number="INV-000060")


def test_issue_then_pay_through_the_api(draft_only, personas, bearer, acme):
    ContactFactory(client=acme, email="books@acme.example", is_billing=True)
    api = bearer(personas.billing)
    issued = api.post(f"/invoices/{draft_only.pk}/issue")
    assert issued.status_code == 200, issued.content
    assert issued.json()["status"] == "issued" and len(issued.json()["pdf_sha256"]) == 64
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    again = api.post(f"/invoices/{draft_only.pk}/issue")
    assert again.status_code == 409
    assert api.post(f"/invoices/{draft_only.pk}/pay", {}).json()["status"] == "paid"
    assert bearer(personas.dispatcher).get("/invoices").status_code == 403


def test_a_credit_note_names_the_invoice_it_credits(issued_invoice, personas, bearer):
    response = bearer(personas.owner).post(f"/invoices/{issued_invoice.pk}/credit-notes", {
        "reason": "printer time was covered",
        "lines": [{"description": "Break-fix credited", "unit_price": "187.50"}]})
    assert response.status_code == 201, response.content
    note = response.json()
    assert (note["kind"], note["credits_id"], note["status"]) == (
        "credit_note", issued_invoice.pk, "draft")
    assert Decimal(note["subtotal"]) == Decimal("-187.50")


def test_a_credit_note_above_the_invoice_total_is_refused(issued_invoice, personas, bearer):
    response = bearer(personas.owner).post(f"/invoices/{issued_invoice.pk}/credit-notes", {
        "reason": "too much", "lines": [{"description": "x", "unit_price": "99999"}]})
    assert response.status_code in (409, 422)
    assert Invoice.objects.filter(kind="credit_note").count() == 0


# Runs, sessions, preview, ledger ----------------------------------------------------------


def test_an_invoice_run_for_a_future_period_is_a_422(personas, bearer):
    future = (timezone.now().date().replace(day=1) + dt.timedelta(days=70)).replace(day=1)
    response = bearer(personas.billing).post("/invoice-runs", {"period_start": str(future)})
    assert response.status_code == 422


def test_an_invoice_run_starts_and_reports_its_status(personas, bearer):
    api = bearer(personas.billing)
    last_month = (timezone.now().date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    run = api.post("/invoice-runs", {"period_start": str(last_month)})
    assert run.status_code == 202, run.content
    status = api.get(f"/invoice-runs/{run.json()['id']}").json()
    assert status["status"] == "complete"
    assert bearer(personas.technician).get("/invoice-runs").status_code == 403


@pytest.fixture
def silver(acme):
    return AgreementFactory(client=acme, status="active",
                            start_date=timezone.now().date() - dt.timedelta(days=400))


def test_a_technician_logs_a_session_and_gets_its_classification(silver, personas, bearer):
    api = bearer(personas.technician)
    start = timezone.now() - dt.timedelta(hours=3)
    response = api.post("/sessions", {"client_id": silver.client_id,
                                      "started_at": start.isoformat(),
                                      "ended_at": (start + dt.timedelta(minutes=10)).isoformat()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["classification"] and body["reason"]
    assert body["minutes"] == 10
    listed = api.get("/sessions", {"client": silver.client_id}).json()
    assert listed["count"] == 1
    other = bearer(personas.dispatcher).patch(f"/sessions/{body['id']}", {"notes": "checked"})
    assert other.status_code == 200 and other.json()["notes"] == "checked"


def test_an_end_before_the_start_is_a_422(silver, personas, bearer):
    start = timezone.now() - dt.timedelta(hours=3)
    response = bearer(personas.technician).post("/sessions", {
        "client_id": silver.client_id, "started_at": start.isoformat(),
        "ended_at": (start - dt.timedelta(minutes=5)).isoformat()})
    assert response.status_code == 422


def test_preview_and_allowance_ledger(silver, personas, bearer):
    api = bearer(personas.technician)
    preview = api.post("/classification/preview", {"client_id": silver.client_id,
                                                   "minutes": 10})
    assert preview.status_code == 200, preview.content
    assert set(preview.json()) >= {"classification", "reason", "allowance_left",
                                   "expected_charge", "needs_approval"}
    ledger = api.get(f"/agreements/{silver.pk}/allowance")
    assert ledger.status_code == 200, ledger.content
    assert ledger.json()["sessions_included"] == 2
    assert bearer(personas.contact).get(f"/agreements/{silver.pk}/allowance").status_code == 404
