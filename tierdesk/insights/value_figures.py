"""The figures of the monthly value report, for every client of a month at once.

Each figure is a grouped aggregate over all the month's clients — one query per figure (the
ticket figures one per client time zone, since a month starts at each client's local
midnight) — never a query per client, so 10,000 clients take a few dozen queries. The
results are plain, JSON-safe dicts keyed by client id; `value_reports_generate` stores them
as each report's snapshot.

Definitions (the report's small print says the same):

* **Clients of the month**: every client with an agreement in force (active, suspended or
  ended) on at least one day of the month. The tier shown is the one in force at the end
  of the client's month (the latest start); the fee is every agreement's monthly fee
  prorated by the days it covered, summed, rounded once.
* **Maintenance**: work orders due in the month (`due_on`, the client's business day), by
  kind and status; checklist items ticked out of all items; the most frequent tasks done.
* **Alerts handled**: monitoring-alert tickets opened in the month, the alerts folded into
  them (`alert_count` counts every alert, the first included), and those auto-resolved when
  the monitoring tool reported the problem gone (a status change to resolved with no
  staff author).
* **Tickets and SLA**: tickets opened and resolved in the client's month; SLA attainment
  per target of the tickets opened, with the desk report's rule (desk/reports.py): a step
  counts once decided, met = decided and not breached.
* **Time against the fee**: finished work sessions of the month (`period_start`, the
  client's month) by classification, internal work left out. The effective hourly value is
  the fee divided by the hours the fee covered (included and allowance time).
* **What was billed and why**: the month's invoice (period starting on the 1st, issued or
  paid — drafts are the MSP's work in progress) with each line's reason, and the month's
  overage and billable sessions grouped by their reason, each marked invoiced or not yet.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import BigIntegerField, Count, IntegerField, Q, Sum
from django.db.models.expressions import RawSQL

from tierdesk.billing.models import (
    Classification,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    WorkSession,
)
from tierdesk.clients.models import Agreement, AgreementStatus
from tierdesk.core.money import ZERO, round_money
from tierdesk.desk.clocks import TARGET_LABELS
from tierdesk.desk.models import EntryKind, Ticket, TicketEntry, TicketType
from tierdesk.desk.reports import FR_DECIDED, RES_DECIDED
from tierdesk.maintenance.models import WorkOrder, WorkOrderKind, WorkOrderStatus

#: The on-site step, decided as desk/reports.py decides the other two.
ONSITE_DECIDED = Q(onsite_due_at__isnull=False) & (
    Q(onsite_arrived_at__isnull=False) | Q(onsite_breached=True))
SLA_STEPS = (
    ("first_response", FR_DECIDED, "first_response_breached"),
    ("onsite", ONSITE_DECIDED, "onsite_breached"),
    ("resolution", RES_DECIDED, "resolution_breached"),
)
IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED, AgreementStatus.ENDED)
#: Client-visible invoice states (drafts are not shown to clients).
SHOWN_INVOICES = (InvoiceStatus.ISSUED, InvoiceStatus.PAID)
CLIENT_WORK = (Classification.INCLUDED, Classification.ALLOWANCE, Classification.OVERAGE,
               Classification.BILLABLE)
TOP_TASKS = 5


def money(value) -> str:
    """A Decimal as the snapshot stores it: a string rounded to cents."""
    return str(round_money(value if value is not None else ZERO))


def month_last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_bounds(month: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of `month` in the time zone `zone`, as aware datetimes."""
    tz = ZoneInfo(zone)
    nxt = next_month(month)
    return (dt.datetime(month.year, month.month, 1, tzinfo=tz),
            dt.datetime(nxt.year, nxt.month, 1, tzinfo=tz))


@dataclass
class ClientMonth:
    """One client of the month: who, in which zone, on which tier, for what fee."""

    client_id: int
    name: str
    timezone: str
    segment_id: int
    billing_email: str
    agreement_id: int
    plan_id: int
    plan_name: str
    plan_rank: int
    version_number: int
    users_count: int
    devices_count: int
    monthly_fee: Decimal
    fee: Decimal = ZERO
    agreement_ids: list[int] = field(default_factory=list)


def _covered_days(row: dict, month: dt.date, zone: str) -> int:
    last_covered = row["end_date"]
    if last_covered is None and row["status"] == AgreementStatus.ENDED:
        # An ended agreement without an end date ended on the day it was ended.
        last_covered = (row["ended_at"].astimezone(ZoneInfo(zone)).date()
                        if row["ended_at"] else row["start_date"])
    first = max(row["start_date"], month)
    last = min(last_covered or month_last_day(month), month_last_day(month))
    return max(0, (last - first).days + 1)


