"""The allowance ledger: help-desk sessions included and used per agreement and month.

A billing period is the calendar month, in the client's time zone, that contains the
moment; `period_start` is its first day (the invoice engineer anchors the fee proration at
the agreement's start; the allowance is a whole month's). Rows are created on first use with
the plan version's allowance as a snapshot, and only `session_classify` changes
`sessions_used`, holding the row FOR UPDATE.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q

from tierdesk.billing.models import AllowanceLedger
from tierdesk.clients.models import Agreement, AgreementStatus


def period_bounds(on: date) -> tuple[date, date]:
    """First and last day of the calendar month containing `on`."""
    last = calendar.monthrange(on.year, on.month)[1]
    return on.replace(day=1), on.replace(day=last)


def period_start_for(client, at: datetime) -> date:
    """The first day of the month, in the client's zone, that contains the instant `at`."""
    return at.astimezone(ZoneInfo(client.timezone)).date().replace(day=1)


#: Agreements whose terms can apply to work: ended ones still govern their own dates.
_IN_FORCE = (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED, AgreementStatus.ENDED)


def agreement_in_effect(*, client, ticket=None, on: datetime,
                        work_order=None) -> Agreement | None:
    """The agreement whose tier classifies work for `client` at the instant `on`: the one
    in force on that local date (latest start first), else the ticket's (or the
    maintenance work order's) own agreement."""
    day = on.astimezone(ZoneInfo(client.timezone)).date()
    agreement = (Agreement.objects.filter(client=client, status__in=_IN_FORCE,
                                          start_date__lte=day)
                 .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
                 .select_related("plan_version__plan", "client")
                 .order_by("-start_date", "-pk").first())
    if agreement is None and ticket is not None and ticket.agreement_id:
        agreement = ticket.agreement
    if agreement is None and work_order is not None:
        agreement = work_order.agreement
    return agreement


def ledger_for(*, agreement: Agreement, on: date) -> AllowanceLedger:
    """The ledger row of `agreement` for the month containing `on` (created on first use,
    with the plan version's allowance as a snapshot)."""
    start, end = period_bounds(on)
    version = agreement.plan_version
    try:
        with transaction.atomic():
            ledger, _ = AllowanceLedger.objects.get_or_create(
                agreement=agreement, period_start=start,
                defaults={"period_end": end, "sessions_included": version.helpdesk_sessions,
                          "session_minutes": version.helpdesk_session_minutes})
    except IntegrityError:
        # Two first sessions of the month at once: the other transaction created it.
        ledger = AllowanceLedger.objects.get(agreement=agreement, period_start=start)
    return ledger


def ledger_lock(*, agreement_id: int, period_start: date, agreement=None) -> AllowanceLedger:
    """The ledger row, created if missing, re-read FOR UPDATE: call inside a transaction."""
    if agreement is None or agreement.pk != agreement_id:
        agreement = Agreement.objects.select_related("plan_version").get(pk=agreement_id)
    ledger_for(agreement=agreement, on=period_start)
    return AllowanceLedger.objects.select_for_update().get(agreement_id=agreement_id,
                                                           period_start=period_start)


def agreements_lock(*, ids) -> None:
    """Lock the rows of the agreements `ids` (FOR NO KEY UPDATE, in id order; call inside a
    transaction). Whoever classifies a session into a period, or invoices an agreement
    (and so closes its earlier periods), holds its agreement's row first: no session is
    classified into a period while an invoice closes it, so the invoice run may read only
    open periods. Take it before locking a session row (the run locks agreements, then
    links sessions). FOR NO KEY UPDATE leaves the foreign-key checks of new sessions
    alone. A no-op on SQLite, whose writers are serialised anyway."""
    ids = sorted({pk for pk in ids if pk is not None})
    if ids:
        list(Agreement.objects.select_for_update(no_key=True).filter(pk__in=ids)
             .order_by("pk").values_list("pk", flat=True))
