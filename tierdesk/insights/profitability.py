"""Profitability of every agreement, client, tier and segment, by month and over the
trailing 90 days — computed in bulk: one grouped aggregate per source for all clients and
all periods at once (never a query per client), then summed in Python.

Definitions (the README's "Profitability and guardrails" says the same):

* **Revenue**, counted in the month the service was delivered:
  - *fees*: the recurring-fee and discount lines of the agreement's invoices (any status
    but void), spread evenly over the months of the invoice's billing period; proration
    lines — they reconcile the period before — in the month before the invoice's period;
    credit notes (of invoices not voided) as *adjustments* in their period's first month.
    A month no invoice covers yet (the current month, or one not billed) counts the fee
    the invoice run will bill: monthly fee × days covered / days in the month, and the
    row says the fee is *estimated*.
  - *overage* and *billable work*: the classified amounts of the month's sessions
    (`period_start`, the client's month). These are exactly what the invoice lines bill —
    an overage line is the sum of its sessions' amounts, a billable line one session's —
    so invoiced and not yet invoiced work count alike.
  - *items*: approved items (or needing no approval) — one-off items in the month they
    start, recurring add-ons every month they run — at quantity × unit price rounded once,
    as the invoice bills them; *adjustments* (corrections of invoiced work) likewise.
* **Cost**:
  - *labour*: finished sessions of client work (internal work left out) × the loaded
    hourly rate of the person who worked (costs.py); done work orders with no session
    logged count at their estimate, at the rate of whoever completed them (their travel
    is not known: log a session to count it).
  - *travel*: a session's travel minutes × the person's rate, plus *mileage*: travel
    minutes × the mileage cost per drive minute.
  - *tools*: devices × the tier's tool cost per device, prorated by days like the fee.
  - *outsourced*: what help-desk partners charged for the client's month — per-ticket fees
    and a share of the partner's monthly fee, as desk.outsourcing.outsourcing_fees splits
    them — and any charge recorded by hand (OutsourcedHelpdeskCost).
  - *items cost*: quantity × unit cost of the items sold.
* **margin** = revenue − cost (each rounded to cents once), **margin %** = margin /
  revenue, **effective hourly rate** = revenue / hours worked (sessions and session-less
  work orders).
* **Trailing 90 days**: the 90 days ending today in the MSP's time zone. Sessions started,
  items starting and work orders due in those days count; monthly amounts (fees, tools,
  outsourced fees, recurring items) count by the share of each month inside the window.

A client's items without an agreement, and its outsourced fees, go to the client's
agreement of that month (the one started last). Rates are integers of cents an hour, so
SQL sums of minutes × rate are exact integers on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from tierdesk.billing.invoicing.periods import BILLED_STATUSES
from tierdesk.billing.models import ItemKind
from tierdesk.clients.models import Agreement, AgreementStatus
from tierdesk.core import clock
from tierdesk.core.money import CENT
from tierdesk.insights import profit_sources as sources
from tierdesk.insights.costs import CostRates, cost_rates_load, tool_cost_per_device
from tierdesk.insights.profit_figures import D0, ONE, Figures, Period

LEVELS = ("agreement", "client", "tier", "segment")
ZERO_SESSIONS = (0,) * len(sources.SESSION_TOTALS)


@dataclass(slots=True)
class AgreementInfo:
    """What the rows need of one agreement (one query for all)."""

    pk: int
    client_id: int
    client_name: str
    segment_id: int
    segment_name: str
    plan_id: int
    plan_name: str
    plan_rank: int
    version_id: int
    version_number: int
    helpdesk_sessions: int | None
    users_count: int
    devices_count: int
    monthly_fee: Decimal
    start: dt.date
    last: dt.date | None  # the last covered day; None = open-ended
    end_date: dt.date | None
    status: str

    def covered(self, first: dt.date, last: dt.date) -> int:
        """Days of [first, last] this agreement covers."""
        if self.start <= first and (self.last is None or self.last >= last):
            return (last - first).days + 1
        lo = max(first, self.start)
        hi = last if self.last is None else min(last, self.last)
        return max(0, (hi - lo).days + 1)


@dataclass(slots=True)
class ProfitRow:
    """One line of a profitability table: a subject (agreement, client, tier, segment)
    in one period."""

    level: str
    key: int
    label: str
    period: Period
    figures: Figures
    client_id: int | None = None
    agreement_id: int | None = None
    plan_id: int | None = None
    plan_name: str = ""
    segment_id: int | None = None
    segment_name: str = ""
    monthly_fee: Decimal = D0
    users_count: int = 0
    devices_count: int = 0
    clients: int = 0


class Computation:
    """The figures of every agreement in every period, and their roll-ups."""

    def __init__(self, periods: list[Period], agreements: dict[int, AgreementInfo],
                 figures: dict[tuple[int, str], Figures], rates: CostRates):
        self.periods = periods
        self.agreements = agreements
        self.figures = figures
        self.rates = rates

    def rows(self, level: str = "client") -> list[ProfitRow]:
        """Rows of `level` for every period, in period order then label order. A row of a
        single agreement shares that agreement's Figures: read rows, do not change them."""
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}")
        with _no_cycle_collection():
            return self._rows(level)

    def _rows(self, level: str) -> list[ProfitRow]:
        agreements = self.agreements
        subjects = {pk: _subject(level, info) for pk, info in agreements.items()}
        by_key = {p.key: p for p in self.periods}
        order = {p.key: i for i, p in enumerate(self.periods)}
        keyed = []
        if level in ("agreement", "client"):
            # Most clients have one agreement: their rows are that agreement's, as they are.
            count: dict[int, int] = defaultdict(int)
            for info in agreements.values():
                count[info.client_id] += 1
            alone = {pk for pk, info in agreements.items()
                     if level == "agreement" or count[info.client_id] == 1}
        else:
            alone = set()
        groups: dict[tuple[str, int], list] = {}
        for slot_key, figures in self.figures.items():
            agreement_id, period_key = slot_key
            if agreement_id in alone:
                info = agreements[agreement_id]
                key, label, sort_label = subjects[agreement_id]
                keyed.append((order[period_key], sort_label, key, ProfitRow(
                    level, key, label, by_key[period_key], figures, info.client_id, info.pk,
                    info.plan_id, info.plan_name, info.segment_id, info.segment_name,
                    info.monthly_fee, info.users_count, info.devices_count, 1)))
                continue
            slot = (period_key, subjects[agreement_id][0])
            members = groups.get(slot)
            if members is None:
                groups[slot] = [(agreement_id, figures)]
            else:
                members.append((agreement_id, figures))
        for slot, members in groups.items():
            if len(members) == 1:
                figures = members[0][1]
                latest = agreements[members[0][0]]
            else:
                figures = Figures.total([m[1] for m in members])
                # A client's terms are those of its agreement started last (the current
                # one); a tier's or segment's name is any member's.
                latest = (max((agreements[m[0]] for m in members),
                              key=lambda info: (info.start, info.pk))
                          if level in ("agreement", "client") else agreements[members[0][0]])
            key, label, sort_label = subjects[latest.pk]
            period = by_key[slot[0]]
            clients = len({agreements[m[0]].client_id for m in members})
            if level in ("agreement", "client"):
                row = ProfitRow(level, key, label, period, figures, latest.client_id,
                                latest.pk, latest.plan_id, latest.plan_name, latest.segment_id,
                                latest.segment_name, latest.monthly_fee, latest.users_count,
                                latest.devices_count, clients)
            elif level == "tier":
                row = ProfitRow(level, key, label, period, figures, plan_id=key,
                                plan_name=label, clients=clients)
            else:
                row = ProfitRow(level, key, label, period, figures, segment_id=key,
                                segment_name=label, clients=clients)
            keyed.append((order[slot[0]], sort_label, key, row))
        # (period, label, id) is unique, so the sort never gets to compare two rows.
        keyed.sort()
        return [item[3] for item in keyed]


