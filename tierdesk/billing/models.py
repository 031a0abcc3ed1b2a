"""Billing: work sessions and their classification, the allowance ledger, billable items,
approvals, invoices and invoice runs.

Work sessions live here rather than in desk because classifying one needs the allowance
ledger, and the ledger is billing's (desk sits to the left and cannot import it).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from tierdesk.catalog.models import Service
from tierdesk.clients.models import Agreement, Client, Contact
from tierdesk.desk.models import Ticket
from tierdesk.maintenance.models import WorkOrder


class SessionMode(models.TextChoices):
    REMOTE = "remote", "Remote"
    ONSITE = "onsite", "On-site"
    PHONE = "phone", "Phone"


class SessionWorkType(models.TextChoices):
    """What the time was spent on; with the tier's entitlements it decides the class."""

    HELPDESK = "helpdesk", "Help desk"
    BREAK_FIX = "break_fix", "Break-fix"
    MAINTENANCE = "maintenance", "Maintenance"
    MONITORING = "monitoring", "Monitoring response"
    PROJECT = "project", "Project work"
    INTERNAL = "internal", "Internal (not client work)"


class Classification(models.TextChoices):
    INCLUDED = "included", "Included"
    ALLOWANCE = "allowance", "Counted against the allowance"
    OVERAGE = "overage", "Help desk beyond the allowance"
    BILLABLE = "billable", "Billable"
    INTERNAL = "internal", "Internal"


class WorkSession(models.Model):
    """Time a technician spent for a client, classified by the client's tier.

    `ended_at` is empty while a timer runs. Classification fields are written only by
    billing/classification.py (and billing/corrections.py, which re-classifies a session of
    a closed period in place) and carry a human-readable `reason` naming the entitlement
    that decided it. Once its period is invoiced (closed) the session is locked: a
    correction becomes an adjustment on the next invoice; `invoiced_line` is the invoice
    line that billed it, if any.
    """

    # Indexes are only those a query uses (see Meta): every index of this 2,000,000-row
    # table is written again when the invoice run links a session to its line.
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="work_sessions")
    # Time spent on a maintenance work order (then there is no ticket). Served by the
    # partial index `billing_ws_work_order`: only work-order sessions enter it, so the
    # invoice run's linking of other sessions never writes to it.
    work_order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="work_sessions", db_index=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="work_sessions")
    # Served by the (agreement, period_start) index.
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="work_sessions", db_index=False)
    # Served by the (technician, started_at) index.
    technician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="work_sessions", db_index=False)
    # The newest-first session list (API, admin) without a technician filter uses it.
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    mode = models.CharField(max_length=10, choices=SessionMode.choices,
                            default=SessionMode.REMOTE)
    work_type = models.CharField(max_length=20, choices=SessionWorkType.choices,
                                 default=SessionWorkType.HELPDESK)
    # No query selects sessions by service.
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", db_index=False)
    travel_minutes = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)

    classification = models.CharField(max_length=10, choices=Classification.choices,
                                      blank=True)
    reason = models.CharField(max_length=300, blank=True)
    allowance_units = models.PositiveIntegerField(
        default=0, help_text="Allowance sessions this session used up.")
    overage_units = models.PositiveIntegerField(default=0)
    billable_minutes = models.PositiveIntegerField(default=0)
    after_hours_minutes = models.PositiveIntegerField(default=0)
    rate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    period_start = models.DateField(null=True, blank=True)
    classified_at = models.DateTimeField(null=True, blank=True)
    # Not indexed, and no database constraint: the invoice run sets it on ~300,000 rows,
    # and both an index and a constraint (a deferred check per row at COMMIT) made that
    # the run's largest cost. With no indexed column changing, PostgreSQL updates the
    # row in place (a HOT update, in the free space the table's fillfactor keeps: see
    # migration 0004). Integrity rests on the invoicing code: a session is linked only
    # in the transaction that inserts its line, to a line of an invoice of the session's
    # own agreement (billing/invoicing/writing.py; pinned by test_invoice_links.py), and
    # on_delete=PROTECT still keeps the ORM from deleting a line a session points at.
    invoiced_line = models.ForeignKey("billing.InvoiceLine", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="sessions",
                                      db_index=False, db_constraint=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["agreement", "period_start"]),
            models.Index(fields=["technician", "started_at"]),
            # What the invoice run reads and links: the overage/billable sessions of an
            # agreement's open periods. Its condition must not name invoiced_line: a
            # column in an index's condition makes every link a non-HOT update that
            # writes all the indexes again. The run reads only open periods (from its
            # latest invoice on), so the already invoiced rows it skips stay few.
            models.Index(fields=["agreement", "period_start"], name="billing_ws_chargeable",
                         condition=Q(classification__in=["overage", "billable"])),
            # The work-order page's sessions panel.
            models.Index(fields=["work_order"], name="billing_ws_work_order",
                         condition=Q(work_order__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.technician} {self.started_at:%Y-%m-%d %H:%M} ({self.client})"

    @property
    def minutes(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class AllowanceLedger(models.Model):
    """Help-desk sessions included and used for one agreement in one billing month.

    Classification takes this row FOR UPDATE before counting, so two technicians logging
    at once can neither both take the last session nor lose one.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE,
                                  related_name="allowance_ledgers")
    period_start = models.DateField()
    period_end = models.DateField()
    sessions_included = models.PositiveIntegerField(null=True, blank=True,
                                                    help_text="Empty = unlimited.")
    session_minutes = models.PositiveIntegerField()
    sessions_used = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_start"]
        constraints = [models.UniqueConstraint(fields=["agreement", "period_start"],
                                               name="allowance_once_per_period")]

    def __str__(self) -> str:
        return f"{self.agreement} {self.period_start:%Y-%m}"

    @property
    def sessions_remaining(self) -> int | None:
        if self.sessions_included is None:
            return None
        return max(0, self.sessions_included - self.sessions_used)


class ItemKind(models.TextChoices):
    HARDWARE = "hardware", "Hardware"
    SOFTWARE = "software", "Software"
    PROJECT = "project", "Project"
    RECURRING = "recurring", "Recurring add-on"
    OTHER = "other", "Other"
    #: A correction of an invoiced work session (billing/sessions.py `session_correct`):
    #: the difference billed (or credited, when negative) on the next invoice.
    ADJUSTMENT = "adjustment", "Adjustment"


class ApprovalState(models.TextChoices):
    NOT_NEEDED = "not_needed", "No approval needed"
    PENDING = "pending", "Waiting for the client"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class BillableItem(models.Model):
    """A charge outside the tier: hardware, software, a project (fixed price or time and
    materials), a recurring add-on billed every period until `ends_on`, or the adjustment
    a correction of an invoiced session leaves for the next invoice (the only kind whose
    `unit_price` may be negative: a credit)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="billable_items")
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="billable_items")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="billable_items")
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    description = models.CharField(max_length=250)
    quantity = models.DecimalField(max_digits=10, decimal_places=2,
                                   validators=[MinValueValidator(Decimal("0.01"))])
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(Decimal("0"))])
    markup_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True,
                                         validators=[MinValueValidator(Decimal("0"))])
    # No field validator: an adjustment may be negative (a credit); clean() enforces the
    # minimum of 0 for every other kind.
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    is_time_and_materials = models.BooleanField(default=False)
    recurring = models.BooleanField(default=False)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    approval = models.CharField(max_length=12, choices=ApprovalState.choices,
                                default=ApprovalState.NOT_NEEDED)
    invoiced_line = models.ForeignKey("billing.InvoiceLine", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="items")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.description

    def clean(self):
        super().clean()
        if (self.unit_price is not None and self.unit_price < 0
                and self.kind != ItemKind.ADJUSTMENT):
            raise ValidationError({"unit_price": "must not be negative (only an adjustment "
                                                 "may credit)"})


