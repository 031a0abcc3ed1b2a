"""The invoice engine: what a billing period bills, one invoice per agreement, and runs.

Rules (each pinned by tests in billing/tests/test_invoic*.py and test_proration*.py):

* **Periods.** Every run bills one period start P, the first day of a calendar month. An
  agreement's billing periods are anchored at the first of the month it starts in and last
  its billing cycle (monthly 1, quarterly 3, annual 12 months; see proration.py), so a
  quarterly agreement is billed only by the runs of every third month from its start month.
  `Invoice.period_start` is P and `period_end` the last day of the cycle period (inclusive).
  A period after the current month is refused (ValidationError naming `period_start`).
* **Who is billed.** Agreements signed, active, suspended (suspension does not stop the fee)
  or ended whose period starts on P and that cover a day of P or of the previous period Q
  (so the last arrears of an ended agreement are billed). `Agreement.end_date` is the last
  covered day; an ended agreement without one ends on the day it was ended.
* **Recurring fee in advance.** monthly_fee × cycle months for P, prorated by day when the
  agreement starts or ends inside P (quantity = the fraction of the period, unit price = the
  period's fee, amount = fee × days / days rounded once, half-up). When the agreement's fee
  is below the tier's list price the line shows the list price and a negative *discount* line
  names the override reason; the two net to the agreement's fee.
* **Reconciling the previous period.** What Q was billed in advance (the recurring lines of
  the agreement's non-void invoice for Q) is compared with the days the agreement actually
  covered in Q: fewer days (ended early, e.g. a tier change) give a negative *proration*
  credit; more days (started after Q was billed, e.g. the successor of a tier change) give a
  catch-up charge. An agreement that started before Q and has no invoice for Q is not
  reconciled (Q was billed before tierdesk billed it). So a tier change mid-period credits
  the old tier on the old agreement's next invoice and charges the new tier by day on the
  new agreement's, each showing its own proration. Only the one previous period is reconciled.
* **Arrears.** Sessions of the agreement in its open periods, classification overage or
  billable, finished and not yet invoiced. A period is closed once an invoice of the
  agreement for a later period exists (classification.period_closed): that invoice billed
  it, and a correction of its sessions since is an adjustment item (billing/corrections.py).
  So the open periods run from the period of the agreement's latest invoice before P (the
  last 12 months when it has none; none at all when it has an invoice after P) up to P,
  exclusive: the run reads what it bills, however long the history. Overage is one line per
  rate (quantity = overage units; amount = the sum of the sessions' classified amounts,
  each already rounded once); billable work is one line per session with the session's
  amount and reason. Included, allowance and internal
  sessions are never read. BillableItems approved or needing no approval, not invoiced, with
  starts_on before P; recurring add-ons (unit price per month) bill for P in advance
  (quantity × unit price × cycle months) while running. An item without an agreement goes on
  the invoice of the client's newest agreement billed for P.
* **Money.** Decimal; each line rounded once (round_money, half-up); subtotal = sum of lines;
  tax = round(sum of taxable lines × client.tax_rate_percent / 100); total = subtotal + tax.
  A split period's two prorated parts sum to the whole within one cent.
* **Links and locks.** The invoice's transaction first locks its agreements' rows
  (ledger.agreements_lock; session_classify takes the same lock before it checks that a
  period is open, so no session is classified into a period while an invoice closes it).
  The sessions and items are then linked with conditional UPDATEs (`invoiced_line IS
  NULL`), each session to a line of its own agreement's invoice; if a row changed since it
  was read the transaction rolls back and the agreement is built again, so nothing is
  billed twice. The link has no database constraint and changes no indexed column: on
  PostgreSQL each is an in-place (HOT) update (WorkSession.invoiced_line's comment).
* **Runs.** `invoice_run` creates or resumes the period's one running InvoiceRun and builds
  each invoice in its own transaction (`invoice_build`), in agreement id order, skipping
  agreements already invoiced (the unique constraint is the final guard: an IntegrityError
  rolls the invoice and its number back). Numbers are allocated in that same transaction
  (numbering.py), so a killed run rerun completes with no duplicates and no gaps. Reads are
  set-based: one query finds the agreements, one the invoiced ones, one the agreements with
  billable sessions, one the billed days of Q; per agreement only its own rows are read.
* **Bad input.** A negative monthly fee (`monthly_fee`), an item with a quantity ≤ 0
  (`quantity`) or a negative price (`unit_price`) refuse that agreement with a
  ValidationError; a run records it and carries on with the others (status failed, `error`
  lists them), and nothing of that agreement is stored.
"""

# The package is split by sub-domain: periods.py (who a period bills, what the run reads
# once), lines.py (what an invoice bills, its totals, the preview), writing.py (the COPY/SQL
# write path and the links), runs.py (invoice_build, batches, invoice_run). Everything other
# code imports stays importable from here. A test that monkeypatches a name must patch the
# sub-module that looks it up (e.g. writing._link, runs._period_data), not this package.
from tierdesk.billing.invoicing.lines import (
    QUANTITY_PLACES,
    LineDraft,
    Totals,
    invoice_preview,
    totals_for,
)
from tierdesk.billing.invoicing.periods import (
    BILLED_STATUSES,
    STRAGGLER_MONTHS,
    _period_data,
    period_validate,
)
from tierdesk.billing.invoicing.runs import (
    BATCH,
    PROGRESS_EVERY,
    invoice_build,
    invoice_run,
    invoice_run_start,
)
from tierdesk.billing.invoicing.writing import _Changed, _link

__all__ = [
    "BATCH",
    "BILLED_STATUSES",
    "PROGRESS_EVERY",
    "QUANTITY_PLACES",
    "STRAGGLER_MONTHS",
    "LineDraft",
    "Totals",
    "_Changed",
    "_link",
    "_period_data",
    "invoice_build",
    "invoice_preview",
    "invoice_run",
    "invoice_run_start",
    "period_validate",
    "totals_for",
]