def _subject(level: str, info: AgreementInfo) -> tuple[int, str, str]:
    if level == "agreement":
        label = f"{info.client_name} · {info.plan_name} v{info.version_number}"
        return info.pk, label, label.lower()
    if level == "client":
        return info.client_id, info.client_name, info.client_name.lower()
    if level == "tier":
        return info.plan_id, info.plan_name, f"{info.plan_rank:05d}"
    return info.segment_id, info.segment_name, info.segment_name.lower()


# The computation -----------------------------------------------------------------------------

def compute(periods: list[Period], *, client_ids=None, rates: CostRates | None = None
            ) -> Computation:
    """Every agreement's figures in every period of `periods` (see the module docstring),
    for all clients or only `client_ids`. A fixed number of queries whatever the number of
    clients (a few more for each period that is not a calendar month)."""
    if not periods:
        raise ValueError("give at least one period")
    with _no_cycle_collection():
        return _compute(periods, None if client_ids is None else list(client_ids), rates)


@contextmanager
def _no_cycle_collection():
    """Pause Python's cyclic garbage collector: a year of 10,000 clients allocates a few
    hundred thousand small objects, none in a cycle, and the collector's passes over them
    cost a tenth of the run. Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _compute(periods: list[Period], client_ids, rates: CostRates | None) -> Computation:
    rates = rates or cost_rates_load()
    start = min(p.start for p in periods)
    end = max(p.end for p in periods)
    months = [p for p in periods if p.is_month]
    windows = [p for p in periods if not p.is_month]

    def work_reads():
        sessions: dict[tuple[int, str], tuple] = {}
        work: dict[tuple[int, str], tuple[int, int]] = {}
        if months:
            sessions.update(sources.session_totals(rates, client_ids, months=months))
            work.update(sources.work_order_totals(rates, client_ids, months=months))
        for window in windows:
            sessions.update(sources.session_totals(rates, client_ids, window=window))
            work.update(sources.work_order_totals(rates, client_ids, window=window))
        return sessions, work

    # The sessions' aggregate is the longest read: on PostgreSQL, outside a transaction
    # (a page, the benchmark), it runs on a second connection while this one reads the
    # rest, so the database works on both at once. The two reads then see the books a
    # moment apart, which a report can live with; inside a transaction (a service, the
    # tests) everything is read on the transaction's own connection, in turn.
    background = None
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="profitability")
        pending = background.submit(sources.on_own_connection, work_reads)
    try:
        with sources.reading():
            agreements = _agreements(start, end, client_ids)
            fees = sources.invoiced_fees(start, end, client_ids)
            items = sources.item_rows(start, end, client_ids)
            outsourced = sources.outsourced_rows(start, end, client_ids)
            per_device = tool_cost_per_device({a.version_id for a in agreements.values()})
            if background is None:
                sessions, work = work_reads()
        if background is not None:
            sessions, work = pending.result()
    finally:
        if background is not None:
            background.shutdown(wait=True)
    figures = _figures(periods, agreements, fees, sessions, work, per_device, rates)
    owner = _month_owners(agreements)

    def slot(agreement_id: int | None, period_key: str) -> Figures | None:
        if agreement_id not in agreements:
            return None
        found = figures.get((agreement_id, period_key))
        if found is None:
            found = figures[agreement_id, period_key] = Figures()
        return found

    _add_items(periods, items, slot, owner)
    _add_outsourced(periods, outsourced, slot, owner, agreements)
    return Computation(periods, agreements, figures, rates)


def _agreements(start: dt.date, end: dt.date, client_ids) -> dict[int, AgreementInfo]:
    rows = (Agreement.objects.filter(status__in=BILLED_STATUSES, start_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            .values_list("id", "client_id", "client__name", "client__segment_id",
                         "client__segment__name", "plan_version__plan_id",
                         "plan_version__plan__name", "plan_version__plan__rank",
                         "plan_version_id", "plan_version__number",
                         "plan_version__helpdesk_sessions", "users_count", "devices_count",
                         "base_fee", "price_per_user", "price_per_device", "start_date",
                         "end_date", "ended_at", "status"))
    if client_ids is not None:
        rows = rows.filter(client_id__in=client_ids)
    result = {}
    for (pk, client_id, client_name, segment_id, segment_name, plan_id, plan_name, rank,
         version_id, number, sessions, users, devices, base, per_user, per_device,
         start_date, end_date, ended_at, status) in rows:
        last = end_date
        if last is None and status == AgreementStatus.ENDED:
            # An ended agreement without an end date ended on the day it was ended.
            last = timezone.localdate(ended_at) if ended_at else start_date
        if last is not None and last < start:
            continue
        result[pk] = AgreementInfo(
            pk=pk, client_id=client_id, client_name=client_name, segment_id=segment_id,
            segment_name=segment_name, plan_id=plan_id, plan_name=plan_name,
            plan_rank=rank, version_id=version_id, version_number=number,
            helpdesk_sessions=sessions, users_count=users, devices_count=devices,
            monthly_fee=base + per_user * users + per_device * devices, start=start_date,
            last=last, end_date=end_date, status=status)
    return result


def _figures(periods, agreements, fees, sessions, work, per_device, rates
             ) -> dict[tuple[int, str], Figures]:
    """Each agreement's Figures in each period it was in force, was invoiced or worked:
    built once, from all sources together (the loop that runs 120,000 times a year for
    10,000 clients, so it does as little as it can)."""
    invoiced, prorated, credits = fees
    mileage = rates.mileage_per_minute
    parts = {p.key: [(m.month, m.first, m.last, m.days_in_month, m.share) for m in p.months]
             for p in periods}
    # Bound methods and "is there any" flags, looked up once rather than 100,000s of times.
    billed_of, sessions_of, work_of = invoiced.get, sessions.get, work.get
    prorated_of = prorated.get if prorated else None
    credits_of = credits.get if credits else None
    result: dict[tuple[int, str], Figures] = {}
    for info in agreements.values():
        pk, fee, start, end = info.pk, info.monthly_fee, info.start, info.last
        tool_rate = per_device.get(info.version_id, D0) * info.devices_count
        for period in periods:
            key = (pk, period.key)
            s = sessions_of(key)
            w = work_of(key)
            billed_total = estimated = adjustments = months_of_service = D0
            touched = False
            for month, first, last, days_in_month, share in parts[period.key]:
                mk = (pk, month)
                if start <= first and (end is None or end >= last):
                    days = (last - first).days + 1
                else:
                    days = info.covered(first, last)
                billed = billed_of(mk)
                extra = prorated_of(mk) if prorated_of else None
                credit = credits_of(mk) if credits_of else None
                if not days and billed is None and extra is None and credit is None:
                    continue
                touched = True
                covered = ONE if days == days_in_month else Decimal(days) / days_in_month
                months_of_service += covered
                if billed is not None:
                    billed_total += billed if share is ONE else billed * share
                elif days:
                    estimated += fee if covered is ONE else fee * covered
                if extra is not None:
                    billed_total += extra * share
                if credit is not None:
                    adjustments += credit * share
            if not touched and s is None and w is None:
                continue
            s = s or ZERO_SESSIONS
            wo_minutes, wo_cm = w or (0, 0)
            (n, minutes, labour_cm, travel_minutes, travel_cm, overage, billable, helpdesk,
             helpdesk_minutes, onsite, included_onsite, included_breakfix, after_hours) = s
            result[key] = Figures(
                billed_total + estimated, estimated, overage, billable, D0, adjustments,
                labour_cm + wo_cm, travel_cm, mileage * travel_minutes if travel_minutes
                else D0, tool_rate * months_of_service if tool_rate else D0, D0, D0,
                minutes + wo_minutes, travel_minutes, n, helpdesk, helpdesk_minutes, onsite,
                included_onsite, included_breakfix, after_hours, wo_minutes,
                months_of_service)
    return result


def _month_owners(agreements: dict[int, AgreementInfo]):
    """owner(client id, day) → the client's agreement covering that day's month that
    started last (where a client's items without an agreement and outsourced fees go)."""
    by_client: dict[int, list[AgreementInfo]] = defaultdict(list)
    for info in agreements.values():
        by_client[info.client_id].append(info)
    for infos in by_client.values():
        infos.sort(key=lambda i: (i.start, i.pk), reverse=True)

    def owner(client_id: int, day: dt.date) -> int | None:
        month = day.replace(day=1)
        last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(
            days=1)
        for info in by_client.get(client_id, ()):
            if info.covered(month, last):
                return info.pk
        return None

    return owner


def _add_items(periods, items, slot, owner) -> None:
    """One-off items in the month they start; recurring add-ons each month they run (by
    the share of the month inside a window), at quantity × price rounded once."""
    parts = {p.key: p.months for p in periods}
    for (client_id, agreement_id, kind, quantity, unit_price, unit_cost, recurring, starts_on,
         ends_on) in items:
        price = (quantity * unit_price).quantize(CENT, ROUND_HALF_UP)
        cost = ((quantity * unit_cost).quantize(CENT, ROUND_HALF_UP) if unit_cost is not None
                else D0)
        if not recurring:
            for period in periods:
                if period.start <= starts_on <= period.end:
                    _item_into(slot(agreement_id or owner(client_id, starts_on), period.key),
                               kind, price, cost)
            continue
        for period in periods:
            for part in parts[period.key]:
                if starts_on <= part.last and (ends_on is None or ends_on >= part.month):
                    _item_into(slot(agreement_id or owner(client_id, part.month), period.key),
                               kind, price * part.share, cost * part.share)


def _item_into(figures: Figures | None, kind: str, price: Decimal, cost: Decimal) -> None:
    if figures is None:
        return
    if kind == ItemKind.ADJUSTMENT:
        figures.adjustments += price
    else:
        figures.items += price
        figures.items_cost += cost


def _add_outsourced(periods, charges, slot, owner, agreements) -> None:
    """Partner charges of a month, by the share of the month inside each period."""
    parts = {p.key: p.months for p in periods}
    for client_id, agreement_id, month, amount in charges:
        if agreement_id not in agreements:
            agreement_id = owner(client_id, month)
        if agreement_id is None:
            continue
        for period in periods:
            for part in parts[period.key]:
                if part.month == month:
                    slot(agreement_id, period.key).outsourced += amount * part.share


# Entry points ------------------------------------------------------------------------------

def profitability_rows(period: Period, *, level: str = "client", client_ids=None,
                       plan_id: int | None = None, segment_id: int | None = None
                       ) -> list[ProfitRow]:
    """The rows of one period at `level`, optionally of one tier and/or segment."""
    rows = compute([period], client_ids=client_ids).rows(level)
    if plan_id is not None:
        rows = [r for r in rows if r.plan_id == plan_id]
    if segment_id is not None:
        rows = [r for r in rows if r.segment_id == segment_id]
    return rows


def msp_today() -> dt.date:
    """Today in the MSP's time zone (where the trailing window ends)."""
    return timezone.localtime(clock.now()).date()
