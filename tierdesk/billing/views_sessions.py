"""Staff views of work sessions on a ticket or a maintenance work order (an htmx panel on
the ticket's and the work order's page), the before-the-work preview, approval requests,
and the public single-use approval link."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from tierdesk.billing import access, approvals, corrections, selectors, sessions
from tierdesk.billing.classification import classification_preview
from tierdesk.billing.forms import (
    ApprovalDecisionForm,
    ApprovalRequestForm,
    SessionEditForm,
    SessionKindForm,
    SessionLogForm,
    SessionStopForm,
    TimerStartForm,
    WorkOrderSessionKindForm,
    WorkOrderSessionLogForm,
    apply_errors,
)
from tierdesk.billing.models import SessionWorkType
from tierdesk.core.permissions import ALL_STAFF, public_view, staff_view
from tierdesk.desk.access import ticket_for_staff
from tierdesk.maintenance.access import workorder_for_staff
from tierdesk.maintenance.models import WorkOrderStatus
from tierdesk.maintenance.selectors import workorder_services

WORKERS = tuple(access.SESSION_WORKERS)


def _status(request, status: int) -> int:
    """htmx swaps only 2xx answers: a panel showing errors goes to htmx as 200 (the errors
    are in it) and as `status` to everyone else."""
    return 200 if request.htmx else status


def _ticket_urls(ticket) -> dict:
    return {"panel": reverse("billing:ticket_sessions", args=[ticket.pk]),
            "preview": reverse("billing:session_preview", args=[ticket.pk]),
            "start": reverse("billing:session_start", args=[ticket.pk]),
            "log": reverse("billing:session_log", args=[ticket.pk])}


def _timer_form(running, form=None):
    """The running timer's start, to move it (None when no timer runs)."""
    if form is not None or running is None:
        return form
    return TimerStartForm(prefix="timer", session=running)


def _panel(request, ticket, *, kind_form=None, log_form=None, approval_form=None,
           error="", status=200, edit=None, edit_form=None, notice="", timer_form=None):
    running = selectors.session_running(technician=request.user, ticket=ticket)
    context = {
        "timer_form": _timer_form(running, timer_form),
        "urls": _ticket_urls(ticket),
        "edit": edit,
        "edit_form": edit_form,
        "edit_url": _edit_url(edit) if edit else "",
        "notice": notice,
        "ticket": ticket,
        "sessions": selectors.session_list_for_ticket(ticket),
        "running": running,
        "kind_form": kind_form or SessionKindForm(prefix="kind"),
        "log_form": log_form or SessionLogForm(prefix="log", tz=ticket.client.timezone),
        "stop_form": SessionStopForm(prefix="stop"),
        "approval_form": approval_form or ApprovalRequestForm(prefix="approval"),
        "approvals": selectors.approval_list_for_ticket(ticket),
        "allowance": selectors.ledger_summary(client=ticket.client),
        "can_log": access.can_log_time(request.user),
        "error": error,
    }
    return render(request, "billing/sessions/panel.html", context,
                  status=_status(request, status))


def _done(request, ticket, **kwargs):
    if request.htmx:
        return _panel(request, ticket, **kwargs)
    return redirect("desk:ticket_detail", pk=ticket.pk)


# The same panel on a maintenance work order -------------------------------------------------

def _workorder_urls(work_order) -> dict:
    return {name: reverse(f"billing:workorder_session{suffix}", args=[work_order.pk])
            for name, suffix in (("panel", "s"), ("preview", "_preview"),
                                 ("start", "_start"), ("log", "_log"))}


