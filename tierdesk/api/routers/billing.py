"""/sessions, /classification/preview, /agreements/{id}/allowance, /items, /invoice-runs,
/invoices and credit notes. Thin: each endpoint parses, calls one billing or documents
service, and answers.

Who may do what:
    work sessions      staff read; a technician writes their own, owners and dispatchers any
    preview, ledger    staff
    billable items     staff read; owners, billing and dispatchers write
    invoice runs       owners and billing
    invoices           owners and billing read and act (issue, pay, void, credit); a client
                       contact reads its own client's issued invoices; everyone else 404
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.auth import require_role, require_staff
from tierdesk.api.lookups import lookup
from tierdesk.api.schemas.billing import (
    CreditNoteIn,
    InvoiceDetailOut,
    InvoiceOut,
    ItemIn,
    ItemOut,
    ItemPatch,
    LedgerOut,
    PreviewIn,
    PreviewOut,
    RunIn,
    RunOut,
    SessionIn,
    SessionOut,
    SessionPatch,
    SessionStopIn,
    TransitionIn,
)
from tierdesk.billing import access as invoice_access
from tierdesk.billing import classification, invoice_lifecycle, invoicing, items, ledger, sessions
from tierdesk.billing.models import InvoiceRun, WorkSession
from tierdesk.clients.access import agreement_for_staff
from tierdesk.clients.models import Agreement, Client
from tierdesk.core.clock import now
from tierdesk.core.models import Role
from tierdesk.desk.models import Ticket
from tierdesk.documents import invoice_services

router = Router(tags=["billing"])

SESSION_MANAGERS = (Role.OWNER, Role.DISPATCHER)
ITEM_WRITERS = (Role.OWNER, Role.BILLING, Role.DISPATCHER)
INVOICE_STAFF = (Role.OWNER, Role.BILLING)


# Work sessions ---------------------------------------------------------------------------


def _session(request, session_id: int, *, write: bool = False) -> WorkSession:
    require_staff(request)
    session = WorkSession.objects.filter(pk=session_id).first()
    if session is None:
        raise Http404
    if write and session.technician_id != request.user.pk:
        require_role(request, SESSION_MANAGERS, "other technicians' work sessions")
    return session


@router.get("/sessions", response=list[SessionOut])
@paginate(LimitOffsetPagination)
def list_sessions(request, client: int | None = None, ticket: int | None = None,
                  technician: int | None = None, classification: str | None = None):
    """Work sessions, newest first (staff). Filters: `client`, `ticket`, `technician` ids,
    `classification` (included, allowance, overage, billable, internal)."""
    require_staff(request)
    rows = WorkSession.objects.all()
    for name, value in (("client_id", client), ("ticket_id", ticket),
                        ("technician_id", technician), ("classification", classification)):
        if value:
            rows = rows.filter(**{name: value})
    return rows.order_by("-started_at", "-id")


@router.post("/sessions", response={201: SessionOut})
def create_session(request, payload: SessionIn):
    """Log a finished session (with `ended_at`) or start a timer (without), as the calling
    technician; classified at once with its reason. 422 for an end before the start, an
    overlap or a closed period; 409-free: an approval needed first is a 422 naming it."""
    require_staff(request)
    data = payload.model_dump()
    ticket = (lookup(Ticket.objects.select_related("client"), data["ticket_id"], "ticket_id")
              if data["ticket_id"] else None)
    client = (lookup(Client.objects.all(), data["client_id"], "client_id")
              if data["client_id"] else None)
    common = {"technician": request.user, "ticket": ticket, "client": client,
              "mode": data["mode"], "work_type": data["work_type"], "notes": data["notes"]}
    if data["ended_at"] is None:
        session = sessions.session_start(at=data["started_at"],
                                         expected_minutes=data["expected_minutes"], **common)
    else:
        session = sessions.session_log(started_at=data["started_at"] or now(),
                                       ended_at=data["ended_at"],
                                       travel_minutes=data["travel_minutes"], **common)
    return Status(201, session)


@router.get("/sessions/{int:session_id}", response=SessionOut)
def get_session(request, session_id: int):
    return _session(request, session_id)


@router.patch("/sessions/{int:session_id}", response=SessionOut)
def update_session(request, session_id: int, payload: SessionPatch):
    """Edit and re-classify (422 once invoiced: corrections go on the next invoice)."""
    session = _session(request, session_id, write=True)
    return sessions.session_update(session=session, by=request.user,
                                   **payload.model_dump(exclude_unset=True))


@router.post("/sessions/{int:session_id}/stop", response=SessionOut)
def stop_session(request, session_id: int, payload: SessionStopIn):
    session = _session(request, session_id, write=True)
    return sessions.session_stop(session=session, by=request.user, **payload.model_dump())


@router.delete("/sessions/{int:session_id}", response={204: None})
def delete_session(request, session_id: int):
    session = _session(request, session_id, write=True)
    sessions.session_delete(session=session, by=request.user)
    return Status(204, None)


@router.post("/classification/preview", response=PreviewOut)
def preview_classification(request, payload: PreviewIn):
    """What a session would be before the work: covered, allowance left, or the expected
    charge, and whether the client must approve an estimate first. Stores nothing."""
    require_staff(request)
    data = payload.model_dump()
    ticket = (lookup(Ticket.objects.select_related("client"), data.pop("ticket_id"),
                     "ticket_id") if data["ticket_id"] else data.pop("ticket_id"))
    client_id = data.pop("client_id")
    client = lookup(Client.objects.all(), client_id, "client_id") if client_id else None
    if ticket is None and client is None:
        raise ValidationError({"client_id": "give a ticket_id or a client_id"})
    return classification.classification_preview(ticket=ticket, client=client,
                                                  technician=request.user, **data)


@router.get("/agreements/{int:agreement_id}/allowance", response=LedgerOut)
def agreement_allowance(request, agreement_id: int, on: str | None = None):
    """The help-desk allowance of the billing period containing `on` (YYYY-MM-DD, default
    today): included, used, remaining (null = unlimited)."""
    require_staff(request)
    agreement = agreement_for_staff(request.user, agreement_id)
    try:
        day = date.fromisoformat(on) if on else now().date()
    except ValueError:
        raise ValidationError({"on": "a date as YYYY-MM-DD"}) from None
    return ledger.ledger_for(agreement=agreement, on=day)


# Billable items ---------------------------------------------------------------------------


@router.get("/items", response=list[ItemOut])
@paginate(LimitOffsetPagination)
def list_items(request, client: int | None = None, approval: str | None = None):
    """Billable items, newest first (staff). Filters: `client` id, `approval` state."""
    require_staff(request)
    rows = items.BillableItem.objects.all()
    if client:
        rows = rows.filter(client_id=client)
    if approval:
        rows = rows.filter(approval=approval)
    return rows.order_by("-created_at", "-id")


@router.post("/items", response={201: ItemOut})
def create_item(request, payload: ItemIn):
    """Create an item (owner, billing, dispatcher). Priced from `unit_price`, or
    `unit_cost` + markup; `approval` is "pending" when above the tier's threshold."""
    require_role(request, ITEM_WRITERS, "billable items")
    data = payload.model_dump()
    data["client"] = lookup(Client.objects.all(), data.pop("client_id"), "client_id")
    agreement_id, ticket_id = data.pop("agreement_id"), data.pop("ticket_id")
    data["agreement"] = (lookup(Agreement.objects.select_related("plan_version"),
                                agreement_id, "agreement_id") if agreement_id else None)
    data["ticket"] = lookup(Ticket.objects.all(), ticket_id, "ticket_id") if ticket_id else None
    return Status(201, items.item_create(by=request.user, **data))


