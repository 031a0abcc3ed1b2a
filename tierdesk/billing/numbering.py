"""Gapless invoice numbers.

One sequence for invoices AND credit notes (settings.TIERDESK_INVOICE_PREFIX, e.g.
INV-000123): many tax authorities want one unbroken series of billing documents, and one
series means one lock. The number is taken inside the caller's transaction with the prefix
row locked (an UPDATE ... RETURNING, which locks like SELECT ... FOR UPDATE; SQLite
serialises writers), so a
rolled-back invoice gives its number back and no number is ever skipped or used twice.
"""

from django.conf import settings
from django.db import transaction

from tierdesk.billing.models import InvoiceSequence

DIGITS = 6


def number_format(prefix: str, value: int) -> str:
    return f"{prefix}{value:0{DIGITS}d}"


def number_allocate(*, prefix: str | None = None) -> str:
    """The next number of `prefix`'s sequence. Must run inside the transaction that stores
    the invoice (so a rollback returns the number)."""
    return numbers_allocate(count=1, prefix=prefix)[0]


def numbers_allocate(*, count: int, prefix: str | None = None) -> list[str]:
    """The next `count` consecutive numbers of `prefix`'s sequence, in one statement (an
    invoice run takes a batch's numbers at once). Must run inside the transaction that
    stores those invoices: a rollback returns all of them, so no number is skipped."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_allocate must run inside the invoice's transaction")
    prefix = settings.TIERDESK_INVOICE_PREFIX if prefix is None else prefix
    # UPDATE ... RETURNING takes the row lock exactly as SELECT ... FOR UPDATE would, in one
    # statement (PostgreSQL; SQLite >= 3.35 where the write lock is the database's).
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(f"UPDATE {InvoiceSequence._meta.db_table} SET next_value = next_value + %s"
                       " WHERE prefix = %s RETURNING next_value - %s", [count, prefix, count])
        row = cursor.fetchone()
    if row is None:
        InvoiceSequence.objects.get_or_create(prefix=prefix)
        return numbers_allocate(count=count, prefix=prefix)
    return [number_format(prefix, row[0] + i) for i in range(count)]
