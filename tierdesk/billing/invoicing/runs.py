"""Building invoices and runs: one invoice per transaction (`invoice_build`), batches of
agreements per transaction with a one-by-one retry, and the period's resumable run."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tierdesk.billing.invoicing.lines import _agreement, _agreements
from tierdesk.billing.invoicing.periods import _period_data, _PeriodData, period_validate
from tierdesk.billing.invoicing.writing import _Changed, _relax_commit, _store
from tierdesk.billing.models import Invoice, InvoiceKind, InvoiceRun, InvoiceSequence, RunStatus
from tierdesk.billing.proration import add_months
from tierdesk.clients.models import Agreement
from tierdesk.core import events

PROGRESS_EVERY = 200
BATCH = 200  # agreements invoiced per transaction (one progress step)


def _build_one(agreement: Agreement, data: _PeriodData, run: InvoiceRun | None,
               errors: dict[int, ValidationError]) -> Invoice | None:
    for attempt in range(3):
        try:
            with transaction.atomic():
                _relax_commit()
                invoices = _store([agreement], data, run, errors)
                invoice = invoices[0] if invoices else None
                # A run's invoices are audited by the run (started/finished, and each invoice
                # names its run); a single build records its own event.
                if invoice is not None and run is None:
                    events.record(action="invoice.created", obj=invoice,
                                  message=f"{invoice.number} total {invoice.total}")
                return invoice
        except IntegrityError:
            if Invoice.objects.filter(agreement_id=agreement.pk, kind=InvoiceKind.INVOICE,
                                      period_start=data.period_start).exists():
                return None  # another run got there first
            raise
        except _Changed:
            if attempt == 2:
                raise
    return None


def _build_batch(agreements: list[Agreement], data: _PeriodData, run: InvoiceRun,
                 errors: dict[int, ValidationError]) -> None:
    """Invoice a batch of agreements in ONE transaction (numbers included). If anything in
    it fails — a session changed since it was read, another run invoiced one of them, a
    database error — all of it rolls back, numbers too, and the batch is built again one
    agreement per transaction, which isolates the culprit and re-raises what is not a
    refusal. So each invoice stays atomic with its number and links, numbers stay gapless,
    and a transaction costs once per batch instead of once per agreement."""
    if len(agreements) > 1:
        refused: dict[int, ValidationError] = {}
        try:
            with transaction.atomic():
                _relax_commit()
                _store(agreements, data, run, refused)
        except Exception:  # noqa: BLE001 — retried one by one, which raises it again
            pass
        else:
            errors.update(refused)
            return
    for agreement in agreements:
        _build_one(agreement, data, run, errors)


def invoice_build(*, agreement: Agreement, period_start: dt.date,
                  run: InvoiceRun | None = None) -> Invoice | None:
    """Invoice `agreement` for `period_start` in one transaction (number, lines, links).
    None when it is already invoiced for the period or has nothing to bill."""
    period_validate(period_start)
    data = _period_data(period_start, client_id=agreement.client_id)
    if agreement.pk not in {r["id"] for r in data.rows} or agreement.pk in data.invoiced:
        return None
    errors: dict[int, ValidationError] = {}
    invoice = _build_one(_agreement(agreement.pk), data, run, errors)
    if errors:
        raise errors[agreement.pk]
    return invoice




def invoice_run_start(*, period_start: dt.date, by=None) -> InvoiceRun:
    """The period's running run, or a new one: one running run per period (the sequence
    row is the lock that makes two starts agree)."""
    period_validate(period_start)
    with transaction.atomic():
        seq, _ = InvoiceSequence.objects.get_or_create(prefix=settings.TIERDESK_INVOICE_PREFIX)
        InvoiceSequence.objects.select_for_update().get(pk=seq.pk)
        run = InvoiceRun.objects.filter(period_start=period_start,
                                        status=RunStatus.RUNNING).order_by("id").first()
        if run is None:
            run = InvoiceRun.objects.create(
                period_start=period_start, period_end=add_months(period_start, 1)
                - dt.timedelta(days=1), started_by=by if getattr(by, "pk", None) else None,
                started_at=timezone.now())
            events.record(action="invoice_run.started", obj=run, by=by)
        return run


def invoice_run(*, period_start: dt.date, by=None, run: InvoiceRun | None = None) -> InvoiceRun:
    """Invoice every agreement billed for `period_start`, each in its own transaction.
    Idempotent: a rerun, or a rerun after a crash, adds only what is missing."""
    run = run or invoice_run_start(period_start=period_start, by=by)
    data = _period_data(run.period_start, pending_only=True)
    todo = [r["id"] for r in data.rows if r["id"] not in data.invoiced]
    done = len(data.rows) - len(todo)
    InvoiceRun.objects.filter(pk=run.pk).update(agreements_total=len(data.rows),
                                                agreements_done=done)
    errors: dict[int, ValidationError] = {}
    try:
        # Agreements are read a chunk at a time (their terms do not change once signed) and
        # invoiced a batch per transaction (_build_batch).
        for offset in range(0, len(todo), PROGRESS_EVERY):
            chunk = _agreements(todo[offset:offset + PROGRESS_EVERY])
            for at in range(0, len(chunk), BATCH):
                _build_batch(chunk[at:at + BATCH], data, run, errors)
            # Progress only: not worth a WAL flush each (a rerun recounts it).
            with transaction.atomic():
                _relax_commit()
                InvoiceRun.objects.filter(pk=run.pk).update(
                    agreements_done=done + min(offset + PROGRESS_EVERY, len(todo)))
    except Exception as exc:
        InvoiceRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now())
        raise
    InvoiceRun.objects.filter(pk=run.pk).update(
        agreements_done=len(data.rows), finished_at=timezone.now(),
        status=RunStatus.FAILED if errors else RunStatus.COMPLETE,
        error="\n".join(f"agreement #{pk}: {'; '.join(exc.messages)}"
                        for pk, exc in sorted(errors.items())),
        invoices_created=Invoice.objects.filter(run=run).count())
    run.refresh_from_db()
    events.record(action=f"invoice_run.{run.status}", obj=run, by=by,
                  message=f"{run.invoices_created} invoice(s); {run.error}"[:500])
    return run
