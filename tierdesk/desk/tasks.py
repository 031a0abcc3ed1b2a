"""Background jobs of the desk. Thin: each re-fetches by id and calls one function. The
periodic schedule (SLA sweep every minute) is declared in tierdesk/schedules/tasks.py."""

from huey.contrib.djhuey import db_task


@db_task()
def send_entry_mail_task(entry_id: int) -> bool:
    """Send the mail stored on a ticket entry (once)."""
    from tierdesk.desk.notify import entry_send

    return entry_send(entry_id)


@db_task()
def send_entries_mail_task(entry_ids: list[int]) -> int:
    """Send the mail stored on each of these ticket entries (each once)."""
    from tierdesk.desk.notify import entries_send

    return entries_send(entry_ids)


@db_task()
def sla_sweep_task() -> dict:
    """Announce passed SLA thresholds and record breaches (idempotent)."""
    from tierdesk.desk.sweeps import sla_sweep

    return sla_sweep()


@db_task(retries=5, retry_delay=60)
def send_partner_webhook_task(webhook_id: int) -> bool:
    """POST a stored partner webhook (once; a failed attempt raises, so huey retries it)."""
    from tierdesk.desk.outsourcing import partner_webhook_send

    return partner_webhook_send(webhook_id=webhook_id)
