"""Background jobs of the clients app. Thin: each calls one service. Periodic schedules are
declared in tierdesk/schedules.py, not here."""

from huey.contrib.djhuey import db_task

from tierdesk.clients import services


@db_task()
def activate_due_agreements_task() -> int:
    """Activate signed agreements whose start date has come (idempotent)."""
    return services.agreement_activate_due()