@router.get("/items/{int:item_id}", response=ItemOut)
def get_item(request, item_id: int):
    return items.item_for_staff(request.user, item_id)


@router.patch("/items/{int:item_id}", response=ItemOut)
def update_item(request, item_id: int, payload: ItemPatch):
    """Change an item not yet invoiced (409 once invoiced)."""
    item = items.item_for_staff(request.user, item_id)
    require_role(request, ITEM_WRITERS, "billable items")
    return items.item_update(item=item, by=request.user,
                             **payload.model_dump(exclude_unset=True))


@router.delete("/items/{int:item_id}", response={204: None})
def delete_item(request, item_id: int):
    item = items.item_for_staff(request.user, item_id)
    require_role(request, ITEM_WRITERS, "billable items")
    items.item_delete(item=item, by=request.user)
    return Status(204, None)


# Invoice runs -----------------------------------------------------------------------------


def _invoice_staff(request) -> None:
    require_staff(request)
    require_role(request, INVOICE_STAFF, "invoices")


@router.post("/invoice-runs", response={202: RunOut})
def start_invoice_run(request, payload: RunIn):
    """Start (or resume) the period's invoice run in the background (owner, billing) and
    answer 202 with the run; poll GET /invoice-runs/{id} for its progress. Idempotent: a
    second start, or a start after a crash, completes the period without duplicates. 422
    for a period in the future."""
    _invoice_staff(request)
    run = invoicing.invoice_run_start(period_start=payload.period_start, by=request.user)
    try:
        from tierdesk.billing.tasks import invoice_run_task
    except ImportError:  # the task module lands separately; run inline until it does
        invoicing.invoice_run(period_start=run.period_start, run=run)
    else:
        invoice_run_task(run.pk)
    run.refresh_from_db()
    return Status(202, run)


