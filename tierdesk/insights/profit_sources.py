"""The reads profitability is computed from: one grouped aggregate per source for every
client and period at once, returned as plain tuples keyed by (agreement id, period key) or
(agreement id, month). profitability.py says what each figure means; this module only
fetches them, fast:

* Every summed value is an integer — money in cents, minutes, cents × minutes (an hourly
  rate in cents times minutes) — so the sums are exact on SQLite as on PostgreSQL and the
  rows come straight from the cursor, without the ORM's per-row converters.
* A session's minutes and its person's rate are computed once per row in a sub-select and
  then summed many ways (the work behind the figures: help desk, visits, after hours...).
* On PostgreSQL the reads run in one transaction with `work_mem` raised for it alone, so
  the grouping of 100,000s of rows stays in memory instead of spilling to disk, and
  without JIT compilation, which costs more than it saves on these one-pass aggregates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, Exists, IntegerField, OuterRef, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from tierdesk.billing.models import (
    ApprovalState,
    BillableItem,
    Classification,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    SessionMode,
    SessionWorkType,
    WorkSession,
)
from tierdesk.billing.proration import add_months, month_index
from tierdesk.desk.outsourcing import outsourcing_fees
from tierdesk.insights.costs import CostRates
from tierdesk.insights.models import OutsourcedHelpdeskCost
from tierdesk.insights.profit_figures import Period
from tierdesk.maintenance.models import WorkOrder, WorkOrderStatus

FEE_KINDS = (LineKind.RECURRING, LineKind.DISCOUNT)
COVERED = (Classification.INCLUDED, Classification.ALLOWANCE)
WORK_MEM = "128MB"


@contextmanager
def reading():
    """One transaction for all the reads (one consistent picture of the books), tuned for
    big aggregates on PostgreSQL (SET LOCAL: for this transaction only)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
                cursor.execute("SET LOCAL jit = off")
        yield


def on_own_connection(reads):
    """Run `reads` (in a worker thread) inside `reading()` on the thread's own database
    connection, and close that connection after: a thread's connection is never reused."""
    from django.db import connections

    try:
        with reading():
            return reads()
    finally:
        connections.close_all()