def month_clients(month: dt.date, client_ids=None) -> dict[int, ClientMonth]:
    """Every client with an agreement in force on a day of `month` (one query)."""
    last = month_last_day(month)
    rows = (Agreement.objects.filter(status__in=IN_FORCE, start_date__lte=last)
            .filter(Q(end_date__gte=month) | Q(end_date__isnull=True))
            .order_by("client_id", "start_date", "id")
            .values("id", "client_id", "client__name", "client__timezone",
                    "client__segment_id", "client__billing_email", "status", "start_date",
                    "end_date", "ended_at", "users_count", "devices_count", "base_fee",
                    "price_per_user", "price_per_device", "plan_version__plan_id",
                    "plan_version__plan__name", "plan_version__plan__rank",
                    "plan_version__number"))
    if client_ids is not None:
        rows = rows.filter(client_id__in=list(client_ids))
    days_in_month = last.day
    result: dict[int, ClientMonth] = {}
    fees: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        zone = row["client__timezone"]
        days = _covered_days(row, month, zone)
        if days <= 0:
            continue
        monthly = (row["base_fee"] + row["price_per_user"] * row["users_count"]
                   + row["price_per_device"] * row["devices_count"])
        fees[row["client_id"]] += monthly * days / days_in_month
        # Rows come by start date: the last one seen is the one in force at month end.
        previous = result.get(row["client_id"])
        result[row["client_id"]] = ClientMonth(
            client_id=row["client_id"], name=row["client__name"], timezone=zone,
            segment_id=row["client__segment_id"],
            billing_email=row["client__billing_email"], agreement_id=row["id"],
            plan_id=row["plan_version__plan_id"], plan_name=row["plan_version__plan__name"],
            plan_rank=row["plan_version__plan__rank"],
            version_number=row["plan_version__number"], users_count=row["users_count"],
            devices_count=row["devices_count"], monthly_fee=monthly,
            agreement_ids=(previous.agreement_ids if previous else []) + [row["id"]])
    for client_id, month_client in result.items():
        month_client.fee = round_money(fees[client_id])
    return result


def _scoped(queryset, client_ids):
    """Limit a query to the given clients (all clients when None: rows of clients outside
    the month are then dropped by the caller, which is cheaper than a 10,000-id IN)."""
    if client_ids is not None:
        return queryset.filter(client_id__in=list(client_ids))
    return queryset


# Maintenance -------------------------------------------------------------------------------


def maintenance_figures(month: dt.date, client_ids=None) -> dict[int, dict]:
    """Work orders due in the month by kind and status, checklist items, top tasks."""
    base = _scoped(WorkOrder.objects.filter(due_on__gte=month, due_on__lte=month_last_day(month)),
                   client_ids)
    rows = (base.values("client_id", "kind", "status")
            .annotate(n=Count("id"), items=Sum("items_total"), ticked=Sum("items_done"))
            .order_by())
    result: dict[int, dict] = {}
    for row in rows:
        figures = result.setdefault(row["client_id"], empty_maintenance())
        kind = figures["by_kind"].setdefault(
            row["kind"], {"label": _kind_label(row["kind"]), "done": 0, "missed": 0,
                          "scheduled": 0, "cancelled": 0, "total": 0})
        kind[row["status"]] = kind.get(row["status"], 0) + row["n"]
        if row["status"] != WorkOrderStatus.CANCELLED:
            kind["total"] += row["n"]
            figures["total"] += row["n"]
        if row["status"] in (WorkOrderStatus.DONE, WorkOrderStatus.MISSED):
            figures[row["status"]] += row["n"]
        figures["items_total"] += int(row["items"] or 0)
        figures["items_ticked"] += int(row["ticked"] or 0)
    tops = (base.filter(status=WorkOrderStatus.DONE).exclude(kind=WorkOrderKind.DAILY)
            .values("client_id", "title").annotate(n=Count("id")).order_by())
    by_client: dict[int, list] = defaultdict(list)
    for row in tops:
        by_client[row["client_id"]].append((-row["n"], row["title"]))
    for client_id, tasks in by_client.items():
        figures = result.setdefault(client_id, empty_maintenance())
        figures["top_tasks"] = [{"title": title, "count": -n}
                                for n, title in sorted(tasks)[:TOP_TASKS]]
    return result


def _kind_label(kind: str) -> str:
    try:
        return WorkOrderKind(kind).label
    except ValueError:
        return kind


