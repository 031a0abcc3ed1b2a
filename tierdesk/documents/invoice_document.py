"""The invoice document: everything `documents/invoice.html` prints, gathered in one
context, and its rendering to PDF.

One template serves the staff page, the portal and the PDF, so the client reads on screen
exactly what was e-mailed. Every line carries the reason that made it billable, in small
print under its description. A credit note is titled as such and names the invoice it
credits. Money is formatted here (the template does no arithmetic): the stored amounts
were rounded once per line by the invoice engine and are printed as stored.
"""

from datetime import date

from django.conf import settings

from tierdesk.billing.models import Invoice, InvoiceKind
from tierdesk.core import pdf
from tierdesk.core.money import format_money
from tierdesk.core.msp import msp_identity

TEMPLATE = "documents/invoice.html"


def _money(value, currency: str) -> str:
    return format_money(value, currency or settings.CURRENCY)


def _quantity(value) -> str:
    # 2.0000 → "2", 1.5000 → "1.5": stored with four places, printed as people write them.
    return f"{value.normalize():f}"


def invoice_title(invoice: Invoice) -> str:
    return "Credit note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "Invoice"


def invoice_filename(invoice: Invoice) -> str:
    kind = "credit-note" if invoice.kind == InvoiceKind.CREDIT_NOTE else "invoice"
    return f"{kind}-{invoice.number}.pdf"


def billing_recipients(invoice: Invoice) -> list[str]:
    """Where the invoice is e-mailed: the client's billing contacts with an address, else
    the client's billing e-mail; empty when it has neither."""
    contacts = [c.email for c in invoice.client.contacts.filter(is_billing=True)
                .exclude(email="").order_by("name")]
    if contacts:
        return contacts
    return [invoice.client.billing_email] if invoice.client.billing_email else []


def _period_label(start: date, end: date) -> str:
    return f"{start:%d %b %Y} – {end:%d %b %Y}"


def invoice_document_context(invoice: Invoice) -> dict:
    """Everything the invoice template prints, formatted with the invoice's currency."""
    currency = invoice.currency
    lines = [{
        "position": line.position,
        "kind": line.get_kind_display(),
        "description": line.description,
        "reason": line.reason,
        "quantity": _quantity(line.quantity),
        "unit_price": _money(line.unit_price, currency),
        "amount": _money(line.amount, currency),
        "taxable": line.taxable,
    } for line in invoice.lines.all()]
    agreement = invoice.agreement
    return {
        "invoice": invoice,
        "title": invoice_title(invoice),
        "is_credit_note": invoice.kind == InvoiceKind.CREDIT_NOTE,
        "credits": invoice.credits,
        "msp": msp_identity(),
        "client": invoice.client,
        "tier_name": agreement.plan_version.plan.name if agreement else "",
        "period": _period_label(invoice.period_start, invoice.period_end),
        "issued_on": invoice.issued_at.date() if invoice.issued_at else None,
        "due_on": invoice.due_on,
        "lines": lines,
        "has_untaxed": any(not line["taxable"] for line in lines),
        "subtotal": _money(invoice.subtotal, currency),
        "tax_rate": f"{invoice.tax_rate.normalize():f}",
        "tax": _money(invoice.tax, currency),
        "total": _money(invoice.total, currency),
        "currency": currency,
    }


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as PDF bytes; raises core.pdf.PdfRenderError when it cannot render."""
    context = invoice_document_context(invoice) | {"for_pdf": True}
    # Looked up on the module at call time so tests can make rendering fail.
    return pdf.render_pdf(TEMPLATE, context)
