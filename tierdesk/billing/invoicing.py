"""The invoice engine: what a billing period bills, one invoice per agreement, and runs.

Rules (each pinned by tests in billing/tests/test_invoic*.py and test_proration*.py):

* **Periods.** Every run bills one period start P, the first day of a calendar month. An
  agreement's billing periods are anchored at the first of the month it starts in and last
  its billing cycle (monthly 1, quarterly 3, annual 12 months; see proration.py), so a
  quarterly agreement is billed only by the runs of every third month from its start month.
  `Invoice.period_start` is P and `period_end` the last day of the cycle period (inclusive).
  A period after the current month is refused (ValidationError naming `period_start`).
* **Who is billed.** Agreements signed, active, suspended (suspension does not stop the fee)
  or ended whose period starts on P and that cover a day of P or of the previous period Q
  (so the last arrears of an ended agreement are billed). `Agreement.end_date` is the last
  covered day; an ended agreement without one ends on the day it was ended.
* **Recurring fee in advance.** monthly_fee × cycle months for P, prorated by day when the
  agreement starts or ends inside P (quantity = the fraction of the period, unit price = the
  period's fee, amount = fee × days / days rounded once, half-up). When the agreement's fee
  is below the tier's list price the line shows the list price and a negative *discount* line
  names the override reason; the two net to the agreement's fee.
* **Reconciling the previous period.** What Q was billed in advance (the recurring lines of
  the agreement's non-void invoice for Q) is compared with the days the agreement actually
  covered in Q: fewer days (ended early, e.g. a tier change) give a negative *proration*
  credit; more days (started after Q was billed, e.g. the successor of a tier change) give a
  catch-up charge. An agreement that started before Q and has no invoice for Q is not
  reconciled (Q was billed before tierdesk billed it). So a tier change mid-period credits
  the old tier on the old agreement's next invoice and charges the new tier by day on the
  new agreement's, each showing its own proration. Only the one previous period is reconciled.
* **Arrears.** Sessions of the agreement with period_start before P (the previous period and
  any older straggler of the last 12 months), classification overage or billable, finished
  and not yet invoiced. Overage is one line per rate (quantity = overage units; amount = the
  sum of the sessions' classified amounts, each already rounded once); billable work is one
  line per session with the session's amount and reason. Included, allowance and internal
  sessions are never read. BillableItems approved or needing no approval, not invoiced, with
  starts_on before P; recurring add-ons (unit price per month) bill for P in advance
  (quantity × unit price × cycle months) while running. An item without an agreement goes on
  the invoice of the client's newest agreement billed for P.
* **Money.** Decimal; each line rounded once (round_money, half-up); subtotal = sum of lines;
  tax = round(sum of taxable lines × client.tax_rate_percent / 100); total = subtotal + tax.
  A split period's two prorated parts sum to the whole within one cent.
* **Links and locks.** In the invoice's transaction the sessions and items are linked with
  conditional UPDATEs (`invoiced_line IS NULL`); if a row changed since it was read the
  transaction rolls back and the agreement is built again, so nothing is billed twice.
* **Runs.** `invoice_run` creates or resumes the period's one running InvoiceRun and builds
  each invoice in its own transaction (`invoice_build`), in agreement id order, skipping
  agreements already invoiced (the unique constraint is the final guard: an IntegrityError
  rolls the invoice and its number back). Numbers are allocated in that same transaction
  (numbering.py), so a killed run rerun completes with no duplicates and no gaps. Reads are
  set-based: one query finds the agreements, one the invoiced ones, one the agreements with
  billable sessions, one the billed days of Q; per agreement only its own rows are read.
* **Bad input.** A negative monthly fee (`monthly_fee`), an item with a quantity ≤ 0
  (`quantity`) or a negative price (`unit_price`) refuse that agreement with a
  ValidationError; a run records it and carries on with the others (status failed, `error`
  lists them), and nothing of that agreement is stored.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Q, Sum, Value, When
from django.utils import timezone

from tierdesk.billing.models import (
    ApprovalState,
    BillableItem,
    Classification,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceRun,
    InvoiceSequence,
    InvoiceStatus,
    ItemKind,
    LineKind,
    RunStatus,
    SessionMode,
    SessionWorkType,
)
from tierdesk.billing.numbering import numbers_allocate
from tierdesk.billing.proration import (
    add_months,
    covered_days,
    cycle_months,
    is_cycle_start,
    prorate,
)
from tierdesk.clients.models import Agreement
from tierdesk.core import events
from tierdesk.core.money import ZERO, round_money

BILLED_STATUSES = ("signed", "active", "suspended", "ended")
STRAGGLER_MONTHS = 12
PROGRESS_EVERY = 200
BATCH = 200  # agreements invoiced per transaction (one progress step)
QUANTITY_PLACES = Decimal("0.0001")


@dataclass
class LineDraft:
    """A line that would be billed, with the reason; `sessions`/`items` are what it bills."""

    kind: str
    description: str
    reason: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    taxable: bool = True
    sessions: tuple[int, ...] = ()
    overage_rate: Decimal | None = None
    overage_count: int = 0
    items: tuple[int, ...] = ()


@dataclass
class Totals:
    subtotal: Decimal
    tax: Decimal
    total: Decimal


def totals_for(lines: list[LineDraft] | list[InvoiceLine], tax_rate: Decimal) -> Totals:
    subtotal = sum((line.amount for line in lines), ZERO)
    taxable = sum((line.amount for line in lines if line.taxable), ZERO)
    tax = round_money(taxable * Decimal(tax_rate) / 100)
    return Totals(subtotal=subtotal, tax=tax, total=subtotal + tax)


class _Changed(Exception):
    """A session or item changed between reading and linking it: build again."""


# --- periods and eligibility ---------------------------------------------------------------

def period_validate(period_start: dt.date) -> dt.date:
    """Refuse a period that is not a month start or lies after the current month."""
    if not isinstance(period_start, dt.date) or period_start.day != 1:
        raise ValidationError({"period_start": "a billing period starts on the first of a "
                                               "month, e.g. 2026-10-01"})
    today = timezone.localdate()
    if period_start > today.replace(day=1):
        raise ValidationError({"period_start": f"{period_start:%Y-%m} is in the future; "
                                               "a period can be billed from its first day"})
    return period_start


def _service_end(row) -> dt.date | None:
    if row["end_date"] is not None:
        return row["end_date"]
    if row["status"] == "ended" and row["ended_at"] is not None:
        return timezone.localdate(row["ended_at"])
    return None


def _is_billed(row, period_start: dt.date) -> bool:
    months = cycle_months(row["billing_cycle"])
    if not is_cycle_start(anchor=row["start_date"], period_start=period_start, months=months):
        return False
    end = _service_end(row)
    prev = add_months(period_start, -months)
    nxt = add_months(period_start, months)
    return (covered_days(start=prev, end=nxt, service_start=row["start_date"],
                         service_end=end) > 0)


_ROW_FIELDS = ("id", "client_id", "start_date", "end_date", "status", "ended_at",
               "billing_cycle")


def _eligible_rows(period_start: dt.date, **filters) -> list[dict]:
    rows = (Agreement.objects.filter(status__in=BILLED_STATUSES,
                                     start_date__lt=add_months(period_start, 1), **filters)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=add_months(period_start, -12)))
            .order_by("id").values(*_ROW_FIELDS))
    return [row for row in rows if _is_billed(row, period_start)]


@dataclass
class _PeriodData:
    """What the run reads once, set-based, for the whole period (sessions are read per
    batch of agreements, in the batch's transaction)."""

    period_start: dt.date
    rows: list[dict]
    invoiced: set[int]
    item_owner: dict[int, int]  # client id → agreement id billed for items without one
    with_items: set[int] = field(default_factory=set)
    billed_fraction: dict[tuple[int, dt.date], Decimal] = field(default_factory=dict)


def _item_filter(period_start: dt.date, months: int | None = None) -> Q:
    approved = Q(approval__in=(ApprovalState.APPROVED, ApprovalState.NOT_NEEDED))
    # A time-and-materials project bills through its sessions, never as an item of its own.
    once = Q(recurring=False, invoiced_line__isnull=True, starts_on__lt=period_start,
             is_time_and_materials=False)
    until = add_months(period_start, months or 12)
    recurring = (Q(recurring=True, starts_on__lt=until)
                 & (Q(ends_on__isnull=True) | Q(ends_on__gte=period_start)))
    return approved & (once | recurring)


def _period_data(period_start: dt.date, *, pending_only: bool = False,
                 **filters) -> _PeriodData:
    """The period's agreements and what is invoiced; then, unless `pending_only` and all
    are invoiced already (a rerun of a finished period reads nothing more), who has items
    and what the previous periods billed in advance."""
    rows = _eligible_rows(period_start, **filters)
    ids = [r["id"] for r in rows]
    scope = {"agreement_id__in": ids} if filters else {}
    invoiced = set(Invoice.objects.filter(kind=InvoiceKind.INVOICE, period_start=period_start,
                                          **scope).values_list("agreement_id", flat=True))
    item_owner: dict[int, int] = {}
    for row in rows:
        item_owner[row["client_id"]] = max(item_owner.get(row["client_id"], 0), row["id"])
    data = _PeriodData(period_start=period_start, rows=rows, invoiced=invoiced,
                       item_owner=item_owner)
    if pending_only and invoiced.issuperset(ids):
        return data
    client_scope = {"client_id__in": list(item_owner)} if filters else {}
    for agreement_id, client_id in (BillableItem.objects.filter(_item_filter(period_start),
                                                                **client_scope)
                                    .values_list("agreement_id", "client_id").distinct()):
        owner = agreement_id or item_owner.get(client_id)
        if owner:
            data.with_items.add(owner)
    prevs = {add_months(period_start, -m) for m in (1, 3, 12)}
    billed = (InvoiceLine.objects.filter(invoice__kind=InvoiceKind.INVOICE,
                                         invoice__period_start__in=prevs,
                                         kind=LineKind.RECURRING,
                                         **{f"invoice__{k}": v for k, v in scope.items()})
              .exclude(invoice__status=InvoiceStatus.VOID)
              .values("invoice__agreement_id", "invoice__period_start")
              .annotate(q=Sum("quantity")))
    data.billed_fraction = {(b["invoice__agreement_id"], b["invoice__period_start"]): b["q"]
                            for b in billed}
    return data


# --- lines ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)  # ~120,000 calls a run, over a few hundred days
def _fmt(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _span(start: dt.date, stop: dt.date) -> str:
    return f"{_fmt(start)} – {_fmt(stop - dt.timedelta(days=1))}"


def _fraction(days: int, total: int) -> Decimal:
    if days == total:
        return Decimal("1")
    return (Decimal(days) / total).quantize(QUANTITY_PLACES)


def _list_fee(agreement: Agreement) -> Decimal:
    pv = agreement.plan_version
    return (pv.base_fee + pv.price_per_user * agreement.users_count
            + pv.price_per_device * agreement.devices_count)


def _recurring_lines(agreement: Agreement, period_start: dt.date, months: int,
                     data: _PeriodData) -> list[LineDraft]:
    fee = agreement.monthly_fee
    if fee < 0:
        raise ValidationError({"monthly_fee": f"agreement #{agreement.pk} has a negative "
                                              f"monthly fee ({fee}); fix its prices first"})
    tier = agreement.plan_version.plan.name
    end = _service_end({"end_date": agreement.end_date, "status": agreement.status,
                        "ended_at": agreement.ended_at})
    lines: list[LineDraft] = []
    nxt = add_months(period_start, months)
    total = (nxt - period_start).days
    days = covered_days(start=period_start, end=nxt, service_start=agreement.start_date,
                        service_end=end)
    cycle = agreement.get_billing_cycle_display().lower()
    if days:
        list_fee = max(fee, _list_fee(agreement))
        amount = prorate(fee=list_fee * months, days=days, total_days=total)
        if days == total:
            description = f"{tier} — {cycle} fee, {_span(period_start, nxt)}"
            reason = f"recurring: {tier} fee, billed in advance"
        else:
            first = max(period_start, agreement.start_date)
            last = nxt if end is None else min(nxt, end + dt.timedelta(days=1))
            description = (f"{tier} — fee {_span(first, last)} ({days} of {total} days)")
            reason = f"prorated by day: the agreement covers {days} of the period's {total} days"
        lines.append(LineDraft(LineKind.RECURRING, description, reason,
                               _fraction(days, total), list_fee * months, amount))
        if list_fee != fee:
            net = prorate(fee=fee * months, days=days, total_days=total)
            why = agreement.override_reason or "negotiated price"
            lines.append(LineDraft(LineKind.DISCOUNT, f"Discount on the {tier} fee",
                                   f"discount: {why}", Decimal("1"), net - amount, net - amount))
    prev = add_months(period_start, -months)
    prev_total = (period_start - prev).days
    actual = covered_days(start=prev, end=period_start, service_start=agreement.start_date,
                          service_end=end)
    billed_q = data.billed_fraction.get((agreement.pk, prev))
    if billed_q is not None:
        diff = actual - int((billed_q * prev_total).to_integral_value())
    elif agreement.start_date >= prev:
        diff = actual  # started inside Q after Q was billed: catch up
    else:
        diff = 0  # Q was billed before tierdesk billed this agreement: nothing to reconcile
    if diff:
        amount = prorate(fee=fee * months, days=abs(diff), total_days=prev_total)
        qty = _fraction(abs(diff), prev_total)
        if diff < 0:
            successor = Agreement.objects.filter(replaces=agreement).select_related(
                "plan_version__plan").first()
            why = (f"tier change: {successor.plan_version.plan.name} from "
                   f"{_fmt(successor.start_date)}" if successor
                   else f"agreement ended {_fmt(end)}" if end else "fewer days than billed")
            lines.append(LineDraft(
                LineKind.PRORATION,
                f"Credit: {tier} — {abs(diff)} of {prev_total} days of {_span(prev, period_start)}"
                " billed in advance but not in service",
                f"proration credit: {why}", qty, -fee * months, -amount))
        else:
            why = (f"tier change from {agreement.replaces.plan_version.plan.name}"
                   if agreement.replaces_id
                   else "the agreement started after the period was billed")
            lines.append(LineDraft(
                LineKind.PRORATION,
                f"{tier} — {diff} of {prev_total} days of {_span(prev, period_start)} not billed"
                " in advance", f"prorated by day: {why}", qty, fee * months, amount))
    return lines


# One statement per batch of agreements: overage grouped per agreement and rate, billable
# work one row per session (the CASE groups each billable session alone). Amounts are summed
# in integer cents, exact on both databases (SQLite's SUM of a decimal column would be a
# float); rates likewise, so the link below matches an overage line's sessions by its rate.
_SESSIONS_SQL = """
SELECT agreement_id, classification, MIN(CAST(ROUND(rate * 100) AS BIGINT)), COUNT(*),
       SUM(overage_units), SUM(CAST(ROUND(amount * 100) AS BIGINT)), MIN(reason), MIN(id),
       MIN(started_at), MIN(billable_minutes), MIN(work_type), MIN(mode)
FROM billing_worksession
WHERE agreement_id IN ({ids}) AND {unbilled}
GROUP BY agreement_id, classification, rate, CASE WHEN classification = 'billable' THEN id END
ORDER BY agreement_id, classification DESC, MIN(started_at), MIN(id)
"""
# The same selection as _session_filter, for the raw statements (read and link).
_UNBILLED_SQL = ("period_start < %s AND period_start >= %s"
                 " AND classification IN ('overage', 'billable')"
                 " AND invoiced_line_id IS NULL AND ended_at IS NOT NULL")
_WORK_TYPES = dict(SessionWorkType.choices)
_MODES = dict(SessionMode.choices)
_MAX_PARAMS = 900  # below SQLite's oldest limit of 999 bound parameters per statement


def _cents(value) -> Decimal:
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01")) if value is not None else ZERO


def _unbilled_params(period_start: dt.date) -> list[str]:
    return [period_start.isoformat(), add_months(period_start, -STRAGGLER_MONTHS).isoformat()]


def _session_rows(ids: list[int], period_start: dt.date) -> dict[int, list[tuple]]:
    """The unbilled overage/billable rows of the agreements `ids`, per agreement."""
    per: dict[int, list[tuple]] = {}
    with connection.cursor() as cursor:
        for at in range(0, len(ids), _MAX_PARAMS):
            chunk = ids[at:at + _MAX_PARAMS]
            cursor.execute(_SESSIONS_SQL.format(ids=", ".join(["%s"] * len(chunk)),
                                                unbilled=_UNBILLED_SQL),
                           [*chunk, *_unbilled_params(period_start)])
            for row in cursor.fetchall():
                per.setdefault(row[0], []).append(row[1:])
    return per


def _session_lines(rows: list[tuple]) -> list[LineDraft]:
    lines: list[LineDraft] = []
    zone = timezone.get_current_timezone()  # once: a lookup per session cost ~0.5 s a run
    for cls, rate100, n, units, cents, reason, sid, started, minutes, work, mode in rows:
        rate = _cents(rate100)
        amount = _cents(cents)
        if amount < 0:
            raise ValidationError({"amount": f"session #{sid} has a negative amount"})
        if cls == Classification.OVERAGE:
            lines.append(LineDraft(
                LineKind.OVERAGE, f"Help-desk overage: {units} session(s) beyond the allowance",
                reason or "overage: beyond the allowance", Decimal(units), rate, amount,
                overage_rate=None if rate100 is None else rate, overage_count=n))
            continue
        if isinstance(started, str):  # SQLite returns the aggregate as text
            started = dt.datetime.fromisoformat(started)
        if started.tzinfo is None:
            started = started.replace(tzinfo=dt.UTC)
        hours = (Decimal(minutes) / 60).quantize(QUANTITY_PLACES)
        lines.append(LineDraft(
            LineKind.LABOUR, f"{_WORK_TYPES.get(work, work)} ({_MODES.get(mode, mode).lower()}),"
                             f" {_fmt(started.astimezone(zone).date())}, {minutes} min",
            reason, hours, rate, amount, sessions=(sid,)))
    return lines


def _items(agreements: list[Agreement], data: _PeriodData,
           lock: bool) -> dict[int, list[BillableItem]]:
    """The billable items of `agreements` (those holding any), per agreement: one query per
    billing-cycle length in the batch (the cycle decides which recurring add-ons bill)."""
    by_months: dict[int, list[Agreement]] = {}
    for agreement in agreements:
        if agreement.pk in data.with_items:
            by_months.setdefault(cycle_months(agreement.billing_cycle), []).append(agreement)
    per: dict[int, list[BillableItem]] = {}
    for months, group in by_months.items():
        ids = {a.pk for a in group}
        mine = Q(agreement_id__in=ids)
        loose = [a.client_id for a in group if data.item_owner.get(a.client_id) == a.pk]
        if loose:
            mine |= Q(agreement__isnull=True, client_id__in=loose)
        items = BillableItem.objects.filter(_item_filter(data.period_start, months), mine)
        if lock:
            items = items.select_for_update()
        for item in items.order_by("starts_on", "id"):
            owner = item.agreement_id or data.item_owner[item.client_id]
            per.setdefault(owner, []).append(item)
    return per


def _item_lines(items: list[BillableItem], months: int) -> list[LineDraft]:
    lines = []
    for item in items:
        if item.quantity <= 0:
            raise ValidationError({"quantity": f"item #{item.pk} “{item.description}” has "
                                               f"quantity {item.quantity}; it must be above 0"})
        if item.kind == ItemKind.ADJUSTMENT:
            # A correction of invoiced work: its price is the difference, a credit when
            # negative (billing/sessions.session_correct).
            lines.append(LineDraft(LineKind.ADJUSTMENT, item.description,
                                   "adjustment: correction of work invoiced earlier",
                                   item.quantity, item.unit_price,
                                   round_money(item.quantity * item.unit_price),
                                   items=(item.pk,)))
            continue
        if item.unit_price < 0:
            raise ValidationError({"unit_price": f"item #{item.pk} has a negative price"})
        kind = item.get_kind_display().lower()
        approval = " (approved by the client)" if item.approval == ApprovalState.APPROVED else ""
        if item.recurring:
            price = item.unit_price * months
            lines.append(LineDraft(LineKind.ITEM, f"{item.description} ({months} month(s))",
                                   f"{kind}: recurring add-on, billed in advance{approval}",
                                   item.quantity, price, round_money(item.quantity * price),
                                   items=(item.pk,)))
        else:
            lines.append(LineDraft(LineKind.ITEM, item.description,
                                   f"{kind}: outside the tier{approval}", item.quantity,
                                   item.unit_price, round_money(item.quantity * item.unit_price),
                                   items=(item.pk,)))
    return lines


def _batch_lines(agreements: list[Agreement], data: _PeriodData, *,
                 lock: bool) -> dict[int, list[LineDraft] | ValidationError]:
    """Each agreement's lines (or the ValidationError refusing it), read in a few
    statements for the whole batch."""
    sessions = _session_rows([a.pk for a in agreements], data.period_start)
    items = _items(agreements, data, lock)
    out: dict[int, list[LineDraft] | ValidationError] = {}
    for agreement in agreements:
        months = cycle_months(agreement.billing_cycle)
        try:
            out[agreement.pk] = (
                _recurring_lines(agreement, data.period_start, months, data)
                + _session_lines(sessions.get(agreement.pk, []))
                + _item_lines(items.get(agreement.pk, []), months))
        except ValidationError as exc:
            out[agreement.pk] = exc
    return out


def _agreements(ids: list[int]) -> list[Agreement]:
    return list(Agreement.objects.select_related("client", "plan_version__plan",
                                                 "replaces__plan_version__plan")
                .filter(pk__in=ids).order_by("pk"))


def _agreement(agreement_id: int) -> Agreement:
    return _agreements([agreement_id])[0]


def invoice_preview(*, agreement: Agreement, period_start: dt.date) -> list[LineDraft]:
    """The lines `agreement` would be billed for `period_start`, with reasons; writes
    nothing. Empty when the agreement is not billed for that period."""
    period_validate(period_start)
    data = _period_data(period_start, client_id=agreement.client_id)
    if agreement.pk not in {r["id"] for r in data.rows}:
        return []
    data.with_items.add(agreement.pk)  # a preview always looks (nothing to save here)
    lines = _batch_lines([_agreement(agreement.pk)], data, lock=False)[agreement.pk]
    if isinstance(lines, ValidationError):
        raise lines
    return lines


# --- building ------------------------------------------------------------------------------

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
    _link(built, data.period_start)
    return [b.invoice for b in built]


_LINE_COLUMNS = ("invoice_id", "position", "kind", "description", "reason", "quantity",
                 "unit_price", "amount", "taxable")


def _copy_rows(table: str, columns: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """PostgreSQL: COPY `rows` into `table` with ids drawn from its own sequence first
    (COPY returns none; the sequence is what the ORM's INSERT would use); the ids, in
    order. Errors surface as Django's (IntegrityError for a duplicate invoice)."""
    with connection.wrap_database_errors, connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))"
                       " FROM generate_series(1, %s)", [table, len(rows)])
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


