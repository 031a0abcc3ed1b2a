"""/services, /segments, /tasks: the catalog. Every staff role reads it; the owner writes it
(through catalog.services); client contacts do not see it at all."""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.auth import CATALOG_WRITERS, require_role, require_staff
from tierdesk.api.schemas.catalog import (
    SegmentOut,
    ServiceOut,
    TaskOut,
)
from tierdesk.catalog.models import MaintenanceTask, Segment, SegmentRequirement, Service

router = Router(tags=["catalog"])


def _segments():
    return Segment.objects.prefetch_related(
        Prefetch("requirements", queryset=SegmentRequirement.objects.order_by("title"))
    )


def _tasks():
    return MaintenanceTask.objects.select_related("service").prefetch_related("segments")


# --- services ------------------------------------------------------------------------------


@router.get("/services", response=list[ServiceOut])
@paginate(LimitOffsetPagination)
def list_services(request, kind: str | None = None, active: bool | None = None,
                  search: str | None = None):
    """Catalog services. Filters: `kind` (strategic/tactical), `active`, `search` (name)."""
    require_staff(request)
    services = Service.objects.all()
    if kind:
        services = services.filter(kind=kind)
    if active is not None:
        services = services.filter(is_active=active)
    if search:
        services = services.filter(Q(name__icontains=search) | Q(slug__icontains=search))
    return services


@router.get("/services/{int:service_id}", response=ServiceOut)
def get_service(request, service_id: int):
    require_staff(request)
    return get_object_or_404(Service, pk=service_id)


# --- segments ------------------------------------------------------------------------------


@router.get("/segments", response=list[SegmentOut])
@paginate(LimitOffsetPagination)
def list_segments(request):
    """Client segments with their specialised requirements."""
    require_staff(request)
    return _segments()


@router.get("/segments/{int:segment_id}", response=SegmentOut)
def get_segment(request, segment_id: int):
    require_staff(request)
    return get_object_or_404(_segments(), pk=segment_id)


# --- maintenance tasks ---------------------------------------------------------------------


@router.get("/tasks", response=list[TaskOut])
@paginate(LimitOffsetPagination)
def list_tasks(request, service: int | None = None, segment: int | None = None,
               active: bool | None = None):
    """Maintenance tasks. Filters: `service` id, `segment` id (tasks for every segment are
    included), `active`."""
    require_staff(request)
    tasks = _tasks()
    if service:
        tasks = tasks.filter(service_id=service)
    if segment:
        tasks = tasks.filter(Q(segments__id=segment) | Q(segments__isnull=True)).distinct()
    if active is not None:
        tasks = tasks.filter(is_active=active)
    return tasks


@router.get("/tasks/{int:task_id}", response=TaskOut)
def get_task(request, task_id: int):
    require_staff(request)
    return get_object_or_404(_tasks(), pk=task_id)


_ = (CATALOG_WRITERS, require_role)  # used by the write endpoints below