def _workorder_panel(request, work_order, *, kind_form=None, log_form=None, error="",
                     status=200, notice="", timer_form=None):
    services = workorder_services(work_order)
    forms = {"services": services, "mode": work_order.delivery}
    running = selectors.session_running(technician=request.user, work_order=work_order)
    context = {
        "timer_form": _timer_form(running, timer_form),
        "urls": _workorder_urls(work_order),
        "work_order": work_order,
        "ticket": None,
        "notice": notice,
        "sessions": selectors.session_list_for_work_order(work_order),
        "running": running,
        "kind_form": kind_form or WorkOrderSessionKindForm(prefix="kind", **forms),
        "log_form": log_form or WorkOrderSessionLogForm(
            prefix="log", tz=work_order.client.timezone, **forms),
        "stop_form": SessionStopForm(prefix="stop"),
        "can_log": (access.can_log_time(request.user)
                    and work_order.status != WorkOrderStatus.CANCELLED),
        "error": error,
    }
    return render(request, "billing/sessions/panel.html", context,
                  status=_status(request, status))


def _done_for(request, session, **kwargs):
    """After a change to `session`: its ticket's or work order's panel (htmx), else that
    page."""
    failed = kwargs.get("status", 200) != 200
    if session.work_order_id is None:
        if request.htmx or failed:
            return _panel(request, session.ticket, **kwargs)
        return redirect("desk:ticket_detail", pk=session.ticket_id)
    work_order = workorder_for_staff(request.user, session.work_order_id)
    if request.htmx or failed:
        return _workorder_panel(request, work_order, **kwargs)
    return redirect("maintenance:workorder_detail", pk=work_order.pk)


@staff_view(*ALL_STAFF)
def workorder_sessions(request, work_order_pk):
    return _workorder_panel(request, workorder_for_staff(request.user, work_order_pk))


@staff_view(*WORKERS)
@require_POST
def workorder_session_preview(request, work_order_pk):
    work_order = workorder_for_staff(request.user, work_order_pk)
    form = WorkOrderSessionKindForm(request.POST, prefix="kind",
                                    services=workorder_services(work_order))
    return _preview(request, form, work_type=SessionWorkType.MAINTENANCE,
                    client=work_order.client)


@staff_view(*WORKERS)
@require_POST
def workorder_session_start(request, work_order_pk):
    work_order = workorder_for_staff(request.user, work_order_pk)
    form = WorkOrderSessionKindForm(request.POST, prefix="kind",
                                    services=workorder_services(work_order))
    if form.is_valid():
        d = form.cleaned_data
        try:
            session = sessions.session_start(
                technician=request.user, work_order=work_order, mode=d["mode"],
                service=d["service"], expected_minutes=d["minutes"])
            return _done_for(request, session)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _workorder_panel(request, work_order, kind_form=form, status=400)


@staff_view(*WORKERS)
@require_POST
def workorder_session_log(request, work_order_pk):
    work_order = workorder_for_staff(request.user, work_order_pk)
    form = WorkOrderSessionLogForm(request.POST, prefix="log", tz=work_order.client.timezone,
                                   services=workorder_services(work_order))
    if form.is_valid():
        d = form.cleaned_data
        try:
            session = sessions.session_log(
                technician=request.user, work_order=work_order, started_at=d["started_at"],
                ended_at=d["ended_at"], mode=d["mode"], service=d["service"],
                travel_minutes=d["travel_minutes"], notes=d["notes"])
            return _done_for(request, session)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _workorder_panel(request, work_order, log_form=form, status=400)


@staff_view(*ALL_STAFF)
def ticket_sessions(request, ticket_pk):
    """The panel; `?edit=<session id>` opens (and a POST there saves) the edit form, until
    billing/urls.py routes `billing:session_edit` itself."""
    if request.GET.get("edit"):
        return session_edit(request, pk=request.GET["edit"], ticket_pk=ticket_pk)
    return _panel(request, ticket_for_staff(request.user, ticket_pk))


def _edit_url(session) -> str:
    try:
        return reverse("billing:session_edit", args=[session.pk])
    except NoReverseMatch:
        url = reverse("billing:ticket_sessions", args=[session.ticket_id])
        return f"{url}?edit={session.pk}"


