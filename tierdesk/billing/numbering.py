"""Gapless invoice numbers.

One sequence for invoices AND credit notes (settings.TIERDESK_INVOICE_PREFIX, e.g.
INV-000123): many tax authorities want one unbroken series of billing documents, and one
series means one lock. The number is taken inside the caller's transaction with the prefix
row locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers), so a
rolled-back invoice gives its number back and no number is ever skipped or used twice.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import F

from tierdesk.billing.models import InvoiceSequence

DIGITS = 6


def number_format(prefix: str, value: int) -> str:
    return f"{prefix}{value:0{DIGITS}d}"


def number_allocate(*, prefix: str | None = None) -> str:
    """The next number of `prefix`'s sequence. Must run inside the transaction that stores
    the invoice (so a rollback returns the number)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_allocate must run inside the invoice's transaction")
    prefix = settings.TIERDESK_INVOICE_PREFIX if prefix is None else prefix
    seq = InvoiceSequence.objects.select_for_update().filter(prefix=prefix).first()
    if seq is None:
        seq, _ = InvoiceSequence.objects.get_or_create(prefix=prefix)
        seq = InvoiceSequence.objects.select_for_update().get(pk=seq.pk)
    value = seq.next_value
    InvoiceSequence.objects.filter(pk=seq.pk).update(next_value=F("next_value") + 1)
    return number_format(prefix, value)