def _update_from(pairs: list[tuple], match: str, period_start: dt.date) -> int:
    """UPDATE the unbilled sessions matched to `pairs` (key columns..., line id) through a
    VALUES list (UPDATE ... FROM: PostgreSQL, SQLite >= 3.33); the rows updated."""
    if not pairs:
        return 0
    width = len(pairs[0])
    names = ", ".join(f"column{i}" for i in range(1, width + 1))
    done = 0
    per = _MAX_PARAMS // width
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per batch: a column array each, instead of hundreds of VALUES
            # statements of 900 parameters that the driver has to parse and quote.
            arrays = ", ".join(["%s::bigint[]"] * width)
            cursor.execute(
                f"UPDATE billing_worksession SET invoiced_line_id = v.column{width}"
                f" FROM unnest({arrays}) AS v({names}) WHERE {match} AND {_UNBILLED_SQL}",
                [list(column) for column in zip(*pairs, strict=True)]
                + _unbilled_params(period_start))
            return cursor.rowcount
        for at in range(0, len(pairs), per):
            chunk = pairs[at:at + per]
            values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            cursor.execute(
                f"UPDATE billing_worksession SET invoiced_line_id = v.column{width}"
                f" FROM (VALUES {values}) AS v WHERE {match} AND {_UNBILLED_SQL}",
                [x for pair in chunk for x in pair] + _unbilled_params(period_start))
            done += cursor.rowcount
    return done