def _edit_changes(form, *, correcting: bool) -> dict:
    d = form.cleaned_data
    changes = {name: d[name] for name in ("started_at", "ended_at", "mode", "work_type",
                                          "service", "travel_minutes")}
    if not correcting:
        changes["notes"] = d["notes"]
    return changes


def _edit_preview(request, session, form, correcting: bool):
    """The live preview of the edit form: the new class, reason and charge, the warning
    logging such work gets, and for a session of a closed period the adjustment a
    correction would leave."""
    context = {"session": session}
    if not form.is_valid():
        context["form"] = form
    elif form.cleaned_data["ended_at"] is None:
        context["error"] = "A running timer is classified when it stops."
    else:
        changes = _edit_changes(form, correcting=True)
        try:
            context["preview"] = corrections.session_edit_preview(session=session,
                                                                  **changes)
        except ValidationError as exc:
            context["error"] = exc.messages[0]
    return render(request, "billing/sessions/edit_preview.html", context)


@staff_view(*WORKERS)
def session_edit(request, pk, ticket_pk=None):
    """Edit a session (re-classified by `session_update`), or correct one of a closed
    period (`corrections.session_correct`: an adjustment for the next invoice). Technicians
    edit their own sessions, owners and dispatchers anyone's; POST with `preview` only
    previews."""
    session = access.session_for_editor(request.user, pk)
    if session.ticket_id is None or (ticket_pk is not None
                                     and str(session.ticket_id) != str(ticket_pk)):
        raise Http404("No such session on this ticket.")
    ticket = ticket_for_staff(request.user, session.ticket_id)
    correcting = corrections.session_needs_correction(session)
    session.in_closed_period = correcting and not session.invoiced_line_id
    if request.method != "POST":
        form = SessionEditForm(prefix="edit", session=session, correcting=correcting)
        return _panel(request, ticket, edit=session, edit_form=form)
    form = SessionEditForm(request.POST, prefix="edit", session=session,
                           correcting=correcting)
    if "preview" in request.POST:
        return _edit_preview(request, session, form, correcting)
    if form.is_valid():
        changes = _edit_changes(form, correcting=correcting)
        try:
            if correcting:
                item = corrections.session_correct(session=session, by=request.user,
                                                   **changes)
                notice = (f"Correction: an adjustment of {item.unit_price} goes on the next "
                          f"invoice ({item.description})." if item is not None else
                          "Correction: no difference in the charge, so nothing to adjust.")
            else:
                saved = sessions.session_update(session=session, by=request.user, **changes)
                notice = (f"Re-classified: {saved.get_classification_display()} — "
                          f"{saved.reason}" if saved.classification
                          else "Saved (the timer is still running).")
            if not request.htmx:
                return redirect("desk:ticket_detail", pk=ticket.pk)
            return _panel(request, ticket, notice=notice)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _panel(request, ticket, edit=session, edit_form=form, status=400)


@staff_view(*WORKERS)
@require_POST
def session_preview(request, ticket_pk):
    ticket = ticket_for_staff(request.user, ticket_pk)
    form = SessionKindForm(request.POST, prefix="kind")
    return _preview(request, form, ticket=ticket)


def _preview(request, form, *, work_type=None, **target):
    """The "before the work" preview of a ticket's or work order's session form; the
    work type is the form's unless the target fixes it (a work order: maintenance)."""
    if not form.is_valid():
        return render(request, "billing/sessions/preview.html", {"form": form})
    d = form.cleaned_data
    try:
        preview = classification_preview(
            technician=request.user, minutes=d["minutes"], mode=d["mode"],
            work_type=work_type or d["work_type"], service=d["service"],
            travel_minutes=d["travel_minutes"], **target)
    except ValidationError as exc:
        return render(request, "billing/sessions/preview.html", {"error": exc.messages[0]})
    return render(request, "billing/sessions/preview.html", {"preview": preview})


