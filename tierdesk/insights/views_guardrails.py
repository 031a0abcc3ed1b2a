"""The guardrail fragments other apps' pages load by htmx (a template include of the URL,
no Python import across the layers): the warning before covered-but-costly work (the
ticket page, the work-order page), the dispatcher's list of such work waiting, and the
renewal price on the agreement page. Empty when there is nothing to warn about."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render

from tierdesk.clients.access import agreement_for_staff, client_for_staff, site_for_staff
from tierdesk.core import clock
from tierdesk.core.permissions import ALL_STAFF, staff_view
from tierdesk.desk.models import Ticket
from tierdesk.desk.models.tickets import OPEN_QUEUE
from tierdesk.insights.guardrails import (
    WORK_LABELS,
    WorkAsked,
    renewal_proposal,
    work_warning,
    work_warnings,
)
from tierdesk.insights.profit_access import MARGIN_READERS
from tierdesk.insights.profitability import msp_today
from tierdesk.maintenance.models import WorkOrder, WorkOrderStatus

DISPATCH_LIMIT = 20


def _int_or_none(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@staff_view(*ALL_STAFF)
def guardrail_client(request, client_id: int):
    """?work=onsite|helpdesk|break_fix|maintenance [&site=<id>] [&minutes=<n>] [&visit=1]:
    the warning banner when the client is under its floor and the tier covers the work."""
    client = client_for_staff(request.user, client_id)
    site_id = _int_or_none(request.GET.get("site"))
    site = site_for_staff(request.user, client.pk, site_id) if site_id else None
    minutes = _int_or_none(request.GET.get("minutes"))
    visit = request.GET.get("visit")
    warning = work_warning(client=client, work=request.GET.get("work", ""), site=site,
                           minutes=minutes if minutes and minutes > 0 else None,
                           visit=None if visit is None else visit == "1")
    return render(request, "insights/profit_guardrail.html", {"warning": warning})


@staff_view(*ALL_STAFF)
def guardrail_dispatch(request):
    """Open on-site tickets and this week's on-site work orders of clients under their
    floor, each with what it will cost."""
    now = clock.now()
    today = msp_today()
    tickets = list(Ticket.objects.filter(OPEN_QUEUE, needs_onsite=True,
                                         onsite_arrived_at__isnull=True)
                   .select_related("client", "site").order_by("urgency_due_at", "id")[:200])
    orders = list(WorkOrder.objects.filter(
        status=WorkOrderStatus.SCHEDULED, delivery="onsite", due_on__gte=today,
        due_on__lte=today + dt.timedelta(days=7)).select_related("client", "site")
        .order_by("due_on", "id")[:200])
    asked = ([WorkAsked(t.client, "onsite", t.site) for t in tickets]
             + [WorkAsked(o.client, "maintenance", o.site, o.estimated_minutes, True)
                for o in orders])
    warnings = work_warnings(asked)
    items = [{"warning": warning, "ticket": ticket}
             for ticket, warning in zip(tickets, warnings[:len(tickets)], strict=True)
             if warning is not None]
    items += [{"warning": warning, "order": order}
              for order, warning in zip(orders, warnings[len(tickets):], strict=True)
              if warning is not None]
    return render(request, "insights/profit_dispatch.html",
                  {"items": items[:DISPATCH_LIMIT], "total": len(items), "now": now})


@staff_view(*MARGIN_READERS)
def guardrail_renewal(request, agreement_id: int):
    """The fee that brings the client's trailing margin to its tier's floor."""
    agreement = agreement_for_staff(request.user, agreement_id)
    return render(request, "insights/profit_renewal.html",
                  {"proposal": renewal_proposal(agreement), "agreement": agreement,
                   "labels": WORK_LABELS})
