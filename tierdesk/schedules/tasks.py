"""Every periodic schedule of tierdesk, in one place.

Each entry is a thin huey periodic task that calls an idempotent service of its app, so a
run that overlaps another, or follows a crash halfway, gives the same result as one run.
The worker (`manage.py run_huey`) discovers this module; times are UTC.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="*/15"))
@lock_task("activate-due-agreements")
def activate_due_agreements_periodic():
    """Activate signed agreements whose start date has come (and end the ones they replace)."""
    from tierdesk.clients.services import agreement_activate_due

    return agreement_activate_due()


@db_periodic_task(crontab(minute="*"))
@lock_task("sla-sweep")
def sla_sweep_periodic():
    """Announce passed SLA warning thresholds and record breaches (exactly once each)."""
    from tierdesk.desk.sweeps import sla_sweep

    return sla_sweep()


@db_periodic_task(crontab(minute="*"))
@lock_task("inbound-retry")
def inbound_retry_pending_periodic():
    """Process stored e-mail, calls and alerts that a crash or a database error left
    unprocessed (each exactly once; a recovered call opens its ticket or callback)."""
    from tierdesk.desk.intake.triage import inbound_retry_pending

    return inbound_retry_pending()


@db_periodic_task(crontab(minute="*/10"))
@lock_task("mail-resend")
def mail_resend_periodic():
    """Queue again ticket mail whose task was lost or failed (stored, never marked sent)."""
    from tierdesk.desk.notify import entries_resend_unsent

    return entries_resend_unsent()


@db_periodic_task(crontab(hour="5", minute="10"))
@lock_task("maintenance-generate")
def maintenance_generate_periodic():
    """Generate the work orders of the coming horizon (TIERDESK_MAINTENANCE_HORIZON_DAYS)
    and cancel future ones nothing asks for any more. Idempotent: a rerun creates nothing."""
    from tierdesk.maintenance.generation import workorders_generate

    return workorders_generate().created


@db_periodic_task(crontab(minute="*/15"))
@lock_task("maintenance-overdue")
def maintenance_overdue_periodic():
    """Flag work orders left open past their due time and mail the dispatchers once about
    the newly overdue ones. Idempotent: a rerun flags and mails nothing."""
    from tierdesk.maintenance.overdue import workorders_overdue_sweep

    return workorders_overdue_sweep()


@db_periodic_task(crontab(day="1", hour="6", minute="0"))
@lock_task("invoice-run-monthly")
def invoice_run_monthly_periodic():
    """Draft the invoices of the month that starts today (fees in advance, last month's work
    in arrears). Idempotent: a rerun or a resumed crash adds only what is missing."""
    from django.utils import timezone

    from tierdesk.billing.invoicing import invoice_run

    return invoice_run(period_start=timezone.localdate().replace(day=1)).pk


@db_periodic_task(crontab(day="2", hour="7", minute="0"))
@lock_task("value-reports-monthly")
def value_reports_monthly_periodic():
    """Generate last month's value report of every client (after the 1st's invoice run) and
    queue their e-mails. Idempotent: a rerun creates nothing and e-mails nobody twice."""
    from django.utils import timezone

    from tierdesk.insights.services import value_reports_monthly

    return value_reports_monthly(today=timezone.localdate())