@staff_view(*WORKERS)
@require_POST
def session_start(request, ticket_pk):
    ticket = ticket_for_staff(request.user, ticket_pk)
    form = SessionKindForm(request.POST, prefix="kind")
    if form.is_valid():
        d = form.cleaned_data
        try:
            sessions.session_start(technician=request.user, ticket=ticket, mode=d["mode"],
                                   work_type=d["work_type"], service=d["service"],
                                   expected_minutes=d["minutes"])
            return _done(request, ticket)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _panel(request, ticket, kind_form=form, status=400)


@staff_view(*WORKERS)
@require_POST
def session_stop(request, pk):
    session = access.session_for_editor(request.user, pk)
    form = SessionStopForm(request.POST, prefix="stop")
    error = ""
    if form.is_valid():
        try:
            sessions.session_stop(session=session, by=request.user,
                                  travel_minutes=form.cleaned_data["travel_minutes"],
                                  notes=form.cleaned_data["notes"] or None)
            return _done_for(request, session)
        except ValidationError as exc:
            error = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())
    return _done_for(request, session, error=error or "check the form", status=400)


@staff_view(*WORKERS)
@require_POST
def session_timer_start(request, pk):
    """Move a running timer's start (`session_update` checks it: not in the future, no
    overlap, not in a closed period, at most 24 hours back; errors name the field)."""
    session = access.session_for_editor(request.user, pk)
    if session.ended_at is not None:
        return _done_for(request, session, status=400, error="This timer is already "
                                                            "stopped: edit the session instead.")
    form = TimerStartForm(request.POST, prefix="timer", session=session)
    if form.is_valid():
        try:
            sessions.session_update(session=session, by=request.user,
                                    started_at=form.cleaned_data["started_at"])
            return _done_for(request, session, notice="Timer start changed.")
        except ValidationError as exc:
            apply_errors(form, exc)
    return _done_for(request, session, timer_form=form, status=400)


@staff_view(*WORKERS)
@require_POST
def session_log(request, ticket_pk):
    ticket = ticket_for_staff(request.user, ticket_pk)
    form = SessionLogForm(request.POST, prefix="log", tz=ticket.client.timezone)
    if form.is_valid():
        d = form.cleaned_data
        try:
            sessions.session_log(technician=request.user, ticket=ticket,
                                 started_at=d["started_at"], ended_at=d["ended_at"],
                                 mode=d["mode"], work_type=d["work_type"],
                                 service=d["service"], travel_minutes=d["travel_minutes"],
                                 notes=d["notes"])
            return _done(request, ticket)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _panel(request, ticket, log_form=form, status=400)


@staff_view(*WORKERS)
@require_POST
def session_delete(request, pk):
    session = access.session_for_editor(request.user, pk)
    try:
        sessions.session_delete(session=session, by=request.user)
    except ValidationError as exc:
        return _done_for(request, session, error=exc.messages[0], status=400)
    return _done_for(request, session)


@staff_view(*WORKERS)
@require_POST
def approval_create(request, ticket_pk):
    ticket = ticket_for_staff(request.user, ticket_pk)
    form = ApprovalRequestForm(request.POST, prefix="approval")
    if form.is_valid():
        try:
            approvals.approval_request(ticket=ticket, by=request.user, **form.cleaned_data)
            return _done(request, ticket)
        except ValidationError as exc:
            apply_errors(form, exc)
    return _panel(request, ticket, approval_form=form, status=400)


@public_view
def approval_link(request, token):
    """The e-mailed single-use link: anyone holding it may decide once."""
    request_obj = approvals.approval_for_token(token)
    if request_obj is None:
        raise Http404("This link was used already or does not exist.")
    form = ApprovalDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decided = approvals.approval_decide(
                request=request_obj, approve=form.cleaned_data["decision"] == "approve",
                contact=None, note=form.cleaned_data["note"])
        except ValidationError as exc:
            return HttpResponse(exc.messages[0], status=409)
        return render(request, "billing/approvals/decided.html", {"approval": decided})
    return render(request, "billing/approvals/link.html",
                  {"approval": request_obj, "form": form})