def _link(built: list[_Built], period_start: dt.date) -> None:
    """Point sessions and items at their lines, only rows still unbilled: billable sessions
    by id, overage sessions by agreement and rate, a few statements for the whole batch. If
    the count differs from what was read, something changed meanwhile: _Changed."""
    by_id, by_rate, expected = [], [], 0
    for b in built:
        for d, line_id in zip(b.drafts, b.line_ids, strict=True):
            if d.sessions:
                by_id.append((d.sessions[0], line_id))
                expected += 1
            elif d.overage_count:
                cents = -1 if d.overage_rate is None else int(d.overage_rate * 100)
                by_rate.append((b.agreement.pk, cents, line_id))
                expected += d.overage_count
    done = _update_from(by_id, "billing_worksession.id = v.column1"
                               " AND classification = 'billable'", period_start)
    done += _update_from(by_rate, "billing_worksession.agreement_id = v.column1"
                                  " AND classification = 'overage'"
                                  " AND COALESCE(CAST(ROUND(rate * 100) AS BIGINT), -1)"
                                  " = v.column2", period_start)
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


def _build_one(agreement: Agreement, data: _PeriodData, run: InvoiceRun | None,
               errors: dict[int, ValidationError]) -> Invoice | None:
    for attempt in range(3):
        try:
            with transaction.atomic():
                _relax_commit()
                invoices = _store([agreement], data, run, errors)
                invoice = invoices[0] if invoices else None
                # A run's invoices are audited by the run (started/finished, and each invoice
                # names its run); a single build records its own event.
                if invoice is not None and run is None:
                    events.record(action="invoice.created", obj=invoice,
                                  message=f"{invoice.number} total {invoice.total}")
                return invoice
        except IntegrityError:
            if Invoice.objects.filter(agreement_id=agreement.pk, kind=InvoiceKind.INVOICE,
                                      period_start=data.period_start).exists():
                return None  # another run got there first
            raise
        except _Changed:
            if attempt == 2:
                raise
    return None


