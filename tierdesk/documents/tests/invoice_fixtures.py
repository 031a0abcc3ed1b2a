"""Invoices made directly as rows (independent of the invoice engine), and a stand-in for
billing's invoice_transition while billing/invoicing/ does not exist."""

import datetime as dt
from decimal import Decimal

import pytest

from tierdesk.billing.models import Invoice, InvoiceLine
from tierdesk.clients.factories import AgreementFactory


def make_invoice(agreement, *, number="INV-000042", status="draft", kind="invoice",
                 credits=None, lines=None, tax_rate=Decimal("8.875"),
                 period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 1, 31)):
    lines = lines or [
        ("recurring", "Silver support, January 2026", "", "1", "399.00", "399.00", True),
        ("labour", "Break-fix: printer driver, 90 min", "billable: Silver covers monitoring "
         "only; break-fix at $125.00/h", "1.5", "125.00", "187.50", True),
        ("item", "2 × Dell Latitude 5550", "hardware: cost $999.99 + 20% markup", "2",
         "1199.99", "2399.98", False),
    ]
    subtotal = sum(Decimal(a) for *_, a, _t in lines)
    taxable = sum(Decimal(a) for *_, a, t in lines if t)
    tax = (taxable * tax_rate / 100).quantize(Decimal("0.01"))
    invoice = Invoice.objects.create(
        kind=kind, number=number, client=agreement.client,
        agreement=agreement if kind == "invoice" else None, credits=credits,
        period_start=period_start, period_end=period_end, status=status,
        currency="USD", tax_rate=tax_rate, subtotal=subtotal, tax=tax, total=subtotal + tax,
        issued_at=(dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC) if status != "draft" else None),
        due_on=dt.date(2026, 3, 3) if status != "draft" else None,
    )
    for position, (kind_, desc, reason, qty, price, amount, taxed) in enumerate(lines, 1):
        InvoiceLine.objects.create(invoice=invoice, position=position, kind=kind_,
                                   description=desc, reason=reason, quantity=Decimal(qty),
                                   unit_price=Decimal(price), amount=Decimal(amount),
                                   taxable=taxed)
    return invoice


@pytest.fixture
def acme_agreement(acme):
    return AgreementFactory(client=acme, status="active", start_date=dt.date(2025, 6, 1),
                            plan_version__plan__name="Silver")


@pytest.fixture
def draft_invoice(acme_agreement):
    return make_invoice(acme_agreement)


@pytest.fixture
def issued_invoice(acme_agreement):
    return make_invoice(acme_agreement, number="INV-000041", status="issued")


@pytest.fixture(autouse=True)
def invoice_transition_standin(monkeypatch):
    """Until billing/invoice_lifecycle.py lands: draft → issued with an issue date and due
    date, and the PDF stored once."""
    try:
        from tierdesk.billing import invoice_lifecycle  # noqa: F401
        return
    except ImportError:
        pass
    import hashlib
    from types import SimpleNamespace

    from django.core.files.base import ContentFile

    from tierdesk.documents import invoice_services

    def transition(*, invoice, to, by):
        Invoice.objects.filter(pk=invoice.pk, status="draft").update(
            status=to, issued_at=dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC),
            due_on=dt.date(2026, 3, 3))
        invoice.refresh_from_db()
        return invoice

    def attach(*, invoice, content, filename):
        invoice.pdf.save(filename, ContentFile(content), save=False)
        Invoice.objects.filter(pk=invoice.pk).update(
            pdf=invoice.pdf.name, pdf_sha256=hashlib.sha256(content).hexdigest())
        invoice.refresh_from_db()
        return invoice

    monkeypatch.setattr(invoice_services, "_lifecycle", lambda: SimpleNamespace(
        invoice_transition=transition, invoice_attach_pdf=attach))
