"""Audit rows for catalog changes: explicit calls from catalog/services.py, never signals."""

from django.db import models

from tierdesk.core.events import record


def catalog_created_event(*, obj: models.Model, by, fields: dict) -> None:
    """Record that `obj` (a service, segment, requirement or task) was created."""
    record(action=f"{obj._meta.model_name}.created", obj=obj, by=by,
           changes={k: (None, v) for k, v in fields.items()})


def catalog_updated_event(*, obj: models.Model, by, changes: dict) -> None:
    """Record the fields of `obj` an edit changed, as {field: (old, new)}."""
    record(action=f"{obj._meta.model_name}.updated", obj=obj, by=by, changes=changes)


def catalog_deleted_event(*, obj: models.Model, by) -> None:
    """Record that `obj` was deleted (recorded before the row goes, so its id is known)."""
    record(action=f"{obj._meta.model_name}.deleted", obj=obj, by=by)
