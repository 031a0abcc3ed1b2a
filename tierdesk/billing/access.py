"""The only way to fetch a work session, ledger or approval for a user.

Staff see every session; a technician may change only their own sessions (owners and
dispatchers anyone's). A contact sees only its own client's ledgers and approvals.
Anything else is Http404, so an outsider cannot learn that an id exists.
"""

from django.db.models import QuerySet
from django.http import Http404

from tierdesk.billing.models import AllowanceLedger, ApprovalRequest, WorkSession
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
