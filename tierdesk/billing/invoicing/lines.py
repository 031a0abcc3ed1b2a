"""What an invoice bills: the line drafts (recurring fee, proration, overage and billable
sessions, items), their totals, and the preview (rules: billing/invoicing/__init__.py)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from tierdesk.billing.invoicing.periods import (
    _item_filter,
    _period_data,
    _PeriodData,
    _service_end,
    period_validate,
)
from tierdesk.billing.models import (
    ApprovalState,
    BillableItem,
    Classification,
    InvoiceLine,
    ItemKind,
    LineKind,
    SessionMode,
    SessionWorkType,
)
from tierdesk.billing.proration import add_months, covered_days, cycle_months, prorate
from tierdesk.clients.models import Agreement
from tierdesk.core.money import ZERO, round_money

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
# {day} is the day a billable session started, in the current time zone: on PostgreSQL a
# date computed there (parsing 100,000 timestamps cost ~0.5 s a run), on SQLite the UTC
# text, converted in _session_lines.
_SESSIONS_SQL = """
SELECT agreement_id, classification, MIN(CAST(ROUND(rate * 100) AS BIGINT)), COUNT(*),
       SUM(overage_units), SUM(CAST(ROUND(amount * 100) AS BIGINT)), MIN(reason), MIN(id),
       {day}, MIN(billable_minutes), MIN(work_type), MIN(mode)
FROM billing_worksession
WHERE agreement_id IN ({ids}) AND {unbilled}
GROUP BY agreement_id, classification, rate, CASE WHEN classification = 'billable' THEN id END
ORDER BY agreement_id, classification DESC, MIN(started_at), MIN(id)
"""
# What the run bills in arrears, for the raw statements (read and link): the finished,
# not yet invoiced overage/billable sessions of the periods [%s, %s) — an agreement's
# open periods (_PeriodData.arrears_from). The partial index billing_ws_chargeable
# serves it; invoiced_line is checked on the row (see the index's comment).
_UNBILLED_SQL = ("period_start >= %s AND period_start < %s"
                 " AND classification IN ('overage', 'billable')"
                 " AND invoiced_line_id IS NULL AND ended_at IS NOT NULL")
_WORK_TYPES = dict(SessionWorkType.choices)
_MODES = dict(SessionMode.choices)
_MAX_PARAMS = 900  # below SQLite's oldest limit of 999 bound parameters per statement


def _cents(value) -> Decimal:
    return Decimal(int(value)).scaleb(-2) if value is not None else ZERO


def _unbilled_params(since: dt.date, period_start: dt.date) -> list[str]:
    return [since.isoformat(), period_start.isoformat()]


def _session_rows(ids: list[int], data: _PeriodData) -> dict[int, list[tuple]]:
    """The unbilled overage/billable rows of the agreements `ids` in their open periods,
    per agreement: one statement per first open period (a batch has one or two)."""
    groups: dict[dt.date, list[int]] = {}
    for pk in ids:
        since = data.arrears_from(pk)
        if since is not None:
            groups.setdefault(since, []).append(pk)
    per: dict[int, list[tuple]] = {}
    day, zone = "MIN(started_at)", []
    if connection.vendor == "postgresql":
        day, zone = "CAST(MIN(started_at) AT TIME ZONE %s AS DATE)", [
            timezone.get_current_timezone_name()]
    with connection.cursor() as cursor:
        for since, members in sorted(groups.items()):
            for at in range(0, len(members), _MAX_PARAMS):
                chunk = members[at:at + _MAX_PARAMS]
                cursor.execute(_SESSIONS_SQL.format(ids=", ".join(["%s"] * len(chunk)),
                                                    unbilled=_UNBILLED_SQL, day=day),
                               [*zone, *chunk, *_unbilled_params(since, data.period_start)])
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
        day = started  # the local date (PostgreSQL), else the UTC start (see _SESSIONS_SQL)
        if isinstance(day, str):  # SQLite returns the aggregate as text
            day = dt.datetime.fromisoformat(day)
        if isinstance(day, dt.datetime):
            day = (day if day.tzinfo else day.replace(tzinfo=dt.UTC)).astimezone(zone).date()
        hours = (Decimal(minutes) / 60).quantize(QUANTITY_PLACES)
        lines.append(LineDraft(
            LineKind.LABOUR, f"{_WORK_TYPES.get(work, work)} ({_MODES.get(mode, mode).lower()}),"
                             f" {_fmt(day)}, {minutes} min",
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
    sessions = _session_rows([a.pk for a in agreements], data)
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


_RELATED = ("client", "plan_version__plan", "replaces__plan_version__plan")
# What invoicing reads of an agreement (lines.py, writing.py): a run loads 10,000 of them,
# and the other columns (time stamps, JSON settings) cost ~1 s of parsing a run. Reading a
# deferred field would cost a query per agreement: test_invoice_runs pins the count.
_RUN_FIELDS = ("client_id", "plan_version_id", "replaces_id", "status", "start_date",
               "end_date", "ended_at", "billing_cycle", "base_fee", "price_per_user",
               "price_per_device", "users_count", "devices_count", "override_reason",
               "client__tax_rate_percent", "plan_version__base_fee",
               "plan_version__price_per_user", "plan_version__price_per_device",
               "plan_version__plan__name", "replaces__plan_version__plan__name")


def _agreements(ids: list[int]) -> list[Agreement]:
    """The agreements of a run's batch, with only what invoicing reads."""
    return list(Agreement.objects.select_related(*_RELATED).only(*_RUN_FIELDS)
                .filter(pk__in=ids).order_by("pk"))


def _agreement(agreement_id: int) -> Agreement:
    """One agreement, whole (its invoice is handed back to the caller)."""
    return Agreement.objects.select_related(*_RELATED).get(pk=agreement_id)


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

