"""The fast write path: invoices and lines stored as plain rows (COPY on PostgreSQL,
multi-row INSERT on SQLite) and the sessions and items linked to their lines with
conditional UPDATEs, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, Value, When
from django.utils import timezone

from tierdesk.billing.invoicing.lines import (
    _MAX_PARAMS,
    _UNBILLED_SQL,
    LineDraft,
    _batch_lines,
    _unbilled_params,
    totals_for,
)
from tierdesk.billing.invoicing.periods import STRAGGLER_MONTHS, _PeriodData
from tierdesk.billing.ledger import agreements_lock
from tierdesk.billing.models import BillableItem, Invoice, InvoiceKind, InvoiceLine, InvoiceRun
from tierdesk.billing.numbering import numbers_allocate
from tierdesk.billing.proration import add_months, cycle_months
from tierdesk.clients.models import Agreement


class _Changed(Exception):
    """A session or item changed between reading and linking it: build again."""


@dataclass
class _Built:
    agreement: Agreement
    drafts: list[LineDraft]
    invoice: Invoice
    line_ids: list[int] = field(default_factory=list)  # of `drafts`, in order


def _store(agreements: list[Agreement], data: _PeriodData, run: InvoiceRun | None,
           errors: dict[int, ValidationError]) -> list[Invoice]:
    """Invoice `agreements` inside the caller's transaction: their lines, one block of
    numbers, the invoices and their lines in one INSERT each, the links. An agreement whose
    lines are refused goes to `errors` and gets nothing (nor a number)."""
    built: list[_Built] = []
    # Before the sessions are read: no session can then be classified into a period this
    # invoice closes until it commits (ledger.agreements_lock).
    agreements_lock(ids=[a.pk for a in agreements])
    lines_of = _batch_lines(agreements, data, lock=True)
    for agreement in agreements:
        drafts = lines_of[agreement.pk]
        if isinstance(drafts, ValidationError):
            errors[agreement.pk] = drafts
            continue
        if not drafts:
            continue
        months = cycle_months(agreement.billing_cycle)
        rate = agreement.client.tax_rate_percent
        sums = totals_for(drafts, rate)
        built.append(_Built(agreement, drafts, Invoice(
            kind=InvoiceKind.INVOICE, client_id=agreement.client_id, agreement=agreement,
            run=run, period_start=data.period_start,
            period_end=add_months(data.period_start, months) - dt.timedelta(days=1),
            currency=settings.CURRENCY, tax_rate=rate, subtotal=sums.subtotal, tax=sums.tax,
            total=sums.total)))
    if not built:
        return []
    for b, number in zip(built, numbers_allocate(count=len(built)), strict=True):
        b.invoice.number = number
    _insert_invoices([b.invoice for b in built])
    ids = _insert_lines([
        (b.invoice.pk, i, d.kind, d.description[:300], d.reason[:300], d.quantity,
         d.unit_price, d.amount, d.taxable)
        for b in built for i, d in enumerate(b.drafts, start=1)])
    at = 0
    for b in built:
        b.line_ids, at = ids[at:at + len(b.drafts)], at + len(b.drafts)
    _link(built, data)
    return [b.invoice for b in built]


_LINE_COLUMNS = ("invoice_id", "position", "kind", "description", "reason", "quantity",
                 "unit_price", "amount", "taxable")


_SEQUENCES: dict[str, str] = {}


def _sequence(cursor, table: str) -> str:
    """The name of `table`'s id sequence, looked up once per process: in the nextval
    statement pg_get_serial_sequence ran once per row (~0.5 s of a run's 130,000 ids)."""
    if table not in _SEQUENCES:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        _SEQUENCES[table] = cursor.fetchone()[0]
    return _SEQUENCES[table]


def _copy_rows(table: str, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """PostgreSQL: COPY `rows` into `table` with ids drawn from its own sequence first
    (COPY returns none; the sequence is what the ORM's INSERT would use); the ids, in
    order. Errors surface as Django's (IntegrityError for a duplicate invoice)."""
    with connection.wrap_database_errors, connection.cursor() as cursor:
        # The name is the schema's own (pg_get_serial_sequence), quoted as a literal so
        # that the planner resolves it once.
        name = _sequence(cursor, table).replace("'", "''")
        cursor.execute(f"SELECT nextval('{name}'::regclass) FROM generate_series(1, %s)",
                       [len(rows)])
        ids = sorted(pk for (pk,) in cursor.fetchall())
        with cursor.cursor.copy(f"COPY {table} (id, {', '.join(columns)}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row))
    return ids


def _insert_invoices(invoices: list[Invoice]) -> None:
    """Save new `invoices` (their pks set): on PostgreSQL by COPY, as the ORM's
    bulk_create spent ~1 s a run preparing 10,000 rows; elsewhere bulk_create."""
    if connection.vendor != "postgresql":
        Invoice.objects.bulk_create(invoices)
        return
    now = timezone.now()
    fields = [f for f in Invoice._meta.concrete_fields if not f.primary_key]
    rows = []
    for invoice in invoices:
        invoice.created_at = invoice.updated_at = now
        # pdf is a FieldFile, stored as its name (empty for a new invoice)
        rows.append(tuple(invoice.pdf.name or "" if f.attname == "pdf"
                          else getattr(invoice, f.attname) for f in fields))
    ids = _copy_rows(Invoice._meta.db_table, tuple(f.column for f in fields), rows)
    for invoice, pk in zip(invoices, ids, strict=True):
        invoice.pk = pk
        invoice._state.adding = False
        invoice._state.db = connection.alias


def _insert_lines(rows: list[tuple]) -> list[int]:
    """INSERT invoice lines given as plain tuples (_LINE_COLUMNS), in order; their ids.
    A run writes ~120,000 lines, and building a model instance per line for bulk_create
    cost more than the database's work, so lines go in as tuples: on PostgreSQL by COPY,
    with ids drawn from the table's own sequence first (COPY returns none; the sequence
    is what the ORM's INSERT would use); on SQLite by multi-row INSERT ... RETURNING id."""
    if not rows:
        return []
    table = InvoiceLine._meta.db_table
    if connection.vendor == "postgresql":
        return _copy_rows(table, _LINE_COLUMNS, rows)
    columns = ", ".join(_LINE_COLUMNS)
    with connection.cursor() as cursor:
        ids = []
        per = _MAX_PARAMS // len(_LINE_COLUMNS)
        marks = "(" + ", ".join(["%s"] * len(_LINE_COLUMNS)) + ")"
        for at in range(0, len(rows), per):
            chunk = rows[at:at + per]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES"
                           f" {', '.join([marks] * len(chunk))} RETURNING id",
                           [x for row in chunk for x in row])
            ids.extend(pk for (pk,) in cursor.fetchall())
        return ids


def _update_from(rows: list[tuple], types: tuple[str, ...], match: str,
                 period_start: dt.date) -> int:
    """UPDATE the unbilled sessions matched to `rows` (key columns..., line id; their SQL
    `types`) through a VALUES list (UPDATE ... FROM: PostgreSQL, SQLite >= 3.33) to the
    line id; the rows updated. Only invoiced_line_id changes, which no index holds, so on
    PostgreSQL each row is rewritten in place (HOT: see the model's comment)."""
    if not rows:
        return 0
    width = len(types)
    names = ", ".join(f"column{i}" for i in range(1, width + 1))
    # The widest window; each row's own (its agreement's open periods) is in `match`.
    window = _unbilled_params(add_months(period_start, -STRAGGLER_MONTHS), period_start)
    done = 0
    # SQLite: at most 100 rows a statement. From ~250 VALUES rows on, its planner scans the
    # session table (with a Bloom filter) instead of looking each row up: 0.4 s a statement
    # instead of 1 ms, which made most of a SQLite run's time.
    per = min(_MAX_PARAMS // width, 100)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per batch: a column array each, instead of hundreds of VALUES
            # statements of 900 parameters that the driver has to parse and quote.
            # Each column goes as one array literal ('{1,2,3}': ids and ISO dates need no
            # quoting), which PostgreSQL parses at once; the driver's element-by-element
            # list dumping cost ~0.3 s a run.
            arrays = ", ".join(f"%s::{t}[]" for t in types)
            cursor.execute(
                f"UPDATE billing_worksession SET invoiced_line_id = v.column{width}"
                f" FROM unnest({arrays}) AS v({names}) WHERE {match} AND {_UNBILLED_SQL}",
                [_array_literal(column) for column in zip(*rows, strict=True)] + window)
            return cursor.rowcount
        for at in range(0, len(rows), per):
            chunk = rows[at:at + per]
            values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            cursor.execute(
                f"UPDATE billing_worksession SET invoiced_line_id = v.column{width}"
                f" FROM (VALUES {values}) AS v WHERE {match} AND {_UNBILLED_SQL}",
                [x.isoformat() if isinstance(x, dt.date) else x
                 for row in chunk for x in row] + window)
            done += cursor.rowcount
    return done


def _array_literal(values) -> str:
    """A PostgreSQL array literal of ints and dates (neither needs quoting)."""
    return "{" + ",".join(v.isoformat() if isinstance(v, dt.date) else str(int(v))
                          for v in values) + "}"


def _link(built: list[_Built], data: _PeriodData) -> None:
    """Point sessions and items at their lines, only rows still unbilled: billable sessions
    by id, overage sessions by agreement and rate within the agreement's open periods (the
    rows _session_rows read), a few statements for the whole batch. Every session goes to
    a line of its own agreement's invoice, built in this transaction. If the count differs
    from what was read, something changed meanwhile: _Changed."""
    by_id, by_rate, expected = [], [], 0
    for b in built:
        for d, line_id in zip(b.drafts, b.line_ids, strict=True):
            if d.sessions:
                by_id.append((d.sessions[0], b.agreement.pk, line_id))
                expected += 1
            elif d.overage_count:
                cents = -1 if d.overage_rate is None else int(d.overage_rate * 100)
                by_rate.append((b.agreement.pk, cents, data.arrears_from(b.agreement.pk),
                                line_id))
                expected += d.overage_count
    done = _update_from(by_id, ("bigint", "bigint", "bigint"),
                        "billing_worksession.id = v.column1"
                        " AND billing_worksession.agreement_id = v.column2"
                        " AND classification = 'billable'", data.period_start)
    done += _update_from(by_rate, ("bigint", "bigint", "date", "bigint"),
                         "billing_worksession.agreement_id = v.column1"
                         " AND classification = 'overage'"
                         " AND COALESCE(CAST(ROUND(rate * 100) AS BIGINT), -1) = v.column2"
                         " AND billing_worksession.period_start >= v.column3",
                         data.period_start)
    if done != expected:
        raise _Changed
    per_item = {d.items[0]: line_id for b in built
                for d, line_id in zip(b.drafts, b.line_ids, strict=True) if d.items}
    if per_item:
        # Recurring add-ons point at their latest line; the invoice's uniqueness keeps them
        # from billing one period twice.
        BillableItem.objects.filter(pk__in=per_item).update(
            invoiced_line=Case(*[When(pk=k, then=Value(v)) for k, v in per_item.items()]))


def _relax_commit() -> None:
    """On PostgreSQL, do not wait for the WAL flush when a batch of draft invoices commits.
    A database crash can then lose the last few committed batches — with their sequence
    increments, as they share the transaction — and the rerun rebuilds them with the same
    numbers, so numbers stay gapless and nothing is billed twice (the session links roll
    back with them). Only this transaction is relaxed (SET LOCAL); everything else commits
    durably."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")

