"""Audit events of tiers. Called by plans/services.py inside each service's transaction."""

from tierdesk.core.events import record


def plan_created_event(*, version, by) -> None:
    record(action="plan.created", obj=version.plan, by=by,
           message=f"{version.plan.name} created with version {version.number}")


def plan_version_created_event(*, version, by, changes: dict) -> None:
    record(action="plan.version_created", obj=version, by=by, changes=changes,
           message=(f"version {version.number} created because agreements use version "
                    f"{version.number - 1}" + (f": {version.change_note}"
                                               if version.change_note else "")))


def plan_version_updated_event(*, version, by, changes: dict, change_note: str = "") -> None:
    record(action="plan.version_updated", obj=version, by=by, changes=changes,
           message=change_note
           or f"version {version.number} edited in place (no agreement uses it)")


def plan_renamed_event(*, plan, by, changes: dict) -> None:
    record(action="plan.renamed", obj=plan, by=by, changes=changes)


def plan_active_changed_event(*, plan, by) -> None:
    record(action="plan.activated" if plan.is_active else "plan.deactivated", obj=plan, by=by)
