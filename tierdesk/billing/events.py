"""Audit rows of billing: work sessions and client approvals."""

from tierdesk.core.events import record


def session_logged_event(*, session, by):
    return record(action="billing.session_logged", obj=session, by=by,
                  message=f"{session.minutes or 0} min {session.get_work_type_display()}: "
                          f"{session.reason}"[:500])


def session_started_event(*, session, by):
    return record(action="billing.session_started", obj=session, by=by,
                  message=f"Timer started on {session.started_at:%Y-%m-%d %H:%M} UTC")


def session_updated_event(*, session, by, changes: dict):
    return record(action="billing.session_updated", obj=session, by=by,
                  message=session.reason, changes=changes)


def session_deleted_event(*, session, by):
    return record(action="billing.session_deleted", obj=session, by=by,
                  message=f"Deleted {session.minutes or 0} min ({session.reason})")


def session_corrected_event(*, session, item, by, message: str, changes: dict):
    """A session of a closed period corrected (billing/corrections.py): `item` is the
    adjustment, None when the correction changed no money."""
    if item is not None:
        changes = {**changes, "adjustment": (None, item.pk)}
    return record(action="billing.session_corrected", obj=session, by=by,
                  message=message[:500], changes=changes)


def approval_requested_event(*, approval, by):
    return record(action="billing.approval_requested", obj=approval, by=by,
                  message=f"Estimate {approval.estimate_amount}: {approval.description}"[:500])


def approval_decided_event(*, approval, contact):
    return record(action="billing.approval_decided", obj=approval,
                  by=getattr(contact, "user", None),
                  message=f"{approval.get_state_display()} by {contact}: "
                          f"{approval.decision_note}"[:500])
