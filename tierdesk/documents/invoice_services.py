"""Writes of the documents app for invoices: issuing one (the billing transition, the PDF
stored once with its SHA-256, the e-mail to the client's billing contacts).

The status change itself belongs to billing (`invoicing.invoice_transition`, the one
transition map); this module adds the document. An issued invoice never changes: its PDF
and hash are set once (a conditional UPDATE on an empty hash), and corrections are credit
notes, issued the same way.
"""

import logging

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from tierdesk.billing.models import Invoice, InvoiceStatus
from tierdesk.core.events import record
from tierdesk.core.msp import msp_identity
from tierdesk.documents.invoice_document import (
    billing_recipients,
    invoice_document_context,
    invoice_filename,
    invoice_pdf,
    invoice_title,
)

logger = logging.getLogger(__name__)


def _lifecycle():
    # billing's lifecycle module (the transition map, the once-only PDF attachment); looked
    # up at call time so tests can stand in for it.
    from tierdesk.billing import invoice_lifecycle

    return invoice_lifecycle


def _transition(*, invoice: Invoice, to: str, by) -> Invoice:
    return _lifecycle().invoice_transition(invoice=invoice, to=to, by=by)


def _attach_pdf(*, invoice: Invoice, data: bytes) -> Invoice:
    return _lifecycle().invoice_attach_pdf(invoice=invoice, content=data,
                                           filename=invoice_filename(invoice))


def _send_invoice_mail(*, invoice: Invoice, data: bytes, recipients: list[str]) -> None:
    context = invoice_document_context(invoice) | {"msp": msp_identity()}
    title = invoice_title(invoice)
    message = EmailMultiAlternatives(
        subject=f"{title} {invoice.number} from {context['msp'].name}",
        body=render_to_string("documents/email/invoice.txt", context),
        to=recipients,
    )
    message.attach(invoice_filename(invoice), data, "application/pdf")
    message.send()


def invoice_issue(*, invoice: Invoice, by) -> Invoice:
    """Issue a draft invoice or credit note: billing's transition to "issued", then the PDF
    rendered and stored with its SHA-256 (once: an issued invoice never changes), an audit
    event, and the PDF e-mailed to the client's billing contacts (`billing_recipients`).

    All in one transaction, the e-mail last: if the PDF cannot be rendered or the mail
    server refuses the message, nothing is stored and the invoice stays a draft (as the
    agreement sending does: better an error now than an invoice nobody received). With no
    billing address at all the invoice is issued and the audit event says it was not sent.
    Raises ValidationError({"status": ...}) when the invoice is not a draft.
    """
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status != InvoiceStatus.DRAFT or locked.pdf_sha256:
            state = locked.get_status_display().lower()
            raise ValidationError({"status": f"{invoice_title(locked).lower()} "
                                             f"{locked.number} is {state}, not a draft"})
        _transition(invoice=locked, to=InvoiceStatus.ISSUED, by=by)
        issued = Invoice.objects.select_related(
            "client", "agreement__plan_version__plan", "credits").get(pk=invoice.pk)
        # Rendered inside the transaction: the PDF must show the number, issue date and due
        # date the transition just set, and must never exist for an invoice rolled back.
        data = invoice_pdf(issued)
        issued = _attach_pdf(invoice=issued, data=data)
        recipients = billing_recipients(issued)
        record(action=f"{issued.kind}.issued_document", obj=issued, by=by,
               message=(f"PDF SHA-256 {issued.pdf_sha256}; e-mailed to {', '.join(recipients)}"
                        if recipients else
                        f"PDF SHA-256 {issued.pdf_sha256}; NOT e-mailed: the client has no "
                        "billing contact or billing e-mail"))
        if recipients:
            try:
                _send_invoice_mail(invoice=issued, data=data, recipients=recipients)
            except Exception:
                # The row is rolled back with the transaction; do not leave its file behind.
                default_storage.delete(issued.pdf.name)
                raise
    issued.refresh_from_db()
    return issued


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    """The stored PDF of an issued invoice (exactly as sent), or a fresh rendering of a
    draft (marked as such on the page by its status)."""
    if invoice.pdf_sha256 and invoice.pdf:
        with invoice.pdf.open("rb") as handle:
            return handle.read()
    return invoice_pdf(invoice)
