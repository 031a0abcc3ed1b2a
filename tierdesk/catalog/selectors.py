"""Reads of the catalog."""

from django.db.models import Count, Q, QuerySet

from tierdesk.catalog.models import MaintenanceTask, Segment, Service


def service_list(*, kind: str | None = None, active_only: bool = False) -> QuerySet[Service]:
    """Services in catalog order, each annotated with `task_count`."""
    qs = Service.objects.annotate(task_count=Count("tasks"))
    if kind:
        qs = qs.filter(kind=kind)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs


def segment_list() -> QuerySet[Segment]:
    """Segments in order, annotated with `requirement_count` and `task_count` (own tasks)."""
    return Segment.objects.annotate(
        requirement_count=Count("requirements", distinct=True),
        task_count=Count("tasks", distinct=True),
    )


def maintenance_task_list() -> QuerySet[MaintenanceTask]:
    """Every task with its service and segments loaded, in catalog order."""
    return MaintenanceTask.objects.select_related("service").prefetch_related("segments").order_by(
        "service__kind", "service__position", "service__name", "title"
    )


def maintenance_tasks_for_segment(segment: Segment) -> QuerySet[MaintenanceTask]:
    """Tasks that apply to clients of `segment`: those tagged with it and those with no
    segment (a task without segments applies to everyone)."""
    return maintenance_task_list().filter(
        Q(segments=segment) | Q(segments__isnull=True)
    ).distinct()