@router.get("/invoice-runs", response=list[RunOut])
@paginate(LimitOffsetPagination)
def list_invoice_runs(request):
    _invoice_staff(request)
    return InvoiceRun.objects.order_by("-started_at", "-id")


@router.get("/invoice-runs/{int:run_id}", response=RunOut)
def get_invoice_run(request, run_id: int):
    """A run's status and progress (agreements done of total)."""
    _invoice_staff(request)
    run = InvoiceRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


# Invoices and credit notes -----------------------------------------------------------------


def _visible_invoices(request):
    if request.user.is_msp_staff:
        require_role(request, INVOICE_STAFF, "invoices")
        return invoice_access.invoices_for_staff(request.user)
    return invoice_access.invoices_for_contact(request.user)


def _invoice_for_action(request, invoice_id: int):
    _invoice_staff(request)
    return invoice_access.invoice_for_staff(request.user, invoice_id)


@router.get("/invoices", response=list[InvoiceOut])
@paginate(LimitOffsetPagination)
def list_invoices(request, status: str | None = None, client: int | None = None,
                  kind: str | None = None):
    """Invoices and credit notes, newest first. Owners and billing see all; a client
    contact its own client's issued ones. Filters: `status`, `client` id, `kind`."""
    rows = _visible_invoices(request)
    if status:
        rows = rows.filter(status__in=[s.strip() for s in status.split(",")])
    if client:
        rows = rows.filter(client_id=client)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-period_start", "-id")


@router.get("/invoices/{int:invoice_id}", response=InvoiceDetailOut)
def get_invoice(request, invoice_id: int):
    """One invoice with its lines, each with the reason it was billed."""
    return _visible_invoices(request).prefetch_related("lines").filter(
        pk=invoice_id).first() or _not_found()


def _not_found():
    raise Http404


@router.post("/invoices/{int:invoice_id}/issue", response=InvoiceDetailOut)
def issue_invoice(request, invoice_id: int):
    """Issue a draft: number kept, PDF stored with its SHA-256, e-mailed to the client's
    billing contacts (409 unless a draft)."""
    invoice = _invoice_for_action(request, invoice_id)
    return invoice_services.invoice_issue(invoice=invoice, by=request.user)


@router.post("/invoices/{int:invoice_id}/pay", response=InvoiceDetailOut)
def pay_invoice(request, invoice_id: int, payload: TransitionIn):
    invoice = _invoice_for_action(request, invoice_id)
    return invoice_lifecycle.invoice_transition(invoice=invoice, to="paid", by=request.user,
                                                reason=payload.reason)


@router.post("/invoices/{int:invoice_id}/void", response=InvoiceDetailOut)
def void_invoice(request, invoice_id: int, payload: TransitionIn):
    """Void a draft, or an issued invoice (which creates its full credit note)."""
    invoice = _invoice_for_action(request, invoice_id)
    return invoice_lifecycle.invoice_transition(invoice=invoice, to="void", by=request.user,
                                                reason=payload.reason)


@router.post("/invoices/{int:invoice_id}/credit-notes", response={201: InvoiceDetailOut})
def create_credit_note(request, invoice_id: int, payload: CreditNoteIn):
    """A draft credit note against an issued or paid invoice (issue it like an invoice);
    without `lines` it credits the whole invoice. 422 when it would credit more than the
    invoice's total."""
    invoice = _invoice_for_action(request, invoice_id)
    lines = [line.model_dump() for line in payload.lines] if payload.lines is not None else None
    note = invoice_lifecycle.credit_note_create(invoice=invoice, lines=lines,
                                                reason=payload.reason, by=request.user)
    return Status(201, invoice_access.invoice_for_staff(request.user, note.pk))
