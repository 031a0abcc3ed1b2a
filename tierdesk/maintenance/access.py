"""The only way to fetch schedules and work orders for a user.

Staff (any MSP role) may read every work order; technicians, dispatchers and owners work
on them (billing staff only read). A client contact sees only its own client's work orders
and schedules — anything else, or an unknown id, is Http404.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from tierdesk.clients.access import contact_client
from tierdesk.core.models import Role
from tierdesk.maintenance.models import Schedule, WorkOrder, WorkOrderEvidence

#: Roles that do maintenance work: tick, attach, complete.
WORKER_ROLES = frozenset({Role.OWNER, Role.DISPATCHER, Role.TECHNICIAN})
#: Roles that plan it: assign, edit schedules, mark missed or cancelled.
MANAGER_ROLES = frozenset({Role.OWNER, Role.DISPATCHER})

_RELATED = ("client", "site", "agreement__plan_version__plan", "schedule", "assigned_to",
            "completed_by")


def _require_staff(user) -> None:
    if not (user.is_authenticated and user.is_msp_staff):
        raise Http404("No such work order.")


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such work order.") from None


def workorder_for_staff(user, pk) -> WorkOrder:
    _require_staff(user)
    return _get(WorkOrder.objects.select_related(*_RELATED), pk)


def workorder_for_worker(user, pk) -> WorkOrder:
    """A work order the user may work on (403 for billing staff, 404 for non-staff)."""
    order = workorder_for_staff(user, pk)
    if user.role not in WORKER_ROLES:
        raise PermissionDenied
    return order


def workorders_for_contact(user) -> QuerySet[WorkOrder]:
    """The contact's own client's work orders (never cancelled ones)."""
    return (WorkOrder.objects.filter(client=contact_client(user))
            .exclude(status="cancelled").select_related("client", "site"))


def workorder_for_contact(user, pk) -> WorkOrder:
    return _get(workorders_for_contact(user), pk)


def schedule_for_manager(user, pk) -> Schedule:
    _require_staff(user)
    if user.role not in MANAGER_ROLES:
        raise PermissionDenied
    return _get(Schedule.objects.select_related("agreement__client", "task"), pk)


def schedules_for_contact(user) -> QuerySet[Schedule]:
    return Schedule.objects.filter(agreement__client=contact_client(user), is_active=True)


def evidence_for_staff(user, work_order_pk, pk) -> WorkOrderEvidence:
    _require_staff(user)
    return _get(WorkOrderEvidence.objects.filter(work_order_id=work_order_pk), pk)


def evidence_for_contact(user, work_order_pk, pk) -> WorkOrderEvidence:
    order = workorder_for_contact(user, work_order_pk)
    return _get(order.evidence.all(), pk)


def audits_for_staff(user) -> QuerySet[WorkOrder]:
    """Every network-audit work order (any staff role)."""
    _require_staff(user)
    return WorkOrder.objects.filter(kind="audit").select_related(*_RELATED)


def audit_for_staff(user, pk) -> WorkOrder:
    return _get(audits_for_staff(user), pk)


def audits_for_contact(user) -> QuerySet[WorkOrder]:
    """The contact's own client's network audits (never cancelled ones)."""
    return workorders_for_contact(user).filter(kind="audit").select_related(*_RELATED)


def audit_report_for_contact(user, pk) -> WorkOrder:
    """A completed audit of the contact's own client: only finished audits have a report
    a client may read; anything else is Http404."""
    return _get(audits_for_contact(user).filter(status="done"), pk)
