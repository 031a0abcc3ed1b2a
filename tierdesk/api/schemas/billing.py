"""Billing schemas: work sessions, classification previews, allowance ledgers, billable
items, invoice runs, invoices and credit notes. Money is a decimal string ("125.00")."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class SessionOut(Schema):
    id: int
    ticket_id: int | None
    client_id: int
    agreement_id: int | None
    technician_id: int
    started_at: datetime
    ended_at: datetime | None
    minutes: int | None
    mode: str
    work_type: str
    travel_minutes: int
    notes: str
    classification: str
    reason: str
    allowance_units: int
    overage_units: int
    billable_minutes: int
    after_hours_minutes: int
    rate: Decimal | None
    amount: Decimal
    period_start: date | None
    invoiced: bool = Field(description="true once an invoice line bills it (then it is locked)")

    @staticmethod
    def resolve_invoiced(obj) -> bool:
        return obj.invoiced_line_id is not None


class SessionIn(Schema):
    ticket_id: int | None = None
    client_id: int | None = Field(None, description="needed when there is no ticket")
    started_at: datetime | None = Field(None, description="default now (a timer)")
    ended_at: datetime | None = Field(None, description="empty starts a running timer")
    mode: str = "remote"
    work_type: str = "helpdesk"
    travel_minutes: int = Field(0, ge=0)
    expected_minutes: int = Field(30, ge=1, description="for a timer: the estimate checked "
                                                        "against the approval threshold")
    notes: str = ""


class SessionPatch(Schema):
    started_at: datetime | None = None
    ended_at: datetime | None = None
    mode: str | None = None
    work_type: str | None = None
    travel_minutes: int | None = Field(None, ge=0)
    notes: str | None = None


class SessionStopIn(Schema):
    at: datetime | None = None
    travel_minutes: int | None = Field(None, ge=0)
    notes: str | None = None


class PreviewIn(Schema):
    ticket_id: int | None = None
    client_id: int | None = None
    started_at: datetime | None = None
    minutes: int = Field(ge=1)
    mode: str = "remote"
    work_type: str = "helpdesk"
    travel_minutes: int = Field(0, ge=0)


class PreviewOut(Schema):
    classification: str
    reason: str
    allowance_left: int | None
    expected_charge: Decimal
    needs_approval: bool
    warning: str = ""


class LedgerOut(Schema):
    agreement_id: int
    period_start: date
    period_end: date
    sessions_included: int | None = Field(description="null = unlimited")
    session_minutes: int
    sessions_used: int
    sessions_remaining: int | None


class ItemOut(Schema):
    id: int
    client_id: int
    agreement_id: int | None
    ticket_id: int | None
    kind: str
    description: str
    quantity: Decimal
    unit_cost: Decimal | None
    markup_percent: Decimal | None
    unit_price: Decimal
    is_time_and_materials: bool
    recurring: bool
    starts_on: date
    ends_on: date | None
    approval: str
    invoiced: bool

    @staticmethod
    def resolve_invoiced(obj) -> bool:
        return obj.invoiced_line_id is not None


class ItemIn(Schema):
    client_id: int
    agreement_id: int | None = Field(None, description="default: the client's current one")
    ticket_id: int | None = None
    kind: str = Field(description="hardware, software, project, recurring or other")
    description: str = Field(min_length=1, max_length=250)
    quantity: Decimal
    unit_cost: Decimal | None = None
    markup_percent: Decimal | None = Field(
        None, description="default: the tier's hardware markup for hardware and software")
    unit_price: Decimal | None = Field(None, description="a direct price; else cost + markup")
    is_time_and_materials: bool = False
    starts_on: date | None = None
    ends_on: date | None = None


class ItemPatch(Schema):
    kind: str | None = None
    description: str | None = Field(None, min_length=1, max_length=250)
    quantity: Decimal | None = None
    unit_cost: Decimal | None = None
    markup_percent: Decimal | None = None
    unit_price: Decimal | None = None
    is_time_and_materials: bool | None = None
    starts_on: date | None = None
    ends_on: date | None = None


class RunIn(Schema):
    period_start: date = Field(description="the first day of the billing month")


class RunOut(Schema):
    id: int
    period_start: date
    period_end: date
    status: str
    started_at: datetime
    finished_at: datetime | None
    agreements_total: int
    agreements_done: int
    invoices_created: int
    error: str


class InvoiceLineOut(Schema):
    position: int
    kind: str
    description: str
    reason: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    taxable: bool


class InvoiceOut(Schema):
    id: int
    kind: str
    number: str
    client_id: int
    agreement_id: int | None
    credits_id: int | None = Field(description="for a credit note: the invoice it credits")
    period_start: date
    period_end: date
    status: str
    currency: str
    tax_rate: Decimal
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    issued_at: datetime | None
    due_on: date | None
    paid_at: datetime | None
    voided_at: datetime | None
    pdf_sha256: str


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class TransitionIn(Schema):
    reason: str = ""


class CreditLineIn(Schema):
    description: str = Field(min_length=1, max_length=300)
    quantity: Decimal = Decimal("1")
    unit_price: Decimal = Field(description="positive: the amount to credit")
    taxable: bool = True
    reason: str = ""


class CreditNoteIn(Schema):
    reason: str = Field(min_length=1)
    lines: list[CreditLineIn] | None = Field(None, description="omit to credit the whole "
                                                               "invoice")