def empty_maintenance() -> dict:
    return {"by_kind": {}, "done": 0, "missed": 0, "total": 0, "items_ticked": 0,
            "items_total": 0, "top_tasks": []}


# Tickets, SLA and alerts -------------------------------------------------------------------


def _pct(met: int, n: int) -> float | None:
    return round(100 * met / n, 1) if n else None


def ticket_figures(month: dt.date, clients: dict[int, ClientMonth],
                   client_ids=None) -> dict[int, dict]:
    """Tickets opened and resolved, SLA attainment per target, alerts handled — per client,
    in the client's own month: one set of grouped queries per time zone."""
    zones = sorted({c.timezone for c in clients.values()})
    result: dict[int, dict] = {}
    monitoring = Q(type=TicketType.MONITORING_ALERT)
    for zone in zones:
        start, end = month_bounds(month, zone)
        in_zone = _scoped(Ticket.objects.filter(client__timezone=zone), client_ids)
        counts = {}
        for step, decided, breached in SLA_STEPS:
            counts[f"{step}_n"] = Count("id", filter=decided)
            counts[f"{step}_met"] = Count("id", filter=decided & Q(**{breached: False}))
        opened = (in_zone.filter(opened_at__gte=start, opened_at__lt=end)
                  .values("client_id")
                  .annotate(opened=Count("id"), alert_tickets=Count("id", filter=monitoring),
                            alerts=Sum("alert_count", filter=monitoring), **counts)
                  .order_by())
        for row in opened:
            figures = result.setdefault(row["client_id"], empty_tickets())
            figures["tickets"]["opened"] = row["opened"]
            figures["alerts"]["tickets"] = row["alert_tickets"]
            figures["alerts"]["alerts"] = row["alerts"] or 0
            figures["alerts"]["folded"] = max(0, (row["alerts"] or 0) - row["alert_tickets"])
            figures["sla"] = [
                {"target": step, "label": TARGET_LABELS[step], "decided": row[f"{step}_n"],
                 "met": row[f"{step}_met"], "pct": _pct(row[f"{step}_met"], row[f"{step}_n"])}
                for step, _, _ in SLA_STEPS]
        resolved = in_zone.filter(resolved_at__gte=start, resolved_at__lt=end)
        for row in resolved.values("client_id").annotate(n=Count("id")).order_by():
            result.setdefault(row["client_id"], empty_tickets())["tickets"]["resolved"] = row["n"]
        # Resolved by the monitoring tool itself: the status change has no staff author.
        auto = TicketEntry.objects.filter(
            kind=EntryKind.STATUS, author_user__isnull=True, data__to="resolved",
            created_at__gte=start, created_at__lt=end,
            ticket__type=TicketType.MONITORING_ALERT, ticket__client__timezone=zone)
        if client_ids is not None:
            auto = auto.filter(ticket__client_id__in=list(client_ids))
        for row in (auto.values("ticket__client_id")
                    .annotate(n=Count("ticket_id", distinct=True)).order_by()):
            figures = result.setdefault(row["ticket__client_id"], empty_tickets())
            figures["alerts"]["auto_resolved"] = row["n"]
    return result


def empty_tickets() -> dict:
    return {
        "tickets": {"opened": 0, "resolved": 0},
        "alerts": {"tickets": 0, "alerts": 0, "folded": 0, "auto_resolved": 0},
        "sla": [{"target": step, "label": TARGET_LABELS[step], "decided": 0, "met": 0,
                 "pct": None} for step, _, _ in SLA_STEPS],
    }


# Time and billing --------------------------------------------------------------------------

def _minutes_sql() -> str:
    """SQL for a finished session's whole minutes (as WorkSession.minutes: floor). In the
    database, not through Django's duration expression, which SQLite evaluates with a
    Python function per row."""
    table = f'"{WorkSession._meta.db_table}"'
    if connection.vendor == "postgresql":
        return (f"FLOOR(EXTRACT(EPOCH FROM ({table}.\"ended_at\" - {table}.\"started_at\"))"
                " / 60)::integer")
    return (f"CAST(ROUND((julianday({table}.\"ended_at\") - julianday({table}.\"started_at\"))"
            " * 86400) AS INTEGER) / 60")


def epoch_sql(column: str) -> RawSQL:
    """A work session's datetime column as integer seconds since the epoch (UTC)."""
    ref = f'"{WorkSession._meta.db_table}"."{column}"'
    if connection.vendor == "postgresql":
        return RawSQL(f"EXTRACT(EPOCH FROM {ref})::bigint", (), output_field=BigIntegerField())
    return RawSQL(f"CAST(strftime('%%s', {ref}) AS INTEGER)", (),
                  output_field=BigIntegerField())


