"""Staff pages of maintenance: the technicians' board (today / this week), a work order
(checklist, evidence, time, completion), and an agreement's schedules.

All staff read; owners, dispatchers and technicians work on work orders (tick, attach,
complete, log time — billing staff get 403); owners and dispatchers plan them (assign,
mark missed, cancel, edit schedules, generate). A technician may take an unassigned work
order. Objects are fetched only through maintenance/access.py (or clients/access.py for
the agreement); every write is one service call. Client contacts get 403 from
`staff_view` before any lookup, so an id's existence is never revealed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tierdesk.clients.access import agreement_for_staff
from tierdesk.clients.forms import add_service_errors
from tierdesk.core import clock
from tierdesk.core.permissions import ALL_STAFF, MANAGERS, staff_view
from tierdesk.maintenance import access, selectors, services
from tierdesk.maintenance.forms import (
    AssignForm,
    BoardFilterForm,
    CompleteForm,
    EvidenceForm,
    ItemTickForm,
    ScheduleForm,
    TransitionForm,
)
from tierdesk.maintenance.generation import workorders_generate
from tierdesk.maintenance.models import WorkOrderKind

WORKERS = tuple(sorted(access.WORKER_ROLES))


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k.replace('_', ' ')}: {' '.join(v)}"
                         for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


# The board ----------------------------------------------------------------------------------

@staff_view(*ALL_STAFF)
def board(request, period="today"):
    form = BoardFilterForm(request.GET or None)
    found = selectors.workorder_board(user=request.user, period=period, now=clock.now(),
                                      **form.values())
    return render(request, "maintenance/board.html",
                  {"period": period, "form": form, "board": found})


# A work order -------------------------------------------------------------------------------

def _detail_context(request, order, **forms) -> dict:
    user = request.user
    can_work = user.role in access.WORKER_ROLES and order.is_open
    can_manage = user.role in access.MANAGER_ROLES and order.is_open
    # A refused action whose form the page no longer shows (the work order is done or
    # cancelled now): its errors go to the top of the page.
    hidden = [forms.get("complete_form")] if not can_work else []
    if not can_manage:
        hidden += [forms.get("assign_form"), forms.get("transition_form")]
    return {
        "hidden_errors": [e for form in hidden if form is not None
                          for e in form.non_field_errors()],
        "order": order,
        "overdue": order.is_overdue(clock.now()),
        "sections": selectors.checklist_sections(order),
        "evidence": order.evidence.select_related("uploaded_by"),
        "can_work": can_work,
        "can_attach": user.role in access.WORKER_ROLES and order.status != "cancelled",
        "can_manage": can_manage,
        "can_take": (user.role in access.WORKER_ROLES and order.is_open
                     and order.assigned_to_id is None),
        "is_audit": order.kind == WorkOrderKind.AUDIT,
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "complete_form": forms.get("complete_form") or CompleteForm(),
        "assign_form": forms.get("assign_form") or AssignForm(
            initial={"technician": order.assigned_to_id}),
        "transition_form": forms.get("transition_form") or TransitionForm(),
    }


@staff_view(*ALL_STAFF)
def workorder_detail(request, pk):
    order = access.workorder_for_staff(request.user, pk)
    return render(request, "maintenance/workorder_detail.html",
                  _detail_context(request, order))


def _checklist(request, order, *, error: str = "", status: int = 200):
    return render(request, "maintenance/_checklist.html", {
        "order": order, "sections": selectors.checklist_sections(order), "error": error,
        "can_work": request.user.role in access.WORKER_ROLES and order.is_open,
    }, status=status)


@staff_view(*WORKERS)
@require_POST
def workorder_item(request, pk):
    """Tick or untick one item (htmx: answers with the checklist, errors shown in it)."""
    order = access.workorder_for_worker(request.user, pk)
    form = ItemTickForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "Which checklist item? The request named none."
    else:
        d = form.cleaned_data
        try:
            order = services.workorder_item_set(work_order=order, item_key=d["item"],
                                                done=d["done"], by=request.user,
                                                note=d["note"])
        except ValidationError as exc:
            error = _errors(exc)
            order = access.workorder_for_staff(request.user, pk)
    if request.htmx:
        # htmx swaps only 2xx answers: the error travels inside the checklist.
        return _checklist(request, order, error=error)
    if error:
        messages.error(request, error)
    return redirect("maintenance:workorder_detail", pk=order.pk)


def _detail_with_errors(request, order, **forms):
    order = access.workorder_for_staff(request.user, order.pk)
    return render(request, "maintenance/workorder_detail.html",
                  _detail_context(request, order, **forms), status=400)


@staff_view(*WORKERS)
@require_POST
def workorder_attach(request, pk):
    order = access.workorder_for_worker(request.user, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            evidence = services.workorder_attach(
                work_order=order, name=upload.name, content=upload.read(), by=request.user,
                content_type=upload.content_type or "", note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Attached {evidence.original_name} "
                                      f"({evidence.size:,} bytes).")
            return redirect("maintenance:workorder_detail", pk=order.pk)
    return _detail_with_errors(request, order, evidence_form=form)


@staff_view(*ALL_STAFF)
def evidence_download(request, pk, evidence_pk):
    """Evidence is served through this access-checked view, never from a public URL; as a
    download, so an uploaded page never runs in the app's origin."""
    evidence = access.evidence_for_staff(request.user, pk, evidence_pk)
    return FileResponse(evidence.file.open("rb"), as_attachment=True,
                        filename=evidence.original_name,
                        content_type=evidence.content_type or "application/octet-stream")


