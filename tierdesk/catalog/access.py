"""The only way catalog views fetch a catalog object for a user.

The catalog is the MSP's own data, shared by every client: any active staff member may read
it, and nobody else may know an id exists (Http404, not 403, for contacts).
"""

from django.http import Http404

from tierdesk.catalog.models import MaintenanceTask, Segment, SegmentRequirement, Service


def _require_staff(user) -> None:
    if not getattr(user, "is_msp_staff", False):
        raise Http404("no such catalog entry")


def _get(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("no such catalog entry") from None


def service_for_staff(user, pk) -> Service:
    _require_staff(user)
    return _get(Service.objects.all(), pk)


def segment_for_staff(user, pk) -> Segment:
    _require_staff(user)
    return _get(Segment.objects.all(), pk)


def requirement_for_staff(user, segment: Segment, pk) -> SegmentRequirement:
    """A requirement of `segment` only: a requirement id under another segment's URL is 404."""
    _require_staff(user)
    return _get(segment.requirements.select_related("service"), pk)


def task_for_staff(user, pk) -> MaintenanceTask:
    _require_staff(user)
    return _get(
        MaintenanceTask.objects.select_related("service").prefetch_related("segments"), pk
    )