def _sum_sql(sql: str) -> Sum:
    return Sum(RawSQL(sql, (), output_field=IntegerField()))


def _minutes(value) -> int:
    return int(value or 0)


def time_figures(month: dt.date, clients: dict[int, ClientMonth],
                 client_ids=None) -> dict[int, dict]:
    """Minutes and sessions of the month by classification, and the fee's hourly value."""
    rows = (_scoped(WorkSession.objects.filter(period_start=month, ended_at__isnull=False,
                                               classification__in=CLIENT_WORK), client_ids)
            .values("client_id", "classification")
            .annotate(n=Count("id"), duration=_sum_sql(_minutes_sql()), amount=Sum("amount"))
            .order_by())
    result: dict[int, dict] = {}
    for row in rows:
        figures = result.setdefault(row["client_id"], _empty_time())
        cls = row["classification"]
        figures["minutes"][cls] += _minutes(row["duration"])
        figures["sessions"][cls] += row["n"]
        figures["amounts"][cls] = money(Decimal(figures["amounts"][cls]) + (row["amount"] or 0))
    for client_id, month_client in clients.items():
        figures = result.setdefault(client_id, _empty_time())
        covered = figures["minutes"]["included"] + figures["minutes"]["allowance"]
        figures["covered_minutes"] = covered
        figures["total_minutes"] = sum(figures["minutes"].values())
        figures["effective_hourly"] = (money(month_client.fee * 60 / covered)
                                       if covered else None)
    return result


def _empty_time() -> dict:
    return {"minutes": {c: 0 for c in CLIENT_WORK}, "sessions": {c: 0 for c in CLIENT_WORK},
            "amounts": {c: "0.00" for c in CLIENT_WORK}, "covered_minutes": 0,
            "total_minutes": 0, "effective_hourly": None}


def billing_figures(month: dt.date, client_ids=None) -> dict[int, dict]:
    """The month's invoice with its lines and reasons, and the month's charged work grouped
    by reason (invoiced or not yet)."""
    result: dict[int, dict] = {}
    invoices = (_scoped(Invoice.objects.filter(kind=InvoiceKind.INVOICE, period_start=month,
                                               status__in=SHOWN_INVOICES), client_ids)
                .values("id", "client_id", "number", "status", "currency", "subtotal", "tax",
                        "total", "issued_at").order_by("client_id", "id"))
    by_id = {}
    for row in invoices:
        entry = {"number": row["number"], "status": row["status"],
                 "currency": row["currency"], "subtotal": money(row["subtotal"]),
                 "tax": money(row["tax"]), "total": money(row["total"]), "lines": []}
        by_id[row["id"]] = entry
        result.setdefault(row["client_id"], empty_billing())["invoices"].append(entry)
    if by_id:
        lines = (InvoiceLine.objects.filter(
                    invoice__kind=InvoiceKind.INVOICE, invoice__period_start=month,
                    invoice__status__in=SHOWN_INVOICES)
                 .order_by("invoice_id", "position")
                 .values_list("invoice_id", "kind", "description", "reason", "amount"))
        for invoice_id, kind, description, reason, amount in lines:
            if invoice_id in by_id:
                by_id[invoice_id]["lines"].append(
                    {"kind": kind, "description": description, "reason": reason,
                     "amount": money(amount)})
    charged = (_scoped(WorkSession.objects.filter(
                   period_start=month, ended_at__isnull=False,
                   classification__in=(Classification.OVERAGE, Classification.BILLABLE)),
                   client_ids)
               .values("client_id", "classification", "reason")
               .annotate(n=Count("id"), duration=_sum_sql(_minutes_sql()), amount=Sum("amount"),
                         invoiced=Count("id", filter=Q(invoiced_line__isnull=False)))
               .order_by("client_id", "-amount", "reason"))
    for row in charged:
        figures = result.setdefault(row["client_id"], empty_billing())
        figures["work"].append({
            "classification": row["classification"], "reason": row["reason"],
            "sessions": row["n"], "minutes": _minutes(row["duration"]),
            "amount": money(row["amount"]), "invoiced": row["invoiced"]})
        figures["work_total"] = money(Decimal(figures["work_total"]) + (row["amount"] or 0))
        if row["invoiced"] < row["n"]:
            figures["work_pending"] = True
    return result


def empty_billing() -> dict:
    return {"invoices": [], "work": [], "work_total": "0.00", "work_pending": False}
