"""Audit trail writes. Each app's events.py calls `record` with its own action names."""

from decimal import Decimal

from django.db import models

from tierdesk.core.models import AuditEvent
from tierdesk.core.rows import insert


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def record(*, action: str, obj: models.Model, by=None, message: str = "",
           changes: dict | None = None) -> AuditEvent:
    """Write one audit row for `obj`. Call it inside the service's transaction."""
    actor = by if by is not None and getattr(by, "pk", None) else None
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        message=message,
        changes={k: [_jsonable(a), _jsonable(b)] for k, (a, b) in (changes or {}).items()},
    )
    # Every write records one: the plain INSERT of core/rows.py, not the ORM's (whose
    # compiler cost more than the insert itself on the ticket-opening path).
    insert([event])
    return event


def diff(old: dict, new: dict) -> dict:
    """Field-by-field changes between two snapshots, as {field: (old, new)}."""
    return {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}