class ApprovalRequest(models.Model):
    """The client's approval of an estimate before out-of-scope work above the tier's
    threshold, or of a billable item. Decided once, through the portal or an e-mailed
    single-use link (only the token's SHA-256 is stored)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="approvals")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="approvals")
    item = models.ForeignKey(BillableItem, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="approvals")
    description = models.TextField()
    estimate_amount = models.DecimalField(max_digits=12, decimal_places=2)
    state = models.CharField(max_length=12, choices=ApprovalState.choices,
                             default=ApprovalState.PENDING)
    token_sha256 = models.CharField(max_length=64, unique=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Approval of {self.estimate_amount} for {self.client}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class Invoice(models.Model):
    """One invoice (or credit note) of one agreement for one billing period.

    At most one invoice per agreement and period (the unique constraint makes a rerun of
    an invoice run create nothing). `number` is allocated from InvoiceSequence in the same
    transaction, so numbers have no gaps. Issued invoices never change: their PDF is stored
    with its SHA-256, and corrections are credit notes (`credits`).
    """

    kind = models.CharField(max_length=12, choices=InvoiceKind.choices,
                            default=InvoiceKind.INVOICE)
    number = models.CharField(max_length=20, unique=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices")
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="invoices")
    credits = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="credit_notes")
    run = models.ForeignKey("billing.InvoiceRun", null=True, blank=True,
                            on_delete=models.SET_NULL, related_name="invoices")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.DRAFT, db_index=True)
    currency = models.CharField(max_length=3)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal("0"))
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    tax = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    issued_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to="invoices/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "period_start"], condition=Q(kind="invoice"),
                name="one_invoice_per_agreement_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class LineKind(models.TextChoices):
    RECURRING = "recurring", "Recurring fee"
    PRORATION = "proration", "Proration"
    OVERAGE = "overage", "Help-desk overage"
    LABOUR = "labour", "Billable work"
    TRAVEL = "travel", "Travel"
    ITEM = "item", "Item"
    ADJUSTMENT = "adjustment", "Adjustment"
    DISCOUNT = "discount", "Discount"


class InvoiceLine(models.Model):
    """One line: quantity × unit price, rounded once to cents (half-up) into `amount`, with
    the reason that made it billable."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=LineKind.choices)
    description = models.CharField(max_length=300)
    reason = models.CharField(max_length=300, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=4)
    unit_price = models.DecimalField(max_digits=12, decimal_places=4)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    taxable = models.BooleanField(default=True)

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"],
                                               name="invoice_line_position")]

    def __str__(self) -> str:
        return f"{self.invoice} #{self.position} {self.description}"


class InvoiceSequence(models.Model):
    """The next invoice number per prefix. Taken FOR UPDATE inside the transaction that
    creates the invoice, so a rolled-back invoice gives its number back: no gaps."""

    prefix = models.CharField(max_length=10, unique=True)
    next_value = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.prefix}{self.next_value}"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


class InvoiceRun(models.Model):
    """An invoice run for one billing period. Each agreement is invoiced in its own
    transaction; a run killed halfway and started again skips the agreements already
    invoiced (one invoice per agreement and period), so it completes with no duplicates."""

    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=RunStatus.choices,
                              default=RunStatus.RUNNING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    agreements_total = models.PositiveIntegerField(default=0)
    agreements_done = models.PositiveIntegerField(default=0)
    invoices_created = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Run {self.period_start:%Y-%m} ({self.get_status_display()})"
