"""The only way to fetch a work session, ledger or approval for a user.

Staff see every session; a technician may change only their own sessions (owners and
dispatchers anyone's). A contact sees only its own client's ledgers and approvals, and its
own client's invoices once issued (drafts are the MSP's work in progress).
Anything else is Http404, so an outsider cannot learn that an id exists.
"""

from django.db.models import QuerySet
from django.http import Http404

from tierdesk.billing.models import (
    AllowanceLedger,
    ApprovalRequest,
    Invoice,
    InvoiceRun,
    InvoiceStatus,
    WorkSession,
)
from tierdesk.clients.access import contact_client
from tierdesk.core.models import Role

#: Roles that may change any technician's sessions.
SESSION_MANAGERS = frozenset({Role.OWNER, Role.DISPATCHER})
#: Roles that log time.
SESSION_WORKERS = frozenset({Role.OWNER, Role.DISPATCHER, Role.TECHNICIAN})


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such object.") from None


def session_for_staff(user, pk) -> WorkSession:
    if not (user.is_authenticated and user.is_msp_staff):
        raise Http404("No such session.")
    return _get(WorkSession.objects.select_related("client", "ticket", "technician"), pk)


def session_for_editor(user, pk) -> WorkSession:
    """A session `user` may change: their own, or anyone's for owners and dispatchers."""
    session = session_for_staff(user, pk)
    if user.role not in SESSION_MANAGERS and session.technician_id != user.pk:
        raise Http404("No such session.")
    return session


def can_log_time(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in SESSION_WORKERS)


def ledgers_for_contact(user) -> QuerySet[AllowanceLedger]:
    return AllowanceLedger.objects.filter(agreement__client=contact_client(user)).select_related(
        "agreement__plan_version__plan")


def approvals_for_contact(user) -> QuerySet[ApprovalRequest]:
    return ApprovalRequest.objects.filter(client=contact_client(user)).select_related(
        "ticket", "decided_by")


def approval_for_contact(user, pk) -> ApprovalRequest:
    return _get(approvals_for_contact(user), pk)


# Invoices ----------------------------------------------------------------------------------

CLIENT_VISIBLE = (InvoiceStatus.ISSUED, InvoiceStatus.PAID, InvoiceStatus.VOID)


def _invoices() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("client", "agreement__plan_version__plan", "credits")


def invoices_for_staff(user) -> QuerySet[Invoice]:
    if not (user.is_authenticated and user.is_msp_staff):
        raise Http404("No such invoice.")
    return _invoices()


def invoice_for_staff(user, pk) -> Invoice:
    return _get(invoices_for_staff(user), pk)


def invoices_for_contact(user) -> QuerySet[Invoice]:
    """The contact's own client's invoices and credit notes, drafts excluded."""
    return _invoices().filter(client=contact_client(user), status__in=CLIENT_VISIBLE)


def invoice_for_contact(user, pk) -> Invoice:
    return _get(invoices_for_contact(user), pk)


def invoice_for_user(user, pk) -> Invoice:
    """Staff see any invoice, a contact its own client's issued ones (the API uses this)."""
    if user.is_authenticated and user.is_msp_staff:
        return invoice_for_staff(user, pk)
    return invoice_for_contact(user, pk)


def invoice_run_for_staff(user, pk) -> InvoiceRun:
    if not (user.is_authenticated and user.is_msp_staff):
        raise Http404("No such invoice run.")
    return _get(InvoiceRun.objects.all(), pk)
