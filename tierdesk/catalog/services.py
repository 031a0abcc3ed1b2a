"""Writes of the catalog: services, segments and their requirements, maintenance tasks.

Each function runs in one transaction, validates the whole row with `full_clean()` (so bad
input raises ValidationError naming the field — a zero estimate, an RRULE that does not
parse, an empty checklist item — before anything is written) and records an audit event.
Updates take the fields to change as keywords; naming a field that cannot be edited is an
error, not silently ignored.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from tierdesk.catalog import events
from tierdesk.catalog.models import MaintenanceTask, Segment, SegmentRequirement, Service
from tierdesk.core.events import diff

SERVICE_FIELDS = ("slug", "name", "kind", "description", "default_delivery", "position",
                  "is_active")
SEGMENT_FIELDS = ("slug", "name", "description", "price_factor", "position")
REQUIREMENT_FIELDS = ("title", "description", "service", "minimum_level")
TASK_FIELDS = ("service", "title", "rrule", "estimated_minutes", "delivery", "checklist",
               "is_audit", "is_active")


def _snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _apply(obj: models.Model, allowed: tuple[str, ...], changes: dict[str, Any]) -> dict:
    """Set `changes` on `obj` and return {field: (old, new)} for the fields that differ."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError({f: "this field cannot be changed here" for f in unknown})
    before = _snapshot(obj, changes)
    for field, value in changes.items():
        setattr(obj, field, value)
    return diff(before, _snapshot(obj, changes))


def _clean_checklist(checklist) -> list:
    # Strip surrounding blanks but keep empty items: the model rejects them by name, which is
    # the point ("checklist: must be a list of non-empty strings").
    if isinstance(checklist, str) or not isinstance(checklist, Iterable):
        raise ValidationError({"checklist": "must be a list of non-empty strings"})
    return [item.strip() if isinstance(item, str) else item for item in checklist]


# -- services ---------------------------------------------------------------------------------

@transaction.atomic
def service_create(*, by, slug: str, name: str, kind: str, description: str = "",
                   default_delivery: str = "remote", position: int = 0,
                   is_active: bool = True) -> Service:
    """Add a service to the catalog. Slug and name must be unique; kind is strategic or
    tactical."""
    service = Service(slug=slug, name=name.strip(), kind=kind, description=description,
                      default_delivery=default_delivery, position=position,
                      is_active=is_active)
    service.full_clean()
    service.save()
    events.catalog_created_event(obj=service, by=by,
                                 fields=_snapshot(service, SERVICE_FIELDS))
    return service


@transaction.atomic
def service_update(*, service: Service, by, **changes: Any) -> Service:
    """Change fields of a service (any of SERVICE_FIELDS). Plans keep referring to it."""
    changed = _apply(service, SERVICE_FIELDS, changes)
    service.full_clean()
    service.save()
    if changed:
        events.catalog_updated_event(obj=service, by=by, changes=changed)
    return service


# -- segments ---------------------------------------------------------------------------------

@transaction.atomic
def segment_create(*, by, slug: str, name: str, description: str = "",
                   price_factor: Decimal = Decimal("1.00"), position: int = 0) -> Segment:
    """Add a client segment with the factor its tier prices are multiplied by."""
    segment = Segment(slug=slug, name=name.strip(), description=description,
                      price_factor=price_factor, position=position)
    segment.full_clean()
    segment.save()
    events.catalog_created_event(obj=segment, by=by,
                                 fields=_snapshot(segment, SEGMENT_FIELDS))
    return segment


@transaction.atomic
def segment_update(*, segment: Segment, by, **changes: Any) -> Segment:
    """Change fields of a segment (any of SEGMENT_FIELDS). Existing agreements keep the
    prices they were drafted with; a new factor applies to agreements drafted later."""
    changed = _apply(segment, SEGMENT_FIELDS, changes)
    segment.full_clean()
    segment.save()
    if changed:
        events.catalog_updated_event(obj=segment, by=by, changes=changed)
    return segment


@transaction.atomic
def segment_requirement_create(*, by, segment: Segment, title: str, service: Service,
                               minimum_level: str = "maintained",
                               description: str = "") -> SegmentRequirement:
    """Add a specialised need to a segment, met when a tier covers `service` at
    `minimum_level` (monitored < maintained < supported) or better."""
    requirement = SegmentRequirement(segment=segment, title=title.strip(), service=service,
                                     minimum_level=minimum_level, description=description)
    requirement.full_clean()
    requirement.save()
    events.catalog_created_event(obj=requirement, by=by,
                                 fields=_snapshot(requirement, REQUIREMENT_FIELDS))
    return requirement


@transaction.atomic
def segment_requirement_update(*, requirement: SegmentRequirement, by,
                               **changes: Any) -> SegmentRequirement:
    """Change fields of a requirement (any of REQUIREMENT_FIELDS)."""
    changed = _apply(requirement, REQUIREMENT_FIELDS, changes)
    requirement.full_clean()
    requirement.save()
    if changed:
        events.catalog_updated_event(obj=requirement, by=by, changes=changed)
    return requirement


@transaction.atomic
def segment_requirement_delete(*, requirement: SegmentRequirement, by) -> None:
    """Remove a requirement from its segment; nothing else refers to it."""
    events.catalog_deleted_event(obj=requirement, by=by)
    requirement.delete()


# -- maintenance tasks ------------------------------------------------------------------------

@transaction.atomic
def maintenance_task_create(*, by, service: Service, title: str, rrule: str,
                            estimated_minutes: int, delivery: str = "remote",
                            checklist: Iterable[str] = (), segments: Iterable[Segment] = (),
                            is_audit: bool = False, is_active: bool = True) -> MaintenanceTask:
    """Add a recurring task to a service. `rrule` is an RFC 5545 rule recurring at most
    daily (quarterly is FREQ=MONTHLY;INTERVAL=3); `estimated_minutes` is at least 1; every
    checklist item is non-empty; no segments means the task applies to every segment."""
    task = MaintenanceTask(service=service, title=title.strip(), rrule=rrule.strip(),
                           estimated_minutes=estimated_minutes, delivery=delivery,
                           checklist=_clean_checklist(checklist), is_audit=is_audit,
                           is_active=is_active)
    task.full_clean()
    task.save()
    segments = list(segments)
    task.segments.set(segments)
    fields = _snapshot(task, TASK_FIELDS) | {"segments": sorted(s.slug for s in segments)}
    events.catalog_created_event(obj=task, by=by, fields=fields)
    return task


@transaction.atomic
def maintenance_task_update(*, task: MaintenanceTask, by, segments: Iterable[Segment] | None = None,
                            **changes: Any) -> MaintenanceTask:
    """Change fields of a task (any of TASK_FIELDS) and, when given, its segments. Work
    orders already generated keep their own copy of the checklist."""
    if "checklist" in changes:
        changes["checklist"] = _clean_checklist(changes["checklist"])
    if isinstance(changes.get("rrule"), str):
        changes["rrule"] = changes["rrule"].strip()
    changed = _apply(task, TASK_FIELDS, changes)
    task.full_clean()
    task.save()
    if segments is not None:
        old = sorted(task.segments.values_list("slug", flat=True))
        segments = list(segments)
        task.segments.set(segments)
        new = sorted(s.slug for s in segments)
        if old != new:
            changed["segments"] = (old, new)
    if changed:
        events.catalog_updated_event(obj=task, by=by, changes=changed)
    return task
