"""/schedules, /work-orders and /audits: maintenance through the API. Thin: each endpoint
parses, fetches through tierdesk.maintenance.access, calls one maintenance service and
answers.

Who may do what:

    staff (any role)        read every schedule, work order and audit
    owner, dispatcher,      tick checklist items, complete work orders, attach evidence
      technician
    owner, dispatcher       change schedules, run generation
    client contact          read its own client's schedules, work orders and audits, and
                            download the reports of completed audits; nothing else exists
                            for it (404), and a write on its own work order is 403

Completing a work order twice, or ticking one that is done, is 409 (its state forbids
it); bad input is 422 naming the field (`rrule`, `estimated_minutes`, `horizon_days`,
`item`, `findings`, `file`).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Status, UploadedFile
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from tierdesk.api.auth import require_role
from tierdesk.api.schemas.maintenance import (
    AuditOut,
    CompleteIn,
    EvidenceOut,
    GenerateIn,
    GenerateOut,
    ItemIn,
    ScheduleOut,
    SchedulePatch,
    WorkOrderDetailOut,
    WorkOrderOut,
)
from tierdesk.clients.models import Agreement
from tierdesk.maintenance import access, audits, services
from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import (
    Schedule,
    WorkOrder,
    WorkOrderKind,
    WorkOrderStatus,
)

router = Router(tags=["maintenance"])

WORKERS = tuple(access.WORKER_ROLES)
MANAGERS = tuple(access.MANAGER_ROLES)
OPEN_STATUSES = (WorkOrderStatus.SCHEDULED, WorkOrderStatus.MISSED)


def _csv(value: str | None, field: str, allowed) -> list[str]:
    parts = [part.strip() for part in (value or "").split(",") if part.strip()]
    unknown = [part for part in parts if part not in allowed]
    if unknown:
        # A query-parameter error, raised as one: a service error naming only `status`
        # would read as a state conflict (409) in api/errors.py.
        raise SchemaValidationError([{
            "loc": ("query", field),
            "msg": f'"{unknown[0]}" is not one of {", ".join(allowed)}'}])
    return parts


# Schedules --------------------------------------------------------------------------------


@router.get("/schedules", response=list[ScheduleOut])
@paginate(LimitOffsetPagination)
def list_schedules(request, agreement: int | None = None, active: bool | None = None):
    """Maintenance schedules. Staff see every one; a client contact its own client's active
    ones. Filters: `agreement` id, `active`."""
    if request.user.is_msp_staff:
        rows = Schedule.objects.all()
    else:
        rows = access.schedules_for_contact(request.user)
    if agreement is not None:
        rows = rows.filter(agreement_id=agreement)
    if active is not None:
        rows = rows.filter(is_active=active)
    return rows.select_related("agreement").order_by("agreement_id", "kind", "title", "id")


@router.patch("/schedules/{int:schedule_id}", response=ScheduleOut)
def update_schedule(request, schedule_id: int, payload: SchedulePatch):
    """Change the rule, the local time or the estimate (owners, dispatchers); the schedule's
    future open work orders are regenerated. 422 for a rule that is invalid or never fires
    (`rrule`) and for less than one minute (`estimated_minutes`)."""
    if not request.user.is_msp_staff:
        # A contact's own schedule exists for it (403); another client's does not (404).
        if not access.schedules_for_contact(request.user).filter(pk=schedule_id).exists():
            raise Http404
    _require_staff_for_writes(request)
    require_role(request, MANAGERS, "maintenance schedules")
    schedule = access.schedule_for_manager(request.user, schedule_id)
    updated = services.schedule_update(schedule=schedule, by=request.user,
                                       **payload.model_dump(exclude_unset=True))
    return Schedule.objects.select_related("agreement").get(pk=updated.pk)


@router.post("/schedules/generate", response=GenerateOut)
def generate(request, payload: GenerateIn):
    """Generate work orders now for the next `horizon_days` (owners, dispatchers), for every
    signed or active agreement or only `agreement_ids`. Idempotent: a rerun creates
    nothing new. 422 for a horizon outside 1–366 days or an unknown agreement id."""
    _require_staff_for_writes(request)
    require_role(request, MANAGERS, "maintenance schedules")
    ids = payload.agreement_ids
    if ids is not None:
        known = set(Agreement.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [pk for pk in ids if pk not in known]
        if missing:
            raise ValidationError({"agreement_ids": f"no such agreement: {missing[0]}"})
    return workorders_generate(horizon_days=payload.horizon_days, agreement_ids=ids)


# Work orders ------------------------------------------------------------------------------


def _require_staff_for_writes(request) -> None:
    # Contacts may read maintenance, so a write is 403 for them, not 404 (as for tickets).
    if not request.user.is_msp_staff:
        raise PermissionDenied("only the MSP's staff may do this")


def _visible(user) -> QuerySet[WorkOrder]:
    if user.is_msp_staff:
        return WorkOrder.objects.select_related("client", "site")
    return access.workorders_for_contact(user)


def _work_order(user, work_order_id: int) -> WorkOrder:
    if user.is_msp_staff:
        return access.workorder_for_staff(user, work_order_id)
    return access.workorder_for_contact(user, work_order_id)


def _to_work_on(request, work_order_id: int) -> WorkOrder:
    """404 for a work order the caller cannot see, then 403 for who may not work on it."""
    order = _work_order(request.user, work_order_id)
    _require_staff_for_writes(request)
    if not request.user.has_role(*WORKERS):
        raise PermissionDenied("work orders are worked on by owners, dispatchers and "
                               "technicians only")
    return order


def _filtered(request, rows: QuerySet[WorkOrder], *, client, due_from, due_to, status, kind,
              assigned_to, overdue) -> QuerySet[WorkOrder]:
    if client is not None:
        rows = rows.filter(client_id=client)
    if due_from is not None:
        rows = rows.filter(due_on__gte=due_from)
    if due_to is not None:
        rows = rows.filter(due_on__lte=due_to)
    if due_from and due_to and due_from > due_to:
        raise ValidationError({"due_to": "must be on or after due_from"})
    if statuses := _csv(status, "status", WorkOrderStatus.values):
        rows = rows.filter(status__in=statuses)
    if kinds := _csv(kind, "kind", WorkOrderKind.values):
        rows = rows.filter(kind__in=kinds)
    if assigned_to and request.user.is_msp_staff:
        if assigned_to == "none":
            rows = rows.filter(assigned_to__isnull=True)
        elif assigned_to == "me":
            rows = rows.filter(assigned_to=request.user)
        elif assigned_to.isdigit():
            rows = rows.filter(assigned_to_id=int(assigned_to))
        else:
            raise ValidationError({"assigned_to": 'a user id, "me" or "none"'})
    late = Q(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
    if overdue is True:
        rows = rows.filter(late)
    elif overdue is False:
        rows = rows.exclude(late)
    return rows.order_by("due_on", "scheduled_at", "id")


@router.get("/work-orders", response=list[WorkOrderOut])
@paginate(LimitOffsetPagination)
def list_work_orders(request, client: int | None = None, due_from: dt.date | None = None,
                     due_to: dt.date | None = None, status: str | None = None,
                     kind: str | None = None, assigned_to: str | None = None,
                     overdue: bool | None = None):
    """Work orders by due date. Staff see every one; a client contact its own client's
    (never cancelled ones). Filters: `client` id; `due_from`, `due_to` (YYYY-MM-DD,
    inclusive); `status` and `kind` (comma-separated for several); `assigned_to` (a user
    id, `me` or `none`; staff only); `overdue` (open and past its due time)."""
    return _filtered(request, _visible(request.user), client=client, due_from=due_from,
                     due_to=due_to, status=status, kind=kind, assigned_to=assigned_to,
                     overdue=overdue)


@router.get("/work-orders/{int:work_order_id}", response=WorkOrderDetailOut)
def get_work_order(request, work_order_id: int):
    """One work order with its checklist (item keys to tick) and evidence files."""
    return _work_order(request.user, work_order_id)


@router.post("/work-orders/{int:work_order_id}/items/{item_key}", response=WorkOrderDetailOut)
def set_item(request, work_order_id: int, item_key: str, payload: ItemIn):
    """Tick (`done: true`) or untick one checklist item, with an optional note. 422 naming
    `item` for a key the work order does not have; 409 once the work order is closed."""
    order = _to_work_on(request, work_order_id)
    services.workorder_item_set(work_order=order, item_key=item_key, done=payload.done,
                                by=request.user, note=payload.note)
    return access.workorder_for_staff(request.user, order.pk)


@router.post("/work-orders/{int:work_order_id}/complete", response=WorkOrderDetailOut)
def complete(request, work_order_id: int, payload: CompleteIn):
    """Mark the work order done. Items left unticked need a `note` saying why; an audit
    needs its `findings`. Completing twice is 409, naming who completed it and when."""
    order = _to_work_on(request, work_order_id)
    services.workorder_complete(work_order=order, by=request.user, note=payload.note,
                                findings=payload.findings)
    return access.workorder_for_staff(request.user, order.pk)


@router.post("/work-orders/{int:work_order_id}/attachments", response={201: EvidenceOut})
def attach(request, work_order_id: int, file: File[UploadedFile] = None,
           note: Form[str] = ""):
    """Attach an evidence file (multipart/form-data: `file`, optional `note`); stored with
    its size and SHA-256. 422 naming `file` when it is empty or over the size limit."""
    order = _to_work_on(request, work_order_id)
    if file is None:
        # Checked here rather than by the schema, whose error would name "file.file".
        raise ValidationError({"file": 'send the file as the multipart field "file"'})
    limit = settings.TIERDESK_EVIDENCE_MAX_BYTES
    # Refuse an oversized upload before reading it into memory.
    if file.size is not None and file.size > limit:
        raise ValidationError({"file": f"{file.name} is {file.size:,} bytes; the limit is "
                                       f"{limit:,} bytes"})
    evidence = services.workorder_attach(
        work_order=order, name=file.name or "evidence", content=file.read(), by=request.user,
        content_type=file.content_type or "", note=note)
    return Status(201, evidence)


# Audits -----------------------------------------------------------------------------------


@router.get("/audits", response=list[AuditOut])
@paginate(LimitOffsetPagination)
def list_audits(request, client: int | None = None, status: str | None = None,
                due_from: dt.date | None = None, due_to: dt.date | None = None):
    """Network audit work orders, latest due first. Staff see every one; a client contact
    its own client's (findings and the report once done). Filters: `client` id, `status`
    (comma-separated), `due_from`, `due_to`."""
    if request.user.is_msp_staff:
        rows = access.audits_for_staff(request.user)
    else:
        rows = access.audits_for_contact(request.user)
    rows = _filtered(request, rows, client=client, due_from=due_from, due_to=due_to,
                     status=status, kind=None, assigned_to=None, overdue=None)
    return rows.order_by("-due_on", "-id")


@router.get("/audits/{int:audit_id}/report.pdf", response={200: None}, url_name="audit_report",
            openapi_extra={"responses": {"200": {
                "description": "the audit report",
                "content": {"application/pdf": {"schema": {"type": "string",
                                                           "format": "binary"}}}}}})
def audit_report(request, audit_id: int):
    """The audit report as PDF: client, site, tier, period, who performed it and when,
    every check with its notes, the findings and the evidence files with their SHA-256.
    Staff get any audit (an open one prints as a draft); a client contact only its own
    client's completed audits (404 otherwise)."""
    if request.user.is_msp_staff:
        order = access.audit_for_staff(request.user, audit_id)
    else:
        order = access.audit_report_for_contact(request.user, audit_id)
    response = HttpResponse(audits.audit_report_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{audits.audit_report_filename(order)}"')
    return response