def _fetch_sql(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _fetch(queryset) -> list[tuple]:
    """The rows of a grouped `values_list` query straight from the cursor (the SELECT lists
    the grouped columns, then the annotations in the order given)."""
    return _fetch_sql(*queryset.query.sql_with_params())


def as_date(value) -> dt.date:
    """A date column's value (SQLite returns dates computed in SQL as text)."""
    if type(value) is dt.date:
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date()


def cents_sql(column: str) -> str:
    """SQL for a money column as whole cents (a bigint: exact, and summed by PostgreSQL in
    a 128-bit integer rather than as numeric)."""
    if connection.vendor == "postgresql":
        return f"({column} * 100)::bigint"
    return f"CAST(ROUND({column} * 100) AS INTEGER)"


def bigint_sum(sql: str) -> str:
    """SUM of an integer expression as a bigint (PostgreSQL sums bigints as numeric, which
    the driver would turn into Decimals one by one)."""
    return f"CAST(SUM({sql}) AS BIGINT)"


def month_sql(column: str) -> str:
    """SQL for the first day of a date column's month."""
    if connection.vendor == "postgresql":
        # Truncated as a timestamp without time zone: a date would go through timestamptz.
        return f"DATE_TRUNC('month', {column}::timestamp)::date"
    return f"strftime('%%Y-%%m-01', {column})"


def minutes_sql(table: str, start: str = "started_at", end: str = "ended_at") -> str:
    """SQL for the whole minutes between two timestamps of a row (as WorkSession.minutes:
    floor), computed by the database rather than by Django's duration expression, which
    SQLite evaluates with a Python function per row."""
    if connection.vendor == "postgresql":
        # date_part is a double (exact for whole and micro-seconds at these sizes);
        # EXTRACT would be numeric, twice as slow over 100,000s of rows.
        return (f'FLOOR(date_part(\'epoch\', "{table}"."{end}" - "{table}"."{start}")'
                " / 60)::integer")
    return (f'CAST(ROUND((julianday("{table}"."{end}") - julianday("{table}"."{start}"))'
            " * 86400) AS INTEGER) / 60")


def msp_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the period's days in the MSP's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    after = period.end + dt.timedelta(days=1)
    return (dt.datetime(period.start.year, period.start.month, period.start.day, tzinfo=zone),
            dt.datetime(after.year, after.month, after.day, tzinfo=zone))


def _in(column: str, values) -> tuple[str, list]:
    values = list(values)
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


# Invoices -------------------------------------------------------------------------------------

def invoiced_fees(start: dt.date, end: dt.date, client_ids):
    """Three dicts keyed (agreement id, month): the recurring and discount lines of the
    invoices not void, spread evenly over their period's months; their proration lines in
    the month before the period; credit notes (of invoices not voided) in their period's
    first month."""
    first_month = start.replace(day=1)
    invoiced: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    prorated: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    credits: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    amount = Cast(Sum(RawSQL(cents_sql(f'"{InvoiceLine._meta.db_table}"."amount"'), (),
                             output_field=BigIntegerField())), BigIntegerField())
    lines = InvoiceLine.objects.filter(
        invoice__kind=InvoiceKind.INVOICE, invoice__agreement__isnull=False,
        invoice__period_start__lte=add_months(end, 1), invoice__period_end__gte=first_month,
        kind__in=(*FEE_KINDS, LineKind.PRORATION)).exclude(invoice__status=InvoiceStatus.VOID)
    if client_ids is not None:
        lines = lines.filter(invoice__client_id__in=client_ids)
    for agreement_id, p_start, p_end, kind, cents in _fetch(
            lines.values("invoice__agreement_id", "invoice__period_start",
                         "invoice__period_end", "kind").annotate(amount=amount).order_by()
            .values_list("invoice__agreement_id", "invoice__period_start",
                         "invoice__period_end", "kind", "amount")):
        if type(p_start) is not dt.date:  # SQLite: text
            p_start, p_end = as_date(p_start), as_date(p_end)
        value = Decimal(cents) / 100
        if kind == LineKind.PRORATION:
            prorated[agreement_id, add_months(p_start, -1)] += value
            continue
        if p_end.month == p_start.month and p_end.year == p_start.year:  # a monthly invoice
            invoiced[agreement_id, p_start] += value
            continue
        n = month_index(p_end) - month_index(p_start) + 1
        share = value / n
        for i in range(n):
            invoiced[agreement_id, add_months(p_start, i)] += share
    notes = InvoiceLine.objects.filter(
        invoice__kind=InvoiceKind.CREDIT_NOTE, invoice__agreement__isnull=False,
        invoice__status__in=(InvoiceStatus.ISSUED, InvoiceStatus.PAID),
        invoice__period_start__gte=first_month, invoice__period_start__lte=end).exclude(
        invoice__credits__status=InvoiceStatus.VOID)
    if client_ids is not None:
        notes = notes.filter(invoice__client_id__in=client_ids)
    for agreement_id, p_start, cents in _fetch(
            notes.values("invoice__agreement_id", "invoice__period_start")
            .annotate(amount=amount).order_by()
            .values_list("invoice__agreement_id", "invoice__period_start", "amount")):
        credits[agreement_id, as_date(p_start).replace(day=1)] += Decimal(cents) / 100
    return dict(invoiced), dict(prorated), dict(credits)


# Sessions and work orders ---------------------------------------------------------------------

#: What `session_totals` returns for each key, in this order (all integers).
SESSION_TOTALS = ("sessions", "minutes", "labour_cm", "travel_minutes", "travel_cm",
                  "overage_cents", "billable_cents", "helpdesk_sessions", "helpdesk_minutes",
                  "onsite_visits", "included_onsite_visits", "included_breakfix_minutes",
                  "after_hours_minutes")


def session_totals(rates: CostRates, client_ids, *, months: list[Period] | None = None,
                   window: Period | None = None) -> dict[tuple[int, str], tuple]:
    """Finished sessions of client work (internal work left out), per (agreement, period
    key): the SESSION_TOTALS. Months group by the session's month (`period_start`, the
    client's month); a window takes the sessions started in its days."""
    table = WorkSession._meta.db_table
    rate_sql, rate_params = rates.cents_case_sql(f'"{table}"."technician_id"')
    where = [f'"{table}"."ended_at" IS NOT NULL', f'"{table}"."agreement_id" IS NOT NULL',
             f'"{table}"."classification" <> %s']
    params: list = [Classification.INTERNAL]
    if months is not None:
        keys = {p.start: p.key for p in months}
        keys.update({p.start.isoformat(): p.key for p in months})
        clause, values = _in(f'"{table}"."period_start"', [p.start for p in months])
        key_sql = f'"{table}"."period_start"'
    else:
        lo, hi = msp_bounds(window)
        clause, values = f'"{table}"."started_at" >= %s AND "{table}"."started_at" < %s', [lo, hi]
        key_sql = "NULL"
    where.append(clause)
    params += values
    if client_ids is not None:
        clause, values = _in(f'"{table}"."client_id"', client_ids)
        where.append(clause)
        params += values
    covered = ", ".join(["%s"] * len(COVERED))
    sql = f"""
        SELECT agreement_id, k, COUNT(*), SUM(m), {bigint_sum("m * r")}, SUM(t),
               {bigint_sum("t * r")},
               {bigint_sum("CASE WHEN c = %s THEN a ELSE 0 END")},
               {bigint_sum("CASE WHEN c = %s THEN a ELSE 0 END")},
               SUM(CASE WHEN w = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN w = %s THEN m ELSE 0 END),
               SUM(CASE WHEN mo = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN mo = %s AND c IN ({covered}) THEN 1 ELSE 0 END),
               SUM(CASE WHEN w = %s AND c = %s THEN m ELSE 0 END),
               SUM(ah)
        FROM (SELECT "{table}"."agreement_id" AS agreement_id, {key_sql} AS k,
                     {minutes_sql(table)} AS m, CAST({rate_sql} AS BIGINT) AS r,
                     "{table}"."travel_minutes" AS t, "{table}"."classification" AS c,
                     "{table}"."work_type" AS w, "{table}"."mode" AS mo,
                     CASE WHEN "{table}"."classification" IN (%s, %s)
                          THEN {cents_sql(f'"{table}"."amount"')} ELSE 0 END AS a,
                     "{table}"."after_hours_minutes" AS ah
              FROM "{table}" WHERE {" AND ".join(where)}) AS s
        GROUP BY agreement_id, k"""
    head = [Classification.OVERAGE, Classification.BILLABLE, SessionWorkType.HELPDESK,
            SessionWorkType.HELPDESK, SessionMode.ONSITE, SessionMode.ONSITE, *COVERED,
            SessionWorkType.BREAK_FIX, Classification.INCLUDED]
    # The parameters in the order they appear: the SELECT's, the rate CASE's, the charged
    # classifications', the WHERE's.
    charged = [Classification.OVERAGE, Classification.BILLABLE]
    rows = _fetch_sql(sql, [*head, *rate_params, *charged, *params])
    # Every value is an integer already (COUNT, SUMs of integers, bigint casts).
    if months is not None:
        return {(row[0], keys[row[1]]): row[2:] for row in rows}
    return {(row[0], window.key): row[2:] for row in rows}


def work_order_totals(rates: CostRates, client_ids, *, months: list[Period] | None = None,
                      window: Period | None = None) -> dict[tuple[int, str], tuple[int, int]]:
    """Done work orders no session was logged on, per (agreement, period key): (estimated
    minutes, cents × minutes at the rate of whoever completed them)."""
    table = WorkOrder._meta.db_table
    rate_sql, rate_params = rates.cents_case_sql(f'"{table}"."completed_by_id"')
    base = WorkOrder.objects.filter(status=WorkOrderStatus.DONE).filter(
        ~Exists(WorkSession.objects.filter(work_order_id=OuterRef("pk"))))
    if client_ids is not None:
        base = base.filter(client_id__in=client_ids)
    if months is not None:
        keys = {p.start: p.key for p in months}
        base = base.filter(due_on__gte=min(p.start for p in months),
                           due_on__lte=max(p.end for p in months))
        rows = (base.annotate(month=RawSQL(month_sql(f'"{table}"."due_on"'), ()))
                .values("agreement_id", "month"))
        group = ("agreement_id", "month")
    else:
        base = base.filter(due_on__gte=window.start, due_on__lte=window.end)
        rows = base.values("agreement_id")
        group = ("agreement_id",)
    rows = _fetch(rows.annotate(
        minutes=Sum("estimated_minutes"),
        labour_cm=Sum(RawSQL(f'"{table}"."estimated_minutes" * {rate_sql}',
                             tuple(rate_params), output_field=IntegerField())),
    ).order_by().values_list(*group, "minutes", "labour_cm"))
    result = {}
    for row in rows:
        if months is not None:
            agreement_id, month, minutes, labour_cm = row
            period_key = keys.get(as_date(month))
            if period_key is None:
                continue
        else:
            agreement_id, minutes, labour_cm = row
            period_key = window.key
        result[agreement_id, period_key] = (int(minutes or 0), int(labour_cm or 0))
    return result


# Items and outsourced fees -----------------------------------------------------------------

def item_rows(start: dt.date, end: dt.date, client_ids) -> list[tuple]:
    """Approved items (or needing no approval) one-off starting in [start, end], recurring
    running in it: (client id, agreement id, kind, quantity, unit price, unit cost,
    recurring, starts on, ends on). Time-and-materials projects bill through sessions."""
    from django.db.models import Q

    once = Q(recurring=False, starts_on__gte=start, starts_on__lte=end)
    running = Q(recurring=True, starts_on__lte=end) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=start.replace(day=1)))
    items = BillableItem.objects.filter(
        approval__in=(ApprovalState.APPROVED, ApprovalState.NOT_NEEDED),
        is_time_and_materials=False).filter(once | running)
    if client_ids is not None:
        items = items.filter(client_id__in=client_ids)
    return list(items.values_list("client_id", "agreement_id", "kind", "quantity",
                                  "unit_price", "unit_cost", "recurring", "starts_on",
                                  "ends_on"))


def outsourced_rows(start: dt.date, end: dt.date, client_ids
                    ) -> list[tuple[int, int | None, dt.date, Decimal]]:
    """Partner charges per (client, agreement or None, month): desk's outsourcing_fees
    (per-ticket fees and a share of the partner's monthly fee, split by tickets) and what
    was recorded by hand (OutsourcedHelpdeskCost). A partner's month with no ticket is the
    MSP's overhead, no client's: left out."""
    first = start.replace(day=1)
    recorded = OutsourcedHelpdeskCost.objects.filter(month__gte=first, month__lte=end)
    if client_ids is not None:
        recorded = recorded.filter(client_id__in=client_ids)
    charges = [(client_id, None, month, amount) for client_id, month, amount in
               recorded.values("client_id", "month").annotate(amount=Sum("amount"))
               .order_by().values_list("client_id", "month", "amount")]
    wanted = None if client_ids is None else set(client_ids)
    for fee in outsourcing_fees(start=first, end=end + dt.timedelta(days=1)):
        if fee.client_id is None or (wanted is not None and fee.client_id not in wanted):
            continue
        charges.append((fee.client_id, fee.agreement_id, fee.month, fee.total))
    return charges
