"""Reads of insights: the value-report snapshots of a month (computed, not stored), report
lists and who receives a report."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet

from tierdesk.clients.models import Client, Contact
from tierdesk.insights.models import ValueReport
from tierdesk.insights.next_tier import next_tier_figures
from tierdesk.insights.value_figures import (
    billing_figures,
    empty_billing,
    empty_maintenance,
    empty_tickets,
    maintenance_figures,
    month_clients,
    ticket_figures,
    time_figures,
)

#: Bumped when the snapshot's shape changes; templates read older shapes as they were.
SNAPSHOT_SCHEMA = 1


def value_report_figures(*, month: dt.date, client_ids=None) -> dict[int, dict]:
    """The snapshot of every client of `month` (see value_figures.py for what each figure
    means), as JSON-safe dicts keyed by client id. A fixed number of queries whatever the
    number of clients (the ticket figures: a few per time zone)."""
    clients = month_clients(month, client_ids)
    if not clients:
        return {}
    maintenance = maintenance_figures(month, client_ids)
    tickets = ticket_figures(month, clients, client_ids)
    time = time_figures(month, clients, client_ids)
    billing = billing_figures(month, client_ids)
    next_tier = next_tier_figures(month, clients, client_ids)
    snapshots = {}
    for client_id, client in clients.items():
        ticket_part = tickets.get(client_id) or empty_tickets()
        snapshots[client_id] = {
            "schema": SNAPSHOT_SCHEMA,
            "month": month.isoformat(),
            "client": {"id": client_id, "name": client.name, "timezone": client.timezone},
            "tier": {"name": client.plan_name, "version": client.version_number,
                     "rank": client.plan_rank},
            "agreements": client.agreement_ids,
            "currency": settings.CURRENCY,
            "fee": str(client.fee),
            "maintenance": maintenance.get(client_id) or empty_maintenance(),
            "tickets": ticket_part["tickets"],
            "alerts": ticket_part["alerts"],
            "sla": ticket_part["sla"],
            "time": time[client_id],
            "billing": billing.get(client_id) or empty_billing(),
            "next_tier": next_tier.get(client_id),
        }
    return snapshots


def value_reports_of_month(month: dt.date) -> QuerySet[ValueReport]:
    return ValueReport.objects.filter(month=month).select_related("client")


def value_report_recipients(client: Client) -> list[str]:
    """Where the report goes: the client's billing e-mail and every portal contact's
    address (active portal users), each once, in a stable order."""
    addresses = [client.billing_email] if client.billing_email else []
    addresses += list(Contact.objects.filter(client=client, user__isnull=False,
                                             user__is_active=True)
                      .exclude(email="").order_by("email").values_list("email", flat=True))
    seen, result = set(), []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result