def _build_batch(agreements: list[Agreement], data: _PeriodData, run: InvoiceRun,
                 errors: dict[int, ValidationError]) -> None:
    """Invoice a batch of agreements in ONE transaction (numbers included). If anything in
    it fails — a session changed since it was read, another run invoiced one of them, a
    database error — all of it rolls back, numbers too, and the batch is built again one
    agreement per transaction, which isolates the culprit and re-raises what is not a
    refusal. So each invoice stays atomic with its number and links, numbers stay gapless,
    and a transaction costs once per batch instead of once per agreement."""
    if len(agreements) > 1:
        refused: dict[int, ValidationError] = {}
        try:
            with transaction.atomic():
                _relax_commit()
                _store(agreements, data, run, refused)
        except Exception:  # noqa: BLE001 — retried one by one, which raises it again
            pass
        else:
            errors.update(refused)
            return
    for agreement in agreements:
        _build_one(agreement, data, run, errors)


def invoice_build(*, agreement: Agreement, period_start: dt.date,
                  run: InvoiceRun | None = None) -> Invoice | None:
    """Invoice `agreement` for `period_start` in one transaction (number, lines, links).
    None when it is already invoiced for the period or has nothing to bill."""
    period_validate(period_start)
    data = _period_data(period_start, client_id=agreement.client_id)
    if agreement.pk not in {r["id"] for r in data.rows} or agreement.pk in data.invoiced:
        return None
    errors: dict[int, ValidationError] = {}
    invoice = _build_one(_agreement(agreement.pk), data, run, errors)
    if errors:
        raise errors[agreement.pk]
    return invoice


