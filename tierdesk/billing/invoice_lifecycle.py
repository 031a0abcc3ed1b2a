"""Invoice lifecycle and credit notes.

    draft ──issue──▶ issued ──pay──▶ paid
      └───void──▶ void ◀──void── issued

One transition map, enforced by `invoice_transition` with a conditional
``UPDATE ... WHERE status = <old>`` so two clicks (or two workers) never both act.

Decisions:
* Issued invoices are immutable: nothing but the status (paid/void with its timestamp) and,
  exactly once, the stored PDF with its SHA-256 (`invoice_attach_pdf`) is ever written to
  an issued invoice; every other change raises.
* Voiding an *issued* invoice issues a full credit note in the same transaction (a draft
  credit note that is then issued with its PDF like any invoice); a draft is voided as is.
  A paid invoice is not voided: refund it with a credit note.
* Credit notes (`credit_note_create`) are invoices of kind credit_note with negative lines
  (quantity positive, unit price and amount negative), numbered from the SAME gapless
  sequence as invoices (one series of billing documents; see numbering.py). Together they may
  not credit more than the invoice's total.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tierdesk.billing.invoicing import LineDraft, totals_for
from tierdesk.billing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
)
from tierdesk.billing.numbering import number_allocate
from tierdesk.core import events
from tierdesk.core.money import ZERO, round_money

TRANSITIONS: dict[str, frozenset[str]] = {
    InvoiceStatus.DRAFT: frozenset({InvoiceStatus.ISSUED, InvoiceStatus.VOID}),
    InvoiceStatus.ISSUED: frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID}),
    InvoiceStatus.PAID: frozenset(),
    InvoiceStatus.VOID: frozenset(),
}


def can_transition(invoice: Invoice, to: str) -> bool:
    return to in TRANSITIONS.get(invoice.status, frozenset())


def invoice_transition(*, invoice: Invoice, to: str, by=None, at: dt.datetime | None = None,
                       reason: str = "") -> Invoice:
    """Move `invoice` to `to` along TRANSITIONS (ValidationError naming `status` otherwise).
    issued sets issued_at and due_on (TIERDESK_INVOICE_DUE_DAYS); voiding an issued invoice
    creates its full credit note. Returns the refreshed invoice."""
    if not can_transition(invoice, to):
        raise ValidationError({"status": f"{invoice.get_kind_display()} {invoice.number} is "
                                         f"{invoice.status}; it cannot become {to}"})
    at = at or timezone.now()
    values: dict = {"status": to, "updated_at": at}
    if to == InvoiceStatus.ISSUED:
        values["issued_at"] = at
        values["due_on"] = (timezone.localdate(at)
                            + dt.timedelta(days=settings.TIERDESK_INVOICE_DUE_DAYS))
    elif to == InvoiceStatus.PAID:
        values["paid_at"] = at
    elif to == InvoiceStatus.VOID:
        values["voided_at"] = at
    with transaction.atomic():
        old = invoice.status
        changed = Invoice.objects.filter(pk=invoice.pk, status=old).update(**values)
        if not changed:
            invoice.refresh_from_db()
            raise ValidationError({"status": f"{invoice.number} changed meanwhile: it is now "
                                             f"{invoice.status}"})
        if old == InvoiceStatus.ISSUED and to == InvoiceStatus.VOID:
            invoice.refresh_from_db()
            credit_note_create(invoice=invoice, lines=None,
                               reason=reason or "invoice voided", by=by)
        events.record(action=f"invoice.{to}", obj=invoice, by=by, message=reason,
                      changes={"status": (old, to)})
    invoice.refresh_from_db()
    return invoice


def invoice_attach_pdf(*, invoice: Invoice, content: bytes, filename: str = "") -> Invoice:
    """Store the PDF of an issued (or paid/void) invoice with its SHA-256, exactly once;
    the documents app calls this right after issuing. A second call raises."""
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status == InvoiceStatus.DRAFT:
            raise ValidationError({"pdf": "a draft has no stored PDF; issue it first"})
        if locked.pdf or locked.pdf_sha256:
            raise ValidationError({"pdf": f"{locked.number} already has its PDF; issued "
                                          "invoices never change"})
        locked.pdf.save(filename or f"{locked.number}.pdf", ContentFile(content), save=False)
        locked.pdf_sha256 = hashlib.sha256(content).hexdigest()
        Invoice.objects.filter(pk=locked.pk).update(pdf=locked.pdf.name,
                                                    pdf_sha256=locked.pdf_sha256)
        events.record(action="invoice.pdf_stored", obj=locked, message=locked.pdf_sha256)
    invoice.refresh_from_db()
    return invoice


def invoice_assert_mutable(invoice: Invoice) -> None:
    """Raise unless `invoice` is a draft: the guard every write to an invoice passes."""
    if invoice.status != InvoiceStatus.DRAFT:
        raise ValidationError({"status": f"{invoice.number} is {invoice.status}: issued "
                                         "invoices never change; create a credit note"})


def _credit_drafts(invoice: Invoice, lines) -> list[LineDraft]:
    if lines is None:
        return [LineDraft(LineKind.ADJUSTMENT, f"Credit: {line.description}"[:300],
                          line.reason, line.quantity, -line.unit_price, -line.amount,
                          line.taxable)
                for line in invoice.lines.all()]
    if not lines:
        raise ValidationError({"lines": "a credit note needs at least one line"})
    drafts = []
    for i, line in enumerate(lines, start=1):
        get = line.get if isinstance(line, dict) else lambda k, d=None, ln=line: getattr(ln, k, d)
        description = (get("description") or "").strip()
        try:
            quantity = Decimal(str(get("quantity", "1")))
            unit_price = Decimal(str(get("unit_price")))
        except Exception:
            raise ValidationError({"lines": f"line {i}: quantity and unit_price must be "
                                            "numbers"}) from None
        if not description:
            raise ValidationError({"lines": f"line {i}: a description is required"})
        if quantity <= 0:
            raise ValidationError({"quantity": f"line {i}: quantity must be above 0"})
        if unit_price <= 0:
            raise ValidationError({"unit_price": f"line {i}: give the price to credit as a "
                                                 "positive amount"})
        amount = round_money(quantity * unit_price)
        drafts.append(LineDraft(LineKind.ADJUSTMENT, f"Credit: {description}"[:300],
                                get("reason", "") or "", quantity, -unit_price, -amount,
                                bool(get("taxable", True))))
    return drafts


def credit_note_create(*, invoice: Invoice, lines, reason: str, by=None) -> Invoice:
    """A draft credit note against an issued or paid invoice, numbered from the invoice
    sequence. `lines`: dicts (or objects) with description, quantity, unit_price (positive:
    the amount to credit), taxable, reason; None credits the whole invoice. The credit
    notes of an invoice together never exceed its total."""
    if invoice.kind != InvoiceKind.INVOICE:
        raise ValidationError({"invoice": "only an invoice can be credited"})
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PAID) and not (
            lines is None and invoice.status == InvoiceStatus.VOID):
        raise ValidationError({"invoice": f"{invoice.number} is {invoice.status}; only issued "
                                          "or paid invoices are credited"})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "say why the invoice is credited"})
    drafts = _credit_drafts(invoice, lines)
    sums = totals_for(drafts, invoice.tax_rate)
    with transaction.atomic():
        Invoice.objects.select_for_update().get(pk=invoice.pk)
        credited = (Invoice.objects.filter(credits=invoice, kind=InvoiceKind.CREDIT_NOTE)
                    .exclude(status=InvoiceStatus.VOID)
                    .aggregate(t=Sum("total"))["t"] or ZERO)
        if -(credited + sums.total) > invoice.total:
            raise ValidationError({"lines": f"credits of {-(credited + sums.total)} would "
                                            f"exceed the invoice total {invoice.total}"})
        note = Invoice.objects.create(
            kind=InvoiceKind.CREDIT_NOTE, number=number_allocate(), client_id=invoice.client_id,
            agreement_id=invoice.agreement_id, credits=invoice,
            period_start=invoice.period_start, period_end=invoice.period_end,
            currency=invoice.currency, tax_rate=invoice.tax_rate, subtotal=sums.subtotal,
            tax=sums.tax, total=sums.total)
        InvoiceLine.objects.bulk_create([
            InvoiceLine(invoice=note, position=i, kind=d.kind, description=d.description,
                        reason=(d.reason or reason)[:300], quantity=d.quantity,
                        unit_price=d.unit_price, amount=d.amount, taxable=d.taxable)
            for i, d in enumerate(drafts, start=1)])
        events.record(action="invoice.credited", obj=invoice, by=by,
                      message=f"{note.number}: {reason}")
    return note
