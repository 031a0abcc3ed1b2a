"""Audit events of tickets: explicit calls from services.py, inside their transactions."""

from tierdesk.core.events import record


def ticket_opened_event(*, ticket, by):
    flags = []
    if ticket.outside_entitlement:
        flags.append("outside entitlement")
    if ticket.agreement_id is None:
        flags.append("no agreement")
    return record(action="ticket.opened", obj=ticket, by=by, message=", ".join(flags),
                  changes={"channel": (None, ticket.channel), "priority": (None, ticket.priority)})


def ticket_transitioned_event(*, ticket, old: str, new: str, by, reason: str = ""):
    return record(action=f"ticket.{new}", obj=ticket, by=by, message=reason,
                  changes={"status": (old, new)})


def ticket_assigned_event(*, ticket, old, new, by):
    return record(action="ticket.assigned", obj=ticket, by=by,
                  changes={"assignee": (str(old) if old else None, str(new) if new else None)})


def ticket_priority_changed_event(*, ticket, old: str, new: str, by):
    return record(action="ticket.priority_changed", obj=ticket, by=by,
                  changes={"priority": (old, new)})


def ticket_breached_event(*, ticket, target: str):
    return record(action="ticket.sla_breached", obj=ticket, message=target)


def ticket_onsite_arrived_event(*, ticket, by):
    return record(action="ticket.onsite_arrived", obj=ticket, by=by)


# Outsourcing end-user help desk (desk/outsourcing.py) -----------------------------------

def partner_saved_event(*, partner, by, created: bool, changes: dict | None = None):
    return record(action="outsourcing.partner_created" if created
                  else "outsourcing.partner_updated", obj=partner, by=by, changes=changes)


def helpdesk_route_changed_event(*, plan, old, new, by):
    return record(action="outsourcing.route_changed", obj=plan, by=by,
                  message="end-user help desk: " + (str(new) if new else "in house"),
                  changes={"partner": (str(old) if old else None, str(new) if new else None)})


def ticket_outsourced_event(*, ticket, partner):
    return record(action="ticket.outsourced", obj=ticket, message=f"to {partner}")


def partner_step_event(*, ticket, step: str, breached: bool, by):
    return record(action="ticket.partner_step", obj=ticket, by=by,
                  message=f"partner {step.replace('_', ' ')}" + (" (late)" if breached else ""))