# --- runs ----------------------------------------------------------------------------------

def invoice_run_start(*, period_start: dt.date, by=None) -> InvoiceRun:
    """The period's running run, or a new one: one running run per period (the sequence
    row is the lock that makes two starts agree)."""
    period_validate(period_start)
    with transaction.atomic():
        seq, _ = InvoiceSequence.objects.get_or_create(prefix=settings.TIERDESK_INVOICE_PREFIX)
        InvoiceSequence.objects.select_for_update().get(pk=seq.pk)
        run = InvoiceRun.objects.filter(period_start=period_start,
                                        status=RunStatus.RUNNING).order_by("id").first()
        if run is None:
            run = InvoiceRun.objects.create(
                period_start=period_start, period_end=add_months(period_start, 1)
                - dt.timedelta(days=1), started_by=by if getattr(by, "pk", None) else None,
                started_at=timezone.now())
            events.record(action="invoice_run.started", obj=run, by=by)
        return run


def invoice_run(*, period_start: dt.date, by=None, run: InvoiceRun | None = None) -> InvoiceRun:
    """Invoice every agreement billed for `period_start`, each in its own transaction.
    Idempotent: a rerun, or a rerun after a crash, adds only what is missing."""
    run = run or invoice_run_start(period_start=period_start, by=by)
    data = _period_data(run.period_start, pending_only=True)
    todo = [r["id"] for r in data.rows if r["id"] not in data.invoiced]
    done = len(data.rows) - len(todo)
    InvoiceRun.objects.filter(pk=run.pk).update(agreements_total=len(data.rows),
                                                agreements_done=done)
    errors: dict[int, ValidationError] = {}
    try:
        # Agreements are read a chunk at a time (their terms do not change once signed) and
        # invoiced a batch per transaction (_build_batch).
        for offset in range(0, len(todo), PROGRESS_EVERY):
            chunk = _agreements(todo[offset:offset + PROGRESS_EVERY])
            for at in range(0, len(chunk), BATCH):
                _build_batch(chunk[at:at + BATCH], data, run, errors)
            InvoiceRun.objects.filter(pk=run.pk).update(
                agreements_done=done + min(offset + PROGRESS_EVERY, len(todo)))
    except Exception as exc:
        InvoiceRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now())
        raise
    InvoiceRun.objects.filter(pk=run.pk).update(
        agreements_done=len(data.rows), finished_at=timezone.now(),
        status=RunStatus.FAILED if errors else RunStatus.COMPLETE,
        error="\n".join(f"agreement #{pk}: {'; '.join(exc.messages)}"
                        for pk, exc in sorted(errors.items())),
        invoices_created=Invoice.objects.filter(run=run).count())
    run.refresh_from_db()
    events.record(action=f"invoice_run.{run.status}", obj=run, by=by,
                  message=f"{run.invoices_created} invoice(s); {run.error}"[:500])
    return run
