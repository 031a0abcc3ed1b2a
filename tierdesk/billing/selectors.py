"""Reads of billing. Sessions/ledger/approvals: functions prefixed session_, ledger_,
approval_ (the invoice reads, prefixed invoice_, may be appended by their owner)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from tierdesk.billing.ledger import agreement_in_effect, period_start_for
from tierdesk.billing.models import (
    AllowanceLedger,
    ApprovalRequest,
    ApprovalState,
    Invoice,
    InvoiceKind,
    WorkSession,
)
from tierdesk.core import clock


def _with_closed_period(sessions: QuerySet[WorkSession]) -> QuerySet[WorkSession]:
    """Annotate `in_closed_period`: the session's billing period is invoiced (closed), so
    an edit of it is a correction (billing/corrections.py)."""
    return sessions.annotate(in_closed_period=Exists(Invoice.objects.filter(
        agreement_id=OuterRef("agreement_id"), kind=InvoiceKind.INVOICE,
        period_start__gt=OuterRef("period_start"))))


def session_list_for_ticket(ticket) -> QuerySet[WorkSession]:
    return _with_closed_period(WorkSession.objects.filter(ticket=ticket)
                               .select_related("technician", "service")
                               .order_by("-started_at"))


def session_list_for_work_order(work_order) -> QuerySet[WorkSession]:
    return (WorkSession.objects.filter(work_order=work_order)
            .select_related("technician", "service").order_by("-started_at"))


def session_running(*, technician, ticket=None, work_order=None) -> WorkSession | None:
    """The technician's running timer (on `ticket` or `work_order` when given)."""
    qs = WorkSession.objects.filter(technician=technician, ended_at__isnull=True)
    if ticket is not None:
        qs = qs.filter(ticket=ticket)
    if work_order is not None:
        qs = qs.filter(work_order=work_order)
    return qs.first()


@dataclass(frozen=True)
class AllowanceSummary:
    tier: str
    included: int | None
    used: int
    session_minutes: int

    @property
    def left(self) -> int | None:
        return None if self.included is None else max(0, self.included - self.used)

    @property
    def text(self) -> str:
        if self.included is None:
            return f"Unlimited help desk on {self.tier}"
        noun = "session" if self.included == 1 else "sessions"
        return (f"{self.left} of {self.included} remote {noun} left this month "
                f"({self.session_minutes} min each)")


def ledger_summary(*, client, at=None) -> AllowanceSummary | None:
    """This month's help-desk allowance of `client` (None without an agreement). Reads the
    ledger row without creating it: a month with no sessions yet has all of it left."""
    at = at or clock.now()
    agreement = agreement_in_effect(client=client, on=at)
    if agreement is None:
        return None
    version = agreement.plan_version
    ledger = AllowanceLedger.objects.filter(
        agreement=agreement, period_start=period_start_for(client, at)).first()
    if ledger is not None:
        return AllowanceSummary(version.plan.name, ledger.sessions_included,
                                ledger.sessions_used, ledger.session_minutes)
    return AllowanceSummary(version.plan.name, version.helpdesk_sessions, 0,
                            version.helpdesk_session_minutes)


def approval_list_for_ticket(ticket) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(ticket=ticket).select_related("decided_by")


def approval_pending_for_client(client) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(client=client, state=ApprovalState.PENDING)
