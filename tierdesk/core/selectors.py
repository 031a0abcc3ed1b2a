"""Reads of core data."""

from django.db.models import QuerySet

from tierdesk.core.models import AuditEvent


def audit_event_list(*, object_type: str | None = None, object_id: str | None = None,
                     actor: str | None = None) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=str(object_id))
    if actor:
        events = events.filter(actor__username=actor)
    return events
