"""Audit events of the cost model, the margin floors and the price designer (explicit calls
from costs.py and pricing.py, never signals). events.py holds the value reports' events;
the two are split by sub-domain so that each stays with the code that writes it."""

from tierdesk.core.events import record


def cost_model_changed_event(*, cost_model, by, changes: dict):
    return record(action="cost_model.changed", obj=cost_model, by=by, changes=changes,
                  message="cost model changed: " + ", ".join(sorted(changes)))


def tool_cost_saved_event(*, tool, by, created: bool, changes: dict):
    return record(action="tool_cost.created" if created else "tool_cost.changed", obj=tool,
                  by=by, changes=changes, message=str(tool))


def tool_cost_deleted_event(*, tool, by):
    return record(action="tool_cost.deleted", obj=tool, by=by, message=str(tool))


def margin_floor_changed_event(*, floor, by, old, new):
    return record(action="margin_floor.changed", obj=floor, by=by,
                  changes={"floor_percent": (old, new)},
                  message=f"{floor.plan.name}: margin floor {old}% → {new}%")


def price_design_saved_event(*, version, by, message: str):
    return record(action="price_design.saved", obj=version, by=by, message=message)


def outsourced_cost_recorded_event(*, cost, by=None):
    return record(action="outsourced_cost.recorded", obj=cost, by=by,
                  message=f"{cost.partner or 'partner'}: {cost.tickets} tickets, {cost.amount}")
