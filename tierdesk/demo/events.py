"""Audit rows of the demo-data generator.

A generation run creates thousands of rows in bulk; instead of one event per row it records
one summary event. The run has no model instance of its own to attach to, so the row is
written with a descriptive object type rather than through core.events.record, which needs one.
"""

from tierdesk.core.models import AuditEvent


def demo_generated_event(*, seed: int, counts: dict, seconds: float) -> AuditEvent:
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    return AuditEvent.objects.create(
        action="demo.generated", object_type="demo.dataset", object_id=str(seed),
        object_repr=f"Demo data, seed {seed}",
        message=f"Generated demo data in {seconds:.1f} s: {summary}.",
        changes={name: [None, n] for name, n in counts.items()},
    )


def demo_reset_event(*, counts: dict) -> AuditEvent:
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    return AuditEvent.objects.create(
        action="demo.reset", object_type="demo.dataset", object_id="-",
        object_repr="Demo data", message=f"Deleted demo data: {summary}.",
    )
