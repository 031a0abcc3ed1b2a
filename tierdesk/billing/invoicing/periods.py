"""Billing periods: which agreements a period bills, and what the run reads once for the
whole period (the rules are in the package docstring, billing/invoicing/__init__.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from tierdesk.billing.models import (
    ApprovalState,
    BillableItem,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
)
from tierdesk.billing.proration import add_months, covered_days, cycle_months, is_cycle_start
from tierdesk.clients.models import Agreement

BILLED_STATUSES = ("signed", "active", "suspended", "ended")
STRAGGLER_MONTHS = 12


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
    # agreement id → the first of its periods still open (None: none is), for agreements
    # with an invoice in the straggler window; the others are open from its start.
    open_from: dict[int, dt.date | None] = field(default_factory=dict)

    def arrears_from(self, agreement_id: int) -> dt.date | None:
        """The first period whose sessions `agreement_id` is billed in arrears (up to the
        period billed, exclusive), or None when every earlier period is closed."""
        return self.open_from.get(agreement_id,
                                  add_months(self.period_start, -STRAGGLER_MONTHS))


def _open_from(period_start: dt.date, scope: dict) -> dict[int, dt.date | None]:
    """Where each agreement's open periods start. A period is closed once an invoice of
    the agreement for a later period exists (classification.period_closed): that invoice
    billed its sessions, and a correction of one of them since is an adjustment item.
    So the run bills the sessions of the periods from the agreement's latest invoice
    before `period_start` on (none, if it has one after it already): the rows it reads
    are the ones it bills, however long the history (session_classify and _store lock
    the agreement row, so no session slips into a period while an invoice closes it)."""
    floor = add_months(period_start, -STRAGGLER_MONTHS)
    rows = (Invoice.objects.filter(kind=InvoiceKind.INVOICE, period_start__gte=floor,
                                   **scope)
            .exclude(period_start=period_start).values("agreement_id")
            .annotate(last=Max("period_start", filter=Q(period_start__lt=period_start)),
                      later=Count("id", filter=Q(period_start__gt=period_start)))
            .values_list("agreement_id", "last", "later"))
    return {agreement_id: None if later else last for agreement_id, last, later in rows}


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
    data.open_from = _open_from(period_start, scope)
    return data

