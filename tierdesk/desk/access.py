"""The only way to fetch a ticket for a user, and who may do what to a ticket.

Staff (any MSP role) may read every ticket; a client contact only its own client's — any
other ticket, or an unknown id, is Http404, so a contact cannot learn that an id exists.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from tierdesk.clients.access import contact_client
from tierdesk.core.models import Role
from tierdesk.desk.models import Ticket

#: Roles that answer clients and move tickets along.
WORKER_ROLES = frozenset({Role.OWNER, Role.DISPATCHER, Role.TECHNICIAN})
#: Roles that assign tickets to anyone and change priorities.
MANAGER_ROLES = frozenset({Role.OWNER, Role.DISPATCHER})

_DETAIL_RELATED = ("client", "plan_version__plan", "contact", "site", "assignee")


def _get(queryset: QuerySet, pk) -> Ticket:
    try:
        return queryset.get(pk=pk)
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise Http404("No such ticket.") from None


def ticket_for_staff(user, pk) -> Ticket:
    if not (user.is_authenticated and user.is_msp_staff):
        raise Http404("No such ticket.")
    return _get(Ticket.objects.select_related(*_DETAIL_RELATED), pk)


def tickets_for_contact(user) -> QuerySet[Ticket]:
    """The tickets a contact may see: its own client's, newest first."""
    return (Ticket.objects.filter(client=contact_client(user))
            .select_related("client", "contact", "site").order_by("-opened_at"))


def ticket_for_contact(user, pk) -> Ticket:
    return _get(tickets_for_contact(user), pk)


def can_work(user) -> bool:
    """Reply, note, log calls, change status."""
    return bool(user and user.is_active and user.role in WORKER_ROLES)


def can_manage(user) -> bool:
    """Assign to anyone, change priority."""
    return bool(user and user.is_active and user.role in MANAGER_ROLES)


def can_take(user, ticket: Ticket) -> bool:
    """A technician may take an unassigned ticket for themself."""
    return can_work(user) and ticket.assignee_id is None


def require_work(user) -> None:
    """Services call this with `by`; None means the system itself (tasks, intake)."""
    if user is not None and not can_work(user):
        raise PermissionDenied("your role cannot work on tickets")