@staff_view(*WORKERS)
@require_POST
def workorder_complete(request, pk):
    order = access.workorder_for_worker(request.user, pk)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.workorder_complete(work_order=order, by=request.user,
                                        note=form.cleaned_data["note"],
                                        findings=form.cleaned_data["findings"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{order.reference} is done.")
            return redirect("maintenance:workorder_detail", pk=order.pk)
    return _detail_with_errors(request, order, complete_form=form)


@staff_view(*WORKERS)
@require_POST
def workorder_assign(request, pk):
    """Managers assign anyone (or nobody); a technician may only take an unassigned work
    order for themselves."""
    order = access.workorder_for_worker(request.user, pk)
    if request.POST.get("take"):
        if order.assigned_to_id is not None and order.assigned_to_id != request.user.pk:
            messages.error(request, f"{order.reference} is already assigned to "
                                    f"{order.assigned_to}.")
            return redirect("maintenance:workorder_detail", pk=order.pk)
        technician, form = request.user, None
    else:
        if request.user.role not in access.MANAGER_ROLES:
            raise PermissionDenied
        form = AssignForm(request.POST)
        if not form.is_valid():
            return _detail_with_errors(request, order, assign_form=form)
        technician = form.cleaned_data["technician"]
    try:
        services.workorder_assign(work_order=order, technician=technician, by=request.user)
    except ValidationError as exc:
        if form is None:
            messages.error(request, _errors(exc))
            return redirect("maintenance:workorder_detail", pk=order.pk)
        add_service_errors(form, exc)
        return _detail_with_errors(request, order, assign_form=form)
    messages.success(request, f"{order.reference} assigned to "
                              f"{technician or 'nobody'}.")
    return redirect("maintenance:workorder_detail", pk=order.pk)


@staff_view(*MANAGERS)
@require_POST
def workorder_transition(request, pk):
    order = access.workorder_for_worker(request.user, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            order = services.workorder_transition(work_order=order, to=form.cleaned_data["to"],
                                                  by=request.user,
                                                  reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{order.reference} is now "
                                      f"{order.get_status_display().lower()}.")
            return redirect("maintenance:workorder_detail", pk=order.pk)
    return _detail_with_errors(request, order, transition_form=form)


# Schedules of an agreement ---------------------------------------------------------------------

@staff_view(*ALL_STAFF)
def agreement_schedules(request, agreement_pk):
    agreement = agreement_for_staff(request.user, agreement_pk)
    return render(request, "maintenance/schedules.html", {
        "agreement": agreement,
        "schedules": selectors.schedule_list_for_agreement(agreement),
        "upcoming": selectors.workorder_list_for_agreement(agreement),
        "can_manage": request.user.role in access.MANAGER_ROLES,
    })


@staff_view(*MANAGERS)
def schedule_edit(request, pk):
    schedule = access.schedule_for_manager(request.user, pk)
    initial = {"rrule": schedule.rrule, "local_time": schedule.local_time,
               "estimated_minutes": schedule.estimated_minutes}
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_update(schedule=schedule, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Schedule “{schedule.title}” saved; its future work "
                                      "orders were planned again.")
            return redirect("maintenance:agreement_schedules",
                            agreement_pk=schedule.agreement_id)
    return render(request, "maintenance/schedule_form.html",
                  {"schedule": schedule, "form": form},
                  status=400 if form.errors else 200)


@staff_view(*MANAGERS)
@require_POST
def agreement_generate(request, agreement_pk):
    """Run the daily generation now for this agreement (idempotent)."""
    agreement = agreement_for_staff(request.user, agreement_pk)
    try:
        result = workorders_generate(agreement_ids=[agreement.pk])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        first, last = result.window
        messages.success(request, f"Generated {result.created} new work order"
                                  f"{'' if result.created == 1 else 's'} for {first:%d %b} – "
                                  f"{last:%d %b %Y} ({result.cancelled} cancelled, "
                                  f"{result.schedules_created} new schedules).")
    return redirect("maintenance:agreement_schedules", agreement_pk=agreement.pk)
