"""/services, /segments, /tasks: the catalog. Every staff role reads it; the owner writes it
(through catalog.services); client contacts do not see it at all."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.auth import CATALOG_WRITERS, require_role, require_staff
from tierdesk.api.lookups import lookup
from tierdesk.api.schemas.catalog import (
    RequirementIn,
    RequirementOut,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
    ServiceIn,
    ServiceOut,
    ServicePatch,
    TaskIn,
    TaskOut,
    TaskPatch,
)
from tierdesk.catalog import access, services
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


@router.post("/services", response={201: ServiceOut})
def create_service(request, payload: ServiceIn):
    """Add a service (owner). `slug` defaults to the slugified name."""
    require_role(request, CATALOG_WRITERS, "the catalog")
    data = payload.model_dump()
    data["slug"] = data["slug"] or slugify(payload.name)
    return Status(201, services.service_create(by=request.user, **data))


@router.patch("/services/{int:service_id}", response=ServiceOut)
def update_service(request, service_id: int, payload: ServicePatch):
    """Change the fields given (owner)."""
    require_role(request, CATALOG_WRITERS, "the catalog")
    service = access.service_for_staff(request.user, service_id)
    return services.service_update(
        service=service, by=request.user, **payload.model_dump(exclude_unset=True)
    )


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


@router.post("/segments", response={201: SegmentOut})
def create_segment(request, payload: SegmentIn):
    """Add a client segment (owner). `slug` defaults to the slugified name."""
    require_role(request, CATALOG_WRITERS, "the catalog")
    data = payload.model_dump()
    data["slug"] = data["slug"] or slugify(payload.name)
    segment = services.segment_create(by=request.user, **data)
    return Status(201, get_object_or_404(_segments(), pk=segment.pk))


@router.patch("/segments/{int:segment_id}", response=SegmentOut)
def update_segment(request, segment_id: int, payload: SegmentPatch):
    require_role(request, CATALOG_WRITERS, "the catalog")
    segment = access.segment_for_staff(request.user, segment_id)
    services.segment_update(
        segment=segment, by=request.user, **payload.model_dump(exclude_unset=True)
    )
    return get_object_or_404(_segments(), pk=segment.pk)


@router.post("/segments/{int:segment_id}/requirements", response={201: RequirementOut})
def create_requirement(request, segment_id: int, payload: RequirementIn):
    """Add a specialised requirement to the segment (owner)."""
    require_role(request, CATALOG_WRITERS, "the catalog")
    segment = access.segment_for_staff(request.user, segment_id)
    data = payload.model_dump()
    data["service"] = lookup(Service.objects.all(), data.pop("service_id"), "service_id")
    requirement = services.segment_requirement_create(by=request.user, segment=segment, **data)
    return Status(201, requirement)


@router.delete("/segments/{int:segment_id}/requirements/{int:requirement_id}",
               response={204: None})
def delete_requirement(request, segment_id: int, requirement_id: int):
    require_role(request, CATALOG_WRITERS, "the catalog")
    segment = access.segment_for_staff(request.user, segment_id)
    requirement = access.requirement_for_staff(request.user, segment, requirement_id)
    services.segment_requirement_delete(requirement=requirement, by=request.user)
    return Status(204, None)


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




def _task_relations(data: dict) -> dict:
    """Replace the ids of a task payload with the objects the service takes."""
    if data.get("service_id") is not None:
        data["service"] = lookup(Service.objects.all(), data.pop("service_id"), "service_id")
    else:
        data.pop("service_id", None)
    if data.get("segment_ids") is not None:
        ids = set(data.pop("segment_ids"))
        segments = list(Segment.objects.filter(pk__in=ids))
        if missing := ids - {s.pk for s in segments}:
            raise ValidationError({"segment_ids": f"no such segment(s): {sorted(missing)}"})
        data["segments"] = segments
    else:
        data.pop("segment_ids", None)
    return data


@router.post("/tasks", response={201: TaskOut})
def create_task(request, payload: TaskIn):
    """Add a recurring maintenance task to a service (owner)."""
    require_role(request, CATALOG_WRITERS, "the catalog")
    task = services.maintenance_task_create(
        by=request.user, **_task_relations(payload.model_dump())
    )
    return Status(201, get_object_or_404(_tasks(), pk=task.pk))


@router.patch("/tasks/{int:task_id}", response=TaskOut)
def update_task(request, task_id: int, payload: TaskPatch):
    require_role(request, CATALOG_WRITERS, "the catalog")
    task = access.task_for_staff(request.user, task_id)
    services.maintenance_task_update(
        task=task, by=request.user, **_task_relations(payload.model_dump(exclude_unset=True))
    )
    return get_object_or_404(_tasks(), pk=task.pk)
