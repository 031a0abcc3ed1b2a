"""Background tasks of billing: thin, they receive ids, re-fetch and call one service."""

from huey.contrib.djhuey import db_task

from tierdesk.billing.invoicing import invoice_run
from tierdesk.billing.models import InvoiceRun


@db_task()
def invoice_run_task(run_id: int) -> int:
    """Carry out (or resume) the invoice run `run_id`; idempotent, so a retry is safe."""
    run = InvoiceRun.objects.get(pk=run_id)
    return invoice_run(period_start=run.period_start, run=run).pk
