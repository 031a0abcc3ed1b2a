"""Audit events of clients, sites, contacts and agreements: explicit calls, never signals.

Each function is called by a service inside its transaction, so the trail never records a
change that was rolled back.
"""

from tierdesk.core.events import record


def client_created_event(*, client, by):
    return record(action="client.created", obj=client, by=by,
                  changes={"segment": (None, client.segment.name)})


def client_updated_event(*, client, by, changes: dict):
    return record(action="client.updated", obj=client, by=by, changes=changes)


def site_created_event(*, site, by):
    return record(action="site.created", obj=site, by=by,
                  changes={"drive_minutes": (None, site.drive_minutes)})


def site_updated_event(*, site, by, changes: dict):
    return record(action="site.updated", obj=site, by=by, changes=changes)


def contact_created_event(*, contact, by):
    return record(action="contact.created", obj=contact, by=by)


def contact_updated_event(*, contact, by, changes: dict):
    return record(action="contact.updated", obj=contact, by=by, changes=changes)


def contact_invited_event(*, contact, user, by):
    return record(action="contact.portal_invited", obj=contact, by=by,
                  message=f"portal login {user.username}")


def agreement_drafted_event(*, agreement, by):
    message = f"override: {agreement.override_reason}" if agreement.override_reason else ""
    return record(action="agreement.drafted", obj=agreement, by=by, message=message,
                  changes={"plan_version": (None, str(agreement.plan_version)),
                           "monthly_fee": (None, agreement.monthly_fee)})


def agreement_updated_event(*, agreement, by, changes: dict):
    return record(action="agreement.updated", obj=agreement, by=by, changes=changes,
                  message=agreement.override_reason)


def agreement_feasibility_acknowledged_event(*, agreement, by):
    return record(
        action="agreement.feasibility_acknowledged", obj=agreement, by=by,
        message="; ".join(w["message"] for w in agreement.feasibility_warnings)
        + (f" — note: {agreement.feasibility_note}" if agreement.feasibility_note else ""),
    )


def agreement_transitioned_event(*, agreement, old: str, new: str, by, reason: str = ""):
    # One action per target status ("agreement.signed", "agreement.ended", …) so the audit
    # list can be filtered by what happened.
    return record(action=f"agreement.{new}", obj=agreement, by=by, message=reason,
                  changes={"status": (old, new)})


def agreement_tier_changed_event(*, agreement, successor, by):
    return record(action="agreement.tier_change_drafted", obj=agreement, by=by,
                  message=f"successor #{successor.pk}: {successor.plan_version} "
                          f"from {successor.start_date.isoformat()}")
